"""The two request bodies of the vendor's pages, posted verbatim."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.sandbox.helpers import Api, fmt

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# The distribution page shows its body as indented text without braces; this is that
# text with its braces and commas put back, nothing else changed.
DISTRIBUTION_EXAMPLE = {
    "ReportFilter": {
        "UserFilter": {
            "GroupConditions": [
                {
                    "Condition": [
                        {
                            "LookupName": "UserID",
                            "Operator": "eq",
                            "LookupValue": "01f131a5-7746-11e6-bcaf-0677ec402fcf,"
                            "07934579-8551-11e6-88b9-0677ec402fcf,"
                            "090529bc-862c-11e6-88b9-0677ec402fcf,"
                            "0ec2b1d5-3d0f-11e5-b982-22000aa68b6f",
                        }
                    ]
                }
            ]
        },
        "LeadFilters": [{"LookUpName": "EngagementScore", "LookUpValue": "0", "SqlOperator": "<>"}],
    },
    "DateFilter": [
        {
            "DateField": "LeadCreatedOn",
            "FromDate": "2017-11-10 12:00:00",
            "ToDate": "2018-11-10 12:00:00",
        }
    ],
    "Output": {
        "Type": "aggregate",
        "GroupBy": "OwnerId",
        "AggregateFunction": "Average",
        "AggregateField": "EngagementScore",
        "IncludeCSV": "",
    },
    "Paging": {"PageIndex": 1, "PageSize": 10},
}
NAMED_USERS = DISTRIBUTION_EXAMPLE["ReportFilter"]["UserFilter"]["GroupConditions"][0]["Condition"][
    0
]["LookupValue"].split(",")


def not_contacted_text() -> str:
    """The not-contacted page's request body, exactly as the page prints it."""
    seed = SEEDS / "leads-not-contacted.txt"
    if not seed.exists():  # pragma: no cover - shared/ sits beside the repository
        return (FIXTURES / "not_contacted_example.json").read_text()
    text = seed.read_text(encoding="utf-8")
    start = text.index("Content-Type: application/json") + len("Content-Type: application/json")
    return text[start : text.index("\nRequest Parameters", start)].strip()


def test_the_distribution_example_answers_one_row_per_named_user(api: Api, leads) -> None:
    answer = api.answer(DISTRIBUTION_EXAMPLE)

    assert answer["TotalCount"] == str(len(NAMED_USERS))
    assert sorted(row["OwnerId"] for row in answer["Results"]) == sorted(NAMED_USERS)
    created = leads["CreatedOn"].between(
        pd.Timestamp("2017-11-10 12:00:00"), pd.Timestamp("2018-11-10 12:00:00")
    )
    chosen = leads[created & (leads["EngagementScore"] != 0)]
    for row in answer["Results"]:
        mine = chosen[chosen["OwnerId"] == row["OwnerId"]]
        assert set(row) == {"OwnerId", "Count", "Average_EngagementScore"}
        assert row["Count"] == len(mine)
        if mine.empty:
            assert row["Average_EngagementScore"] is None
        else:
            assert row["Average_EngagementScore"] == pytest.approx(mine["EngagementScore"].mean())


def test_the_distribution_example_has_users_with_and_without_leads(api: Api) -> None:
    counts = [row["Count"] for row in api.answer(DISTRIBUTION_EXAMPLE)["Results"]]

    assert counts[0] > 0
    assert 0 in counts
    assert counts == sorted(counts, reverse=True)


def test_the_not_contacted_example_is_refused_for_its_output_type(api: Api) -> None:
    response = api.post(not_contacted_text(), "not_contacted")

    assert response.status_code == 500
    assert response.json()["ExceptionType"] == "MXInvalidInputException"
    assert "Output.Type" in response.json()["ExceptionMessage"]


def test_the_not_contacted_example_as_a_list_answers_documented_rows(
    api: Api, leads, activities
) -> None:
    body = json.loads(not_contacted_text())
    body["Output"]["Type"] = "List"

    answer = api.answer(body, "not_contacted")

    named = body["ReportFilter"]["UserFilter"]["GroupConditions"][0]["Condition"][0]
    called = set(activities.loc[activities["ActivityEvent"].isin([21, 22]), "ProspectAutoId"])
    expected = leads[
        leads["OwnerId"].isin(named["LookupValue"].split(","))
        & leads["ProspectStage"].isin(["Prospect", "Opportunity"])
        & leads["CreatedOn"].between(
            pd.Timestamp("2018-05-10 12:10:00"), pd.Timestamp("2018-11-10 12:00:00")
        )
        & ~leads["ProspectAutoId"].isin(called)
    ]
    assert len(expected) > 0
    assert answer["TotalCount"] == str(len(expected))
    assert answer["Results"] == [
        {
            "ProspectID": lead.ProspectID,
            "ProspectStage": lead.ProspectStage,
            "ProspectActivityDate_Max": fmt(lead.ProspectActivityDate_Max),
            "OwnerId": lead.OwnerId,
        }
        for lead in expected.head(10).itertuples()
    ]
