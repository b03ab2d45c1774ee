"""The form's fields and pickers without widgets: operators and inputs per field type, options."""

from __future__ import annotations

import pandas as pd
import pytest

from leadsq.notebook.form_fields import (
    AGGREGATES,
    Field,
    activity_options,
    fields_from_metadata,
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


def test_field_is_a_value_object() -> None:
    assert Field("A", "A", "Text") == Field("A", "A", "Text")


def test_the_aggregate_choices_are_the_readers_spellings() -> None:
    assert [value for _, value in AGGREGATES] == ["count", "average", "sum"]
    for _, value in AGGREGATES:
        group = {"group_by": "OwnerId", "aggregate": value}
        field = {} if value == "count" else {"aggregate_field": "EngagementScore"}
        assert build_report("distribution", **group, **field).output.type == "Aggregate"
