"""The real service's uncertain ways, each played by a setting and seen over HTTP: input
errors as 500 (or 400), calls counted per path, ``UserByAccessKey.Get``, one Not
Contacted path."""

from __future__ import annotations

import pytest
import requests

from leadsq.contract import ENDPOINT_PATHS, METADATA_PATHS
from leadsq.sandbox import Sandbox
from tests.sandbox.helpers import Api, list_body, small_sandbox


def error(response: requests.Response) -> tuple[int, str, str]:
    body = response.json()
    assert body["Status"] == "Error"
    return response.status_code, body["ExceptionType"], body["ExceptionMessage"]


@pytest.mark.parametrize(
    ("body", "exception_type", "words"),
    [
        (
            list_body(
                LeadFilters=[{"LookUpName": "Score", "SqlOperator": ">", "LookUpValue": "x"}]
            ),
            "MXInvalidDataTypeException",
            "must be a number for Number field Score",
        ),
        (list_body(("ProspectID", "Salary")), "MXUnknownAttributeException", "'Salary'"),
        (
            {"Output": {"Type": "List", "IncludeCSV": "ProspectID"}},
            "MXMandatoryAttributeMissingException",
            "Paging is required",
        ),
        (
            {**list_body(), "Paging": {"PageIndex": 1, "PageSize": 10_001}},
            "MXInvalidInputException",
            "Invalid Input! Parameter Name: PageSize can not be more than 10000",
        ),
    ],
)
def test_an_input_error_is_a_500_with_its_exception_type_by_default(
    api: Api, body: dict, exception_type: str, words: str
) -> None:
    status, kind, message = error(api.post(body))

    assert (status, kind) == (500, exception_type)
    assert words in message


@pytest.mark.parametrize(
    "body",
    [b"{broken", b"[]", b'{"Output": {"Type": "List", "IncludeCSV": 5}, "Paging": {}}'],
)
def test_a_body_out_of_the_documented_structure_stays_a_400(api: Api, body: bytes) -> None:
    status, kind, _ = error(api.post(body))

    assert (status, kind) == (400, "MXInvalidInputException")


def test_input_errors_can_be_400s_keeping_their_exception_type() -> None:
    bad_number = list_body(
        LeadFilters=[{"LookUpName": "Score", "SqlOperator": "=", "LookUpValue": "x"}]
    )
    for box in small_sandbox(input_error_status=400):
        api = Api(box)
        assert error(api.post(bad_number))[:2] == (400, "MXInvalidDataTypeException")
        assert error(api.post(b"{broken"))[:2] == (400, "MXInvalidInputException")
        assert "500" not in box.stats()["answers"]


def test_stats_count_every_routed_request_per_path_whatever_its_answer() -> None:
    distribution = ENDPOINT_PATHS["distribution"][0]
    for box in small_sandbox():
        api = Api(box)
        api.post(list_body())
        api.post(list_body(), params={})  # 401
        api.post(b"{broken")  # 400
        api.get("users")
        api.get("/nowhere")  # 404

        paths = box.stats()["paths"]

    assert paths == {distribution: 3, METADATA_PATHS["users"]: 1, "/nowhere": 1}


def test_user_by_access_key_names_the_sandbox_itself_by_default(sandbox: Sandbox) -> None:
    response = Api(sandbox).get("account")

    assert response.status_code == 200
    account = response.json()
    assert set(account) == {
        "ID",
        "FirstName",
        "LastName",
        "EmailAddress",
        "OrgShortCode",
        "TimeZone",
        "LSQCommonServiceURLs",
    }
    assert account["LSQCommonServiceURLs"]["api"] == sandbox.url
    assert account["TimeZone"] == "Asia/Kolkata"
    users = Api(sandbox).get("users").json()
    assert account["ID"] == users[0]["ID"]


def test_user_by_access_key_names_the_account_url_and_time_zone_it_is_given() -> None:
    for box in small_sandbox(
        account_url="https://api-me61.leadsquared.com", time_zone="Asia/Dubai"
    ):
        account = Api(box).get("account").json()

    assert account["LSQCommonServiceURLs"]["api"] == "https://api-me61.leadsquared.com"
    assert account["TimeZone"] == "Asia/Dubai"


def test_user_by_access_key_needs_keys(sandbox: Sandbox) -> None:
    assert Api(sandbox).get("account", params={}).status_code == 401


def test_one_not_contacted_path_is_answered_and_the_others_are_404s() -> None:
    chosen, *others = ENDPOINT_PATHS["not_contacted"][::-1]
    for box in small_sandbox(not_contacted_path=chosen):
        api = Api(box)
        assert api.post(list_body(), chosen).status_code == 200
        assert [api.post(list_body(), path).status_code for path in others] == [404] * 3


def test_every_not_contacted_path_is_answered_by_default(api: Api) -> None:
    totals = {
        api.answer(list_body(), path)["TotalCount"] for path in ENDPOINT_PATHS["not_contacted"]
    }

    assert len(totals) == 1
