"""Thousands of generated bodies: the sandbox answers 200, 400 for a body out of the
documented structure, 500 with an input-error type for any other input error (413 when too
large), never another 500 or a hang; and the client's query model refuses exactly what it
refuses, in its words."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadsq.contract import (
    INPUT_ERROR_TYPES,
    INVALID_INPUT,
    ContractError,
    check_fields,
    decode_body,
    parse_page_size_cap,
    parse_report,
)
from leadsq.errors import QueryError
from leadsq.query.build import build_report
from leadsq.sandbox import Sandbox
from tests.fuzz.conftest import TIMEOUT, count
from tests.fuzz.strategies import json_bodies, raw_bodies
from tests.sandbox.helpers import refusal

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TOO_DEEP = "The request body is not valid JSON: nested too deeply."


def post(
    box: Sandbox, http: requests.Session, path: str, data: bytes, **params: str
) -> requests.Response:
    keys = {"accessKey": box.access_key, "secretKey": box.secret_key, **params}
    return http.post(
        box.url + path,
        params=keys,
        data=data,
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,  # a hang fails the test
    )


def encoded(body: Any, ascii_only: bool) -> bytes:
    # surrogatepass: a lone surrogate written raw is invalid UTF-8, which is a 400 too
    return json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def assert_answer(response: requests.Response, size: int, limit: int) -> None:
    """200 with an answer, 400 or 500 with the error body of an input error, or 413
    exactly when too large."""
    expected = {413} if size > limit else {200, 400, 500}
    assert response.status_code in expected, response.text[:500]
    assert response.headers["Content-Type"].startswith(("application/json", "text/csv"))
    if response.status_code == 200:
        if response.headers["Content-Type"].startswith("text/csv"):
            return
        answer = response.json()
        assert answer["TotalCount"].isdigit()
        assert isinstance(answer["Results"], list)
    else:
        error = response.json()
        assert set(error) == {"Status", "ExceptionType", "ExceptionMessage"}
        assert error["Status"] == "Error"
        if response.status_code == 500:
            assert error["ExceptionType"] in INPUT_ERROR_TYPES
        else:
            assert error["ExceptionType"] == INVALID_INPUT
        assert error["ExceptionMessage"]


@settings(FUZZ, max_examples=1200)
@given(case=json_bodies(), ascii_only=st.booleans(), csv=st.integers(0, 9))
def test_a_json_body_valid_or_not_is_answered_or_refused_as_an_input_error(
    fuzz_sandbox: Sandbox, http: requests.Session, case: tuple, ascii_only: bool, csv: int
) -> None:
    _, path, body = case
    data = encoded(body, ascii_only)
    params = {"responseformat": "csv"} if csv == 0 else {}

    response = post(fuzz_sandbox, http, path, data, **params)

    count("bodies", "sent")
    count("bodies", response.status_code)
    assert_answer(response, len(data), fuzz_sandbox.settings.max_body_bytes)


@settings(FUZZ, max_examples=600)
@given(case=raw_bodies())
def test_bytes_that_are_not_a_good_json_body_are_refused_as_the_contract_says(
    fuzz_sandbox: Sandbox, http: requests.Session, case: tuple
) -> None:
    endpoint, path, data = case

    response = post(fuzz_sandbox, http, path, data)

    count("bodies", "sent")
    count("bodies", response.status_code)
    assert_answer(response, len(data), fuzz_sandbox.settings.max_body_bytes)
    if response.status_code == 413:
        return
    # the contract's own decoding says the same words, except where nesting meets the
    # recursion limit: how deep a thread can go depends on how deep its stack already is
    server = None
    if response.status_code != 200:
        error = response.json()
        server = (response.status_code, error["ExceptionType"], error["ExceptionMessage"])
    here = contract_refusal(fuzz_sandbox, endpoint, data)
    if TOO_DEEP not in (server and server[2], here and here[2]):
        assert server == here


def contract_refusal(box: Sandbox, endpoint: str, data: bytes) -> tuple[int, str, str] | None:
    """What :mod:`leadsq.contract` says of ``data`` (decoded, parsed, fields checked), as
    the sandbox answers it by default: status, ``ExceptionType`` and message."""
    try:
        body = decode_body(data)
        report = parse_report(body, endpoint, max_page_size=box.settings.max_page_size)
        check_fields(report, box.store.fields)
    except ContractError as error:
        return 400 if error.structural else 500, error.exception_type, error.message
    return None


# ------------------------------------------------------------------ the same words


@pytest.fixture(scope="module")
def account_fields(fuzz_sandbox: Sandbox) -> dict[str, str]:
    """The lead schema as a client sees it: from LeadsMetaData.Get, over HTTP."""
    response = requests.get(
        fuzz_sandbox.url + "/v2/LeadManagement.svc/LeadsMetaData.Get",
        params={"accessKey": fuzz_sandbox.access_key, "secretKey": fuzz_sandbox.secret_key},
        timeout=TIMEOUT,
    )
    fields = {item["SchemaName"]: item["DataType"] for item in response.json()}
    assert fields == fuzz_sandbox.store.fields
    return fields


def client_refusal(endpoint: str, body: Any, fields: dict[str, str]) -> tuple[str | None, bool]:
    """What the client says of ``body`` before sending it: the message after ``body: ``
    (or of ``check_fields``, which a read runs with the account's fields), or None; and
    whether the body itself passed (only the field check left)."""
    try:
        report = build_report(endpoint, body=body)
    except QueryError as error:
        text = str(error)
        assert text.startswith("body: "), text
        return text.removeprefix("body: "), False
    try:
        check_fields(report, fields)
    except ContractError as error:
        return error.message, True
    return None, True


@settings(FUZZ, max_examples=600)
@given(case=json_bodies())
def test_the_client_refuses_what_the_server_refuses_in_the_same_words(
    fuzz_sandbox: Sandbox, http: requests.Session, account_fields: dict[str, str], case: tuple
) -> None:
    endpoint, path, body = case
    data = encoded(body, ascii_only=True)
    if len(data) > fuzz_sandbox.settings.max_body_bytes:
        return  # the client has no size limit: a 413 says nothing of wording

    response = post(fuzz_sandbox, http, path, data)
    client, body_passed = client_refusal(endpoint, body, account_fields)

    count("wording", "sent")
    count("wording", response.status_code)
    assert response.status_code in (200, 400, 500), response.text[:500]
    server = response.json()["ExceptionMessage"] if response.status_code != 200 else None
    # the server checks PageSize against its own cap, which the client cannot know
    if server is not None and parse_page_size_cap(server) is not None:
        assert body_passed, client  # the cap is the server's last word on the body
        return
    assert client == server


# ------------------------------------------------------------------ found by fuzzing

LONE = "\ud800"  # JSON carries it as \ud800; it is no character, so no stored text has it


@pytest.mark.parametrize(
    ("report_filter", "words"),
    [
        (
            {"LeadFilters": [{"LookUpName": "LastName", "SqlOperator": "=", "LookUpValue": LONE}]},
            "ReportFilter.LeadFilters[0].LookUpValue must be valid Unicode text",
        ),
        (
            {
                "LeadFilters": [
                    {"LookUpName": "LastName", "SqlOperator": "in", "LookUpValues": ["a", LONE]}
                ]
            },
            "ReportFilter.LeadFilters[0].LookUpValues[1] must be valid Unicode text",
        ),
        (
            {
                "UserFilter": {
                    "GroupConditions": [
                        {
                            "Condition": [
                                {"LookupName": "Role", "Operator": "eq", "LookupValue": LONE}
                            ]
                        }
                    ]
                }
            },
            "Condition[0].LookupValue must be valid Unicode text",
        ),
        ({f"Extra{LONE}": 1}, f"ReportFilter.Extra{LONE} is not a known attribute"),
    ],
)
def test_a_lone_surrogate_is_refused_in_the_clients_words_too(
    fuzz_sandbox: Sandbox, http: requests.Session, report_filter: dict, words: str
) -> None:
    body = {
        "ReportFilter": report_filter,
        "Output": {"Type": "List", "IncludeCSV": "ProspectID"},
        "Paging": {"PageIndex": 1, "PageSize": 10},
    }

    response = post(
        fuzz_sandbox, http, "/Leads/LeadDistribution/FilterByLeadField", encoded(body, True)
    )

    message = refusal(response)
    assert words in message
    with pytest.raises(QueryError) as refused:
        build_report("distribution", body=body)
    assert str(refused.value) == f"body: {message}"
