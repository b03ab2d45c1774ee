"""Injection attempts: field names that are SQL are refused naming the field; values with
quotes, backslashes, ``%``, ``_``, NUL or unicode are matched literally; the data is intact.

Expectations come from pandas over the raw leads (``tests.sandbox.helpers.lead_mask``,
the contract's semantics), never from the SQL that answers.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadsq.contract import ENDPOINT_PATHS, did_you_mean
from leadsq.sandbox import Sandbox
from tests.fuzz.conftest import TIMEOUT, count
from tests.sandbox.helpers import lead_mask, refusal

DISTRIBUTION = ENDPOINT_PATHS["distribution"][0]
SQL_NAMES = [
    'ProspectStage" OR 1=1 --',
    '"; DROP TABLE leads; --',
    "ProspectStage'--",
    "Score) OR (1=1",
    'l."Score"',
    "*",
    "ProspectStage; DELETE FROM leads",
    "ProspectStage\x00",
    "ProspectStage/**/",
    "(SELECT 1)",
]


def post(box: Sandbox, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        box.url + DISTRIBUTION,
        params={"accessKey": box.access_key, "secretKey": box.secret_key},
        data=json.dumps(body),
        timeout=TIMEOUT,
    )


def list_body(**report_filter: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Output": {"Type": "List", "IncludeCSV": "ProspectAutoId"},
        "Paging": {"PageIndex": 1, "PageSize": 5000},
    }
    if report_filter:
        body["ReportFilter"] = report_filter
    return body


def snapshot(box: Sandbox) -> tuple[int, int]:
    """Rows of the leads table and a hash of all its values."""
    table = box.store.table("leads")
    return len(table), int(pd.util.hash_pandas_object(table, index=False).sum())


@pytest.fixture(scope="module")
def untouched(fuzz_sandbox: Sandbox) -> tuple[int, int]:
    return snapshot(fuzz_sandbox)


@pytest.fixture(scope="module")
def leads(fuzz_sandbox: Sandbox) -> pd.DataFrame:
    return fuzz_sandbox.store.table("leads")


# ------------------------------------------------------------------ names


def bodies_naming(name: str) -> dict[str, dict[str, Any]]:
    """A body per place a field name goes, each naming ``name`` there."""
    page = {"Paging": {"PageIndex": 1, "PageSize": 10}}
    aggregate = {"Type": "Aggregate", "GroupBy": "OwnerId", "AggregateFunction": "Count"}
    return {
        "ReportFilter.LeadFilters[0].LookUpName": list_body(
            LeadFilters=[{"LookUpName": name, "SqlOperator": "=", "LookUpValue": "x"}]
        ),
        "Output.IncludeCSV": {"Output": {"Type": "List", "IncludeCSV": name}, **page},
        "Output.GroupBy": {"Output": {**aggregate, "GroupBy": name}, **page},
        "Output.AggregateField": {
            "Output": {**aggregate, "AggregateFunction": "Sum", "AggregateField": name},
            **page,
        },
    }


@pytest.mark.parametrize("name", SQL_NAMES)
def test_a_field_name_that_is_sql_is_refused_naming_it(
    fuzz_sandbox: Sandbox, untouched: tuple[int, int], name: str
) -> None:
    for path, body in bodies_naming(name).items():
        response = post(fuzz_sandbox, body)

        assert response.json()["ExceptionType"] == "MXUnknownAttributeException", path
        hint = did_you_mean(name, fuzz_sandbox.store.fields)  # a close real field is named
        assert refusal(response) == f"{path} names an unknown lead field {name!r}{hint}"
        assert hint in ("", " (did you mean ProspectStage?)")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (
            {
                "DateFilter": [
                    {"DateField": "LeadCreatedOn' OR 1=1 --", "FromDate": "", "ToDate": ""}
                ]
            },
            "DateFilter[0].DateField must be one of",
        ),
        (
            {
                "ReportFilter": {
                    "UserFilter": {
                        "GroupConditions": [
                            {
                                "Condition": [
                                    {
                                        "LookupName": 'Role" OR 1=1',
                                        "Operator": "eq",
                                        "LookupValue": "x",
                                    }
                                ]
                            }
                        ]
                    }
                }
            },
            "ReportFilter.UserFilter.GroupConditions[0].Condition[0].LookupName must be one of",
        ),
        (
            {
                "ReportFilter": {
                    "LeadFilters": [
                        {"LookUpName": "Score", "SqlOperator": "= 1 OR 1 =", "LookUpValue": "1"}
                    ]
                }
            },
            "ReportFilter.LeadFilters[0].SqlOperator must be one of",
        ),
    ],
)
def test_sql_in_an_enumerated_name_is_refused_naming_where(
    fuzz_sandbox: Sandbox, body: dict, path: str
) -> None:
    response = post(fuzz_sandbox, {**list_body(), **body})

    assert refusal(response).startswith(path)


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("field", "op", "value", "some"),
    [
        ("LastName", "=", "D'Souza", True),  # the data holds it: matched, quote and all
        ("LastName", "=", "x' OR '1'='1", False),
        ("LastName", "lik", "'", True),
        ("LastName", "lik", "D_Souza", False),  # _ is no wildcard
        ("LastName", "lik", "%", False),  # nor is %
        ("LastName", "=", "D%", False),
        ("LastName", "lik", "\\'", False),  # a backslash escapes nothing
        ("mx_Remarks", "lik", '"not now"', True),
        ("mx_Remarks", "lik", "\u2014 call", True),
        ("mx_Remarks", "lik", ";\nneeds", True),
        ("mx_Remarks", "nlik", "'); DROP TABLE leads; --", True),
        ("LastName", "=", "D'Souza\x00", False),
        ("LastName", "in", ["D'Souza", "' OR ''='"], True),
    ],
)
def test_a_value_is_matched_literally(
    fuzz_sandbox: Sandbox,
    leads: pd.DataFrame,
    untouched: tuple[int, int],
    field: str,
    op: str,
    value: Any,
    some: bool,
) -> None:
    condition: dict[str, Any] = {"LookUpName": field, "SqlOperator": op}
    condition["LookUpValues" if op == "in" else "LookUpValue"] = value

    response = post(fuzz_sandbox, list_body(LeadFilters=[condition]))

    assert response.status_code == 200, response.text
    ids = [row["ProspectAutoId"] for row in response.json()["Results"]]
    mask = lead_mask(leads, fuzz_sandbox.store.fields[field], field, op, value)
    assert ids == sorted(leads.loc[mask, "ProspectAutoId"].astype(int))
    assert bool(ids) == some


def test_a_user_value_is_matched_literally(fuzz_sandbox: Sandbox) -> None:
    condition = {"LookupName": "Role", "Operator": "eq", "LookupValue": "x' OR '1'='1"}
    body = list_body(UserFilter={"GroupConditions": [{"Condition": [condition]}]})

    response = post(fuzz_sandbox, body)

    assert response.status_code == 200
    assert response.json()["TotalCount"] == "0"


# the characters that mean something to SQL, LIKE or JSON, and some that occur in the data
NASTY = st.text(alphabet="'\"\\%_;-\x00 \n\u2014éDSouzanotw", max_size=8)
REAL = st.sampled_from(["D'Souza", 'Said "not now"', "\u2014", "Visited the branch;\nneeds"])


@st.composite
def nasty_values(draw: st.DrawFn) -> str:
    """A value of special characters, or a real value with some spliced in."""
    if draw(st.booleans()):
        return draw(NASTY)
    real = draw(REAL)
    at = draw(st.integers(0, len(real)))
    return real[:at] + draw(NASTY) + real[at + draw(st.integers(0, 2)) :]


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    field=st.sampled_from(["LastName", "mx_Remarks", "Company", "ProspectStage", "EmailAddress"]),
    op=st.sampled_from(["=", "<>", "lik", "nlik", "in", ">", "<="]),
    value=nasty_values(),
)
def test_any_value_of_special_characters_is_matched_literally(
    fuzz_sandbox: Sandbox, leads: pd.DataFrame, field: str, op: str, value: str
) -> None:
    condition: dict[str, Any] = {"LookUpName": field, "SqlOperator": op}
    condition["LookUpValues" if op == "in" else "LookUpValue"] = [value] if op == "in" else value

    response = post(fuzz_sandbox, list_body(LeadFilters=[condition]))

    count("injection", "sent")
    count("injection", response.status_code)
    assert response.status_code == 200, response.text
    ids = [row["ProspectAutoId"] for row in response.json()["Results"]]
    expected = [value] if op == "in" else value
    mask = lead_mask(leads, fuzz_sandbox.store.fields[field], field, op, expected)
    assert ids == sorted(leads.loc[mask, "ProspectAutoId"].astype(int))


def test_the_leads_table_is_intact_afterwards(
    fuzz_sandbox: Sandbox, untouched: tuple[int, int]
) -> None:
    assert snapshot(fuzz_sandbox) == untouched
    assert fuzz_sandbox.store.count("leads") == fuzz_sandbox.settings.leads
