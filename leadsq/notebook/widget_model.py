"""The query builder's logic, without widgets: fields, operators, values and form state.

:class:`leadsq.notebook.widget.QueryBuilder` is a thin layer of ipywidgets over this module. Here
live the rules a form needs and that can be tested without a browser or a kernel:

* which operators fit a field's ``DataType`` (:func:`operators_for`) and which input
  fits a field and operator (:func:`value_kind`);
* turning what an input holds into the text the contract sends (:func:`coerce_value`),
  with a :class:`~leadsq.errors.QueryError` for a value that does not fit;
* the pickers' options from the account's metadata (:func:`fields_from_metadata`,
  :func:`user_options`, :func:`activity_options`);
* the whole form as a value (:class:`FormState`) and as the keyword arguments of
  :func:`leadsq.read_leadsquared` (:func:`form_kwargs`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

import pandas as pd

from leadsq.client.metadata import USER_ID
from leadsq.contract import ENDPOINTS, format_date
from leadsq.errors import QueryError
from leadsq.query.booleans import boolean_text
from leadsq.query.instants import parse_day

__all__ = [
    "AGGREGATES",
    "DATE_PRESETS",
    "OPERATOR_LABELS",
    "Field",
    "FilterState",
    "FormState",
    "ValueKind",
    "activity_options",
    "coerce_value",
    "date_range",
    "fields_from_metadata",
    "form_kwargs",
    "group_fields",
    "number_fields",
    "operators_for",
    "user_options",
    "value_kind",
]

ValueKind = Literal["none", "number", "date", "boolean", "choice", "choices", "text", "texts"]
"""The input a filter row shows for its value."""

OPERATOR_LABELS: dict[str, str] = {
    "=": "equals",
    "<>": "is not",
    ">": "greater than",
    "<": "less than",
    ">=": "at least",
    "<=": "at most",
    "in": "is one of",
    "lik": "contains",
    "nlik": "does not contain",
    "def": "has a value",
    "ndef": "is empty",
}
_DATE_LABELS = {">": "after", "<": "before", ">=": "on or after", "<=": "on or before"}

_TEXT_OPERATORS = ("=", "<>", "in", "lik", "nlik", "def", "ndef")
_OPERATORS: dict[str, tuple[str, ...]] = {
    "Number": ("=", "<>", ">", "<", ">=", "<=", "in", "def", "ndef"),
    "Date": (">=", "<=", ">", "<", "def", "ndef"),
    "Boolean": ("=", "<>", "def", "ndef"),
    "Select": ("=", "<>", "in", "lik", "nlik", "def", "ndef"),
}

AGGREGATES: tuple[tuple[str, str], ...] = (
    ("count", "count"),
    ("average", "average"),
    ("sum", "sum"),
)
"""Aggregate functions as ``(label, value)``; ``average`` and ``sum`` need a Number field."""

DATE_PRESETS: tuple[str, ...] = (
    "any time",
    "today",
    "yesterday",
    "last 7 days",
    "last 30 days",
    "last 90 days",
    "this month",
    "last month",
    "this year",
    "custom",
)
"""Choices of a date-range input; all but ``any time`` and ``custom`` are relative forms
understood by :func:`leadsq.query.dates.resolve_range`."""


@dataclass(frozen=True)
class Field:
    """A lead field as the form shows it.

    Parameters
    ----------
    name : str
        ``SchemaName``, what the API and the frame call it.
    label : str
        ``DisplayName``.
    data_type : str
        ``DataType``: ``Text``, ``Number``, ``Date``, ``Select``, ``Boolean``, ...
    options : tuple of str
        A ``Select`` field's options.
    """

    name: str
    label: str
    data_type: str
    options: tuple[str, ...] = ()

    @property
    def choice(self) -> tuple[str, str]:
        """``(label, name)`` for a dropdown: ``"Lead Stage (ProspectStage)"``."""
        if not self.label or self.label == self.name:
            return (self.name, self.name)
        return (f"{self.label} ({self.name})", self.name)


def fields_from_metadata(frame: pd.DataFrame) -> list[Field]:
    """The lead fields of a ``LeadsMetaData.Get`` frame, sorted by display name.

    Parameters
    ----------
    frame : DataFrame
        As :func:`leadsq.client.metadata.lead_fields` returns it: ``SchemaName``,
        ``DisplayName``, ``DataType`` and, for ``Select`` fields, ``Options``.
    """
    fields = []
    for row in frame.to_dict("records"):
        options = row.get("Options")
        values: tuple[str, ...] = ()
        if isinstance(options, list):
            values = tuple(
                str(item["Value"]) if isinstance(item, dict) else str(item)
                for item in options
                if not isinstance(item, dict) or item.get("Value") is not None
            )
        fields.append(
            Field(
                name=str(row["SchemaName"]),
                label=_text(row.get("DisplayName")) or str(row["SchemaName"]),
                data_type=_text(row.get("DataType")) or "Text",
                options=values,
            )
        )
    return sorted(fields, key=lambda item: (item.label.lower(), item.name))


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def user_options(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """``(name, user id)`` per user of a :func:`leadsq.client.metadata.users` frame, sorted by name.

    The name is ``"First Last"``, else the email address, else the id; an inactive user's
    ends in ``" (inactive)"`` (leads can still be owned by them).
    """
    options = []
    for row in frame.to_dict("records"):
        user_id = _text(row.get(USER_ID))
        if not user_id:
            continue
        name = f"{_text(row.get('FirstName'))} {_text(row.get('LastName'))}".strip()
        name = name or _text(row.get("EmailAddress")) or user_id
        if row.get("Active") is False:
            name += " (inactive)"
        options.append((name, user_id))
    return sorted(options, key=lambda item: (item[0].lower(), item[1]))


def activity_options(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """``("Name (code)", code)`` per type of a :func:`leadsq.client.metadata.activity_types` frame."""
    options = []
    for row in frame.to_dict("records"):
        code = int(row["ActivityEvent"])
        name = _text(row.get("Name")) or "activity"
        options.append((f"{name} ({code})", code))
    return sorted(options, key=lambda item: item[1])


def operators_for(data_type: str) -> list[tuple[str, str]]:
    """``(label, operator)`` pairs that fit a field of ``data_type``.

    Examples
    --------
    >>> [op for _, op in operators_for("Boolean")]
    ['=', '<>', 'def', 'ndef']
    """
    operators = _OPERATORS.get(data_type, _TEXT_OPERATORS)
    labels = _DATE_LABELS if data_type == "Date" else {}
    return [(labels.get(op, OPERATOR_LABELS[op]), op) for op in operators]


def value_kind(data_type: str, operator: str) -> ValueKind:
    """The input that fits a field of ``data_type`` under ``operator``.

    ``none`` for ``def``/``ndef``; ``number``, ``date`` and ``boolean`` by type;
    ``choice``/``choices`` (one or several of a Select field's options) for
    ``=``/``<>``/``in`` on a Select field; ``texts`` (comma-separated) for ``in`` on
    other fields; ``text`` otherwise.
    """
    if operator in ("def", "ndef"):
        return "none"
    if data_type == "Select" and operator in ("=", "<>"):
        return "choice"
    if data_type == "Select" and operator == "in":
        return "choices"
    if operator == "in":
        return "texts"
    if data_type == "Number":
        return "number"
    if data_type == "Date":
        return "date"
    if data_type == "Boolean":
        return "boolean"
    return "text"


def coerce_value(
    data_type: str, operator: str, raw: Any, *, field: str = "value"
) -> str | tuple[str, ...] | None:
    """Turn what a filter row's input holds into the value sent for ``field``.

    Parameters
    ----------
    data_type, operator : str
        The field's ``DataType`` and the chosen operator; together they decide the
        input (:func:`value_kind`).
    raw : object
        The input's value: a number, a ``date``, ``True``/``False``, a string, or a
        sequence of strings.
    field : str
        The field name, for error messages.

    Returns
    -------
    str, tuple of str or None
        ``None`` for ``def``/``ndef``; a tuple for ``in``; a string otherwise. A day
        picked for a Date field becomes its first second for ``>=`` and ``<``, its last
        for ``>`` and ``<=``, so "on or before 31 Oct" includes the whole of that day.

    Raises
    ------
    QueryError
        When the value is missing or does not fit the field.
    """
    kind = value_kind(data_type, operator)
    if kind == "none":
        return None
    if kind in ("choices", "texts"):
        items = _split(raw) if isinstance(raw, str) else [str(item).strip() for item in raw or ()]
        items = [item for item in items if item]
        if not items:
            raise QueryError(f"{field}: pick or type at least one value for 'is one of'")
        if data_type == "Number":
            items = [_number(item, field) for item in items]
        return tuple(items)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise QueryError(f"{field}: a value is missing")
    if kind == "number":
        return _number(raw, field)
    if kind == "date":
        return _day_bound(raw, operator, field)
    if kind == "boolean":
        return boolean_text(raw, argument=field)
    return str(raw).strip() if kind == "choice" else str(raw)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")]


def _number(raw: Any, field: str) -> str:
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise QueryError(f"{field}: {raw!r} is not a number") from None
    if not math.isfinite(number):
        raise QueryError(f"{field}: {raw!r} is not a finite number")
    return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)


def _day_bound(raw: Any, operator: str, field: str) -> str:
    if isinstance(raw, datetime):
        return format_date(raw)
    if isinstance(raw, str):
        raw = parse_day(raw, argument=field)
    if not isinstance(raw, date):
        raise QueryError(f"{field}: expected a date; got {raw!r}")
    end_of_day = operator in (">", "<=")
    return format_date(datetime.combine(raw, time(23, 59, 59) if end_of_day else time()))


def date_range(
    preset: str, start: date | None = None, end: date | None = None, *, name: str = "dates"
) -> str | tuple[date, date | None] | None:
    """A date-range input as a ``created=``/``modified=``/``activity_window=`` value.

    Parameters
    ----------
    preset : str
        One of :data:`DATE_PRESETS`.
    start, end : date, optional
        The days of a ``custom`` range, both included; no ``end`` runs until now.
    name : str
        The argument name, for error messages.

    Returns
    -------
    None, str or tuple
        ``None`` for ``any time``, the relative form for a preset, ``(start, end)``
        for ``custom``.

    Raises
    ------
    QueryError
        For an unknown preset, a custom range without a start, or a start after its end.
    """
    if preset not in DATE_PRESETS:
        raise QueryError(f"{name}: unknown range {preset!r}; expected one of {DATE_PRESETS}")
    if preset == "any time":
        return None
    if preset != "custom":
        return preset
    if start is None:
        raise QueryError(f"{name}: pick the first day of the range")
    if end is not None and start > end:
        raise QueryError(f"{name}: the range starts ({start}) after it ends ({end})")
    return (start, end)


CACHE_CHOICES: list[tuple[str, bool | str | None]] = [
    ("as configured", None),
    ("off", False),
    ("15 minutes", "15m"),
    ("1 hour", "1h"),
    ("1 day", "1d"),
]
"""The form's read-cache choices (label, ``cache=`` value); see :mod:`leadsq.client.cache`."""


@dataclass(frozen=True)
class FilterState:
    """One lead-filter row: field, operator and the raw value of its input."""

    field: str | None
    operator: str | None
    value: Any = None


@dataclass(frozen=True)
class FormState:
    """Everything the form holds, as plain values.

    ``output`` is ``"list"`` (``columns``) or ``"aggregate"`` (``group_by``,
    ``aggregate``, ``aggregate_field``). Date ranges are as :func:`date_range` returns
    them. ``max_results`` of ``None`` or 0 reads everything. ``cache`` is a read's
    ``cache=`` (one of :data:`CACHE_CHOICES`); ``None`` leaves ``leadsq.settings.cache``.
    """

    endpoint: str = "distribution"
    users: tuple[str, ...] = ()
    filters: tuple[FilterState, ...] = ()
    activities: tuple[int, ...] = ()
    created: Any = None
    modified: Any = None
    activity_window: Any = None
    output: str = "list"
    columns: tuple[str, ...] = ()
    group_by: str | None = None
    aggregate: str = "count"
    aggregate_field: str | None = None
    max_results: int | None = None
    cache: bool | str | None = None
    field_types: dict[str, str] = field(default_factory=dict, compare=False)


def form_kwargs(state: FormState) -> dict[str, Any]:
    """The keyword arguments of :func:`leadsq.read_leadsquared` for a form.

    Only what the form sets is included, so the result reads like hand-written code:
    ``read_leadsquared(**form_kwargs(state))`` is the form's query. The connection is
    not part of it.

    Raises
    ------
    QueryError
        For a row without a field or operator, or a value that does not fit its field
        (see :func:`coerce_value`). Everything else is checked by
        :func:`leadsq.query.build.build_report`.
    """
    if state.endpoint not in ENDPOINTS:
        raise QueryError(f"endpoint must be one of {', '.join(ENDPOINTS)}; got {state.endpoint!r}")
    kwargs: dict[str, Any] = {"endpoint": state.endpoint}
    filters: list[tuple[Any, ...]] = []
    for number, row in enumerate(state.filters, start=1):
        if not row.field or not row.operator:
            raise QueryError(f"filter {number}: pick a field and an operator")
        data_type = state.field_types.get(row.field, "Text")
        value = coerce_value(data_type, row.operator, row.value, field=row.field)
        if value is None:
            filters.append((row.field, row.operator))
        else:
            filters.append(
                (row.field, row.operator, list(value) if isinstance(value, tuple) else value)
            )
    if filters:
        kwargs["filters"] = filters
    if state.users:
        kwargs["users"] = list(state.users)
    not_contacted = state.endpoint == "not_contacted"
    if not_contacted and state.activities:
        kwargs["activities"] = list(state.activities)
    ranges = [("created", state.created), ("modified", state.modified)]
    if not_contacted:
        ranges.append(("activity_window", state.activity_window))
    for name, value in ranges:
        if value is not None:
            kwargs[name] = value
    if state.output == "aggregate":
        if not state.group_by:
            raise QueryError("group by: pick a field")
        kwargs["group_by"] = state.group_by
        kwargs["aggregate"] = state.aggregate
        if state.aggregate != "count":
            if not state.aggregate_field:
                raise QueryError(f"{state.aggregate}: pick a Number field to aggregate")
            kwargs["aggregate_field"] = state.aggregate_field
    else:
        if not state.columns:
            raise QueryError("columns: pick at least one column")
        kwargs["columns"] = list(state.columns)
    if state.max_results:
        kwargs["max_results"] = int(state.max_results)
    if state.cache is not None:
        kwargs["cache"] = state.cache
    return kwargs


GROUP_TYPES = ("Select", "Boolean")
OWNER_FIELD = "OwnerId"


def group_fields(fields: Sequence[Field]) -> list[Field]:
    """The fields worth grouping by: Select and Boolean fields, and the owner.

    Dates, numbers, ids and free text have about as many values as leads, so a group
    per value says nothing; the account's metadata cannot tell a Text field of few
    values from one of many, so Text fields other than the owner are left out.
    """
    return [item for item in fields if item.data_type in GROUP_TYPES or item.name == OWNER_FIELD]


def number_fields(fields: Sequence[Field]) -> list[Field]:
    """The Number fields, the only ones ``average`` and ``sum`` accept."""
    return [item for item in fields if item.data_type == "Number"]
