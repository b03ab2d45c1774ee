"""The generated data: deterministic, shaped like a real sales team, and churning."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pandas as pd
import pytest

from leadsq.sandbox import Churn, Sandbox, SandboxSettings
from leadsq.sandbox.store import Store
from tests.sandbox.helpers import Api, list_body, small_sandbox

ANCHOR = pd.Timestamp("2026-11-01")


def test_the_same_seed_gives_the_same_data() -> None:
    settings = SandboxSettings(leads=500, seed=3, anchor="2026-11-01")
    first, second = Store(settings), Store(settings)

    for name in ("leads", "activities", "users"):
        pd.testing.assert_frame_equal(first.table(name), second.table(name))


def test_another_seed_gives_other_data() -> None:
    first = Store(SandboxSettings(leads=500, seed=3, anchor="2026-11-01")).table("leads")
    second = Store(SandboxSettings(leads=500, seed=4, anchor="2026-11-01")).table("leads")

    assert set(first["ProspectID"]).isdisjoint(second["ProspectID"])


def test_every_date_lies_before_the_anchor(leads: pd.DataFrame, activities: pd.DataFrame) -> None:
    assert leads["CreatedOn"].max() < ANCHOR
    assert leads["ModifiedOn"].max() <= ANCHOR
    assert (leads["ModifiedOn"] >= leads["CreatedOn"]).all()
    assert activities["CreatedOn"].max() < ANCHOR
    recent = leads["CreatedOn"] >= ANCHOR - pd.Timedelta(days=730)
    assert 0.8 < recent.mean() < 1.0


def test_last_activity_date_is_the_latest_activity(
    leads: pd.DataFrame, activities: pd.DataFrame
) -> None:
    latest = activities.groupby("ProspectAutoId")["CreatedOn"].max()

    got = leads.set_index("ProspectAutoId")["ProspectActivityDate_Max"]
    pd.testing.assert_series_equal(
        got.dropna().sort_index(), latest.sort_index(), check_names=False
    )


def test_ids_are_unique_and_follow_creation(leads: pd.DataFrame) -> None:
    assert leads["ProspectID"].is_unique
    assert (
        leads["ProspectID"]
        .str.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
        .all()
    )
    assert leads["ProspectAutoId"].tolist() == list(range(1, len(leads) + 1))
    assert leads["CreatedOn"].is_monotonic_increasing


def test_owner_workloads_are_uneven(leads: pd.DataFrame, users: pd.DataFrame) -> None:
    workloads = leads["OwnerId"].value_counts()

    assert workloads.max() > 4 * workloads.median()
    assert len(workloads) < len(users)  # the admin owns none


def test_a_share_of_leads_has_no_activity(leads: pd.DataFrame) -> None:
    untouched = leads["ProspectActivityDate_Max"].isna().mean()

    assert 0.1 < untouched < 0.6


def test_engagement_and_score_depend_on_the_stage(leads: pd.DataFrame) -> None:
    by_stage = leads.groupby("ProspectStage")[["EngagementScore", "Score"]].mean()

    assert by_stage.loc["Customer", "EngagementScore"] > by_stage.loc["Prospect", "EngagementScore"]
    assert by_stage.loc["Customer", "Score"] > by_stage.loc["Opportunity", "Score"]
    assert by_stage.loc["Opportunity", "Score"] > by_stage.loc["Not Interested", "Score"]
    assert set(by_stage.index) == {
        "Prospect",
        "Opportunity",
        "Customer",
        "Not Interested",
        "Invalid",
    }


def test_activities_are_calls_and_custom_types(activities: pd.DataFrame) -> None:
    share = activities["ActivityEvent"].value_counts(normalize=True)

    assert share[22] > share[21] > 0.05
    assert len([e for e in share.index if e >= 200]) >= 4


def test_optional_fields_have_nulls_and_empty_strings(leads: pd.DataFrame) -> None:
    for column in ("Company", "mx_Remarks", "EmailAddress"):
        assert leads[column].isna().any(), column
        assert (leads[column] == "").any(), column
    assert leads["mx_Loan_Amount"].isna().any()
    assert leads["LastName"].notna().all()


# ------------------------------------------------------------------ churn


@pytest.fixture
def churning() -> Iterator[Sandbox]:
    yield from small_sandbox(leads=200)


def test_created_leads_land_at_the_end_without_shifting_earlier_pages(churning: Sandbox) -> None:
    api = Api(churning)
    body = list_body(("ProspectAutoId", "ProspectID", "CreatedOn"))
    body["Paging"] = {"PageIndex": 1, "PageSize": 150}
    before = api.answer(body)

    result = churning.store.churn(created=5, modified=3)

    after = api.answer(body)
    assert after["Results"] == before["Results"]
    assert int(after["TotalCount"]) == int(before["TotalCount"]) + 5
    body["Paging"]["PageIndex"] = 2
    tail = api.answer(body)["Results"]
    assert [row["ProspectAutoId"] for row in tail[-5:]] == list(result.created)
    assert all(row["CreatedOn"] >= "2026-11-01 00:00:00" for row in tail[-5:])


def test_modified_leads_get_a_call_now(churning: Sandbox) -> None:
    result = churning.store.churn(modified=4)

    leads = churning.store.table("leads").set_index("ProspectAutoId")
    changed = leads.loc[list(result.modified)]
    assert (changed["ModifiedOn"] >= ANCHOR).all()
    assert (changed["ProspectActivityDate_Max"] == changed["ModifiedOn"]).all()
    rows = Api(churning).rows(list_body(("ProspectAutoId",)), "not_contacted")
    assert not {row["ProspectAutoId"] for row in rows} & set(result.modified)


def test_churn_settings_change_data_while_serving() -> None:
    with Sandbox(leads=100, seed=5, anchor="2026-11-01", churn=Churn(created_per_second=50)) as box:
        api = Api(box)
        deadline = time.monotonic() + 30
        total = 100
        while total <= 100 and time.monotonic() < deadline:
            time.sleep(0.05)
            total = int(api.answer(list_body())["TotalCount"])

    assert total > 100
