"""A local regroup of a list frame equals the server's aggregate for the same filters."""

from __future__ import annotations

import pandas as pd
import pytest

from leadsq.errors import QueryError

CREATED = ("2026-05-01", "2026-10-31")


@pytest.mark.parametrize(
    ("group_by", "aggregate", "field"),
    [
        ("OwnerId", "count", None),
        ("ProspectStage", "count", None),
        ("OwnerId", "average", "EngagementScore"),
        ("ProspectStage", "average", "mx_Interest_Rate"),
        ("ProspectStage", "sum", "Score"),
        ("OwnerId", "sum", "mx_Loan_Amount"),
        ("ProspectStage", "sum", "mx_Interest_Rate"),
    ],
)
def test_a_local_regroup_equals_the_server_aggregate(
    read, leads, group_by, aggregate, field
) -> None:
    server = read(
        "distribution",
        created=CREATED,
        group_by=group_by,
        aggregate=aggregate,
        aggregate_field=field,
    )
    local = leads.lsq.regroup(group_by, aggregate, field)
    pd.testing.assert_frame_equal(local, server, check_exact=False, rtol=1e-9)


@pytest.mark.parametrize(("aggregate", "field"), [("count", None), ("average", "Score")])
def test_a_regroup_by_a_field_with_values_equals_the_server_aggregate(
    read, leads, aggregate, field
) -> None:
    server = read(
        "distribution",
        "Source.notna()",
        created=CREATED,
        group_by="Source",
        aggregate=aggregate,
        aggregate_field=field,
    )
    with_source = leads[leads["Source"].notna()]
    pd.testing.assert_frame_equal(with_source.lsq.regroup("Source", aggregate, field), server)


def test_empty_text_and_null_are_one_missing_group_here_and_on_the_server(read, leads) -> None:
    # an empty text is no value: the reader reads it as missing and the server groups it with null
    server = read("distribution", created=CREATED, group_by="Source")
    local = leads.lsq.regroup("Source")
    assert local.index.isna().sum() == 1
    assert server.index.isna().sum() == 1
    pd.testing.assert_frame_equal(local, server)


def test_a_regroup_of_not_contacted_leads_equals_the_server_count(read, not_contacted) -> None:
    server = read(
        "not_contacted",
        "ProspectStage in ['Prospect', 'Opportunity']",
        activities=[21, 22],
        activity_window=("2026-10-02", "2026-11-01"),
        group_by="OwnerId",
    )
    pd.testing.assert_frame_equal(not_contacted.lsq.regroup("OwnerId"), server)


def test_two_group_fields_give_a_multiindex_in_server_order(leads) -> None:
    result = leads.lsq.regroup(["ProspectStage", "Source"], "average", "EngagementScore")
    assert list(result.index.names) == ["ProspectStage", "Source"]
    assert list(result.columns) == ["Count", "Average_EngagementScore"]
    assert str(result["Count"].dtype) == "Int64"
    assert str(result["Average_EngagementScore"].dtype) == "Float64"
    assert result["Count"].sum() == len(leads)
    ordered = result.reset_index().sort_values(
        ["Count", "ProspectStage", "Source"],
        ascending=[False, True, True],
        na_position="last",
        kind="stable",
    )
    assert list(ordered.index) == list(range(len(result)))
    row = result.index[0]
    mask = (leads["ProspectStage"] == row[0]) & (leads["Source"] == row[1])
    assert result["Average_EngagementScore"].iloc[0] == pytest.approx(
        leads.loc[mask, "EngagementScore"].mean()
    )


def test_average_and_sum_ignore_nulls_and_a_group_without_values_is_na(leads) -> None:
    frame = leads.head(4).copy()
    frame["ProspectStage"] = pd.array(["A", "A", "B", "B"], dtype="string")
    frame["Score"] = pd.array([10, None, None, None], dtype="Int64")
    frame.attrs = leads.attrs
    result = frame.lsq.regroup("ProspectStage", "average", "Score")
    assert result.loc["A", "Average_Score"] == 10
    assert result.loc["A", "Count"] == 2
    assert result.loc["B", "Average_Score"] is pd.NA
    summed = frame.lsq.regroup("ProspectStage", "sum", "Score")
    assert str(summed["Sum_Score"].dtype) == "Int64"
    assert summed.loc["B", "Sum_Score"] is pd.NA


