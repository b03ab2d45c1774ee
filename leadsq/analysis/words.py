"""A plot's words: its title, subtitle and labels, from what the frame's read asked.

The report-in-words half of :mod:`leadsq.analysis.plots`: endpoint and filters as a
subtitle, group values as labels (owner ids as names when given), sizes and spans. Field
and activity names come from the frame's own account on a quick connection; owner names
are passed in by the accessor.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from leadsq.analysis.provenance import (
    OWNER,
    OWNER_NAME,
    Grouping,
    Provenance,
)
from leadsq.contract import Report
from leadsq.query.instants import utc_timestamp

DASH = "\N{EN DASH}"
ENDPOINTS = {"distribution": "Lead distribution", "not_contacted": "Leads not contacted"}
OPERATORS = {
    "=": "=",
    "<>": "≠",
    ">": ">",
    "<": "<",
    ">=": "≥",
    "<=": "≤",
    "lik": "contains",
    "nlik": "does not contain",
    "in": "in",
    "def": "is set",
    "ndef": "is empty",
    "eq": "=",
    "neq": "≠",
}
DATE_WORDS = {"LeadCreatedOn": "created", "LeadModifiedOn": "modified"}
LABEL_CHARS = 34
SUBTITLE_CHARS = 92


def provenance(frame: pd.DataFrame) -> Provenance:
    try:
        return Provenance.of(frame)
    except AttributeError as exc:
        raise ValueError(f"leadsq plots draw frames read by leadsq. {exc}") from None


def moment(now: Any, provenance: Provenance) -> pd.Timestamp:
    if now is None:
        for step in reversed(provenance.steps):
            if step["method"] == "with_days_since_contact" and step["args"].get("now"):
                now = step["args"]["now"]
                break
    if now is None:
        if provenance.read_at is None:
            raise ValueError("the frame does not record when it was read; pass now=")
        return provenance.read_at
    return utc_timestamp(now)


def measure(grouping: Grouping, names: dict[str, str]) -> str:
    field = names.get(grouping.field or "", grouping.field or "")
    return {"Count": "Leads", "Average": f"Average {field}", "Sum": f"Sum of {field}"}[
        grouping.function
    ]


@dataclass(frozen=True)
class AccountNames:
    """The account's display names a plot's words use. Plots do no I/O: the caller looks
    them up (``df.lsq.plot`` does, on a quick connection) or leaves them empty, and the
    words then say schema names and activity codes.

    Attributes
    ----------
    fields : mapping of str to str
        Lead ``SchemaName`` to ``DisplayName``.
    activities : mapping of int to str
        Activity event code to its name.
    """

    fields: Mapping[str, str] = field(default_factory=dict)
    activities: Mapping[int, str] = field(default_factory=dict)


def field_names(account: AccountNames | None) -> dict[str, str]:
    """Lead ``SchemaName`` to the name a plot shows: the account's ``DisplayName``."""
    names: dict[str, str] = {OWNER: "Owner", OWNER_NAME: "Owner", "ProspectStage": "Stage"}
    names.update(account.fields if account is not None else {})
    names[OWNER_NAME] = names[OWNER]
    return names


def owner_labels(frame: pd.DataFrame, owner_names: bool | Mapping[str, str]) -> Mapping[str, str]:
    """The names owner ids are labelled with: those given, else the frame's ``OwnerName``."""
    if isinstance(owner_names, Mapping):
        return owner_names
    if owner_names and OWNER_NAME in frame.columns:
        ids = frame[OWNER] if OWNER in frame.columns else frame.index.get_level_values(OWNER)
        return {str(i): str(n) for i, n in zip(ids, frame[OWNER_NAME], strict=True)}
    return {}


def group_labels(
    frame: pd.DataFrame,
    keys: Sequence[str],
    provenance: Provenance,
    owner_names: bool | Mapping[str, str],
) -> list[str]:
    owners = owner_labels(frame, owner_names) if OWNER in keys else {}
    columns = [
        frame.index.get_level_values(key) if key in frame.index.names else frame[key]
        for key in keys
    ]
    labels = []
    for values in zip(*columns, strict=True):
        parts = [
            value_text(value, owners if key == OWNER else {})
            for key, value in zip(keys, values, strict=True)
        ]
        labels.append(shorten(" · ".join(parts), LABEL_CHARS))
    return unique(labels)


