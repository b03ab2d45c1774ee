"""``df.lsq``: what a frame read by leadsq knows about itself, and what it can do next.

Every frame that :func:`leadsq.read_leadsquared` returns carries its query in
``df.attrs["leadsq"]``. The accessor reads it there each time (pandas caches one accessor
per frame, so it keeps no copies of its own) and offers:

* provenance: :attr:`~LeadsqAccessor.endpoint`, :attr:`~LeadsqAccessor.body`,
  :attr:`~LeadsqAccessor.report`, :attr:`~LeadsqAccessor.total_count`,
  :attr:`~LeadsqAccessor.read_at`, :attr:`~LeadsqAccessor.host`;
  :meth:`~LeadsqAccessor.refresh` runs the read again and :attr:`~LeadsqAccessor.code`
  is the equivalent Python call;
* derived frames: :meth:`~LeadsqAccessor.with_owner_names`,
  :meth:`~LeadsqAccessor.with_days_since_contact` and :meth:`~LeadsqAccessor.regroup`.
  Each records itself as a step in the provenance, so ``refresh()`` and ``code``
  reproduce the derived frame, not only the read;
* plots: ``df.lsq.plot()`` picks one for the frame; ``df.lsq.plot.aggregate()``,
  ``.counts()`` and ``.days_since_contact()`` name one (see :mod:`leadsq.analysis.plots`).

A frame without that provenance has no ``df.lsq``: the accessor raises
``AttributeError`` explaining where such frames come from.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadsq.analysis import regroup as _regroup
from leadsq.analysis.lookups import owner_name_map, plot_account_names, plot_owner_names
from leadsq.analysis.provenance import (
    DAYS,
    LAST_ACTIVITY,
    NEVER,
    OWNER,
    OWNER_NAME,
    FrameChangedWarning,
    Grouping,
    Provenance,
)
from leadsq.client import metadata, refresh
from leadsq.client.checks import warn_user
from leadsq.client.refresh import connection_of
from leadsq.contract import Report
from leadsq.errors import QueryError
from leadsq.query.code import to_code, window_notes
from leadsq.query.instants import utc_timestamp
from leadsq.query.source import python_source

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from leadsq.client.client import Client

__all__ = [
    "FrameChangedWarning",
    "Grouping",
    "LeadsqAccessor",
    "Provenance",
]


class LeadsqAccessor:
    """The ``df.lsq`` namespace of a frame read by leadsq.

    Parameters
    ----------
    frame : DataFrame
        A frame with ``attrs["leadsq"]``, as :func:`leadsq.read_leadsquared` returns.

    Raises
    ------
    AttributeError
        If the frame carries no valid provenance.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        Provenance.of(frame)
        self._frame = frame

    def __repr__(self) -> str:
        p = self._provenance
        grouping = p.grouping
        if grouping is None:
            what = f"list of {', '.join(p.report.output.columns)}"
        else:
            value = grouping.metric or "Count"
            how = "local regroup" if grouping.local else "aggregate"
            what = f"{how} {value} by {', '.join(grouping.keys)}"
        when = p.read_at.strftime("%Y-%m-%d %H:%M:%S UTC") if p.read_at is not None else "?"
        cached = ", answered from the read cache" if (p.raw.get("cache") or {}).get("hit") else ""
        return (
            f"<leadsq {p.raw['endpoint']}: {what}; {len(self._frame):,} rows, "
            f"total_count={p.raw.get('total_count')}, read {when} from {p.raw['host']}{cached}>"
        )

    @property
    def _provenance(self) -> Provenance:
        return Provenance.of(self._frame)

    # ----------------------------------------------------------------- provenance

    @property
    def endpoint(self) -> str:
        """``"distribution"`` or ``"not_contacted"``."""
        return str(self._provenance.raw["endpoint"])

    @property
    def body(self) -> dict[str, Any]:
        """The request body sent (a copy; paging as of the first page)."""
        return copy.deepcopy(dict(self._provenance.raw["body"]))

    @property
    def report(self) -> Report:
        """The body, parsed into a :class:`leadsq.contract.Report`."""
        return self._provenance.report

    @property
    def total_count(self) -> int | None:
        """The ``TotalCount`` the service reported (``None`` for CSV answers)."""
        return self._provenance.raw.get("total_count")

    @property
    def read_at(self) -> pd.Timestamp | None:
        """When the read started, a UTC :class:`~pandas.Timestamp`."""
        return self._provenance.read_at

    @property
    def host(self) -> str:
        """The analytics base URL the frame was read from."""
        return str(self._provenance.raw["host"])

    @property
    def steps(self) -> list[dict[str, Any]]:
        """Derivations applied after the read (regroup, owner names, days), in order."""
        return self._provenance.steps

    @property
    def grouping(self) -> Grouping | None:
        """How the frame is grouped; ``None`` for a list of leads."""
        return self._provenance.grouping

    @property
    def code(self) -> str:
        """The Python that reproduces this frame: the read call, then any steps.

        The call names no host and no keys: it reads from the configured account
        (:mod:`leadsq.client.connection`), so it can go into a script as it is. Its date bounds are
        the UTC instants that were asked for; a comment line above it says how each
        window's end was sent (:func:`leadsq.query.code.window_notes`).

        Warns
        -----
        FrameChangedWarning
            When pandas changed the frame's rows or columns after the read: the code
            reproduces the read, not this frame.
        """
        p = self._provenance
        changed = p.change(self._frame)
        if changed:
            warn_user(
                f"df.lsq.code: this frame was changed after the read ({changed}); the code "
                "reproduces the read, not this frame: apply the same pandas steps after it",
                FrameChangedWarning,
            )
        read_at = p.read_at
        notes = window_notes(
            p.report, read_at=None if read_at is None else read_at.tz_localize(None)
        )
        text = to_code(
            p.report,
            max_results=p.raw.get("max_results"),
            response_format=p.raw.get("response_format"),
        ).strip()
        steps = p.steps
        if not steps:
            return "\n".join([*notes, text])
        lines = [*notes, "(", *(f"    {line}" for line in text.splitlines())]
        for step in steps:
            args = ", ".join(
                f"{name}={python_source(value)}"
                for name, value in step["args"].items()
                if value is not None
            )
            lines.append(f"    .lsq.{step['method']}({args})")
        return "\n".join([*lines, ")"])

    def refresh(self, *, client: Client | None = None, progress: bool = False) -> pd.DataFrame:
        """Run the same read again, then the same steps; a new frame.

        Parameters
        ----------
        progress : bool, default False
            Show a progress bar while reading.

        Raises
        ------
        QueryError
            When pandas changed the frame's rows or columns after the read: refreshing
            would give the read's frame, not this one.
        """
        p = self._provenance
        changed = p.change(self._frame)
        if changed:
            raise QueryError(
                f"refresh: this frame was changed after the read ({changed}); refresh() "
                "would return the read's rows, not this frame's: refresh the frame the read "
                "returned, then apply the same pandas steps"
            )
        frame = refresh.read_again(p.raw, client=client, progress=progress)
        for step in p.steps:
            frame = getattr(frame.lsq, step["method"])(**step["args"])
        return frame

    # ----------------------------------------------------------------- derived frames

    def with_owner_names(self) -> pd.DataFrame:
        """A copy with an ``OwnerName`` column: each ``OwnerId`` as ``"First Last"``.

        ``OwnerId`` may be a column (the names go right after it) or an index level
        (the names become the first column). Names come from ``Users.Get``, fetched
        once per connection; an id that is not a known user keeps its id as name.

        Raises
        ------
        QueryError
            If the frame has no ``OwnerId``.
        """
        frame = self._frame
        if OWNER in frame.columns:
            ids, position = frame[OWNER], frame.columns.get_loc(OWNER) + 1
        elif OWNER in frame.index.names:
            ids, position = frame.index.get_level_values(OWNER), 0
        else:
            raise QueryError(
                "the frame has no OwnerId column or index level; read it with "
                "columns=[..., 'OwnerId'] or group_by='OwnerId'"
            )
        names = owner_name_map(self._provenance.raw)
        values = pd.array(
            [pd.NA if pd.isna(i) else names.get(str(i), str(i)) for i in ids], dtype="string"
        )
        result = frame.drop(columns=OWNER_NAME) if OWNER_NAME in frame.columns else frame.copy()
        result.insert(min(position, len(result.columns)), OWNER_NAME, values)
        return self._derived(result, "with_owner_names")

    def with_days_since_contact(self, *, now: Any = None) -> pd.DataFrame:
        """A copy with ``DaysSinceContact`` and ``NeverContacted`` after the last activity.

        Parameters
        ----------
        now : str, datetime or Timestamp, optional
            The day to count from (naive values are UTC). Default: when the frame was
            read, so the numbers do not change as the notebook ages.

        Returns
        -------
        DataFrame
            ``DaysSinceContact`` (``Int64``): whole days since ``ProspectActivityDate_Max``,
            ``<NA>`` for a lead without any activity; ``NeverContacted`` (``boolean``):
            the lead has no activity of any type. Every lead is kept.

        Raises
        ------
        QueryError
            If the frame has no ``ProspectActivityDate_Max`` column.
        """
        frame = self._frame
        if LAST_ACTIVITY not in frame.columns:
            raise QueryError(
                f"the frame has no {LAST_ACTIVITY} column; read it with "
                f"columns=[..., '{LAST_ACTIVITY}']"
            )
        moment = utc_timestamp(now) if now is not None else self.read_at
        if moment is None:
            raise QueryError("the frame does not record when it was read; pass now=")
        days, never = _regroup.days_since(frame[LAST_ACTIVITY], moment)
        result = frame.drop(columns=[c for c in (DAYS, NEVER) if c in frame.columns])
        position = result.columns.get_loc(LAST_ACTIVITY) + 1
        result.insert(position, DAYS, days.array)
        result.insert(position + 1, NEVER, never.array)
        stamp = None if now is None else moment.isoformat()
        return self._derived(result, "with_days_since_contact", now=stamp)

    def regroup(
        self,
        by: str | Sequence[str],
        aggregate: str = "count",
        aggregate_field: str | None = None,
    ) -> pd.DataFrame:
        """Aggregate a list frame locally, in the shape of the server's aggregate.

        Parameters
        ----------
        by : str or sequence of str
            One or more group-by columns (more than the API's one are fine).
        aggregate : {"count", "average", "mean", "sum"}
            The function, case-insensitive: the spellings ``read_leadsquared`` takes
            (:data:`leadsq.query.build.AGGREGATES`).
        aggregate_field : str, optional
            The Number column averaged or summed (the name ``read_leadsquared`` uses).

        Returns
        -------
        DataFrame
            Indexed by ``by``, with ``Count`` (``Int64``) and ``Average_<field>``
            (``Float64``) or ``Sum_<field>``; ordered by ``Count`` descending, then group
            value. Its provenance records the regroup (see :attr:`steps`). Grouped by
            ``OwnerId`` under a user filter, the users it names appear even without a
            lead (``Count`` 0), as in the server's answer.

        Raises
        ------
        QueryError
            If the frame is already an aggregate, or for a bad argument.

        See Also
        --------
        leadsq.analysis.regroup.regroup : the computation.
        """
        grouping = self.grouping
        if grouping is not None:
            raise QueryError(
                f"regroup works on a list of leads; this frame is already grouped by "
                f"{', '.join(grouping.keys)}. Read the leads with columns=[...] instead of group_by="
            )
        keys = _regroup.group_keys(by)
        function = _regroup.function_name(aggregate)
        include: list[str] = []
        report = self.report
        if keys == (OWNER,) and report.user_groups:
            users = metadata.users(connection_of(self._provenance.raw))
            include = _regroup.matching_users(users, report)
        result = _regroup.regroup(self._frame, keys, function, aggregate_field, include=include)
        args: dict[str, Any] = {"by": keys[0] if len(keys) == 1 else list(keys)}
        args["aggregate"] = function.lower()
        if function != "Count":
            args["aggregate_field"] = aggregate_field
        return self._derived(result, "regroup", **args)

    def _derived(self, result: pd.DataFrame, method: str, **args: Any) -> pd.DataFrame:
        result.attrs = {k: copy.deepcopy(v) for k, v in self._frame.attrs.items()}
        result.attrs["leadsq"] = self._provenance.with_step(method, self._frame, result, **args)
        return result

    # ----------------------------------------------------------------- plots

    @property
    def plot(self) -> PlotMethods:
        """Plots: ``df.lsq.plot()`` picks one; ``.aggregate()``, ``.counts()``, ``.days_since_contact()``."""
        return PlotMethods(self._frame)


