"""Every error status with the documented body, and bad input never being a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from leadsq.contract import ENDPOINT_PATHS
from leadsq.sandbox import Faults, Sandbox
from tests.sandbox.helpers import Api, list_body, small_sandbox


def assert_error(response: requests.Response, status: int, exception_type: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"Status", "ExceptionType", "ExceptionMessage"}
    assert body["Status"] == "Error"
    assert body["ExceptionType"] == exception_type
    return body["ExceptionMessage"]


# ------------------------------------------------------------------ 400


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "body is empty"),
        (b"\xff\xfe\x00", "not valid UTF-8"),
        (b"[1, 2]", "must be a JSON object, got a list"),
        (b'"List"', "must be a JSON object, got a string"),
        (b"null", "must be a JSON object, got null"),
        (b'{"Output": NaN}', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (
            b'{"Output": "List", "Paging": {"PageIndex": 1, "PageSize": 1}}',
            "Output must be a JSON object",
        ),
        (
            b'{"Output": {"Type": "List", "IncludeCSV": 5}, "Paging": {"PageIndex": 1, "PageSize": 1}}',
            "Output.IncludeCSV must be a string",
        ),
        (
            b'{"ReportFilter": {"LeadFilters": {}}, "Output": {"Type": "List", "IncludeCSV": "ProspectID"}, "Paging": {"PageIndex": 1, "PageSize": 1}}',
            "ReportFilter.LeadFilters must be a list",
        ),
        (
            b'{"Extra": 1, "Output": {"Type": "List", "IncludeCSV": "ProspectID"}, "Paging": {"PageIndex": 1, "PageSize": 1}}',
            "Extra is not a known attribute",
        ),
    ],
)
def test_a_body_that_breaks_the_contract_is_refused_naming_the_problem(
    api: Api, body: bytes, words: str
) -> None:
    response = api.post(body, headers={"Content-Type": "application/json"})

    assert words in assert_error(response, 400, "MXInvalidInputException")


@pytest.mark.parametrize("code", ["\u00b2", "9" * 19, "9" * 5000, "-1", "2 1", "x"])
def test_an_activity_code_that_is_not_a_whole_number_is_an_input_error(api: Api, code: str) -> None:
    body = list_body(
        ActivityFilters=[{"LookUpName": "ActivityEvent", "SqlOperator": "=", "LookUpValue": code}]
    )

    message = assert_error(api.post(body, "not_contacted"), 500, "MXInvalidDataTypeException")
    assert message.startswith("ReportFilter.ActivityFilters[0].LookUpValue")


# ------------------------------------------------------------------ 401


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"accessKey": "u$sandbox-demo-access-key"},
        {"accessKey": "u$sandbox-demo-access-key", "secretKey": "wrong"},
        {"accessKey": "wrong", "secretKey": "sandbox-demo-secret-key"},
        {"accessKey": "U$SANDBOX-DEMO-ACCESS-KEY", "secretKey": "SANDBOX-DEMO-SECRET-KEY"},
    ],
)
def test_missing_or_wrong_keys_in_the_query_are_a_401(api: Api, params: dict) -> None:
    response = api.post(list_body(), params=params)

    message = assert_error(response, 401, "MXUnAuthorizedAccessException")
    assert "sandbox-demo-secret-key" not in message.lower()


def test_keys_in_headers_are_accepted(api: Api) -> None:
    headers = {"x-LSQ-AccessKey": api.keys["accessKey"], "X-LSQ-SECRETKEY": api.keys["secretKey"]}

    response = api.post(list_body(("ProspectID",)), params={}, headers=headers)

    assert response.status_code == 200


def test_a_wrong_key_in_a_header_is_a_401(api: Api) -> None:
    headers = {"x-LSQ-AccessKey": api.keys["accessKey"], "x-LSQ-SecretKey": "nope"}

    response = api.get("users", params={}, headers=headers)

    assert_error(response, 401, "MXUnAuthorizedAccessException")


def test_query_parameter_names_are_case_insensitive(api: Api) -> None:
    params = {"ACCESSKEY": api.keys["accessKey"], "secretkey": api.keys["secretKey"]}

    assert api.get("users", params=params).status_code == 200


# ------------------------------------------------------------------ 404, 405, 413


@pytest.mark.parametrize(
    "path",
    [
        "/Leads/LeadDistribution",
        "/v2/Leads.Get",
        "/",
        "/Leads/NotContacted/",
        "/leads/notcontacted",
    ],
)
def test_an_unknown_path_is_a_404(api: Api, path: str) -> None:
    response = api.post(list_body(), path)

    assert_error(response, 404, "MXNotFoundException")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/Leads/LeadDistribution/FilterByLeadField"),
        ("PUT", "/Leads/NotContacted"),
        ("POST", "/v2/UserManagement.svc/Users.Get"),
        ("DELETE", "/v2/LeadManagement.svc/LeadsMetaData.Get"),
    ],
)
def test_a_wrong_method_on_a_known_path_is_a_405(api: Api, method: str, path: str) -> None:
    response = requests.request(method, api.sandbox.url + path, params=api.keys, timeout=30)

    assert_error(response, 405, "MXMethodNotAllowedException")
    assert response.headers["Allow"] in ("GET", "POST")


@pytest.mark.parametrize("path", ENDPOINT_PATHS["not_contacted"])
def test_every_not_contacted_alias_answers(api: Api, path: str) -> None:
    assert api.post(list_body(), path).status_code == 200


def test_a_body_larger_than_the_limit_is_a_413(api: Api, sandbox: Sandbox) -> None:
    body = b'{"Output": "' + b"x" * sandbox.settings.max_body_bytes + b'"}'

    response = api.post(body)

    assert "larger than" in assert_error(response, 413, "MXInvalidInputException")


# ------------------------------------------------------------------ 429


@pytest.fixture(scope="module")
def limited() -> Iterator[Sandbox]:
    yield from small_sandbox(rate_limit=(3, 60))


@pytest.fixture(scope="module")
def limited_200() -> Iterator[Sandbox]:
    yield from small_sandbox(rate_limit=(2, 60), rate_limit_status=200)


def test_over_the_limit_is_a_429_with_the_documented_message(limited: Sandbox) -> None:
    api = Api(limited)
    statuses = [api.get("users").status_code for _ in range(3)]

    response = api.get("activity_types")

    assert statuses == [200, 200, 200]
    message = assert_error(response, 429, "MXAPIRateLimitExceededException")
    assert message == "API calls exceeded the limit of 3 in 60 second(s)"
    # calls with wrong keys are refused before the limit: they neither count nor see it
    wrong = api.get("users", params={"accessKey": "someone", "secretKey": "else"})
    assert wrong.status_code == 401
    assert limited.stats()["peak_window_calls"] == 3


def test_the_limit_can_be_answered_as_200_with_the_rate_limit_body(limited_200: Sandbox) -> None:
    api = Api(limited_200)
    for _ in range(2):
        assert api.post(list_body()).status_code == 200

    response = api.post(list_body())

    message = assert_error(response, 200, "MXAPIRateLimitExceededException")
    assert message == "API calls exceeded the limit of 2 in 60 second(s)"


# ------------------------------------------------------------------ faults


@pytest.fixture
def faulty(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    yield from small_sandbox(faults=Faults(**request.param))


@pytest.mark.parametrize("faulty", [{"server_error": 1.0}], indirect=True)
def test_an_injected_500_has_the_documented_body(faulty: Sandbox) -> None:
    response = Api(faulty).post(list_body())

    assert_error(response, 500, "MXInternalServerException")


@pytest.mark.parametrize("faulty", [{"rate_limit": 1.0}], indirect=True)
def test_an_injected_rate_limit_is_a_429(faulty: Sandbox) -> None:
    assert_error(Api(faulty).get("users"), 429, "MXAPIRateLimitExceededException")


@pytest.mark.parametrize("faulty", [{"rate_limit_200": 1.0}], indirect=True)
def test_an_injected_rate_limit_can_be_a_200(faulty: Sandbox) -> None:
    assert_error(Api(faulty).get("users"), 200, "MXAPIRateLimitExceededException")


@pytest.mark.parametrize("faulty", [{"dropped": 1.0}], indirect=True)
def test_an_injected_drop_closes_the_connection_without_an_answer(faulty: Sandbox) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        Api(faulty).post(list_body())

    assert faulty.stats()["answers"] == {"dropped": 1}


@pytest.mark.parametrize("faulty", [{"truncated": 1.0}], indirect=True)
def test_an_injected_truncation_sends_less_than_its_content_length(faulty: Sandbox) -> None:
    with pytest.raises(
        (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)
    ):
        Api(faulty).post(list_body()).json()


@pytest.mark.parametrize("faulty", [{"server_error": 0.3, "dropped": 0.2}], indirect=True)
def test_faults_hit_a_share_of_calls(faulty: Sandbox) -> None:
    api = Api(faulty)
    outcomes = []
    for _ in range(60):
        try:
            outcomes.append(api.get("users").status_code)
        except requests.exceptions.ConnectionError:
            outcomes.append("dropped")

    assert {200, 500, "dropped"} <= set(outcomes)