def value_text(value: Any, names: Mapping[str, str]) -> str:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return "(none)"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    text = str(value)
    return names.get(text, text) or "(blank)"


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def unique(labels: list[str]) -> list[str]:
    """Tell equal labels apart (two owners of the same name): ``Ravi Rao (2)``."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return result


def subtitle(
    frame: pd.DataFrame,
    provenance: Provenance,
    names: dict[str, str],
    grouping: Grouping | None,
    account: AccountNames | None = None,
) -> str:
    report = provenance.report
    parts = [ENDPOINTS.get(report.endpoint, report.endpoint)]
    parts += [lead_filter(condition, names) for condition in report.lead_filters]
    parts += user_filter(report)
    parts += [
        f"{DATE_WORDS[d.field]} {span(d.start, d.end)}"
        for d in report.date_filters
        if d.field in DATE_WORDS
    ]
    if report.endpoint == "not_contacted":
        parts.append(activity_phrase(report, account.activities if account else {}))
    parts.append(size(frame, provenance, grouping))
    changed = provenance.change(frame)
    if changed:
        parts.append(f"changed after the read: {changed}")
    if provenance.read_at is not None:
        parts.append(f"read {provenance.read_at:%Y-%m-%d %H:%M} UTC")
    return wrap(parts, SUBTITLE_CHARS)


def wrap(parts: Sequence[str], width: int) -> str:
    """Join ``parts`` with `` · `` into lines of at most ``width``, breaking between parts."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += f" · {part}"
        else:
            lines.extend(textwrap.wrap(part, width) or [""])
    return "\n".join(lines)


def lead_filter(condition: Any, names: dict[str, str]) -> str:
    name = names.get(condition.field, condition.field)
    operator = OPERATORS.get(condition.operator, condition.operator)
    if condition.values is not None:
        shown = list(condition.values[:4])
        more = len(condition.values) - len(shown)
        return f"{name} in {', '.join(shown)}" + (f" (+{more} more)" if more else "")
    if condition.value is None:
        return f"{name} {operator}"
    return f"{name} {operator} {condition.value}"


def user_filter(report: Report) -> list[str]:
    if not report.user_groups:
        return []
    phrases = []
    for group in report.user_groups:
        words = []
        for i, condition in enumerate(group.conditions):
            if condition.field == "UserID" and condition.operator == "eq":
                count = len([v for v in condition.value.split(",") if v.strip()])
                words.append(f"{count} selected owner{'s' * (count != 1)}")
            else:
                operator = OPERATORS.get(condition.operator, condition.operator)
                words.append(f"owner {condition.field} {operator} {condition.value}")
            if i < len(group.conditions) - 1:
                words.append(condition.link.lower())
        phrases.append(" ".join(words))
    return phrases


def activity_phrase(report: Report, activities: Mapping[int, str]) -> str:
    codes = [code for f in report.activity_filters for code in f.values]
    what = "activity"
    if codes:
        known = {code: name.removesuffix(" Activity") for code, name in activities.items()}
        if len(codes) <= 3 and all(code in known for code in codes):
            what = " or ".join(known[code] for code in codes)
        else:
            what = f"activity {', '.join(map(str, codes))}"
    window = [d for d in report.date_filters if d.field == "ActivityCreatedOn"]
    return f"no {what}" + "".join(f" in {span(d.start, d.end)}" for d in window)


def size(frame: pd.DataFrame, provenance: Provenance, grouping: Grouping | None) -> str:
    total = provenance.raw.get("total_count")
    if grouping is None:
        shown = f"{len(frame):,} leads"
        return shown + (f" of {total:,}" if total is not None and total > len(frame) else "")
    leads = int(pd.to_numeric(frame["Count"]).sum())
    text = f"{leads:,} leads in {len(frame):,} groups"
    if grouping.local:
        return text + " (grouped locally)"
    if total is not None and total > len(frame):
        text += f" (top {len(frame):,} of {total:,} groups)"
    return text


def span(start: Any, end: Any) -> str:
    return f"{day(start)} {DASH} {day(end)}"


def day(moment: Any) -> str:
    if (moment.hour, moment.minute, moment.second) in ((0, 0, 0), (23, 59, 59)):
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M}"
