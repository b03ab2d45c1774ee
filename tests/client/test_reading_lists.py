"""List reads: every filter form gives the leads pandas finds in the raw tables."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from tests.client.conftest import ids

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


def text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.lower()


# where text -> the same condition written in pandas over the raw leads
OPERATOR_CASES = {
    "ProspectStage == 'opportunity'": lambda d: text(d.ProspectStage) == "opportunity",
    "ProspectStage != 'Prospect'": lambda d: (text(d.ProspectStage) != "prospect").fillna(True),
    "EngagementScore > 20": lambda d: d.EngagementScore > 20,
    "EngagementScore < 3": lambda d: d.EngagementScore < 3,
    "Score >= 60": lambda d: d.Score >= 60,
    "Score <= 10": lambda d: d.Score <= 10,
    "mx_Loan_Amount >= 1500000.5": lambda d: d.mx_Loan_Amount >= 1500000.5,
    "CreatedOn >= '2026-06-01 00:00:00'": lambda d: d.CreatedOn >= pd.Timestamp("2026-06-01"),
    "mx_City.notna()": lambda d: d.mx_City.notna() & (d.mx_City != ""),
    "Company.isna()": lambda d: d.Company.isna() | (d.Company == ""),
    "mx_Remarks.str.contains('CALL')": lambda d: text(d.mx_Remarks).str.contains(
        "call", regex=False
    ),
    "~mx_Remarks.str.contains('call')": lambda d: (
        ~text(d.mx_Remarks).str.contains("call", regex=False).fillna(False)
    ),
    "Source in ['Referral', 'partner']": lambda d: text(d.Source).isin(["referral", "partner"]),
    "DoNotCall == True": lambda d: d.DoNotCall.fillna(False).astype(bool),
    "ProspectStage in ['Prospect', 'Opportunity'] and EngagementScore >= 5 and mx_City.notna()": (
        lambda d: (
            text(d.ProspectStage).isin(["prospect", "opportunity"])
            & (d.EngagementScore >= 5)
            & d.mx_City.notna()
            & (d.mx_City != "")
        )
    ),
}


@pytest.mark.parametrize("where", list(OPERATOR_CASES))
def test_each_operator_returns_the_leads_pandas_finds(read, leads, where):
    frame = read("distribution", where, columns=["ProspectID", "ProspectStage"])
    expected = leads[OPERATOR_CASES[where](leads).fillna(False).astype(bool)]
    assert len(expected) > 0, "the case should match some leads"
    assert ids(frame) == set(expected.ProspectID)
    assert frame.attrs["leadsq"]["total_count"] == len(expected)


def test_filters_tuples_equal_the_where_syntax(read):
    by_where = read("distribution", "Score >= 60 and Source == 'Website'", columns=["ProspectID"])
    by_tuples = read(
        "distribution",
        filters=[("Score", ">=", 60), ("Source", "=", "Website")],
        columns=["ProspectID"],
    )
    pd.testing.assert_frame_equal(by_where, by_tuples)


def test_values_and_dtypes_follow_the_table(read, leads):
    columns = [
        "ProspectID",
        "ProspectAutoId",
        "FirstName",
        "EngagementScore",
        "mx_Loan_Amount",
        "CreatedOn",
        "DoNotCall",
        "mx_City",
    ]
    frame = read("distribution", "Score >= 80", columns=columns)
    assert frame.dtypes.astype(str).to_dict() == {
        "ProspectID": "string",
        "ProspectAutoId": "Int64",
        "FirstName": "string",
        "EngagementScore": "Int64",
        "mx_Loan_Amount": "Float64",
        "CreatedOn": "datetime64[ns, UTC]",
        "DoNotCall": "boolean",
        "mx_City": "string",
    }
    expected = leads[leads.Score >= 80].sort_values("ProspectAutoId")
    assert frame.ProspectAutoId.tolist() == expected.ProspectAutoId.tolist()
    assert frame.EngagementScore.tolist() == expected.EngagementScore.tolist()
    assert frame.CreatedOn.dt.tz_localize(None).tolist() == expected.CreatedOn.tolist()
    loan = frame.mx_Loan_Amount.astype("float64").fillna(-1).tolist()
    assert loan == expected.mx_Loan_Amount.astype("float64").fillna(-1).tolist()


def test_an_empty_result_still_has_the_documented_dtypes(read):
    frame = read(
        "distribution", "Score > 1000", columns=["ProspectID", "Score", "CreatedOn", "DoNotCall"]
    )
    assert frame.empty
    assert frame.dtypes.astype(str).tolist() == [
        "string",
        "Int64",
        "datetime64[ns, UTC]",
        "boolean",
    ]


@pytest.mark.parametrize(
    ("argument", "column"),
    [("created", "CreatedOn"), ("modified", "ModifiedOn")],
)
def test_lead_date_ranges_are_inclusive_utc_windows(read, leads, argument, column):
    window = ("2026-03-01", "2026-04-30")
    frame = read("distribution", columns=["ProspectID"], **{argument: window})
    start, end = pd.Timestamp("2026-03-01"), pd.Timestamp("2026-04-30 23:59:59")
    expected = leads[leads[column].between(start, end)]
    assert len(expected) > 0
    assert ids(frame) == set(expected.ProspectID)


def test_relative_date_forms_are_resolved_against_now(read, leads, sandbox):
    frame = read("distribution", columns=["ProspectID", "CreatedOn"], created="last 90 days")
    read_at = pd.Timestamp(frame.attrs["leadsq"]["read_at"]).tz_localize(None)
    start = read_at - pd.Timedelta(days=90)
    expected = leads[leads.CreatedOn >= start - pd.Timedelta(seconds=2)]
    assert ids(frame) <= set(expected.ProspectID)
    assert len(expected) - len(frame) <= 2


def test_users_by_id_and_by_email_select_their_leads(read, leads, users):
    first, second = users.UserID.iloc[1], users.EmailAddress.iloc[2]
    frame = read("distribution", users=[first, second], columns=["ProspectID", "OwnerId"])
    owner_ids = {first, users.UserID.iloc[2]}
    assert ids(frame) == set(leads[leads.OwnerId.isin(owner_ids)].ProspectID)


def test_user_condition_groups_select_owners_by_role_or_team(read, leads, users):
    groups = [[("Role", "eq", "Sales Manager"), "or", ("Team", "eq", "North")]]
    frame = read("distribution", user_filter=groups, columns=["ProspectID"])
    chosen = users[
        (users.Role.str.lower() == "sales manager") | (users.Team.str.lower() == "north")
    ]
    assert len(chosen) > 0
    assert ids(frame) == set(leads[leads.OwnerId.isin(chosen.UserID)].ProspectID)


def test_not_contacted_excludes_leads_with_a_matching_activity_in_the_window(
    read, leads, activities
):
    window = ("2026-10-02 00:00:00", "2026-11-01 00:00:00")
    frame = read(
        "not_contacted",
        "ProspectStage in ['Prospect', 'Opportunity']",
        activities=[21, 22],
        activity_window=window,
        columns=["ProspectID", "ProspectStage", "ProspectActivityDate_Max", "OwnerId"],
    )
    calls = activities[
        activities.ActivityEvent.isin([21, 22])
        & activities.CreatedOn.between(pd.Timestamp(window[0]), pd.Timestamp(window[1]))
    ]
    stage = leads.ProspectStage.isin(["Prospect", "Opportunity"])
    expected = leads[stage & ~leads.ProspectAutoId.isin(calls.ProspectAutoId)]
    assert 0 < len(expected) < stage.sum()
    assert ids(frame) == set(expected.ProspectID)
    assert list(frame.columns) == [
        "ProspectID",
        "ProspectStage",
        "ProspectActivityDate_Max",
        "OwnerId",
    ]


def test_not_contacted_without_activity_filter_means_no_activity_at_all(read, leads, activities):
    frame = read("not_contacted", columns=["ProspectID"])
    expected = leads[~leads.ProspectAutoId.isin(activities.ProspectAutoId)]
    assert ids(frame) == set(expected.ProspectID)
    assert frame.attrs["leadsq"]["endpoint"] == "not_contacted"


def test_rows_come_in_prospect_auto_id_order_across_pages(read, leads):
    frame = read("distribution", columns=["ProspectAutoId"], page_size=170)
    assert frame.ProspectAutoId.tolist() == sorted(leads.ProspectAutoId.tolist())


@pytest.mark.parametrize(
    "where",
    [
        "CreatedOn >= '2026-06-01'",
        "CreatedOn >= '2026-06-01T00:00:00Z'",
        "CreatedOn >= Timestamp('2026-06-01 05:30', tz='Asia/Kolkata')",
    ],
)
def test_dates_in_filters_may_be_written_as_pandas_would_compare_them(read, leads, where):
    frame = read("distribution", where, columns=["ProspectID"])
    assert ids(frame) == set(leads[leads.CreatedOn >= pd.Timestamp("2026-06-01")].ProspectID)
    assert frame.attrs["leadsq"]["body"]["ReportFilter"]["LeadFilters"][0]["LookUpValue"] == (
        "2026-06-01 00:00:00"
    )


def test_a_date_filter_value_that_is_no_date_is_refused_before_the_report(read):
    from leadsq import QueryError

    with pytest.raises(QueryError, match="the filter on CreatedOn"):
        read("distribution", "CreatedOn >= 'soon'", columns=["ProspectID"])
