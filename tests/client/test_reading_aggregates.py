"""Aggregate reads: groups, counts and metrics as pandas computes them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"


def expected_aggregate(leads: pd.DataFrame, by: str, function: str, field: str) -> pd.DataFrame:
    """The server's aggregate shape, computed with pandas: Count desc, then group asc."""
    grouped = leads.groupby(by, dropna=False)
    frame = pd.DataFrame({"Count": grouped.size()})
    if function == "average":
        frame[f"Average_{field}"] = grouped[field].mean()
    elif function == "sum":
        frame[f"Sum_{field}"] = grouped[field].sum(min_count=1)
    frame = frame.reset_index()
    return frame.sort_values(["Count", by], ascending=[False, True]).set_index(by)


@pytest.mark.parametrize("function", ["count", "average", "sum"])
def test_aggregates_by_stage_equal_pandas_groupby(read, leads, function):
    field = None if function == "count" else "EngagementScore"
    frame = read(
        "distribution", group_by="ProspectStage", aggregate=function, aggregate_field=field
    )
    expected = expected_aggregate(leads, "ProspectStage", function, "EngagementScore")
    assert frame.index.name == "ProspectStage"
    assert frame.index.tolist() == expected.index.tolist()
    assert frame.Count.tolist() == expected.Count.tolist()
    assert frame.Count.dtype == "Int64"
    if function != "count":
        metric = frame.columns[1]
        assert metric == expected.columns[1]
        assert frame[metric].astype(float).round(6).tolist() == expected[metric].round(6).tolist()
        assert str(frame[metric].dtype) == ("Float64" if function == "average" else "Int64")


def test_average_ignores_nulls_and_a_group_without_values_is_na(read, leads):
    frame = read(
        "distribution",
        "mx_Interest_Rate.isna()",
        group_by="mx_City",
        aggregate="average",
        aggregate_field="mx_Interest_Rate",
    )
    assert len(frame) > 0
    assert frame["Average_mx_Interest_Rate"].isna().all()
    assert frame.Count.sum() == leads.mx_Interest_Rate.isna().sum()


def test_filtered_aggregate_by_owner_counts_only_matching_leads(read, leads):
    frame = read("distribution", "Source == 'Referral'", group_by="OwnerId")
    expected = leads[leads.Source == "Referral"].OwnerId.value_counts()
    assert frame.Count.to_dict() == expected.to_dict()


def test_the_vendor_distribution_example_body_works_as_is(read):
    body = json.loads((FIXTURES / "distribution_example.json").read_text())
    frame = read("distribution", body=body)
    named = body["ReportFilter"]["UserFilter"]["GroupConditions"][0]["Condition"][0]["LookupValue"]
    assert sorted(frame.index) == sorted(named.split(","))
    empty = frame[frame.Count == 0]
    assert empty["Average_EngagementScore"].isna().all()
    # its Paging says where to start; the read asks leadsq's page size
    assert frame.attrs["leadsq"]["body"]["Paging"] == {"PageIndex": 1, "PageSize": 10_000}


def test_the_vendor_not_contacted_example_body_is_refused_before_sending(read):
    from leadsq import QueryError

    body = json.loads((FIXTURES / "not_contacted_example.json").read_text())
    with pytest.raises(QueryError, match=r"Output\.Type"):
        read("not_contacted", body=body)


def test_the_vendor_not_contacted_example_as_a_list_pages_through_every_row(read, sandbox):
    body = json.loads((FIXTURES / "not_contacted_example.json").read_text())
    body["Output"]["Type"] = "List"
    frame = read("not_contacted", body=body)
    assert list(frame.columns) == [
        "ProspectID",
        "ProspectStage",
        "ProspectActivityDate_Max",
        "OwnerId",
    ]
    assert len(frame) == frame.attrs["leadsq"]["total_count"]
    assert set(frame.ProspectStage) <= {"Prospect", "Opportunity"}
