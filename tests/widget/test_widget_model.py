"""The form's rules without widgets: operators, inputs and values per field type, form state."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from leadsq.errors import QueryError
from leadsq.notebook.widget_model import (
    Field,
    FilterState,
    FormState,
    activity_options,
    coerce_value,
    date_range,
    fields_from_metadata,
    form_kwargs,
    number_fields,
    operators_for,
    user_options,
    value_kind,
)
from leadsq.query.build import build_report


def _operators(data_type: str) -> list[str]:
    return [operator for _, operator in operators_for(data_type)]


def test_operators_fit_the_field_type() -> None:
    assert _operators("Number") == ["=", "<>", ">", "<", ">=", "<=", "in", "def", "ndef"]
    assert _operators("Date") == [">=", "<=", ">", "<", "def", "ndef"]
    assert _operators("Boolean") == ["=", "<>", "def", "ndef"]
    assert "lik" in _operators("Select") and "in" in _operators("Select")
    for text_type in ("Text", "Email", "Phone", "Website", "Time", "SomethingNew"):
        assert _operators(text_type) == ["=", "<>", "in", "lik", "nlik", "def", "ndef"]


def test_date_operators_read_as_days() -> None:
    labels = dict((operator, label) for label, operator in operators_for("Date"))
    assert labels[">="] == "on or after" and labels["<"] == "before"


@pytest.mark.parametrize(
    ("data_type", "operator", "kind"),
    [
        ("Number", ">=", "number"),
        ("Number", "in", "texts"),
        ("Date", "<=", "date"),
        ("Boolean", "=", "boolean"),
        ("Select", "=", "choice"),
        ("Select", "<>", "choice"),
        ("Select", "in", "choices"),
        ("Select", "lik", "text"),
        ("Text", "=", "text"),
        ("Text", "in", "texts"),
        ("Email", "def", "none"),
        ("Date", "ndef", "none"),
    ],
)
def test_the_input_fits_field_type_and_operator(data_type: str, operator: str, kind: str) -> None:
    assert value_kind(data_type, operator) == kind


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


def test_fields_users_and_activities_become_picker_options() -> None:
    fields = fields_from_metadata(
        pd.DataFrame(
            [
                {"SchemaName": "Score", "DisplayName": "Score", "DataType": "Number"},
                {
                    "SchemaName": "ProspectStage",
                    "DisplayName": "Lead Stage",
                    "DataType": "Select",
                    "Options": [{"Value": "Prospect"}, {"Value": "Customer"}],
                },
            ]
        )
    )
    assert [item.name for item in fields] == ["ProspectStage", "Score"]  # by display name
    assert fields[0].options == ("Prospect", "Customer")
    assert fields[0].choice == ("Lead Stage (ProspectStage)", "ProspectStage")
    assert fields[1].choice == ("Score", "Score")
    assert number_fields(fields) == [fields[1]]

    users = pd.DataFrame(
        [
            {"UserID": "u2", "FirstName": "Vikram", "LastName": "Rao", "EmailAddress": "v@x"},
            {"UserID": "u1", "FirstName": None, "LastName": "", "EmailAddress": "a@x"},
            {"UserID": "u3", "FirstName": "Zoe", "LastName": "Li", "EmailAddress": "z@x"},
        ]
    ).assign(Active=pd.array([True, True, False], dtype="boolean"))
    assert user_options(users) == [("a@x", "u1"), ("Vikram Rao", "u2"), ("Zoe Li (inactive)", "u3")]
    types = pd.DataFrame(
        [
            {"ActivityEvent": 201, "Name": "Meeting"},
            {"ActivityEvent": 21, "Name": "Call"},
        ]
    )
    assert activity_options(types) == [("Call (21)", 21), ("Meeting (201)", 201)]


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


def test_field_is_a_value_object() -> None:
    assert Field("A", "A", "Text") == Field("A", "A", "Text")