class PlotMethods:
    """``df.lsq.plot``: call it to get the plot that fits the frame, or name one."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def __call__(self, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """The plot that fits the frame (see :func:`leadsq.analysis.plots.plot`)."""
        plots = _plots()
        if Provenance.of(self._frame).grouping is not None:
            return self.aggregate(ax=ax, **kwargs)
        if plots.picks_counts(self._frame):
            return self.counts(ax=ax, **kwargs)
        return plots.plot(self._frame, ax=ax, **self._names(self._frame, kwargs))

    def aggregate(self, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Sorted horizontal bars of an aggregate (see :func:`leadsq.analysis.plots.plot_aggregate`)."""
        return _plots().plot_aggregate(self._frame, ax=ax, **self._names(self._frame, kwargs))

    def counts(self, by: str | None = None, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Leads per stage or owner of a list (see :func:`leadsq.analysis.plots.plot_counts`)."""
        counted = self._frame.lsq.regroup(_plots().count_column(self._frame, by))
        return _plots().plot_aggregate(counted, ax=ax, **self._names(counted, kwargs))

    def _names(self, frame: pd.DataFrame, kwargs: dict[str, Any]) -> dict[str, Any]:
        """``kwargs`` with the account's names a plot shows, looked up here on a quick
        connection (plots do no I/O): owner names for owner bars, field and activity
        names for the titles."""
        raw = Provenance.of(frame).raw
        grouping = Provenance.of(frame).grouping
        wanted = kwargs.get("owner_names", True)
        if wanted is True and grouping is not None and OWNER in grouping.keys:
            kwargs = {**kwargs, "owner_names": plot_owner_names(frame, raw)}
        if kwargs.get("account_names") is None:
            kwargs = {**kwargs, "account_names": plot_account_names(raw)}
        return kwargs

    def days_since_contact(self, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Leads per band of days since the last activity (see :func:`leadsq.analysis.plots.plot_days_since_contact`)."""
        return _plots().plot_days_since_contact(
            self._frame, ax=ax, **self._names(self._frame, kwargs)
        )


def _plots() -> Any:
    # matplotlib is imported on the first plot, not on ``import leadsq``
    from leadsq.analysis import plots

    return plots
