"""Every lead operator on Text, Number, Date, Select and Boolean fields, checked with pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.sandbox.helpers import (
    Api,
    auto_ids,
    expected_ids,
    fmt,
    lead_mask,
    list_body,
    refusal,
)

CASES = [
    # Text
    ("FirstName", "=", "AARAV"),
    ("FirstName", "<>", "aarav"),
    ("LastName", ">", "m"),
    ("LastName", "<", "D"),
    ("LastName", ">=", "Patel"),
    ("LastName", "<=", "patel"),
    ("Company", "def", None),
    ("Company", "ndef", None),
    ("mx_Remarks", "lik", "NOT NOW"),
    ("mx_Remarks", "nlik", "call"),
    ("mx_Remarks", "lik", "%"),
    ("LastName", "in", ["khan", "D'SOUZA", "nobody"]),
    ("EmailAddress", "lik", "@example.in"),
    ("Phone", "lik", "+91-9"),
    # Number
    ("Score", "=", "50"),
    ("EngagementScore", "<>", "0"),
    ("Score", ">", "100"),
    ("Score", "<", "10"),
    ("EngagementScore", ">=", "30"),
    ("EngagementScore", "<=", "2.5"),
    ("mx_Loan_Amount", "def", None),
    ("mx_Loan_Amount", "ndef", None),
    ("Score", "in", ["0", "1", "100.0"]),
    ("mx_Interest_Rate", ">", "12.5"),
    ("mx_Interest_Rate", "<>", "12.5"),
    # Date
    ("CreatedOn", ">", "2026-01-01 00:00:00"),
    ("CreatedOn", "<", "2025-03-01 12:30:00"),
    ("ModifiedOn", ">=", "2026-10-01 00:00:00"),
    ("ModifiedOn", "<=", "2024-12-31 23:59:59"),
    ("mx_Follow_Up_Date", "=", "2026-11-05 00:00:00"),
    ("mx_Follow_Up_Date", "<>", "2026-11-05 00:00:00.000"),
    ("mx_Follow_Up_Date", "in", ["2026-11-05 00:00:00", "2026-10-20 00:00:00"]),
    ("ProspectActivityDate_Max", "def", None),
    ("mx_Date_of_Birth", "ndef", None),
    # Select
    ("ProspectStage", "=", "prospect"),
    ("ProspectStage", "<>", "Customer"),
    ("ProspectStage", "in", ["Opportunity", "CUSTOMER"]),
    ("mx_City", "lik", "BAD"),
    ("mx_City", "nlik", "a"),
    ("Source", "def", None),
    ("Source", "ndef", None),
    ("mx_Product", ">", "H"),
    # Boolean
    ("DoNotCall", "=", "1"),
    ("DoNotCall", "=", "0"),
    ("DoNotCall", "<>", "1"),
    ("DoNotCall", "in", ["1", "0"]),
    ("DoNotCall", "def", None),
    ("DoNotCall", "ndef", None),
]


def lead_filter(field: str, op: str, value: object) -> dict:
    condition: dict = {"LookUpName": field, "SqlOperator": op}
    if isinstance(value, list):
        condition["LookUpValues"] = value
    elif value is not None:
        condition["LookUpValue"] = value
    return condition


@pytest.mark.parametrize(("field", "op", "value"), CASES, ids=lambda v: str(v))
def test_a_lead_filter_selects_the_leads_pandas_selects(
    api: Api, leads: pd.DataFrame, field_types: dict, field: str, op: str, value: object
) -> None:
    body = list_body(LeadFilters=[lead_filter(field, op, value)])

    rows = api.rows(body)

    expected = expected_ids(leads, lead_mask(leads, field_types[field], field, op, value))
    assert auto_ids(rows) == expected


def test_every_operator_case_selects_some_leads_but_not_all(
    leads: pd.DataFrame, field_types: dict
) -> None:
    for field, op, value in CASES:
        if value == "%":  # a literal percent sign matches nothing
            continue
        selected = lead_mask(leads, field_types[field], field, op, value).sum()
        assert 0 < selected < len(leads), (field, op, value)


def test_a_date_filter_value_of_an_exact_instant_matches_it(api: Api, leads: pd.DataFrame) -> None:
    lead = leads[leads["CreatedOn"].dt.microsecond > 0].iloc[100]
    exact = fmt(lead["CreatedOn"])
    second = lead["CreatedOn"].strftime("%Y-%m-%d %H:%M:%S")

    rows = api.rows(list_body(LeadFilters=[lead_filter("CreatedOn", "=", exact)]))
    at_second = api.rows(list_body(LeadFilters=[lead_filter("CreatedOn", "=", second)]))

    assert int(lead["ProspectAutoId"]) in auto_ids(rows)
    assert int(lead["ProspectAutoId"]) not in auto_ids(at_second)  # stored with milliseconds


def test_lead_filters_are_joined_by_and(api: Api, leads: pd.DataFrame, field_types: dict) -> None:
    conditions = [("ProspectStage", "=", "Opportunity"), ("Score", ">", "60")]
    body = list_body(LeadFilters=[lead_filter(*c) for c in conditions])

    rows = api.rows(body)

    mask = pd.Series(True, index=leads.index)
    for field, op, value in conditions:
        mask &= lead_mask(leads, field_types[field], field, op, value)
    assert auto_ids(rows) == expected_ids(leads, mask)


def test_an_injection_attempt_in_a_value_is_matched_literally(api: Api) -> None:
    body = list_body(LeadFilters=[lead_filter("LastName", "=", "x' OR '1'='1")])

    assert api.rows(body) == []


@pytest.mark.parametrize(
    ("field", "op", "value", "words"),
    [
        ("Score", ">", "abc", "LookUpValue must be a number"),
        ("CreatedOn", ">", "2026-13-01", "LookUpValue must be a date"),
        ("DoNotCall", "=", "maybe", "must be 1 or 0"),
        ("DoNotCall", "=", "true", "must be 1 or 0"),
        ("NoSuchField", "=", "x", "unknown lead field 'NoSuchField'"),
        ('Score" OR 1=1 --', "=", "1", "unknown lead field"),
        ("Score", "lik", "1", "applies to text fields"),
        ("DoNotCall", ">", "1", "does not apply to Boolean"),
        ("Score", "in", ["1", "x"], "LookUpValues[1] must be a number"),
    ],
)
def test_a_value_or_field_that_does_not_fit_is_refused_naming_it(
    api: Api, field: str, op: str, value: object, words: str
) -> None:
    response = api.post(list_body(LeadFilters=[lead_filter(field, op, value)]))

    message = refusal(response)
    assert message.startswith("ReportFilter.LeadFilters[0]")
    assert words in message
