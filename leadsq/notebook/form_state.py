"""What the query form holds, as plain values, and the read it makes.

:class:`leadsq.notebook.widget.QueryBuilder` is a thin layer of ipywidgets over this module
and :mod:`leadsq.notebook.form_fields`. Here live the rules that turn inputs into a read and
that can be tested without a browser or a kernel:

* what an input holds as the value sent (:func:`coerce_value`), through the reader's own
  value-to-text rule (:func:`leadsq.query.values.format_value`), with a
  :class:`~leadsq.errors.QueryError` for a value that does not fit;
* a date-range input as a ``created=``-style argument (:func:`date_range`);
* the whole form as a value (:class:`FormState`) and, in one function, as the keyword
  arguments of :func:`leadsq.read_leadsquared` (:func:`form_kwargs`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from leadsq.contract import ENDPOINTS
from leadsq.errors import QueryError
from leadsq.notebook.form_fields import value_kind
from leadsq.query.booleans import boolean_text
from leadsq.query.instants import parse_day
from leadsq.query.values import format_value

__all__ = [
    "CACHE_CHOICES",
    "DATE_PRESETS",
    "FilterState",
    "FormState",
    "coerce_value",
    "date_range",
    "form_kwargs",
]

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

CACHE_CHOICES: list[tuple[str, bool | str | None]] = [
    ("as configured", None),
    ("off", False),
    ("15 minutes", "15m"),
    ("1 hour", "1h"),
    ("1 day", "1d"),
]
"""The form's read-cache choices (label, ``cache=`` value); see :mod:`leadsq.client.cache`."""


def coerce_value(
    data_type: str, operator: str, raw: Any, *, field: str = "value"
) -> str | tuple[str, ...] | None:
    """Turn what a filter row's input holds into the value sent for ``field``.

    Parameters
    ----------
    data_type, operator : str
        The field's ``DataType`` and the chosen operator; together they decide the
        input (:func:`~leadsq.notebook.form_fields.value_kind`).
    raw : object
        The input's value: a number, a ``date``, ``True``/``False``, a string, or a
        sequence of strings.
    field : str
        The field name, for error messages.

    Returns
    -------
    str, tuple of str or None
        ``None`` for ``def``/``ndef``; a tuple for ``in``; a string otherwise, written
        as :func:`leadsq.query.values.format_value` writes it for the reader (``1e20`` is
        ``"100000000000000000000"``). A day picked for a Date field becomes its first
        second for ``>=`` and ``<``, its last for ``>`` and ``<=``, so "on or before
        31 Oct" includes the whole of that day.

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
            items = [format_value(_number(item, field), argument=field) for item in items]
        return tuple(items)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise QueryError(f"{field}: a value is missing")
    if kind == "number":
        return format_value(_number(raw, field), argument=field)
    if kind == "date":
        return format_value(_day_bound(raw, operator, field), argument=field)
    if kind == "boolean":
        return boolean_text(raw, argument=field)
    return str(raw).strip() if kind == "choice" else str(raw)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")]


def _number(raw: Any, field: str) -> numbers.Real | Decimal:
    """What a number input holds, as a number (typed text read exactly, as a Decimal)."""
    number: numbers.Real | Decimal
    if isinstance(raw, str):
        try:
            number = Decimal(raw.strip())
        except InvalidOperation:
            raise QueryError(f"{field}: {raw!r} is not a number") from None
    elif isinstance(raw, (numbers.Real, Decimal)):
        number = raw
    else:
        raise QueryError(f"{field}: {raw!r} is not a number")
    if not isinstance(number, numbers.Integral) and not math.isfinite(number):
        raise QueryError(f"{field}: {raw!r} is not a finite number")
    return number


def _day_bound(raw: Any, operator: str, field: str) -> datetime:
    if isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        raw = parse_day(raw, argument=field)
    if not isinstance(raw, date):
        raise QueryError(f"{field}: expected a date; got {raw!r}")
    end_of_day = operator in (">", "<=")
    return datetime.combine(raw, time(23, 59, 59) if end_of_day else time())


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

    The one place a form becomes a read. Only what the form sets is included, so the
    result reads like hand-written code: ``read_leadsquared(**form_kwargs(state))`` is the
    form's query. The connection is not part of it.

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
