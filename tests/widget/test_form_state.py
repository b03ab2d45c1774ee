"""The form as values without widgets: values sent per field type, date ranges, read arguments."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from leadsq.contract import report_to_body
from leadsq.errors import QueryError
from leadsq.notebook.form_state import (
    FilterState,
    FormState,
    coerce_value,
    date_range,
    form_kwargs,
)
from leadsq.query.build import build_report


def test_numbers_are_sent_without_a_needless_decimal_point() -> None:
    assert coerce_value("Number", ">=", 20.0) == "20"
    assert coerce_value("Number", "<", 2.5) == "2.5"
    assert coerce_value("Number", "in", "1, 2.0 ,3") == ("1", "2", "3")


def test_a_day_picked_for_a_date_field_covers_the_whole_day() -> None:
    day = date(2026, 10, 31)
    assert coerce_value("Date", ">=", day) == "2026-10-31 00:00:00"
    assert coerce_value("Date", "<", day) == "2026-10-31 00:00:00"
    assert coerce_value("Date", "<=", day) == "2026-10-31 23:59:59"
    assert coerce_value("Date", ">", day) == "2026-10-31 23:59:59"
    assert coerce_value("Date", ">=", datetime(2026, 10, 31, 8, 30)) == "2026-10-31 08:30:00"
    assert coerce_value("Date", ">=", "2026-10-31") == "2026-10-31 00:00:00"


def test_booleans_choices_and_text() -> None:
    assert coerce_value("Boolean", "=", True) == "1"
    assert coerce_value("Boolean", "<>", False) == "0"
    assert coerce_value("Boolean", "=", " Yes ") == "1"
    assert coerce_value("Boolean", "=", "false") == "0"
    assert coerce_value("Select", "in", ("Prospect", "Customer")) == ("Prospect", "Customer")
    assert coerce_value("Text", "in", "Acme, Zenith Auto Parts") == ("Acme", "Zenith Auto Parts")
    assert coerce_value("Text", "lik", "Acme") == "Acme"
    assert coerce_value("Email", "def", "ignored") is None


@pytest.mark.parametrize(
    ("data_type", "operator", "raw", "message"),
    [
        ("Number", ">", "abc", "'abc' is not a number"),
        ("Number", ">", float("inf"), "not a finite number"),
        ("Number", "in", "1, x", "'x' is not a number"),
        ("Date", ">=", None, "a value is missing"),
        ("Date", ">=", "31/10/2026", "is not a date"),
        ("Boolean", "=", "maybe", "'maybe' is not a Boolean value"),
        ("Select", "in", (), "at least one value"),
        ("Text", "=", "  ", "a value is missing"),
    ],
)
def test_a_value_that_does_not_fit_is_a_query_error_naming_the_field(
    data_type: str, operator: str, raw: object, message: str
) -> None:
    with pytest.raises(QueryError, match=message) as caught:
        coerce_value(data_type, operator, raw, field="mx_Field")
    assert str(caught.value).startswith("mx_Field: ")


def test_date_ranges_from_presets_and_days() -> None:
    assert date_range("any time") is None
    assert date_range("last 30 days") == "last 30 days"
    assert date_range("custom", date(2026, 10, 1), date(2026, 10, 31)) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert date_range("custom", date(2026, 10, 1)) == (date(2026, 10, 1), None)
    with pytest.raises(QueryError, match="created: pick the first day"):
        date_range("custom", None, date(2026, 10, 1), name="created")
    with pytest.raises(QueryError, match=r"starts .* after it ends"):
        date_range("custom", date(2026, 10, 2), date(2026, 10, 1))
    with pytest.raises(QueryError, match="unknown range"):
        date_range("fortnight")


_TYPES = {"ProspectStage": "Select", "EngagementScore": "Number", "DoNotCall": "Boolean"}


def test_a_form_becomes_the_read_arguments_it_stands_for() -> None:
    state = FormState(
        endpoint="not_contacted",
        users=("u1",),
        filters=(
            FilterState("ProspectStage", "in", ("Prospect", "Opportunity")),
            FilterState("EngagementScore", ">=", 20.0),
            FilterState("DoNotCall", "def"),
        ),
        activities=(21, 22),
        activity_window="last 30 days",
        columns=("ProspectID", "ProspectStage"),
        max_results=50,
        field_types=_TYPES,
    )
    assert form_kwargs(state) == {
        "endpoint": "not_contacted",
        "filters": [
            ("ProspectStage", "in", ["Prospect", "Opportunity"]),
            ("EngagementScore", ">=", "20"),
            ("DoNotCall", "def"),
        ],
        "users": ["u1"],
        "activities": [21, 22],
        "activity_window": "last 30 days",
        "columns": ["ProspectID", "ProspectStage"],
        "max_results": 50,
    }


def test_not_contacted_parts_are_dropped_for_distribution() -> None:
    state = FormState(activities=(21,), activity_window="last 7 days", columns=("ProspectID",))
    assert form_kwargs(state) == {"endpoint": "distribution", "columns": ["ProspectID"]}


def test_an_aggregate_form_and_its_report() -> None:
    state = FormState(
        output="aggregate",
        group_by="OwnerId",
        aggregate="average",
        aggregate_field="EngagementScore",
        created=(date(2026, 10, 1), date(2026, 10, 31)),
        columns=("ignored",),
    )
    kwargs = form_kwargs(state)
    assert kwargs == {
        "endpoint": "distribution",
        "created": (date(2026, 10, 1), date(2026, 10, 31)),
        "group_by": "OwnerId",
        "aggregate": "average",
        "aggregate_field": "EngagementScore",
    }
    report = build_report(**kwargs)
    assert report.output.metric == "Average_EngagementScore"
    dates = report.date_filters[0]
    assert (dates.start, dates.end) == (datetime(2026, 10, 1), datetime(2026, 10, 31, 23, 59, 59))


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (FormState(columns=()), "columns: pick at least one column"),
        (FormState(output="aggregate", group_by=None), "group by: pick a field"),
        (
            FormState(output="aggregate", group_by="OwnerId", aggregate="sum"),
            "sum: pick a Number field",
        ),
        (
            FormState(columns=("ProspectID",), filters=(FilterState(None, None),)),
            "filter 1: pick a field and an operator",
        ),
        (FormState(endpoint="everything"), "endpoint must be one of"),
    ],
)
def test_an_incomplete_form_says_what_is_missing(state: FormState, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        form_kwargs(state)


@pytest.mark.parametrize("number", [1e20, 1.5e-7, 12345678901234567890, "1e20", " 2.50 "])
def test_a_number_is_sent_as_the_reader_sends_it(number: object) -> None:
    state = FormState(
        filters=(FilterState("EngagementScore", ">", number),),
        columns=("ProspectID",),
        field_types=_TYPES,
    )
    form = build_report(**form_kwargs(state))
    typed = float(number) if isinstance(number, str) else number
    reader = build_report(
        "distribution", filters=[("EngagementScore", ">", typed)], columns=["ProspectID"]
    )
    assert report_to_body(form) == report_to_body(reader)
    assert form.lead_filters[0].value == reader.lead_filters[0].value


def test_1e20_in_the_form_is_the_readers_digits_not_scientific_notation() -> None:
    assert coerce_value("Number", ">", 1e20) == "100000000000000000000"
    assert coerce_value("Number", "in", "1e20, 3") == ("100000000000000000000", "3")
