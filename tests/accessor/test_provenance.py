"""df.lsq tells where a frame came from, reads it again, and writes the call that made it."""

from __future__ import annotations

import pandas as pd
import pytest

import leadsq
from leadsq.contract import Report


def test_an_unrelated_frame_has_no_lsq_namespace_and_is_told_why() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    with pytest.raises(AttributeError, match=r"df\.lsq serves frames read by leadsq") as info:
        frame.lsq  # noqa: B018
    message = str(info.value)
    assert "read_leadsquared" in message
    assert "no df.attrs['leadsq']" in message
    assert not hasattr(frame, "lsq")


def test_a_frame_with_broken_provenance_is_refused() -> None:
    frame = pd.DataFrame({"a": [1]})
    frame.attrs["leadsq"] = {"endpoint": "distribution", "body": {"Output": {}}, "host": "x"}
    with pytest.raises(AttributeError, match="not valid"):
        frame.lsq  # noqa: B018


def test_provenance_says_what_was_read_and_when(sandbox, engagement_by_owner) -> None:
    lsq = engagement_by_owner.lsq
    assert lsq.endpoint == "distribution"
    assert lsq.host == sandbox.url
    assert lsq.body["Output"]["AggregateFunction"] == "Average"
    assert isinstance(lsq.report, Report)
    assert lsq.report.output.group_by == "OwnerId"
    assert lsq.total_count == len(engagement_by_owner)
    assert isinstance(lsq.read_at, pd.Timestamp)
    assert str(lsq.read_at.tz) == "UTC"
    assert lsq.grouping is not None and lsq.grouping.metric == "Average_EngagementScore"
    assert lsq.steps == []
    assert "distribution" in repr(lsq) and "Average_EngagementScore" in repr(lsq)


def test_the_body_is_a_copy(engagement_by_owner) -> None:
    engagement_by_owner.lsq.body["Output"]["GroupBy"] = "Source"
    assert engagement_by_owner.lsq.body["Output"]["GroupBy"] == "OwnerId"


def test_keys_never_show_in_provenance(sandbox, leads) -> None:
    text = repr(leads.attrs) + repr(leads.lsq) + leads.lsq.code
    assert sandbox.access_key not in text
    assert sandbox.secret_key not in text


def test_refresh_returns_an_equal_frame(engagement_by_owner, leads) -> None:
    pd.testing.assert_frame_equal(engagement_by_owner.lsq.refresh(), engagement_by_owner)
    pd.testing.assert_frame_equal(leads.lsq.refresh(), leads)


def test_refresh_replays_the_steps(leads) -> None:
    derived = leads.lsq.with_owner_names().lsq.regroup(
        ["ProspectStage", "OwnerName"], "sum", "Score"
    )
    again = derived.lsq.refresh()
    pd.testing.assert_frame_equal(again, derived)
    assert again.lsq.steps == derived.lsq.steps


def test_code_is_the_equivalent_python_call(engagement_by_owner) -> None:
    code = engagement_by_owner.lsq.code
    assert "read_leadsquared(" in code
    assert "OwnerId" in code and "EngagementScore" in code


def test_code_ends_with_the_steps(leads) -> None:
    derived = leads.lsq.with_owner_names().lsq.regroup(
        ["Source", "OwnerName"], "average", "EngagementScore"
    )
    lines = derived.lsq.code.splitlines()
    assert lines[0].startswith("# created up to 2026-10-31 23:59:59 is read exactly")
    assert lines[1] == "("
    assert lines[2].strip().startswith("pd.read_leadsquared(")
    assert lines[-3:] == [
        "    .lsq.with_owner_names()",
        '    .lsq.regroup(by=["Source", "OwnerName"], aggregate="average", aggregate_field="EngagementScore")',
        ")",
    ]


def test_the_code_runs_and_gives_the_same_frame(sandbox, not_contacted, fresh_settings) -> None:
    derived = (
        not_contacted.lsq.with_owner_names()
        .lsq.with_days_since_contact(now="2026-11-01")
        .lsq.regroup(["ProspectStage", "OwnerName"])
    )
    leadsq.configure(
        host=sandbox.url, access_key=sandbox.access_key, secret_key=sandbox.secret_key
    )  # the code names no host and no keys: it reads the configured account
    again = eval(derived.lsq.code, {"pd": pd})
    pd.testing.assert_frame_equal(again, derived)
    assert again.lsq.steps == derived.lsq.steps


def test_a_filtered_copy_keeps_the_namespace(leads) -> None:
    subset = leads[leads["ProspectStage"] == "Prospect"]
    assert subset.lsq.endpoint == "distribution"
    assert subset.lsq.with_owner_names().lsq.endpoint == "distribution"


def test_a_frame_filtered_after_the_read_says_so(leads) -> None:
    subset = leads[leads["ProspectStage"] == "Opportunity"]
    assert 0 < len(subset) < len(leads)
    with pytest.warns(leadsq.FrameChangedWarning) as caught:
        code = subset.lsq.code
    assert code == leads.lsq.code
    assert str(caught[0].message) == (
        f"df.lsq.code: this frame was changed after the read (it has {len(subset):,} rows "
        f"where the read gave {len(leads):,}); the code reproduces the read, not this frame: "
        "apply the same pandas steps after it"
    )
    assert caught[0].filename == __file__
    with pytest.raises(leadsq.QueryError, match=r"^refresh: this frame was changed after the read"):
        subset.lsq.refresh()


def test_other_rows_of_the_same_count_and_new_columns_are_told(leads) -> None:
    swapped = pd.concat([leads.iloc[1:], leads.iloc[:1].assign(ProspectID="other")])
    with pytest.warns(leadsq.FrameChangedWarning, match=r"its rows are not those the read gave"):
        swapped.lsq.code  # noqa: B018
    widened = leads.assign(Ratio=1.0).drop(columns="Source")
    with pytest.raises(leadsq.QueryError) as caught:
        widened.lsq.refresh()
    assert "(columns added since: Ratio; columns dropped since: Source)" in str(caught.value)


def test_a_sorted_or_reindexed_frame_is_still_the_read(leads) -> None:
    for same in (leads.sort_values("EngagementScore"), leads.iloc[::-1], leads.copy()):
        assert same.lsq.code == leads.lsq.code  # no warning (warnings are errors here)


def test_a_step_on_a_changed_frame_keeps_the_change(leads) -> None:
    derived = leads[leads["ProspectStage"] == "Prospect"].lsq.regroup("Source")
    with pytest.raises(leadsq.QueryError, match=r"it has \d[\d,]* rows where the read gave"):
        derived.lsq.refresh()
    assert leads.lsq.regroup("Source").lsq.refresh().equals(leads.lsq.regroup("Source"))
