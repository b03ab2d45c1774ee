"""Plots of leadsq frames that can be shown in a meeting as they are.

Each function takes a frame read by leadsq (its ``attrs["leadsq"]`` says what was
measured), draws on ``ax`` or on a new figure, and returns the axes; none calls
``plt.show()``. Titles and labels use the account's field names (``Engagement Score``,
not ``EngagementScore``), owners are named, and a subtitle tells the endpoint, filters,
date ranges and counts.

=================================  ================================================
:func:`plot_aggregate`             a grouped aggregate as sorted horizontal bars
:func:`plot_counts`                leads per stage or owner of a list
:func:`plot_days_since_contact`    leads per band of days since the last activity
:func:`plot`                       whichever of these fits the frame
=================================  ================================================

The accessor offers the same as ``df.lsq.plot()``, ``df.lsq.plot.aggregate()``, ...
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from leadsq.analysis import words
from leadsq.analysis.provenance import (
    DAYS,
    LAST_ACTIVITY,
    NEVER,
    OWNER,
)
from leadsq.analysis.regroup import days_since
from leadsq.analysis.words import AccountNames

__all__ = [
    "DAY_BINS",
    "TOP",
    "count_column",
    "picks_counts",
    "plot",
    "plot_aggregate",
    "plot_counts",
    "plot_days_since_contact",
]

TOP = 12
"""Bars shown before the rest are folded into "Other"."""
DAY_BINS = (0, 7, 14, 30, 60, 90, 180, 365)
"""Left edges, in days, of the bands of :func:`plot_days_since_contact`."""

DASH = words.DASH
BAR_COLOR = "#4C72B0"
OTHER_COLOR = "#A9A9A9"
NEVER_COLOR = "#DD8452"


def plot(frame: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """The plot that fits the frame.

    An aggregate (read from the service or regrouped locally) gets
    :func:`plot_aggregate`; a list with ``ProspectActivityDate_Max`` gets
    :func:`plot_days_since_contact`; another list gets :func:`plot_counts` by stage,
    else by owner.

    Raises
    ------
    ValueError
        If the frame is not from leadsq, or a list with none of those columns.
    """
    provenance = words.provenance(frame)
    if provenance.grouping is not None:
        return plot_aggregate(frame, ax=ax, **kwargs)
    if LAST_ACTIVITY in frame.columns or DAYS in frame.columns:
        return plot_days_since_contact(frame, ax=ax, **kwargs)
    if picks_counts(frame):
        return plot_counts(frame, ax=ax, **kwargs)
    raise ValueError(
        "nothing to plot: a list frame needs ProspectActivityDate_Max, ProspectStage or "
        "OwnerId among its columns; or regroup it first (df.lsq.regroup(...))"
    )


def picks_counts(frame: pd.DataFrame) -> bool:
    """Whether :func:`plot` draws a list ``frame`` as :func:`plot_counts`."""
    if LAST_ACTIVITY in frame.columns or DAYS in frame.columns:
        return False
    return "ProspectStage" in frame.columns or OWNER in frame.columns


def count_column(frame: pd.DataFrame, by: str | None) -> str:
    """The column :func:`plot_counts` counts by: ``by``, else ``ProspectStage`` or ``OwnerId``."""
    if by is None:
        by = next((c for c in ("ProspectStage", OWNER) if c in frame.columns), None)
        if by is None:
            raise ValueError("the frame has neither ProspectStage nor OwnerId; pass by=")
    return by


def plot_aggregate(
    frame: pd.DataFrame,
    *,
    top: int | None = TOP,
    owner_names: bool | Mapping[str, str] = True,
    account_names: AccountNames | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Horizontal bars of an aggregate's value per group, largest first.

    Parameters
    ----------
    frame : DataFrame
        An aggregate read by leadsq, or a local regroup (``df.lsq.regroup``).
    top : int or None, default 12
        Show this many groups and fold the rest (when more than one) into one "Other"
        bar, drawn last: the sum of their values for Count and Sum, their
        ``Count``-weighted average for Average (exact when the field has no nulls, as
        ``Count`` counts leads, not values). ``None`` shows every group.
    owner_names : bool or mapping of str to str, default True
        Label owner groups with names: these (user id to name), or with ``True`` those
        of an ``OwnerName`` column. Plots do no I/O: ``df.lsq.plot`` looks the names up
        (one quick ``Users.Get``) and passes them here.
    account_names : AccountNames, optional
        The account's field and activity names for the titles; without them the titles
        say schema names and codes (``df.lsq.plot`` looks them up and passes them).
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh` (``color`` colours all but "Other").

    Returns
    -------
    Axes
        One bar per group (``ax.patches`` top to bottom), each labelled with its
        value, and with its lead count for an Average or a Sum. Groups without a value
        (an average over no values) get no bar.
    """
    provenance = words.provenance(frame)
    grouping = provenance.grouping
    if grouping is None:
        raise ValueError(
            "plot_aggregate needs an aggregate; this frame is a list of leads. Use "
            "plot_counts(frame, by=...) or df.lsq.regroup(...) first"
        )
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ValueError(f"top must be a whole number >= 1 or None; got {top!r}")
    names = words.field_names(account_names)
    bars = pd.DataFrame(
        {
            "label": words.group_labels(frame, grouping.keys, provenance, owner_names),
            "value": _floats(frame[grouping.value_column]),
            "count": _floats(frame["Count"]),
            "other": False,
        }
    )
    bars = bars[~np.isnan(bars["value"])].sort_values("value", ascending=False, kind="stable")
    bars = _fold(bars, top, grouping.function)
    ax = _axes(ax, (8.0, 1.9 + 0.34 * max(len(bars), 3)))
    color = kwargs.pop("color", BAR_COLOR)
    positions = np.arange(len(bars))
    container = ax.barh(
        positions,
        bars["value"],
        color=[OTHER_COLOR if other else color for other in bars["other"]],
        **kwargs,
    )
    ax.set_yticks(positions, bars["label"])
    ax.set_ylim(max(len(bars), 1) - 0.5, -0.5)
    ax.bar_label(container, labels=_value_labels(bars, grouping.function), padding=3, size=9)
    _value_room(ax, bars["value"], horizontal=True, whole=grouping.function == "Count")
    measure = words.measure(grouping, names)
    ax.set_xlabel(
        measure if grouping.function == "Count" else f"{measure}  (n = leads in the group)"
    )
    ax.set_ylabel(" / ".join(names.get(key, key) for key in grouping.keys))
    title = f"{measure} by {' and '.join(names.get(k, k) for k in grouping.keys)}"
    if grouping.function == "Count" and provenance.raw["endpoint"] == "not_contacted":
        title = title.replace("Leads", "Leads not contacted", 1)
    _titles(ax, title, words.subtitle(frame, provenance, names, grouping, account_names))
    if not len(bars):
        _no_data(ax)
    return ax


