"""Owner names and days since contact, added as columns; every lead kept."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from leadsq.errors import QueryError

ANCHOR = datetime(2026, 11, 1)


def _users_names(sandbox) -> dict[str, str]:
    users = sandbox.store.table("users")
    return {row.UserID: f"{row.FirstName} {row.LastName}".strip() for row in users.itertuples()}


def test_owner_names_come_from_the_users_table(sandbox, leads) -> None:
    named = leads.lsq.with_owner_names()
    expected = leads["OwnerId"].map(_users_names(sandbox))
    assert list(named["OwnerName"]) == list(expected)
    columns = list(named.columns)
    assert columns.index("OwnerName") == columns.index("OwnerId") + 1
    assert named.attrs["leadsq"]["body"] == leads.attrs["leadsq"]["body"]
    assert "OwnerName" not in leads.columns


def test_owner_names_of_an_aggregate_indexed_by_owner(sandbox, engagement_by_owner) -> None:
    named = engagement_by_owner.lsq.with_owner_names()
    assert list(named.columns) == ["OwnerName", "Count", "Average_EngagementScore"]
    names = _users_names(sandbox)
    assert list(named["OwnerName"]) == [names[i] for i in engagement_by_owner.index]
    pd.testing.assert_frame_equal(named.drop(columns="OwnerName"), engagement_by_owner)


def test_an_unknown_owner_keeps_its_id_and_a_null_stays_null(leads) -> None:
    frame = leads.head(3).copy()
    frame["OwnerId"] = pd.array(["not-a-user", None, frame["OwnerId"].iloc[2]], dtype="string")
    named = frame.lsq.with_owner_names()
    assert named["OwnerName"].iloc[0] == "not-a-user"
    assert named["OwnerName"].iloc[1] is pd.NA
    assert named["OwnerName"].iloc[2] != frame["OwnerId"].iloc[2]


def test_owner_names_need_an_owner(engagement_by_owner, read) -> None:
    frame = read("distribution", created=("2026-10-01", "2026-10-31"), group_by="Source")
    with pytest.raises(QueryError, match="no OwnerId"):
        frame.lsq.with_owner_names()


def test_days_since_contact_keeps_and_marks_never_contacted_leads(not_contacted) -> None:
    result = not_contacted.lsq.with_days_since_contact(now=ANCHOR)
    assert len(result) == len(not_contacted)
    assert str(result["DaysSinceContact"].dtype) == "Int64"
    assert str(result["NeverContacted"].dtype) == "boolean"
    never = not_contacted["ProspectActivityDate_Max"].isna()
    assert never.any() and (~never).any()
    assert list(result["NeverContacted"]) == list(never)
    assert result.loc[never, "DaysSinceContact"].isna().all()
    last = not_contacted.loc[~never, "ProspectActivityDate_Max"].iloc[0]
    expected = (pd.Timestamp(ANCHOR, tz="UTC") - last).days
    assert result.loc[~never, "DaysSinceContact"].iloc[0] == expected
    columns = list(result.columns)
    assert columns[columns.index("ProspectActivityDate_Max") + 1] == "DaysSinceContact"


def test_no_phone_call_in_30_days_means_30_days_or_more_or_other_activity(not_contacted) -> None:
    result = not_contacted.lsq.with_days_since_contact(now=ANCHOR)
    assert (result["DaysSinceContact"].dropna() >= 0).all()


def test_days_count_from_the_read_by_default(not_contacted) -> None:
    default = not_contacted.lsq.with_days_since_contact()
    explicit = not_contacted.lsq.with_days_since_contact(now=not_contacted.lsq.read_at)
    pd.testing.assert_series_equal(default["DaysSinceContact"], explicit["DaysSinceContact"])
    assert default.lsq.steps[-1] == {"method": "with_days_since_contact", "args": {"now": None}}


def test_a_naive_now_is_utc(not_contacted) -> None:
    naive = not_contacted.lsq.with_days_since_contact(now=datetime(2026, 11, 1))
    aware = not_contacted.lsq.with_days_since_contact(now="2026-11-01T00:00:00+00:00")
    pd.testing.assert_frame_equal(naive, aware)
    assert naive.lsq.steps == aware.lsq.steps


def test_days_need_the_last_activity_column(engagement_by_owner) -> None:
    with pytest.raises(QueryError, match="ProspectActivityDate_Max"):
        engagement_by_owner.lsq.with_days_since_contact()
