"""build_report: read arguments in, a validated contract.Report out, errors naming the argument."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from leadsq.contract import (
    ActivityFilter,
    DateFilter,
    LeadFilter,
    Output,
    Paging,
    Report,
    UserCondition,
    UserGroup,
    report_to_body,
)
from leadsq.errors import QueryError
from leadsq.query.build import (
    DEFAULT_COLUMNS,
    DEFAULT_PAGE_SIZE,
    build_report,
    lead_filter,
    split_users,
)

NOW = datetime(2024, 5, 15, 10, 30, 0)
ALICE = "8e7da340-740a-11e5-8de3-22000aa5088d"
BOB = "ca00fef0-73f7-11e5-8de3-22000aa5088d"


def build(endpoint="distribution", where=None, **kwargs):
    return build_report(endpoint, where, now=NOW, **kwargs)


def refused(match: str, endpoint="distribution", **kwargs) -> str:
    with pytest.raises(QueryError, match=match) as caught:
        build(endpoint, **kwargs)
    return str(caught.value)


# --------------------------------------------------------------------------- defaults


def test_no_arguments_give_a_list_of_the_default_columns_on_page_one():
    assert build() == Report(
        endpoint="distribution",
        output=Output(type="List", columns=DEFAULT_COLUMNS["distribution"]),
        paging=Paging(index=1, size=10_000),
    )


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("distribution", "distribution"),
        ("Distribution", "distribution"),
        ("not_contacted", "not_contacted"),
        ("not-contacted", "not_contacted"),
        (" NOT-CONTACTED ", "not_contacted"),
    ],
)
def test_endpoint_names_are_matched_case_insensitively(given, canonical):
    assert build_report(given).endpoint == canonical


@pytest.mark.parametrize("endpoint", ["leads", "", None, 3])
def test_an_unknown_endpoint_is_refused_naming_endpoint(endpoint):
    with pytest.raises(
        QueryError, match="endpoint: must be one of 'distribution', 'not_contacted'"
    ):
        build_report(endpoint)


# --------------------------------------------------------------------------- filters=


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("Stage", "=", "A"), LeadFilter("Stage", "=", "A")),
        (("Stage", "==", "A"), LeadFilter("Stage", "=", "A")),
        (("Stage", "<>", "A"), LeadFilter("Stage", "<>", "A")),
        (("Stage", "!=", "A"), LeadFilter("Stage", "<>", "A")),
        (("Score", ">", 20), LeadFilter("Score", ">", "20")),
        (("Score", "<", 20.5), LeadFilter("Score", "<", "20.5")),
        (("Score", ">=", np.int64(20)), LeadFilter("Score", ">=", "20")),
        (("Score", "<=", np.float64(20.0)), LeadFilter("Score", "<=", "20")),
        (("City", "def"), LeadFilter("City", "def")),
        (("City", "ndef"), LeadFilter("City", "ndef")),
        (("City", "DEF", None), LeadFilter("City", "def")),
        (("Company", "lik", "Acme"), LeadFilter("Company", "lik", "Acme")),
        (("Company", "nlik", "Acme"), LeadFilter("Company", "nlik", "Acme")),
        (("Stage", "in", ["A", "B"]), LeadFilter("Stage", "in", values=("A", "B"))),
        (("Stage", "IN", ("A", "B")), LeadFilter("Stage", "in", values=("A", "B"))),
        (("Stage", "in", {"B", "A"}), LeadFilter("Stage", "in", values=("A", "B"))),
        (("Stage", "in", pd.Series(["A", "B"])), LeadFilter("Stage", "in", values=("A", "B"))),
        (("Score", "in", np.array([1, 2])), LeadFilter("Score", "in", values=("1", "2"))),
        (("Score", "in", pd.Index([1.0, 2.5])), LeadFilter("Score", "in", values=("1", "2.5"))),
        (("Flag", "=", True), LeadFilter("Flag", "=", "1")),
        (
            ("CreatedOn", ">=", pd.Timestamp("2024-01-01 05:30", tz="Asia/Kolkata")),
            LeadFilter("CreatedOn", ">=", "2024-01-01 00:00:00"),
        ),
        (LeadFilter("Stage", "=", "A"), LeadFilter("Stage", "=", "A")),
    ],
)
def test_every_operator_can_be_given_as_a_filter_tuple(given, expected):
    assert build(filters=[given]).lead_filters == (expected,)


def test_where_filters_come_first_then_filters_in_order():
    report = build(where="Score > 1 and Stage == 'A'", filters=[("City", "def"), ("Age", "<", 9)])
    assert [(f.field, f.operator) for f in report.lead_filters] == [
        ("Score", ">"),
        ("Stage", "="),
        ("City", "def"),
        ("Age", "<"),
    ]


def test_a_wrong_operator_is_refused_naming_the_filter():
    message = refused(r"filters\[1\]: ", filters=[("A", "=", 1), ("B", "eq", 2)])
    assert (
        "operator must be one of =, <>, >, <, >=, <=, def, ndef, lik, nlik, in; got 'eq'" in message
    )


def test_in_without_a_list_names_the_argument():
    refused(
        r"filters\[0\]: operator 'in' needs a list of values; got 'Prospect' \(write \['Prospect'\]\)",
        filters=[("Stage", "in", "Prospect")],
    )


def test_a_list_value_with_another_operator_names_the_argument():
    refused(r"filters\[0\]: operator '=' takes one value; got a list", filters=[("S", "=", ["A"])])


def test_an_empty_in_list_is_refused_by_the_contract_naming_the_argument():
    refused(r"^filters\[0\]: values must list at least one value", filters=[("S", "in", [])])
    refused(r"^where: values must list at least one value", where="S in []")


def test_a_value_for_def_or_a_missing_value_is_refused():
    refused(r"filters\[0\]: operator 'def' takes no value", filters=[("City", "def", "x")])
    refused(r"filters\[0\]: operator '>' needs a value", filters=[("Score", ">")])
    refused(r"filters\[0\]: a missing value", filters=[("Score", ">", None)])


def test_a_filter_of_the_wrong_shape_is_refused():
    refused(r"filters\[0\]: expected \(field, operator, value\)", filters=["Stage == 'A'"])
    refused(r"filters\[0\]: expected \(field, operator, value\)", filters=[("A", "=", 1, 2)])
    refused(r"filters: expected a list of filters; got \('A', '=', 1\)", filters=("A", "=", 1))
    refused(r"filters: expected a list of filters", filters="A == 1")
    refused(r"filters: expected a list of filters", filters=5)


def test_a_field_that_is_not_a_string_is_refused_by_the_contract():
    refused(r"^filters\[0\]: field must be a string", filters=[(5, "=", "x")])


def test_lead_filter_builds_one_filter_from_a_tuple():
    assert lead_filter(("Score", ">=", 20.0)) == LeadFilter("Score", ">=", "20")


# --------------------------------------------------------------------------- users


def test_users_ids_and_emails_become_one_group_of_two_conditions_joined_by_or():
    report = build(users=[ALICE, "ana@example.com", BOB, "raj@example.com"])
    assert report.user_groups == (
        UserGroup(
            conditions=(
                UserCondition("UserID", "eq", f"{ALICE},{BOB}", "OR"),
                UserCondition("EmailAddress", "eq", "ana@example.com,raj@example.com", "AND"),
            ),
            link="AND",
        ),
    )


def test_users_may_be_one_string_holding_several_and_repeats_are_dropped():
    report = build(users=f"{ALICE}, {ALICE} ,{BOB}")
    assert report.user_groups == (
        UserGroup(conditions=(UserCondition("UserID", "eq", f"{ALICE},{BOB}"),)),
    )


def test_users_of_emails_only_give_one_email_condition():
    assert build(users="ana@example.com").user_groups[0].conditions == (
        UserCondition("EmailAddress", "eq", "ana@example.com"),
    )


def test_a_user_that_is_neither_id_nor_email_is_refused_pointing_at_user_filter():
    refused(
        r"users: 'Ana' is neither a user id \(a GUID\) nor an email address.*user_filter=",
        users=["Ana"],
    )


def test_empty_or_non_string_users_are_refused():
    refused("users: names no user", users=[])
    refused("users: names no user", users=" , ")
    refused("users: expected strings; got 5", users=[5])
    refused("users: expected a string or a list of strings", users=5)


def test_split_users_keeps_ids_and_emails_in_order():
    assert split_users(["b@x.io", ALICE, "a@x.io"]) == ([ALICE], ["b@x.io", "a@x.io"])


# --------------------------------------------------------------------------- user_filter


def test_user_filter_groups_conditions_and_links():
    report = build(
        user_filter=[
            [("Role", "eq", "Sales Manager"), "or", ("Team", "eq", "North")],
            "or",
            [("EmailAddress", "nlik", "@contractor.example"), ("FirstName", "lik", "an")],
        ]
    )
    assert report.user_groups == (
        UserGroup(
            conditions=(
                UserCondition("Role", "eq", "Sales Manager", "OR"),
                UserCondition("Team", "eq", "North", "AND"),
            ),
            link="OR",
        ),
        UserGroup(
            conditions=(
                UserCondition("EmailAddress", "nlik", "@contractor.example", "AND"),
                UserCondition("FirstName", "lik", "an", "AND"),
            ),
            link="AND",
        ),
    )


def test_a_flat_user_filter_is_one_group():
    report = build(user_filter=[("role", "EQ", "Admin"), "OR", ("team", "!=", "South")])
    assert report.user_groups == (
        UserGroup(
            conditions=(
                UserCondition("Role", "eq", "Admin", "OR"),
                UserCondition("Team", "neq", "South", "AND"),
            )
        ),
    )


def test_an_eq_condition_with_a_list_means_any_of_them():
    report = build(user_filter=[[("Team", "eq", ["North", "South"])]])
    assert report.user_groups[0].conditions == (UserCondition("Team", "eq", "North,South"),)


def test_user_group_objects_keep_their_links_so_a_report_s_groups_rebuild_it():
    source = build(
        users=ALICE,
        user_filter=[[("Role", "eq", "A"), "or", ("Team", "eq", "B")], [("Team", "lik", "x")]],
    )
    assert build(user_filter=source.user_groups).user_groups == source.user_groups
    assert build(user_filter=source.user_groups[1]).user_groups == source.user_groups[1:2]
    assert (
        build(user_filter=list(source.user_groups[0].conditions)).user_groups
        == source.user_groups[:1]
    )


def test_users_come_first_and_are_joined_to_user_filter_by_and():
    report = build(users=ALICE, user_filter=[[("Role", "eq", "Admin")]])
    assert [g.conditions[0].field for g in report.user_groups] == ["UserID", "Role"]
    assert report.user_groups[0].link == "AND"


def test_users_with_user_filter_groups_joined_by_or_is_refused():
    refused(
        "user_filter: groups joined by 'or' cannot be combined with users=",
        users=ALICE,
        user_filter=[[("Role", "eq", "A")], "or", [("Team", "eq", "B")]],
    )


def test_a_wrong_user_operator_or_field_is_refused_naming_the_group():
    refused(
        r"^user_filter\[1\]: operator must be one of eq, neq, lik, nlik; got 'equals'",
        user_filter=[[("Role", "eq", "A")], [("Role", "equals", "B")]],
    )
    refused(
        r"^user_filter\[0\]: field must be one of UserID, EmailAddress",
        user_filter=[[("Rank", "eq", "A")]],
    )


def test_a_list_value_with_another_user_operator_is_refused():
    refused(
        r"user_filter\[0\]: operator 'lik' takes one value",
        user_filter=[[("Team", "lik", ["a", "b"])]],
    )


@pytest.mark.parametrize(
    ("user_filter", "match"),
    [
        ("Role == 'A'", "user_filter: expected a list of groups"),
        ({"Role": "A"}, "user_filter: expected a list of groups"),
        (["or", [("Role", "eq", "A")]], "user_filter: 'or' must stand between two items"),
        ([[("Role", "eq", "A")], "and"], "user_filter: 'and' must stand between two items"),
        (
            [[("Role", "eq", "A")], "and", "or", [("Team", "eq", "B")]],
            "must stand between two items",
        ),
        (
            [[("Role", "eq", "A")], "xor", [("Team", "eq", "B")]],
            "expected 'and' or 'or' between items; got 'xor'",
        ),
        ([[]], r"user_filter\[0\]: a group needs at least one condition"),
        ([5], r"user_filter\[0\]: expected a group"),
        ([[("Role", "eq")]], r"user_filter\[0\]: expected conditions \(field, operator, value\)"),
        ([[("Role", "eq", None)]], r"user_filter\[0\]: a missing value"),
    ],
)
def test_a_malformed_user_filter_is_refused(user_filter, match):
    refused(match, user_filter=user_filter)


# --------------------------------------------------------------------------- activities


@pytest.mark.parametrize(
    ("activities", "expected"),
    [
        (21, ActivityFilter("=", (21,))),
        ("22", ActivityFilter("=", (22,))),
        (np.int64(201), ActivityFilter("=", (201,))),
        ([21, 22], ActivityFilter("in", (21, 22))),
        ((21,), ActivityFilter("in", (21,))),
        (["21", 22], ActivityFilter("in", (21, 22))),
        (np.array([21, 22]), ActivityFilter("in", (21, 22))),
    ],
)
def test_activities_become_one_activity_filter(activities, expected):
    assert build("not_contacted", activities=activities).activity_filters == (expected,)


def test_activities_on_distribution_are_refused_naming_activities():
    refused(
        "^activities: is only allowed for not_contacted",
        activities=[21],
    )


@pytest.mark.parametrize("activities", ["phone call", -1, 2.5, True, [21, None], "21,22"])
def test_activities_that_are_not_event_codes_are_refused(activities):
    refused("activities: expected activity event codes", "not_contacted", activities=activities)


def test_an_empty_activity_list_is_refused_by_the_contract():
    refused("activities: .*must list at least one value", "not_contacted", activities=[])


# --------------------------------------------------------------------------- dates


def test_date_arguments_become_date_filters_in_a_fixed_order():
    report = build(
        "not_contacted",
        activity_window="last 30 days",
        modified=("2024-05-01", None),
        created="2024-01-01..2024-03-31",
    )
    assert report.date_filters == (
        DateFilter("LeadCreatedOn", datetime(2024, 1, 1), datetime(2024, 3, 31, 23, 59, 59)),
        DateFilter("LeadModifiedOn", datetime(2024, 5, 1), NOW),
        DateFilter("ActivityCreatedOn", datetime(2024, 4, 15, 10, 30), NOW),
    )


def test_a_backwards_created_range_names_created():
    refused(
        "created: the range is backwards: 2024-03-01 00:00:00 is after 2024-01-01 00:00:00",
        created=(datetime(2024, 3, 1), datetime(2024, 1, 1)),
    )


def test_an_unknown_date_form_names_the_argument():
    refused("modified: unknown date range 'next week'", modified="next week")


def test_an_activity_window_on_distribution_is_refused_naming_it():
    refused(
        "activity_window: .*ActivityCreatedOn is only allowed for not_contacted",
        activity_window="today",
    )


def test_relative_dates_are_resolved_at_build_time_from_now():
    first = build_report("distribution", created="last 1 days", now=datetime(2024, 1, 2))
    later = build_report("distribution", created="last 1 days", now=datetime(2024, 1, 3))
    assert first.date_filters[0].start == datetime(2024, 1, 1)
    assert later.date_filters[0].start == datetime(2024, 1, 2)


# --------------------------------------------------------------------------- output


def test_columns_may_be_a_list_or_a_comma_separated_string():
    expected = Output(type="List", columns=("ProspectID", "OwnerId"))
    assert build(columns=["ProspectID", "OwnerId"]).output == expected
    assert build(columns="ProspectID, OwnerId").output == expected
    assert build(columns=pd.Index(["ProspectID", "OwnerId"])).output == expected


def test_not_contacted_has_default_columns_too():
    assert build("not_contacted").output.columns == DEFAULT_COLUMNS["not_contacted"]
    assert "ProspectActivityDate_Max" in DEFAULT_COLUMNS["not_contacted"]


def test_bad_columns_are_refused_naming_columns():
    refused("^columns: must be a non-empty", columns=[])
    refused("^columns: must not name a field twice", columns=["A", "A"])
    refused("columns: expected field names", columns=["A", 5])
    refused("columns: expected a list of lead fields", columns=5)


@pytest.mark.parametrize(
    ("aggregate", "function"),
    [("average", "Average"), ("Average", "Average"), ("mean", "Average"), ("SUM", "Sum")],
)
def test_average_and_sum_need_a_field(aggregate, function):
    report = build(group_by="OwnerId", aggregate=aggregate, aggregate_field="EngagementScore")
    assert report.output == Output(
        type="Aggregate", group_by="OwnerId", function=function, field="EngagementScore"
    )


def test_count_is_the_default_aggregate():
    assert build(group_by="ProspectStage").output == Output(
        type="Aggregate", group_by="ProspectStage", function="Count"
    )


def test_an_average_without_a_field_names_aggregate_field():
    refused(
        "aggregate_field: is required for aggregate='average'",
        group_by="OwnerId",
        aggregate="average",
    )


def test_a_field_with_count_is_refused_naming_aggregate_field():
    refused("aggregate_field: is only used with", group_by="OwnerId", aggregate_field="Score")


def test_an_aggregate_without_group_by_is_refused():
    refused("aggregate: needs group_by", aggregate="sum")
    refused("aggregate_field: needs group_by", aggregate="sum", aggregate_field="Score")


def test_columns_with_group_by_are_refused_naming_both():
    message = refused("columns: cannot be combined with group_by", columns=["A"], group_by="B")
    assert "group_by" in message


def test_an_unknown_aggregate_is_refused():
    refused(
        "aggregate: must be one of count, average \\(or mean\\), sum; got 'median'",
        group_by="A",
        aggregate="median",
    )


def test_a_blank_group_by_is_refused_by_the_contract_naming_group_by():
    refused("^group_by: must not be empty", group_by=" ")


# --------------------------------------------------------------------------- paging


@pytest.mark.parametrize("size", [1, 10, 5000, 100_000, np.int32(250)])
def test_page_size_is_any_whole_number_from_one(size):
    assert build(page_size=size).paging == Paging(index=1, size=int(size))


@pytest.mark.parametrize(
    ("size", "match"),
    [
        (0, "^page_size: must be at least 1; got 0"),
        (-5, "^page_size: must be at least 1"),
        (10.0, "page_size: must be a whole number, at least 1; got 10.0"),
        ("10", "page_size: must be a whole number"),
        (True, "page_size: must be a whole number"),
    ],
)
def test_a_bad_page_size_names_page_size(size, match):
    refused(match, page_size=size)


def test_no_page_size_is_the_default_one():
    assert build_report("distribution", page_size=None).paging.size == DEFAULT_PAGE_SIZE


# --------------------------------------------------------------------------- the whole


def test_the_documented_not_contacted_example_as_arguments():
    report = build(
        "not_contacted",
        "ProspectStage in ['Prospect', 'Opportunity']",
        users=[ALICE, BOB],
        activities=[21, 22],
        created=("2018-05-10 12:10:00", "2018-11-10 12:00:00"),
        columns=["ProspectID", "ProspectStage", "ProspectActivityDate_Max", "OwnerId"],
        page_size=10,
    )
    body = report_to_body(report)
    assert body["ReportFilter"]["LeadFilters"] == [
        {
            "LookUpName": "ProspectStage",
            "SqlOperator": "in",
            "LookUpValues": ["Prospect", "Opportunity"],
        }
    ]
    assert body["ReportFilter"]["ActivityFilters"] == [
        {"LookUpName": "ActivityEvent", "SqlOperator": "in", "LookUpValues": ["21", "22"]}
    ]
    assert (
        body["ReportFilter"]["UserFilter"]["GroupConditions"][0]["Condition"][0]["LookupValue"]
        == f"{ALICE},{BOB}"
    )
    assert body["DateFilter"] == [
        {
            "DateField": "LeadCreatedOn",
            "FromDate": "2018-05-10 12:10:00",
            "ToDate": "2018-11-10 12:00:00",
        }
    ]
    assert body["Output"] == {
        "Type": "List",
        "IncludeCSV": "ProspectID,ProspectStage,ProspectActivityDate_Max,OwnerId",
    }
    assert body["Paging"] == {"PageIndex": 1, "PageSize": 10}


def test_an_error_is_raised_before_anything_else_is_built():
    with pytest.raises(QueryError, match="endpoint"):
        build_report("nope", "this is not even where syntax")
