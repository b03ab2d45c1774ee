"""A frame's provenance: ``df.attrs["leadsq"]`` parsed and checked, and its grouping.

Every frame that :func:`leadsq.read_leadsquared` returns carries its query there; the
accessor, regroup, words and plots read it through :class:`Provenance`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from leadsq.analysis import regroup as _regroup
from leadsq.contract import ContractError, Report, parse_report
from leadsq.frames import frame_change, frame_identity
from leadsq.query.instants import utc_timestamp

__all__ = ["FrameChangedWarning", "Grouping", "Provenance"]

OWNER = "OwnerId"
OWNER_NAME = "OwnerName"
LAST_ACTIVITY = "ProspectActivityDate_Max"
DAYS = "DaysSinceContact"
NEVER = "NeverContacted"
_STEPS = ("regroup", "with_owner_names", "with_days_since_contact")

_NOT_SERVED = (
    "df.lsq serves frames read by leadsq: pd.read_leadsquared(...) or "
    "leadsq.read_leadsquared(...) record their query in df.attrs['leadsq'], and df.lsq "
    "offers refresh(), code, with_owner_names(), regroup() and plot() on them. {why} "
    "Some pandas operations (merge, concat of different reads) drop attrs; call df.lsq "
    "on the frame the reader returned, or on a filtered or sliced copy of it."
)


class FrameChangedWarning(UserWarning):
    """The frame is not the one its provenance describes: pandas changed its rows or
    columns after the read (``df[df.ProspectStage == "Opportunity"]``), so the code
    reproduces the read, not this frame."""


@dataclass(frozen=True)
class Grouping:
    """How an aggregate frame is grouped: by the service, or by a local regroup."""

    keys: tuple[str, ...]
    function: str
    field: str | None
    local: bool

    @property
    def metric(self) -> str | None:
        """The value column, e.g. ``Average_EngagementScore``; ``None`` for Count."""
        return _regroup.metric_name(self.function, self.field)

    @property
    def value_column(self) -> str:
        """The column a plot shows: the metric, or ``Count``."""
        return self.metric or "Count"


@dataclass(frozen=True)
class Provenance:
    """``df.attrs["leadsq"]``, parsed and checked (see :func:`leadsq.client.reader.read_leadsquared`)."""

    raw: Mapping[str, Any]
    report: Report

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Provenance:
        """The provenance of ``frame``.

        Raises
        ------
        AttributeError
            If the frame carries none, or one that does not parse.
        """
        raw = getattr(frame, "attrs", {}).get("leadsq")
        if not isinstance(raw, Mapping):
            raise AttributeError(_NOT_SERVED.format(why="This frame has no df.attrs['leadsq']."))
        missing = [key for key in ("endpoint", "body", "host") if key not in raw]
        if missing:
            raise AttributeError(
                _NOT_SERVED.format(why=f"Its df.attrs['leadsq'] lacks {', '.join(missing)}.")
            )
        try:
            report = parse_report(raw["body"], raw["endpoint"])
        except ContractError as exc:
            raise AttributeError(
                _NOT_SERVED.format(
                    why=f"Its df.attrs['leadsq'] holds a body that is not valid: {exc}."
                )
            ) from None
        steps = raw.get("steps", [])
        if not isinstance(steps, list) or any(
            not isinstance(s, Mapping) or s.get("method") not in _STEPS for s in steps
        ):
            raise AttributeError(
                _NOT_SERVED.format(why="Its df.attrs['leadsq'] lists steps leadsq does not know.")
            )
        return cls(raw=raw, report=report)

    @property
    def steps(self) -> list[dict[str, Any]]:
        """Derivations applied after the read, in order: ``{"method": ..., "args": {...}}``."""
        return copy.deepcopy(list(self.raw.get("steps", [])))

    @property
    def read_at(self) -> pd.Timestamp | None:
        """When the read started, in UTC."""
        value = self.raw.get("read_at")
        return None if value is None else utc_timestamp(value)

    @property
    def grouping(self) -> Grouping | None:
        """The frame's grouping: the last regroup step, else the read's; ``None`` for a list."""
        for step in reversed(self.raw.get("steps", [])):
            if step["method"] == "regroup":
                args = step["args"]
                return Grouping(
                    keys=_regroup.group_keys(args["by"]),
                    function=_regroup.function_name(args["aggregate"]),
                    field=args.get("aggregate_field"),
                    local=True,
                )
        output = self.report.output
        if output.type != "Aggregate":
            return None
        return Grouping((output.group_by or "",), output.function or "Count", output.field, False)

    def change(self, frame: pd.DataFrame) -> str | None:
        """How ``frame`` differs from what the read (and its steps) gave, in words;
        ``None`` when it is that frame. A change before a step is remembered by it."""
        recorded = self.raw.get("frame")
        now = None if recorded is None else frame_change(frame, recorded)
        return self.raw.get("changed") or now

    def with_step(
        self, method: str, source: pd.DataFrame, result: pd.DataFrame, **args: Any
    ) -> dict[str, Any]:
        """A copy of the raw provenance with one more step that made ``result`` of
        ``source``: it records ``result``'s identity, and any change ``source`` had."""
        raw = copy.deepcopy(dict(self.raw))
        raw["steps"] = [*raw.get("steps", []), {"method": method, "args": args}]
        changed = self.change(source)
        if changed:
            raw["changed"] = changed
        raw["frame"] = frame_identity(result)
        return raw
