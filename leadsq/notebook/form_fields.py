"""The query form's fields and pickers, without widgets: which operators, inputs and options fit.

* which operators fit a field's ``DataType`` (:func:`operators_for`), which input fits a
  field and operator (:func:`value_kind`), and whether a filter row asked for by code fits
  (:func:`check_filter`);
* the pickers' options from the account's metadata (:func:`fields_from_metadata`,
  :func:`user_options`, :func:`activity_options`, :func:`group_fields`, :func:`number_fields`).

What the form holds and the read it makes are :mod:`leadsq.notebook.form_state`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd

from leadsq.client.metadata import USER_ID, Field, display_names, fields_from_metadata, text_of
from leadsq.contract import did_you_mean
from leadsq.errors import QueryError
from leadsq.query.build import AGGREGATES as SPELLINGS
from leadsq.query.build import lead_operator

__all__ = [
    "AGGREGATES",
    "OPERATOR_LABELS",
    "Field",
    "ValueKind",
    "activity_options",
    "check_filter",
    "fields_from_metadata",
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

AGGREGATES: tuple[tuple[str, str], ...] = tuple(
    (name, name) for name, function in SPELLINGS.items() if name == function.lower()
)
"""Aggregate functions as ``(label, value)``: the first spelling of each of
:data:`leadsq.query.build.AGGREGATES`; ``average`` and ``sum`` need a Number field."""

GROUP_TYPES = ("Select", "Boolean")
OWNER_FIELD = "OwnerId"


def user_options(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """``(name, user id)`` per user of a :func:`leadsq.client.metadata.users` frame, sorted by name.

    The name is ``"First Last"``, else the email address, else the id; an inactive user's
    ends in ``" (inactive)"`` (leads can still be owned by them).
    """
    names = display_names(frame)
    inactive = {
        text_of(row.get(USER_ID)) for row in frame.to_dict("records") if row.get("Active") is False
    }
    options = [
        (f"{name} (inactive)" if user_id in inactive else name, user_id)
        for user_id, name in names.items()
    ]
    return sorted(options, key=lambda item: (item[0].lower(), item[1]))


def activity_options(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """``("Name (code)", code)`` per type of a :func:`leadsq.client.metadata.activity_types` frame."""
    options = []
    for row in frame.to_dict("records"):
        code = int(row["ActivityEvent"])
        name = text_of(row.get("Name")) or "activity"
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


def check_filter(
    fields: Mapping[str, Field], field: str, operator: str | None, value: Any = None
) -> str:
    """The operator of a filter row asked for by code, once it is known to fit.

    Parameters
    ----------
    fields : Mapping
        The account's fields by name.
    field : str
        The row's field (``SchemaName``).
    operator : str, optional
        One that fits the field; pandas' ``==`` and ``!=`` are read as ``=`` and ``<>``
        (as ``filters=`` reads them). Default: the first that fits.
    value : optional
        For a Select field under ``=``, ``<>`` or ``in``: one option or several.

    Raises
    ------
    QueryError
        Naming the first of field, operator and value that does not fit.
    """
    if field not in fields:
        raise QueryError(
            f"add_filter: unknown lead field {field!r}{did_you_mean(str(field), fields)}"
        )
    item = fields[field]
    operators = [op for _, op in operators_for(item.data_type)]
    chosen = operators[0] if operator is None else lead_operator(operator)
    if chosen not in operators:
        raise QueryError(
            f"add_filter: operator {operator!r} does not apply to {item.data_type} field "
            f"{field}; use one of {', '.join(operators)}"
            f"{did_you_mean(str(operator), operators)}"
        )
    kind = value_kind(item.data_type, str(chosen))
    if kind in ("choice", "choices") and value is not None:
        values = [value] if kind == "choice" or isinstance(value, str) else list(value)
        for one in values:
            if one not in item.options:
                raise QueryError(
                    f"add_filter: {one!r} is not an option of {field}"
                    f"{did_you_mean(str(one), item.options)}; its options are "
                    f"{', '.join(item.options)}"
                )
    return str(chosen)


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
