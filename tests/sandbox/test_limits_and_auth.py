"""Rate-limit answers in each way the real service was seen to give them (429, 200, 403; the
JSON body or the message alone), and keys refused in headers, over real HTTP."""

from __future__ import annotations

import pytest
import requests

from leadsq.contract import RATE_LIMIT_EXCEEDED, parse_rate_limit_message, parse_wrong_host
from leadsq.sandbox import Faults
from tests.sandbox.helpers import Api, list_body, small_sandbox


@pytest.mark.parametrize("status", [429, 200, 403])
def test_over_the_limit_is_answered_with_the_status_it_is_told(status: int) -> None:
    for box in small_sandbox(rate_limit=(2, 60), rate_limit_status=status):
        api = Api(box)
        answers = [api.post(list_body()) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, status]
    body = answers[2].json()
    assert body["ExceptionType"] == RATE_LIMIT_EXCEEDED
    assert parse_rate_limit_message(body["ExceptionMessage"]) == (2, 60.0)


def test_over_the_limit_can_be_the_message_alone_as_text() -> None:
    for box in small_sandbox(rate_limit=(1, 60), rate_limit_status=403, rate_limit_body="message"):
        api = Api(box)
        api.get("users")
        response = api.get("users")
        paths = box.stats()["paths"]

    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "API calls exceeded the limit of 1 in 60 second(s)"
    assert sum(paths.values()) == 2


@pytest.mark.parametrize(("share", "status"), [("rate_limit_403", 403), ("rate_limit_200", 200)])
def test_an_injected_rate_limit_comes_with_its_status(share: str, status: int) -> None:
    for box in small_sandbox(faults=Faults(**{share: 1.0})):
        response = Api(box).get("users")

    assert response.status_code == status
    assert response.json()["ExceptionType"] == RATE_LIMIT_EXCEEDED


def test_keys_in_headers_are_accepted_by_default(api: Api) -> None:
    headers = {"x-LSQ-AccessKey": api.sandbox.access_key, "x-LSQ-SecretKey": api.sandbox.secret_key}

    assert api.get("users", params={}, headers=headers).status_code == 200


def test_without_header_auth_keys_in_headers_are_a_401_and_the_query_string_works() -> None:
    for box in small_sandbox(header_auth=False):
        api = Api(box)
        headers = {"x-LSQ-AccessKey": box.access_key, "x-LSQ-SecretKey": box.secret_key}
        in_headers = api.post(list_body(), params={}, headers=headers)
        in_query = api.post(list_body())

    assert in_headers.status_code == 401
    assert in_headers.json()["ExceptionType"] == "MXUnAuthorizedAccessException"
    assert "query string" in in_headers.json()["ExceptionMessage"]
    assert box.access_key not in in_headers.text
    assert in_query.status_code == 200


def test_a_dollar_in_the_access_key_works_in_the_query_string() -> None:
    for box in small_sandbox(header_auth=False, access_key="u$r-key$1"):
        url = box.url + "/v2/UserManagement.svc/Users.Get"
        response = requests.get(
            url, params={"accessKey": box.access_key, "secretKey": box.secret_key}, timeout=30
        )

    assert response.status_code == 200


def test_a_daily_cap_answers_past_it_with_the_days_message_per_key() -> None:
    for box in small_sandbox(rate_limit=(100, 1), daily_cap=3, rate_limit_status=403):
        api = Api(box)
        statuses = [api.get("users").status_code for _ in range(3)]
        over = api.post(list_body())
        wrong = api.get("users", params={"accessKey": "someone", "secretKey": "else"})
        answers = box.stats()["answers"]

    assert statuses == [200, 200, 200]
    assert over.status_code == 403
    assert over.json()["ExceptionType"] == RATE_LIMIT_EXCEEDED
    assert over.json()["ExceptionMessage"] == "API calls exceeded the limit of 3 in 1 day(s)"
    assert parse_rate_limit_message(over.json()["ExceptionMessage"]) == (3, 86400.0)
    assert wrong.status_code == 401  # keys first: a stranger neither counts nor sees the cap
    assert answers == {"200": 3, "403": 1, "401": 1}


def test_a_wrong_host_names_the_right_one_except_on_user_by_access_key() -> None:
    right = "https://api-in21.leadsquared.com"
    for box in small_sandbox(wrong_host=True, account_url=right):
        api = Api(box)
        report = api.post(list_body())
        users = api.get("users")
        account = api.get("account")
        no_keys = api.get("users", params={})

    for response in (report, users):
        assert response.status_code == 401
        assert response.json()["ExceptionType"] == "MXUnAuthorizedAccessException"
        assert parse_wrong_host(response.json()["ExceptionMessage"]) == right
    assert account.status_code == 200
    assert account.json()["LSQCommonServiceURLs"]["api"] == right
    assert "host" not in no_keys.json()["ExceptionMessage"]
