"""A report as the Python call that rebuilds it.

:func:`to_code` writes the ``pd.read_leadsquared(...)`` call whose arguments build the
same :class:`~leadsq.contract.Report`, so a read made from a form or a body can be re-run
from a notebook cell without either (Mito's habit: every edit has its code). Dates are
written as absolute ``"yyyy-MM-dd HH:mm:ss"`` strings, so the code asks for the same
window as the report, whenever it runs.

The keyword form is used whenever it rebuilds the report exactly: ``where=`` for the lead
filters (``filters=`` for a field name that ``where`` cannot write), ``users=`` and/or
``user_filter=``, ``activities=``, ``created=``/``modified=``/``activity_window=``,
``columns=`` or ``group_by=``/``aggregate=``/``aggregate_field=``, and ``page_size=`` when
not the default. A report that the keywords cannot rebuild (two activity filters, date
filters out of the usual order, a page index other than 1, a link after a last
condition, ``Sorting``) is written as ``body=`` with its ``page_size=`` (a body's
``Paging`` says where a read starts; the reader pages with its own size unless told).
Either way,
``build_report(**arguments_of(to_code(report))) == report``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from leadsq.contract import (
    DATE_FIELD_COLUMNS,
    DateFilter,
    LeadFilter,
    Report,
    UserGroup,
    format_date,
    report_to_body,
)
from leadsq.errors import QueryError
from leadsq.query.build import DEFAULT_PAGE_SIZE, split_users
from leadsq.query.source import python_source, python_string
from leadsq.query.values import format_value
from leadsq.query.where import field_text
from leadsq.query.windows import exact_list_window, exclusive_end

__all__ = ["to_code", "where_text", "window_notes"]

_WIDTH = 100
_INDENT = "    "
_SECRET_ARGUMENTS = ("access_key", "secret_key")
_QUERY_ARGUMENTS = (
    "endpoint",
    "where",
    "filters",
    "users",
    "user_filter",
    "activities",
    "created",
    "modified",
    "activity_window",
    "columns",
    "group_by",
    "aggregate",
    "aggregate_field",
    "page_size",
    "body",
    "max_results",
    "response_format",
)
_DATE_ARGUMENTS = {
    "LeadCreatedOn": "created",
    "LeadModifiedOn": "modified",
    "ActivityCreatedOn": "activity_window",
}
_WHERE_OPERATORS = {"=": "==", "<>": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<="}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def to_code(
    report: Report,
    *,
    max_results: int | None = None,
    response_format: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> str:
    """The ``pd.read_leadsquared(...)`` call that rebuilds ``report``, as Python source.

    Parameters
    ----------
    report : Report
        A valid report, e.g. from :func:`leadsq.query.build.build_report`.
    max_results : int, optional
        Added as ``max_results=`` when given.
    response_format : str, optional
        Added as ``response_format=`` when given and not ``"json"``.
    extra : Mapping[str, object], optional
        More keyword arguments to add as they are (``host="sandbox"``, ``chunksize=...``),
        written with ``repr``. Keys are refused: they must never appear in code.

    Returns
    -------
    str
        One call, formatted with one argument per line when it does not fit on one line.

    Raises
    ------
    QueryError
        Naming ``extra`` when it holds a query argument, ``access_key`` or ``secret_key``.
    """
    arguments = _keyword_form(report)
    if arguments is None:  # the size too: a body's Paging only says where to start
        arguments = {"body": report_to_body(report), "page_size": report.paging.size}
    if max_results is not None:
        arguments["max_results"] = max_results
    if response_format is not None and response_format.strip().lower() != "json":
        arguments["response_format"] = response_format
    for name, value in (extra or {}).items():
        if name in _SECRET_ARGUMENTS:
            raise QueryError(
                f"extra: {name} must not appear in generated code: keys are secrets; configure "
                "them with leadsq.configure(...) or the LSQ_ACCESS_KEY/LSQ_SECRET_KEY environment"
            )
        if name in _QUERY_ARGUMENTS or not name.isidentifier() or keyword.iskeyword(name):
            raise QueryError(
                f"extra: {name!r} cannot be added: it is not a free keyword argument name "
                "(query arguments come from the report)"
            )
        arguments[name] = value
    return _call("pd.read_leadsquared", [python_string(report.endpoint)], arguments)


def window_notes(report: Report, *, read_at: datetime | None = None) -> list[str]:
    """Comment lines saying how each date window's end is sent (:mod:`leadsq.query.windows`).

    ``df.lsq.code`` puts them above the call: the call's bounds are what was asked, and
    a list read sends its ends one second later to drop the rows past them exactly.

    Parameters
    ----------
    report : Report
        What was asked.
    read_at : datetime, optional
        When the read started (naive UTC): a window whose end second reaches it (one
        ending now) gets no note, since nothing stamped after it existed yet.

    Examples
    --------
    >>> from datetime import datetime
    >>> from leadsq.contract import DateFilter, Output
    >>> window = DateFilter("LeadCreatedOn", datetime(2026, 3, 1), datetime(2026, 3, 31, 23, 59, 59))
    >>> window_notes(Report("distribution", Output("List", ("ProspectID",)), date_filters=(window,)))
    ['# created up to 2026-03-31 23:59:59 is read exactly: ToDate is sent as 2026-04-01 00:00:00 and rows with CreatedOn at or past it are dropped']
    """
    _, cuts = exact_list_window(report)
    notes = []
    for window in report.date_filters:
        if read_at is not None and exclusive_end(window.end) > read_at:
            continue
        end = format_date(window.end)
        column = DATE_FIELD_COLUMNS.get(window.field)
        argument = _DATE_ARGUMENTS[window.field]
        if column in cuts:
            notes.append(
                f"# {argument} up to {end} is read exactly: ToDate is sent as "
                f"{format_date(exclusive_end(window.end))} and rows with {column} at or past "
                "it are dropped"
            )
        else:
            why = "an aggregate cannot drop rows" if column else "activity times are not columns"
            notes.append(
                f"# {argument} ToDate {end} is sent as it is ({why}): times within that last "
                f"second, after {end}.000, are left out"
            )
    return notes


# --------------------------------------------------------------------------- keyword form


def _keyword_form(report: Report) -> dict[str, Any] | None:
    """The keyword arguments that rebuild ``report``, or None when they cannot."""
    if report.paging.index != 1 or report.sorting is not None:
        return None
    arguments: dict[str, Any] = {}
    if report.lead_filters:
        where = where_text(report.lead_filters)
        if where is not None:
            arguments["where"] = where
        else:
            arguments["filters"] = [_filter_tuple(f) for f in report.lead_filters]
    users = _user_arguments(report.user_groups)
    if users is None:
        return None
    arguments.update(users)
    if len(report.activity_filters) > 1:
        return None
    for activity in report.activity_filters:
        if activity.operator == "=" and len(activity.values) == 1:
            arguments["activities"] = activity.values[0]
        else:
            arguments["activities"] = list(activity.values)
    dates = _date_arguments(report.date_filters)
    if dates is None:
        return None
    arguments.update(dates)
    output = report.output
    if output.type == "List":
        arguments["columns"] = list(output.columns)
    else:
        arguments["group_by"] = output.group_by
        if output.function != "Count":
            arguments["aggregate"] = (output.function or "").lower()
            arguments["aggregate_field"] = output.field
    if report.paging.size != DEFAULT_PAGE_SIZE:
        arguments["page_size"] = report.paging.size
    return arguments


def where_text(filters: Sequence[LeadFilter]) -> str | None:
    """The ``where`` text for lead filters, or None when a field name cannot be written.

    Consecutive ``<>`` filters on one field are written as ``F not in [...]``.

    Parameters
    ----------
    filters : sequence of LeadFilter

    Returns
    -------
    str or None
    """
    parts: list[str] = []
    i = 0
    while i < len(filters):
        condition = filters[i]
        name = field_text(condition.field)
        if name is None:
            return None
        op = condition.operator
        if op == "<>":
            run = [condition.value or ""]
            while (
                i + len(run) < len(filters)
                and filters[i + len(run)].operator == "<>"
                and filters[i + len(run)].field == condition.field
            ):
                run.append(filters[i + len(run)].value or "")
            if len(run) > 1:
                parts.append(f"{name} not in [{', '.join(map(_value, run))}]")
                i += len(run)
                continue
        if op in _WHERE_OPERATORS:
            parts.append(f"{name} {_WHERE_OPERATORS[op]} {_value(condition.value or '')}")
        elif op == "in":
            parts.append(f"{name} in [{', '.join(map(_value, condition.values or ()))}]")
        elif op in ("def", "ndef"):
            parts.append(f"{name}.{'notna' if op == 'def' else 'isna'}()")
        else:  # lik, nlik
            tilde = "~" if op == "nlik" else ""
            parts.append(f"{tilde}{name}.str.contains({python_string(condition.value or '')})")
        i += 1
    return " and ".join(parts)


def _value(text: str) -> str:
    """A value as a where literal: a number when it reads back as the same text."""
    if _NUMBER.fullmatch(text):
        number = float(text) if "." in text else int(text)
        if format_value(number) == text:
            return text
    return repr(text)


def _filter_tuple(condition: LeadFilter) -> tuple[Any, ...]:
    if condition.operator in ("def", "ndef"):
        return (condition.field, condition.operator)
    if condition.operator == "in":
        return (condition.field, "in", list(condition.values or ()))
    return (condition.field, condition.operator, condition.value)


def _user_arguments(groups: Sequence[UserGroup]) -> dict[str, Any] | None:
    if not groups:
        return {}
    for group in groups:
        if group.conditions[-1].link != "AND":
            return None
    if groups[-1].link != "AND":
        return None
    arguments: dict[str, Any] = {}
    users = _users_of(groups[0])
    rest = list(groups[1:] if users is not None else groups)
    if users is not None and not any(group.link == "OR" for group in rest[:-1]):
        arguments["users"] = users[0] if len(users) == 1 else users
    else:
        rest = list(groups)
    if rest:
        arguments["user_filter"] = _user_filter_list(rest)
    return arguments


def _users_of(group: UserGroup) -> list[str] | None:
    """The ``users=`` list that builds ``group``, or None when it was not built that way."""
    if group.link != "AND" or not all(c.operator == "eq" for c in group.conditions):
        return None
    fields = tuple(c.field for c in group.conditions)
    if fields not in (("UserID",), ("EmailAddress",), ("UserID", "EmailAddress")):
        return None
    if len(fields) == 2 and group.conditions[0].link != "OR":
        return None
    values = [v for c in group.conditions for v in c.value.split(",")]
    try:
        ids, emails = split_users(values)
    except QueryError:
        return None
    joined = tuple(",".join(part) for part in (ids, emails) if part)
    if joined != tuple(c.value for c in group.conditions):
        return None
    return ids + emails


def _user_filter_list(groups: Sequence[UserGroup]) -> list[Any]:
    result: list[Any] = []
    for k, group in enumerate(groups):
        items: list[Any] = []
        for j, condition in enumerate(group.conditions):
            items.append((condition.field, condition.operator, condition.value))
            if j < len(group.conditions) - 1:
                items.append(condition.link.lower())
        result.append(items)
        if k < len(groups) - 1:
            result.append(group.link.lower())
    return result


def _date_arguments(filters: Sequence[DateFilter]) -> dict[str, Any] | None:
    order = list(_DATE_ARGUMENTS)
    fields = [f.field for f in filters]
    if fields != sorted(set(fields), key=order.index):
        return None
    return {_DATE_ARGUMENTS[f.field]: (format_date(f.start), format_date(f.end)) for f in filters}


# --------------------------------------------------------------------------- formatting


def _call(function: str, positional: list[str], arguments: Mapping[str, Any]) -> str:
    items = positional + [f"{name}={_literal(value)}" for name, value in arguments.items()]
    flat = f"{function}({', '.join(items)})"
    if len(flat) <= _WIDTH and "\n" not in flat:
        return flat
    lines = [f"{function}("]
    for item in positional:
        lines.append(f"{_INDENT}{item},")
    for name, value in arguments.items():
        text = _literal(value, indent=1, prefix=f"{name}=")
        lines.append(f"{_INDENT}{name}={text},")
    lines.append(")")
    return "\n".join(lines)


def _literal(value: Any, *, indent: int = 0, prefix: str = "") -> str:
    """Python source for a value, wrapped one item per line when too long for its line."""
    flat = python_source(value)
    room = _WIDTH - len(_INDENT) * indent - len(prefix) - 1
    if len(flat) <= room:
        return flat
    inner = _INDENT * (indent + 1)
    closing_indent = _INDENT * indent
    if isinstance(value, str) and " and " in value:
        pieces = value.split(" and ")
        lines = [python_string(pieces[0])] + [
            python_string(f" and {piece}") for piece in pieces[1:]
        ]
        return "(\n" + "".join(f"{inner}{line}\n" for line in lines) + closing_indent + ")"
    if isinstance(value, (list, tuple)) and value:
        items = [_literal(item, indent=indent + 1) for item in value]
        if isinstance(value, tuple) and len(value) == 1:
            items[0] += ","
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        body = "".join(f"{inner}{item},\n" for item in items)
        return f"{opening}\n{body}{closing_indent}{closing}"
    if isinstance(value, dict) and value:
        body = "".join(
            f"{inner}{python_source(key)}: {_literal(item, indent=indent + 1, prefix=python_source(key) + ': ')},\n"
            for key, item in value.items()
        )
        return f"{{\n{body}{closing_indent}}}"
    return flat