def plot_counts(
    frame: pd.DataFrame,
    by: str | None = None,
    *,
    top: int | None = TOP,
    owner_names: bool | Mapping[str, str] = True,
    account_names: AccountNames | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Horizontal bars of the number of leads per value of ``by`` in a list frame.

    Parameters
    ----------
    frame : DataFrame
        A list of leads read by leadsq (e.g. from ``not_contacted``).
    by : str, optional
        The column to count by; default ``ProspectStage`` if present, else ``OwnerId``.
    top, owner_names, account_names, ax, **kwargs
        As for :func:`plot_aggregate`, which draws the counts.

    Returns
    -------
    Axes
    """
    provenance = words.provenance(frame)
    if provenance.grouping is not None:
        raise ValueError("plot_counts counts the rows of a list; use plot_aggregate for this frame")
    counted = frame.lsq.regroup(count_column(frame, by))
    return plot_aggregate(
        counted, top=top, owner_names=owner_names, account_names=account_names, ax=ax, **kwargs
    )


def plot_days_since_contact(
    frame: pd.DataFrame,
    *,
    bins: Sequence[int] = DAY_BINS,
    now: Any = None,
    account_names: AccountNames | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Bars of the number of leads per band of days since their last activity.

    Parameters
    ----------
    frame : DataFrame
        A list read by leadsq with ``ProspectActivityDate_Max`` (or the
        ``DaysSinceContact`` and ``NeverContacted`` columns of
        ``df.lsq.with_days_since_contact()``).
    bins : sequence of int, default (0, 7, 14, 30, 60, 90, 180, 365)
        Left edges of the bands in days; the last band is open ("365+").
    now : str, datetime or Timestamp, optional
        The day counted from; default the time of the read.
    account_names : AccountNames, optional
        As for :func:`plot_aggregate`.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.bar` (``color`` colours the bands).

    Returns
    -------
    Axes
        One bar per band, left to right, then a last bar "Never" (in another colour)
        for leads without any activity.
    """
    provenance = words.provenance(frame)
    if provenance.grouping is not None:
        raise ValueError("plot_days_since_contact needs a list of leads, not an aggregate")
    edges = sorted({int(edge) for edge in bins} | {0})
    moment = words.moment(now, provenance)
    if LAST_ACTIVITY in frame.columns:
        days, never = days_since(frame[LAST_ACTIVITY], moment)
    elif DAYS in frame.columns and NEVER in frame.columns:
        days, never = frame[DAYS], frame[NEVER]
    else:
        raise ValueError(f"the frame has no {LAST_ACTIVITY} column; read it with columns=[...]")
    labels = [
        f"{low}{DASH}{high - 1}" if high - 1 > low else f"{low}"
        for low, high in itertools.pairwise(edges)
    ] + [f"{edges[-1]}+"]
    bands = pd.cut(_floats(days), [*edges, math.inf], right=False, labels=labels)
    counts = [*pd.Series(bands).value_counts(sort=False).reindex(labels, fill_value=0)]
    counts.append(int(never.fillna(False).sum()))
    labels.append("Never")
    ax = _axes(ax, (9.0, 4.8))
    color = kwargs.pop("color", BAR_COLOR)
    positions = np.arange(len(labels), dtype=float)
    positions[-1] += 0.4  # "Never" is no band of days: set it apart
    container = ax.bar(
        positions, counts, color=[color] * (len(labels) - 1) + [NEVER_COLOR], **kwargs
    )
    ax.set_xticks(positions, labels)
    ax.bar_label(container, labels=[f"{n:,}" for n in counts], padding=2, size=9)
    _value_room(ax, pd.Series(counts, dtype=float), horizontal=False, whole=True)
    ax.set_xlabel(f"Days since last activity, as of {moment:%Y-%m-%d}  (Never = no activity)")
    ax.set_ylabel("Leads")
    names = words.field_names(account_names)
    lead_word = "Leads not contacted" if provenance.raw["endpoint"] == "not_contacted" else "Leads"
    _titles(
        ax,
        f"{lead_word}: days since last activity",
        words.subtitle(frame, provenance, names, None, account_names),
    )
    return ax


# --------------------------------------------------------------------------- bars


def _fold(bars: pd.DataFrame, top: int | None, function: str) -> pd.DataFrame:
    """Keep the first ``top`` bars; fold the rest into one "Other" bar."""
    if top is None or len(bars) <= top + 1:
        return bars.reset_index(drop=True)
    kept, rest = bars.iloc[:top], bars.iloc[top:]
    count = rest["count"].sum()
    if function == "Average":
        value = (rest["value"] * rest["count"]).sum() / count if count else math.nan
    else:
        value = rest["value"].sum()
    other = {"label": f"Other ({len(rest)})", "value": value, "count": count, "other": True}
    return pd.concat([kept, pd.DataFrame([other])], ignore_index=True)


def _value_labels(bars: pd.DataFrame, function: str) -> list[str]:
    if function == "Count":
        return [f"{value:,.0f}" for value in bars["value"]]
    digits = 1 if function == "Average" else _sum_digits(bars["value"])
    return [
        f"{v:,.{digits}f}  (n={n:,.0f})" for v, n in zip(bars["value"], bars["count"], strict=True)
    ]


def _sum_digits(values: pd.Series) -> int:
    return 0 if all(float(v).is_integer() for v in values) else 1


def _value_room(ax: Axes, values: pd.Series, *, horizontal: bool, whole: bool = False) -> None:
    """Leave room past the longest bar for its label; light grid, fewer spines.

    ``whole``: the values are counts, so the axis ticks at whole numbers only (no 0.5
    leads)."""
    high = max(float(values.max()) if len(values) else 0.0, 0.0) or 1.0
    low = min(float(values.min()) if len(values) else 0.0, 0.0)
    axis = ax.xaxis if horizontal else ax.yaxis
    if horizontal:
        ax.set_xlim(low * 1.3, high * 1.3)
    else:
        ax.set_ylim(low * 1.1, high * 1.12)
    axis.grid(True, color="0.9")
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,g}"))
    if whole:
        axis.set_major_locator(MaxNLocator(integer=True))
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _no_data(ax: Axes) -> None:
    ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.5")


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _titles(ax: Axes, title: str, subtitle: str) -> None:
    """A bold title and a grey subtitle above it, both flush with the axes' left edge."""
    lines = subtitle.count("\n") + 1 if subtitle else 0
    ax.set_title(title, loc="left", fontsize=13, fontweight="bold", pad=8 + 12 * lines)
    if subtitle:
        ax.annotate(
            subtitle,
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 6),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=9,
            color="0.35",
            gid="leadsq-subtitle",
        )


def _floats(values: Iterable[Any]) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").astype(float).to_numpy()
