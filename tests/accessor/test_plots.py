# ruff: noqa: RUF001  (the labels use en dashes, as a reader expects)
"""Plots of sandbox frames: the bars, their order, their labels and the titles."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from leadsq.analysis import plots


def _bar_widths(ax) -> list[float]:
    return [patch.get_width() for patch in ax.patches]


def _bar_heights(ax) -> list[float]:
    return [patch.get_height() for patch in ax.patches]


def _tick_labels(axis) -> list[str]:
    return [label.get_text() for label in axis.get_ticklabels()]


def _value_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() != "leadsq-subtitle"]


def _subtitle(ax) -> str:
    return next(t.get_text() for t in ax.texts if t.get_gid() == "leadsq-subtitle")


def _owner_names(sandbox) -> dict[str, str]:
    users = sandbox.store.table("users")
    return {u.UserID: f"{u.FirstName} {u.LastName}" for u in users.itertuples()}


def test_an_average_by_owner_is_sorted_bars_with_names_counts_and_other(
    sandbox, engagement_by_owner
) -> None:
    ax = engagement_by_owner.lsq.plot.aggregate(top=5)
    frame = engagement_by_owner.sort_values("Average_EngagementScore", ascending=False)
    assert len(ax.patches) == 6
    widths = _bar_widths(ax)
    assert widths[:5] == pytest.approx(list(frame["Average_EngagementScore"].iloc[:5]))
    assert widths[:5] == sorted(widths[:5], reverse=True)
    rest = frame.iloc[5:]
    weighted = (rest["Average_EngagementScore"] * rest["Count"]).sum() / rest["Count"].sum()
    assert widths[5] == pytest.approx(weighted)
    names = _owner_names(sandbox)
    labels = _tick_labels(ax.yaxis)
    assert labels[:5] == [names[i] for i in frame.index[:5]]
    assert labels[5] == f"Other ({len(rest)})"
    texts = _value_labels(ax)
    assert (
        texts[0]
        == f"{frame['Average_EngagementScore'].iloc[0]:,.1f}  (n={frame['Count'].iloc[0]:,})"
    )
    assert texts[5].endswith(f"(n={rest['Count'].sum():,})")
    assert ax.get_title(loc="left") == "Average Engagement Score by Owner"
    assert ax.get_xlabel().startswith("Average Engagement Score")
    assert ax.get_ylabel() == "Owner"
    subtitle = _subtitle(ax)
    assert "Lead distribution" in subtitle
    assert "created 2026-05-01 – 2026-10-31" in subtitle
    assert f"{frame['Count'].sum():,} leads in {len(frame)} groups" in subtitle
    # the top bar is drawn at the top
    assert ax.patches[0].get_y() < ax.patches[1].get_y()
    assert ax.get_ylim()[0] > ax.get_ylim()[1]


def test_every_group_is_shown_without_top(engagement_by_owner) -> None:
    ax = plots.plot_aggregate(engagement_by_owner, top=None)
    assert len(ax.patches) == len(engagement_by_owner)
    assert not any(label.startswith("Other") for label in _tick_labels(ax.yaxis))


def test_a_count_folds_the_rest_by_summing(read) -> None:
    frame = read("distribution", created=("2026-05-01", "2026-10-31"), group_by="OwnerId")
    ax = frame.lsq.plot(top=3)
    widths = _bar_widths(ax)
    assert widths[:3] == list(frame["Count"].iloc[:3])
    assert widths[3] == frame["Count"].iloc[3:].sum()
    assert _value_labels(ax)[:3] == [f"{n:,}" for n in frame["Count"].iloc[:3]]
    assert ax.get_title(loc="left") == "Leads by Owner"
    assert ax.get_xlabel() == "Leads"


def test_a_sum_by_stage_has_stage_labels(read) -> None:
    frame = read(
        "distribution",
        created=("2026-05-01", "2026-10-31"),
        group_by="ProspectStage",
        aggregate="sum",
        aggregate_field="mx_Loan_Amount",
    )
    ax = frame.lsq.plot()
    ordered = frame.dropna().sort_values("Sum_mx_Loan_Amount", ascending=False)
    assert _tick_labels(ax.yaxis) == list(ordered.index)
    assert ax.get_title(loc="left") == "Sum of Loan Amount by Lead Stage"
    assert len(ax.patches) == len(ordered)


def test_owner_names_from_a_named_frame_are_used(engagement_by_owner) -> None:
    named = engagement_by_owner.lsq.with_owner_names()
    named.loc[named.index[0], "OwnerName"] = "Renamed Person"
    ax = named.lsq.plot(top=None)
    assert "Renamed Person" in _tick_labels(ax.yaxis)


def test_owner_ids_when_names_are_not_wanted(engagement_by_owner) -> None:
    ax = engagement_by_owner.lsq.plot.aggregate(top=None, owner_names=False)
    assert set(_tick_labels(ax.yaxis)) <= {i[:33] + "…" for i in engagement_by_owner.index} | set(
        engagement_by_owner.index
    )


def test_a_two_field_regroup_labels_each_bar_with_both_values(leads) -> None:
    frame = leads.lsq.regroup(["ProspectStage", "Source"], "average", "EngagementScore")
    ax = frame.lsq.plot(top=4)
    labels = _tick_labels(ax.yaxis)
    best = frame.dropna().sort_values("Average_EngagementScore", ascending=False, kind="stable")
    first = best.index[0]
    assert labels[0] == f"{first[0]} · {first[1]}"
    assert len(labels) == 5 and labels[-1].startswith("Other")
    assert ax.get_title(loc="left") == "Average Engagement Score by Lead Stage and Lead Source"
    assert "grouped locally" in _subtitle(ax)


def test_days_since_contact_bands_and_a_never_bar(not_contacted) -> None:
    ax = not_contacted.lsq.plot(now="2026-11-01")
    labels = _tick_labels(ax.xaxis)
    assert labels == [
        "0–6",
        "7–13",
        "14–29",
        "30–59",
        "60–89",
        "90–179",
        "180–364",
        "365+",
        "Never",
    ]
    heights = _bar_heights(ax)
    assert sum(heights) == len(not_contacted)
    days = not_contacted.lsq.with_days_since_contact(now="2026-11-01")
    assert heights[-1] == days["NeverContacted"].sum()
    assert heights[0] == ((days["DaysSinceContact"] >= 0) & (days["DaysSinceContact"] < 7)).sum()
    assert heights[-2] == (days["DaysSinceContact"] >= 365).sum()
    assert ax.patches[-1].get_facecolor() != ax.patches[0].get_facecolor()
    assert ax.get_title(loc="left") == "Leads not contacted: days since last activity"
    assert "as of 2026-11-01" in ax.get_xlabel()
    subtitle = _subtitle(ax)
    assert "Lead Stage in Prospect, Opportunity" in subtitle
    assert "no Inbound Phone Call or Outbound Phone Call in 2026-10-02 – 2026-11-01" in subtitle
    assert _value_labels(ax) == [f"{int(h):,}" for h in heights]


def test_custom_bands(not_contacted) -> None:
    ax = plots.plot_days_since_contact(not_contacted, bins=[0, 30, 90], now="2026-11-01")
    assert _tick_labels(ax.xaxis) == ["0–29", "30–89", "90+", "Never"]
    assert sum(_bar_heights(ax)) == len(not_contacted)


def test_days_taken_from_a_frame_that_has_them(not_contacted) -> None:
    days = not_contacted.lsq.with_days_since_contact(now="2026-11-01")
    without_dates = days.drop(columns="ProspectActivityDate_Max")
    expected = _bar_heights(not_contacted.lsq.plot.days_since_contact(now="2026-11-01"))
    assert _bar_heights(without_dates.lsq.plot()) == expected


def test_counts_by_stage_and_by_owner_of_a_list(sandbox, not_contacted) -> None:
    ax = not_contacted.lsq.plot.counts()
    counts = not_contacted["ProspectStage"].value_counts()
    assert _bar_widths(ax) == list(counts.to_numpy())
    assert _tick_labels(ax.yaxis) == list(counts.index)
    assert ax.get_title(loc="left") == "Leads not contacted by Lead Stage"
    ax = not_contacted.lsq.plot.counts("OwnerId", top=4)
    names = _owner_names(sandbox)
    owners = not_contacted.lsq.regroup("OwnerId")
    assert _tick_labels(ax.yaxis)[:4] == [names[i] for i in owners.index[:4]]
    assert _bar_widths(ax)[4] == owners["Count"].iloc[4:].sum()
    assert ax.get_title(loc="left") == "Leads not contacted by Owner"


def test_a_plot_of_a_frame_changed_after_the_read_says_so(not_contacted) -> None:
    subset = not_contacted[not_contacted["ProspectStage"] == "Prospect"]
    subtitle = " ".join(_subtitle(subset.lsq.plot.counts()).split())
    assert (
        f"changed after the read: it has {len(subset):,} rows where the read gave "
        f"{len(not_contacted):,}" in subtitle
    )
    assert "changed after the read" not in _subtitle(not_contacted.lsq.plot.counts())


def test_plot_picks_the_plot_for_the_frame(leads, engagement_by_owner, not_contacted) -> None:
    assert engagement_by_owner.lsq.plot().get_title(loc="left").startswith("Average")
    assert "days since" in not_contacted.lsq.plot().get_title(loc="left")
    stages = leads.drop(columns="ProspectActivityDate_Max")
    assert stages.lsq.plot().get_title(loc="left") == "Leads by Lead Stage"
    with pytest.raises(ValueError, match="nothing to plot"):
        leads[["ProspectID", "Score"]].lsq.plot()


def test_plots_draw_on_the_given_axes_and_pass_style(engagement_by_owner) -> None:
    figure, (left, right) = plt.subplots(1, 2)
    returned = engagement_by_owner.lsq.plot(ax=right, color="green", top=3)
    assert returned is right
    assert not left.patches
    assert tuple(right.patches[0].get_facecolor()[:3]) == pytest.approx(
        (0.0, 0.5019, 0.0), abs=1e-3
    )
    assert plt.gcf() is figure


def test_each_plot_makes_one_figure_and_never_shows(monkeypatch, engagement_by_owner) -> None:
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() was called"))
    before = len(plt.get_fignums())
    engagement_by_owner.lsq.plot()
    assert len(plt.get_fignums()) == before + 1


def test_plots_refuse_a_frame_that_does_not_fit(leads, engagement_by_owner) -> None:
    with pytest.raises(ValueError, match="needs an aggregate"):
        plots.plot_aggregate(leads)
    with pytest.raises(ValueError, match="not an aggregate"):
        plots.plot_days_since_contact(engagement_by_owner)
    with pytest.raises(ValueError, match="frames read by leadsq"):
        plots.plot(pd.DataFrame({"Count": [1]}))
    with pytest.raises(ValueError, match="top"):
        plots.plot_aggregate(engagement_by_owner, top=0)


def test_an_empty_aggregate_says_no_data(engagement_by_owner) -> None:
    ax = engagement_by_owner.iloc[:0].lsq.plot()
    assert not ax.patches
    assert "no data" in _value_labels(ax)
    assert np.isfinite(ax.get_xlim()).all()


def test_count_axes_tick_at_whole_numbers_only(read) -> None:
    few = read(
        "distribution", "ProspectStage == 'Customer' and EngagementScore >= 92", group_by="Source"
    )
    assert 0 < few["Count"].max() <= 4  # so few leads that matplotlib would tick at halves
    ax = few.lsq.plot()
    ticks = [tick for tick in ax.get_xticks() if ax.get_xlim()[0] <= tick <= ax.get_xlim()[1]]
    assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks)


def test_a_plot_with_the_host_gone_makes_one_attempt_warns_and_shows_ids(sandbox) -> None:
    from werkzeug.wrappers import Response

    import leadsq
    from tests.client.servers import served_in_front_of
    from tests.conftest import connect

    gone = {"now": False}

    def answer(request, before):
        return Response("gone", status=503) if gone["now"] else None

    with served_in_front_of(sandbox, answer) as front:
        frame = leadsq.read_leadsquared(
            "distribution",
            created=("2026-05-01", "2026-10-31"),
            group_by="OwnerId",
            **{**connect(sandbox), "host": front.url},
        )
        gone["now"] = True
        before = sum(n for path, n in front.paths.items() if "User" in path)
        with pytest.warns(UserWarning, match="owner names are unavailable from") as caught:
            ax = frame.lsq.plot(top=None)
        users_calls = sum(n for path, n in front.paths.items() if "User" in path) - before
    assert users_calls == 1  # one attempt: no retry for a plot's labels
    assert sum("owner names" in str(w.message) for w in caught) == 1
    assert front.url in str(caught[0].message)
    ids = [str(i) for i in frame.index]
    labels = [label.removesuffix("…") for label in _tick_labels(ax.yaxis)]
    assert labels and all(any(i.startswith(label) for i in ids) for label in labels)


def test_plots_do_no_io_the_accessor_passes_the_accounts_names(sandbox) -> None:
    import leadsq
    from leadsq.analysis.words import AccountNames
    from tests.client.servers import served_in_front_of
    from tests.conftest import connect

    with served_in_front_of(sandbox, lambda request, before: None) as front:
        frame = leadsq.read_leadsquared(
            "not_contacted",
            activities=[21, 22],
            group_by="ProspectStage",
            **{**connect(sandbox), "host": front.url},
        )
        calls = sum(front.paths.values())
        activities = {21: "Inbound Phone Call", 22: "Outbound Phone Call"}
        names = AccountNames({"ProspectStage": "Lead Stage"}, activities)
        ax = plots.plot_aggregate(frame, owner_names={}, account_names=names)
        assert sum(front.paths.values()) == calls  # the plot itself asked nothing
        bare = plots.plot_aggregate(frame, owner_names={})
        assert sum(front.paths.values()) == calls
        via_accessor = frame.lsq.plot()
    assert ax.get_title(loc="left") == "Leads not contacted by Lead Stage"
    assert "no Inbound Phone Call or Outbound Phone Call" in _subtitle(ax)
    assert bare.get_title(loc="left") == "Leads not contacted by Stage"  # schema-level names
    assert "activity 21, 22" in _subtitle(bare)
    assert via_accessor.get_title(loc="left") == ax.get_title(loc="left")  # looked up