def test_a_regroup_is_marked_as_local_in_its_provenance(leads) -> None:
    result = leads.lsq.regroup("OwnerId", "Average", "EngagementScore")
    assert result.lsq.steps == [
        {
            "method": "regroup",
            "args": {"by": "OwnerId", "aggregate": "average", "aggregate_field": "EngagementScore"},
        }
    ]
    assert result.lsq.grouping.local
    assert result.lsq.report.output.type == "List"  # what was read from the server
    assert leads.lsq.steps == []  # the source frame is untouched


def test_an_empty_list_regroups_to_an_empty_aggregate_with_the_dtypes(leads) -> None:
    result = leads.iloc[:0].lsq.regroup("ProspectStage", "sum", "Score")
    assert result.empty
    assert result.index.name == "ProspectStage"
    assert str(result.index.dtype) == str(leads["ProspectStage"].dtype)
    assert result.dtypes.astype(str).to_dict() == {"Count": "Int64", "Sum_Score": "Int64"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("Nope",), "lacks the column"),
        (("OwnerId", "median", "Score"), "count, average, sum"),
        (("OwnerId", "average"), "aggregate_field: is required"),
        (("OwnerId", "average", "ProspectStage"), "not a number"),
        ((["OwnerId", "OwnerId"],), "twice"),
    ],
)
def test_bad_regroups_are_refused_with_a_reason(leads, args, words) -> None:
    with pytest.raises(QueryError, match=words):
        leads.lsq.regroup(*args)


def test_an_aggregate_cannot_be_regrouped(engagement_by_owner) -> None:
    with pytest.raises(QueryError, match="already grouped by OwnerId"):
        engagement_by_owner.lsq.regroup("OwnerId")


def test_users_named_by_a_user_filter_appear_with_count_zero_as_on_the_server(
    read, sandbox
) -> None:
    users = sandbox.store.table("users")
    admin = users.loc[users["Role"] == "Admin", "UserID"].iloc[0]  # owns no leads
    owners = [admin, *users.loc[users["Role"] != "Admin", "UserID"].iloc[:2]]
    arguments = {"created": CREATED, "users": owners}
    listed = read("distribution", columns=["ProspectID", "OwnerId", "Score"], **arguments)
    for aggregate, field in (("count", None), ("sum", "Score")):
        server = read(
            "distribution",
            group_by="OwnerId",
            aggregate=aggregate,
            aggregate_field=field,
            **arguments,
        )
        local = listed.lsq.regroup("OwnerId", aggregate, field)
        assert admin in local.index and local.loc[admin, "Count"] == 0
        pd.testing.assert_frame_equal(local, server)


def test_matching_users_follows_the_contract_semantics() -> None:
    from leadsq.analysis.regroup import matching_users
    from leadsq.contract import parse_report

    users = pd.DataFrame(
        {
            "UserID": ["u1", "u2", "u3"],
            "Team": ["North", "South", None],
            "Role": ["Sales Executive", "Sales Manager", "Admin"],
        }
    )

    def body(*conditions):
        return {
            "ReportFilter": {"UserFilter": {"GroupConditions": [{"Condition": list(conditions)}]}},
            "Output": {"Type": "List", "IncludeCSV": "ProspectID"},
            "Paging": {"PageIndex": 1, "PageSize": 10},
        }

    def match(*conditions):
        return matching_users(users, parse_report(body(*conditions), "distribution"))

    assert match({"LookupName": "UserID", "Operator": "eq", "LookupValue": "U1, u3"}) == [
        "u1",
        "u3",
    ]
    assert match({"LookupName": "Team", "Operator": "neq", "LookupValue": "north"}) == [
        "u2",
        "u3",
    ]
    assert match({"LookupName": "Role", "Operator": "lik", "LookupValue": "sales"}) == [
        "u1",
        "u2",
    ]
    assert match(
        {"LookupName": "Team", "Operator": "eq", "LookupValue": "South", "ConditionOperator": "OR"},
        {"LookupName": "Role", "Operator": "eq", "LookupValue": "Admin"},
    ) == ["u2", "u3"]


def test_regroup_takes_every_aggregate_spelling_the_reader_takes(read, leads) -> None:
    server = read(
        "distribution",
        created=CREATED,
        group_by="Source",
        aggregate="mean",
        aggregate_field="EngagementScore",
    )
    with_source = read(
        "distribution", created=CREATED, columns=["ProspectID", "Source", "EngagementScore"]
    )
    local = with_source.lsq.regroup("Source", "Mean", aggregate_field="EngagementScore")
    pd.testing.assert_frame_equal(local, server)
    assert local.lsq.grouping.function == "Average"
    assert local.lsq.steps[-1]["args"]["aggregate"] == "average"
