"""Bodies, headers and query strings at and past the limits: refused or answered, never a
500 and never a hang (every call has a 10 s timeout)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from leadsq.contract import ENDPOINT_PATHS, METADATA_PATHS
from leadsq.sandbox import Sandbox
from tests.conftest import SANDBOX_ANCHOR
from tests.fuzz.conftest import TIMEOUT

DISTRIBUTION = ENDPOINT_PATHS["distribution"][0]
NOT_CONTACTED = ENDPOINT_PATHS["not_contacted"][0]
USERS = METADATA_PATHS["users"]
LIST = {"Output": {"Type": "List", "IncludeCSV": "ProspectID"}}
PAGE = {"Paging": {"PageIndex": 1, "PageSize": 10}}


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    """A sandbox with the default 1 MiB body limit, so bodies can hold many conditions."""
    with Sandbox(leads=2000, seed=17, anchor=SANDBOX_ANCHOR, rate_limit=None) as sandbox:
        yield sandbox


def keys(box: Sandbox) -> dict[str, str]:
    return {"accessKey": box.access_key, "secretKey": box.secret_key}


def post(box: Sandbox, data: bytes, path: str = DISTRIBUTION, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("params", keys(box))
    return requests.post(box.url + path, data=data, timeout=TIMEOUT, **kwargs)


def assert_error(response: requests.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert body["Status"] == "Error"
    assert body["ExceptionType"] == "MXInvalidInputException"
    assert words in body["ExceptionMessage"]


# ------------------------------------------------------------------ many conditions

# DuckDB once planned a WHERE clause in time and memory quadratic in its terms: 2,000
# `lik` filters took 8 s, and a 1 MiB body of them (15,000) ran the machine out of memory.
# 3,000 conditions now take under a second; they would have taken about 20 s.
MANY = 3000


def filling(box: Sandbox, item: dict[str, Any]) -> int:
    """:data:`MANY`, checked to fit in a body under the limit with ``item`` repeated."""
    assert MANY * (len(json.dumps(item)) + 2) < box.settings.max_body_bytes - 500
    return MANY


LEAD_CONDITIONS = [
    {"LookUpName": "LastName", "SqlOperator": "lik", "LookUpValue": "a"},
    {"LookUpName": "Score", "SqlOperator": "in", "LookUpValues": ["1", "2"]},
    {"LookUpName": "CreatedOn", "SqlOperator": ">", "LookUpValue": "2020-01-01 00:00:00"},
    {"LookUpName": "ProspectStage", "SqlOperator": "<>", "LookUpValue": "Invalid"},
]


@pytest.mark.parametrize("condition", LEAD_CONDITIONS, ids=lambda c: c["SqlOperator"])
def test_a_body_full_of_lead_filters_is_answered(box: Sandbox, condition: dict) -> None:
    conditions = [condition] * filling(box, condition)
    body = {**LIST, **PAGE, "ReportFilter": {"LeadFilters": conditions}}

    response = post(box, json.dumps(body).encode())

    assert response.status_code == 200, response.text[:300]


def test_a_body_full_of_distinct_lead_filters_is_answered(box: Sandbox) -> None:
    item = {"LookUpName": "mx_Remarks", "SqlOperator": "nlik", "LookUpValue": "zz00000"}
    conditions = [{**item, "LookUpValue": f"zz{i:05}"} for i in range(filling(box, item))]
    body = {**LIST, **PAGE, "ReportFilter": {"LeadFilters": conditions}}

    response = post(box, json.dumps(body).encode())

    assert response.status_code == 200, response.text[:300]


def test_a_body_full_of_activity_filters_is_answered(box: Sandbox) -> None:
    item = {"LookUpName": "ActivityEvent", "SqlOperator": "in", "LookUpValues": ["21", "22"]}
    body = {**LIST, **PAGE, "ReportFilter": {"ActivityFilters": [item] * filling(box, item)}}

    response = post(box, json.dumps(body).encode(), NOT_CONTACTED)

    assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize("field", ["LeadCreatedOn", "ActivityCreatedOn"])
def test_a_body_full_of_date_filters_is_answered(box: Sandbox, field: str) -> None:
    item = {"DateField": field, "FromDate": "2020-01-01 00:00:00", "ToDate": "2030-01-01 00:00:00"}
    body = {**LIST, **PAGE, "DateFilter": [item] * filling(box, item)}

    response = post(box, json.dumps(body).encode(), NOT_CONTACTED)

    assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize("link", ["AND", "OR"])
def test_a_body_full_of_user_conditions_is_answered(box: Sandbox, link: str) -> None:
    item = {"LookupName": "Role", "Operator": "nlik", "LookupValue": "x", "ConditionOperator": link}
    groups = [{"Condition": [item] * filling(box, item)}]
    body = {**LIST, **PAGE, "ReportFilter": {"UserFilter": {"GroupConditions": groups}}}

    response = post(box, json.dumps(body).encode())

    assert response.status_code == 200, response.text[:300]


def test_a_body_full_of_user_groups_is_answered(box: Sandbox) -> None:
    item = {"Condition": [{"LookupName": "Team", "Operator": "neq", "LookupValue": "x"}]}
    groups = [item] * filling(box, item)
    body = {
        "Output": {"Type": "Aggregate", "GroupBy": "OwnerId", "AggregateFunction": "Count"},
        **PAGE,
        "ReportFilter": {"UserFilter": {"GroupConditions": groups}},
    }

    response = post(box, json.dumps(body).encode())

    assert response.status_code == 200, response.text[:300]


# ------------------------------------------------------------------ too large


def test_a_body_one_byte_over_the_limit_is_a_413_and_one_at_it_is_read(box: Sandbox) -> None:
    limit = box.settings.max_body_bytes
    padding = {"LookUpName": "mx_Remarks", "SqlOperator": "nlik", "LookUpValue": ""}
    body = {**LIST, **PAGE, "ReportFilter": {"LeadFilters": [padding]}}
    short = len(json.dumps(body).encode())
    padding["LookUpValue"] = "x" * (limit - short)
    at_limit = json.dumps(body).encode()
    assert len(at_limit) == limit

    assert post(box, at_limit).status_code == 200
    assert_error(post(box, at_limit + b" "), 413, f"larger than {limit} bytes")


def test_a_chunked_body_without_a_length_is_cut_at_the_limit(box: Sandbox) -> None:
    limit = box.settings.max_body_bytes

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count itself
        yield b'{"Output": "'
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    assert_error(post(box, chunks()), 413, "larger than")  # type: ignore[arg-type]


def test_an_announced_length_over_the_limit_is_refused_before_reading(box: Sandbox) -> None:
    # the head alone says the body is too large: the answer comes without the body sent
    with socket.create_connection(("127.0.0.1", box.port), timeout=TIMEOUT) as connection:
        query = f"accessKey={box.access_key}&secretKey={box.secret_key}"
        connection.sendall(
            f"POST {DISTRIBUTION}?{query} HTTP/1.1\r\nHost: x\r\n"
            f"Content-Length: {10 * box.settings.max_body_bytes}\r\n\r\n".encode()
        )
        answer = connection.recv(65536)

    assert answer.startswith(b"HTTP/1.1 413")


def test_a_huge_header_is_refused_without_a_500(box: Sandbox) -> None:
    response = requests.get(
        box.url + USERS, params=keys(box), headers={"X-Big": "a" * 70_000}, timeout=TIMEOUT
    )

    assert response.status_code == 431


def test_many_headers_are_refused_without_a_500(box: Sandbox) -> None:
    headers = {f"X-H{i}": "x" for i in range(150)}

    response = requests.get(box.url + USERS, params=keys(box), headers=headers, timeout=TIMEOUT)

    assert response.status_code == 431


def test_a_huge_query_string_is_refused_without_a_500(box: Sandbox) -> None:
    params = {**keys(box), "padding": "a" * 70_000}

    response = requests.get(box.url + USERS, params=params, timeout=TIMEOUT)

    assert response.status_code == 414


def test_a_long_query_string_under_the_line_limit_is_answered(box: Sandbox) -> None:
    params = {**keys(box), **{f"p{i}": "ü%&=" for i in range(2000)}}

    response = requests.get(box.url + USERS, params=params, timeout=TIMEOUT)

    assert response.status_code == 200


def test_a_slow_client_does_not_hold_up_the_others(box: Sandbox) -> None:
    with socket.create_connection(("127.0.0.1", box.port), timeout=TIMEOUT) as slow:
        slow.sendall(b"GET " + USERS.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        for _ in range(3):
            slow.sendall(b"a")
            # meanwhile, another client is answered
            assert requests.get(box.url + USERS, params=keys(box), timeout=TIMEOUT).ok
        slow.sendall(
            f"\r\nx-LSQ-AccessKey: {box.access_key}\r\nx-LSQ-SecretKey: {box.secret_key}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk

    assert answer.startswith(b"HTTP/1.1 200")


def test_none_of_the_above_was_a_500(box: Sandbox) -> None:
    assert "500" not in box.stats()["answers"]
