"""A parsed :class:`~leadsq.contract.Report` compiled into parameterised DuckDB SQL.

Field names come only from the schema's whitelist (an unknown one is a
:class:`~leadsq.contract.ContractError`, and every identifier is checked against a strict
pattern before it is quoted); every value from a request is a bound parameter, never
pasted into the text. The semantics of ``../shared/API.md`` sections 2 and 3, with the
choices the contract leaves open:

* Text-like fields (Text, Email, Phone, Website, Select, Time) compare case-insensitively
  for every operator, ``in`` included; ``lik``/``nlik`` are plain substring tests (``%``
  and ``_`` are not wildcards).
* Number values compare as numbers, Date values as instants (exactly: a stored time with
  milliseconds is after the whole second it starts), Boolean values ``"1"``/``"0"`` as
  booleans; Booleans are answered ``"1"``/``"0"``.
* A List may name the derived columns of the contract (``DERIVED_COLUMNS``): the owner's
  name and email, ``LeadAge`` (whole days since ``CreatedOn`` at the sandbox's now), the
  latest activity's type name and id, the earliest activity's date, ``ModifiedOn``.
* ``Sorting`` orders a List's rows by its column (nulls last either way), ties by
  ``ProspectAutoId``; an aggregate's groups keep their order.
* ``def``/``ndef``: has a value / has none, where null and the empty string are no value.
* The negative operators are exact complements of the positive ones: a lead with no value
  passes ``<>``, ``nlik`` and ``ndef``; it never passes ``=``, ordering, ``lik`` or ``in``.
  The user operators ``neq``/``nlik`` follow the same rule.
* The user filter's condition chain is compiled as written: SQL's ``AND`` binds tighter
  than ``OR`` exactly as the contract's disjunctive normal form says, without expanding
  it (the expansion can grow exponentially with the number of groups).
* Many conditions (more than a few dozen lead, activity or user conditions) reach DuckDB
  as one wrapped term, whose planner is quadratic in the terms of a WHERE clause.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadsq.contract import (
    DATE_FIELD_COLUMNS,
    DERIVED_COLUMNS,
    USER_FIELDS,
    ContractError,
    LeadFilter,
    Report,
    UserCondition,
    parse_date,
)

__all__ = ["Compiled", "compile_report"]

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_TEXT_TYPES = frozenset({"Text", "Email", "Phone", "Website", "Select", "Time"})
_ORDERING = frozenset({">", "<", ">=", "<="})
_DATE_SQL_FORMAT = "%Y-%m-%d %H:%M:%S"
_ACTIVITIES_OF_LEAD = 'FROM activities a WHERE a."ProspectAutoId" = l."ProspectAutoId"'
_OWNER = 'FROM users u WHERE u."UserID" = l."OwnerId"'
_DERIVED_SQL = {  # IncludeCSV columns that are no lead field: each a value per lead l
    "OwnerIdName": f'(SELECT u."FirstName" || \' \' || u."LastName" {_OWNER})',
    "OwnerIdEmailAddress": f'(SELECT u."EmailAddress" {_OWNER})',
    "LeadAge": ('(floor((epoch_ms({now}) - epoch_ms(l."CreatedOn")) / 86400000))::BIGINT'),
    "ProspectActivityName_Max": (
        '(SELECT arg_max(t."DisplayName", a."ActivityId") FROM activities a '
        'JOIN activity_types t ON t."ActivityEvent" = a."ActivityEvent" '
        'WHERE a."ProspectAutoId" = l."ProspectAutoId")'
    ),
    "ProspectActivityDate_Min": f'(SELECT min(a."CreatedOn") {_ACTIVITIES_OF_LEAD})',
    "ProspectActivityId_Max": f'(SELECT max(a."ActivityId") {_ACTIVITIES_OF_LEAD})::VARCHAR',
    "LeadLastModifiedOn": 'l."ModifiedOn"',
}
_FEW_TERMS = 32  # conditions joined as they are; more are wrapped (see _one_term)


@dataclass(frozen=True)
class Compiled:
    """SQL for one report: how many rows or groups, and one page of them.

    Attributes
    ----------
    count_sql, count_params
        A query returning one row with the total number of rows (List) or groups.
    page_sql, page_params
        A query returning the page, its columns in the order of ``columns``; its last
        two parameters are ``LIMIT`` and ``OFFSET``, left for the caller to append.
    columns : tuple of str
        The result keys, e.g. ``("OwnerId", "Count", "Average_EngagementScore")``.
    page_json_sql : str or None
        List output only: the same page as one row holding its JSON text (an array of
        ``{column: value}`` in page order), built by the database rather than in Python;
        same parameters as ``page_sql``.
    """

    count_sql: str
    count_params: tuple[Any, ...]
    page_sql: str
    page_params: tuple[Any, ...]
    columns: tuple[str, ...]
    page_json_sql: str | None = None


def _ident(name: str, fields: Mapping[str, str] | Sequence[str], path: str) -> str:
    if name not in fields:
        raise ContractError(path, f"names an unknown field {name!r}")
    if not _IDENTIFIER.fullmatch(name):  # pragma: no cover - the schema's names are plain
        raise ContractError(path, f"names a field that cannot be queried: {name!r}")
    return f'"{name}"'


class _Params:
    """Collects bound parameters while SQL text is built."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return "?"

    def many(self, values: Sequence[Any]) -> str:
        return ", ".join(self(value) for value in values)


def _typed(data_type: str, text: str) -> Any:
    """A request value as the Python value bound for a field of ``data_type``."""
    if data_type == "Number":
        return float(text)
    if data_type == "Date":
        return parse_date(text)
    if data_type == "Boolean":
        return text.strip() == "1"
    return text


def _lead_condition(condition: LeadFilter, data_type: str, column: str, bind: _Params) -> str:
    op = condition.operator
    text_like = data_type in _TEXT_TYPES
    has_value = (
        f"({column} IS NOT NULL AND {column} <> '')" if text_like else (f"({column} IS NOT NULL)")
    )
    if op == "def":
        return has_value
    if op == "ndef":
        return f"(NOT {has_value})"
    if op in ("lik", "nlik"):
        test = f"contains(lower({column}), lower({bind(condition.value)}))"
        return test if op == "lik" else f"({column} IS NULL OR NOT {test})"
    if text_like:
        subject = f"lower({column})"

        def value(v: str) -> str:
            return f"lower({bind(v)})"
    else:
        subject = column
        cast = {"Number": "DOUBLE", "Date": "TIMESTAMP", "Boolean": "BOOLEAN"}.get(
            data_type, "VARCHAR"
        )

        def value(v: str) -> str:
            return f"{bind(_typed(data_type, v))}::{cast}"

    if op == "in":
        return f"{subject} IN ({', '.join(value(v) for v in condition.values or ())})"
    if op == "=":
        return f"{subject} = {value(condition.value or '')}"
    if op == "<>":
        return f"({column} IS NULL OR {subject} <> {value(condition.value or '')})"
    if op in _ORDERING:
        return f"{subject} {op} {value(condition.value or '')}"
    raise ContractError("ReportFilter.LeadFilters", f"has an unknown operator {op!r}")


def _user_condition(condition: UserCondition, bind: _Params) -> str:
    column = _ident(condition.field, USER_FIELDS, "ReportFilter.UserFilter")
    column = f"u.{column}"
    if condition.operator in ("eq", "neq"):
        items = [item.strip() for item in condition.value.split(",")]
        test = f"lower({column}) IN ({', '.join(f'lower({bind(item)})' for item in items)})"
    else:
        test = f"contains(lower({column}), lower({bind(condition.value)}))"
    if condition.operator in ("neq", "nlik"):
        return f"({column} IS NULL OR NOT {test})"
    return f"({test})"


def _chain(items: Sequence[tuple[str, str]]) -> str:
    """``(a) AND (b) OR (c)``: each item with the link to the next one."""
    text = ""
    for i, (sql, link) in enumerate(items):
        text += sql
        if i < len(items) - 1:
            text += f" {link} "
    return f"({text})"


def _one_term(sql: str, terms: int) -> str:
    """``sql`` (a condition of ``terms`` terms) as one term for DuckDB's planner.

    Its filter pushdown combines the terms of a WHERE clause pairwise: a body of thousands
    of conditions (1 MiB holds about 15,000) took minutes and tens of gigabytes to plan.
    Past a few dozen terms, ``coalesce(..., FALSE)`` hides them from it (a null is false
    in a WHERE clause anyway); fewer stay visible, so simple filters still reach the scan.
    """
    return sql if terms <= _FEW_TERMS else f"coalesce({sql}, FALSE)"


def _all_of(terms: Sequence[str]) -> list[str]:
    """``terms`` to be joined by AND: as they are, or as one term when many."""
    if len(terms) <= _FEW_TERMS:
        return list(terms)
    return [_one_term(f"({' AND '.join(terms)})", len(terms))]


def user_predicate(report: Report, bind: _Params) -> str | None:
    """SQL over ``users u`` selecting the users the report's user filter matches."""
    if not report.user_groups:
        return None
    groups = []
    for group in report.user_groups:
        conditions = [(_user_condition(c, bind), c.link) for c in group.conditions]
        groups.append((_chain(conditions), group.link))
    return _one_term(_chain(groups), sum(len(group.conditions) for group in report.user_groups))


def _where(report: Report, fields: Mapping[str, str], bind: _Params) -> str:
    parts: list[str] = []
    users = user_predicate(report, bind)
    if users is not None:
        parts.append(f'l."OwnerId" IN (SELECT u."UserID" FROM users u WHERE {users})')
    lead_terms = []  # bound in text order: users, these, then the contact test
    for i, condition in enumerate(report.lead_filters):
        path = f"ReportFilter.LeadFilters[{i}].LookUpName"
        column = f"l.{_ident(condition.field, fields, path)}"
        lead_terms.append(_lead_condition(condition, fields[condition.field], column, bind))
    windows = []
    for i, date_filter in enumerate(report.date_filters):
        if date_filter.field in DATE_FIELD_COLUMNS:
            name = DATE_FIELD_COLUMNS[date_filter.field]
            column = f"l.{_ident(name, fields, f'DateFilter[{i}].DateField')}"
            lead_terms.append(
                f"{column} BETWEEN {bind(date_filter.start)}::TIMESTAMP "
                f"AND {bind(date_filter.end)}::TIMESTAMP"
            )
        else:  # ActivityCreatedOn: the window in which an activity counts as contact
            windows.append(date_filter)
    parts.extend(_all_of(lead_terms))
    if report.endpoint == "not_contacted":
        activity_terms = []
        for activity_filter in report.activity_filters:
            activity_terms.append(f'a."ActivityEvent" IN ({bind.many(activity_filter.values)})')
        for window in windows:
            activity_terms.append(
                f'a."CreatedOn" BETWEEN {bind(window.start)}::TIMESTAMP '
                f"AND {bind(window.end)}::TIMESTAMP"
            )
        # the correlation stays a term of its own, so the subquery becomes an anti-join
        contact = ['a."ProspectAutoId" = l."ProspectAutoId"', *_all_of(activity_terms)]
        parts.append(f"NOT EXISTS (SELECT 1 FROM activities a WHERE {' AND '.join(contact)})")
    elif windows or report.activity_filters:
        raise ContractError("ReportFilter.ActivityFilters", "is only allowed for not_contacted")
    return " AND ".join(parts) if parts else "TRUE"


def _output_value(column: str, data_type: str, milliseconds: bool) -> str:
    """SQL giving a column as it is answered: dates as text (with milliseconds when the
    times carry them), Booleans as ``"1"``/``"0"``."""
    if data_type == "Date":
        return f"strftime({column}, '{_DATE_SQL_FORMAT}{'.%g' if milliseconds else ''}')"
    if data_type == "Boolean":
        return f"CASE WHEN {column} THEN '1' WHEN NOT {column} THEN '0' END"
    return column


def _list_value(name: str, fields: Mapping[str, str], now: datetime, path: str) -> str:
    """SQL of one List column of lead ``l``, as stored: a lead field or a derived column."""
    if name in fields:
        return f"l.{_ident(name, fields, path)}"
    if name in _DERIVED_SQL:
        return _DERIVED_SQL[name].format(now=f"TIMESTAMP '{now:%Y-%m-%d %H:%M:%S.%f}'")
    raise ContractError(path, f"names an unknown field {name!r}")


def _list(
    report: Report, fields: Mapping[str, str], where: str, params: tuple[Any, ...], **how: Any
) -> Compiled:
    """A List report: its rows ordered by ``Sorting`` (nulls last), then ``ProspectAutoId``."""
    now, milliseconds = how["now"], how["milliseconds"]
    types = {**DERIVED_COLUMNS, **fields}
    columns = report.output.columns
    selected = [
        _output_value(
            _list_value(name, fields, now, "Output.IncludeCSV"), types[name], milliseconds
        )
        for name in columns
    ]
    sort_key = ""
    order = 'l."ProspectAutoId"'
    outer_order = "p.pid"
    sorting = report.sorting
    if sorting is not None:
        value = _list_value(sorting.column, fields, now, "Sorting.ColumnName")
        direction = "DESC" if sorting.descending else "ASC"
        sort_key = f", {value} AS sk"
        order = f'sk {direction} NULLS LAST, l."ProspectAutoId"'
        outer_order = f"p.sk {direction} NULLS LAST, p.pid"
    # the page's ids first, then their columns: sorting only the ids is ~6x faster
    page = (
        f'WITH page AS (SELECT l."ProspectAutoId" AS pid{sort_key} FROM leads l '
        f"WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) "
    )
    rows = 'FROM page p JOIN leads l ON l."ProspectAutoId" = p.pid'
    members = ", ".join(f"'{name}': {value}" for name, value in zip(columns, selected, strict=True))
    return Compiled(
        count_sql=f"SELECT count(*) FROM leads l WHERE {where}",
        count_params=params,
        page_sql=f"{page}SELECT {', '.join(selected)} {rows} ORDER BY {outer_order}",
        page_params=params,
        columns=columns,
        page_json_sql=(
            f"{page}SELECT CAST(to_json(coalesce(list({{{members}}} "
            f"ORDER BY {outer_order}), [])) AS VARCHAR) {rows}"
        ),
    )


def compile_report(
    report: Report, fields: Mapping[str, str], *, now: datetime, milliseconds: bool = True
) -> Compiled:
    """Compile ``report`` against a lead schema (``SchemaName`` to ``DataType``).

    Parameters
    ----------
    report : Report
        A parsed report.
    fields : Mapping[str, str]
        The lead schema; a List may also name the contract's ``DERIVED_COLUMNS``.
    now : datetime
        The sandbox clock's now, from which ``LeadAge`` counts whole days.
    milliseconds : bool
        Answer dates with milliseconds (``SandboxSettings.subsecond_times``).

    Raises
    ------
    ContractError
        For a field that is not in ``fields``.
    """
    bind = _Params()
    where = _where(report, fields, bind)
    filter_params = tuple(bind.values)
    output = report.output
    if output.type == "List":
        return _list(report, fields, where, filter_params, now=now, milliseconds=milliseconds)
    group_by = output.group_by or ""
    group_column = f"l.{_ident(group_by, fields, 'Output.GroupBy')}"
    if fields[group_by] in _TEXT_TYPES:
        # an empty text is no value (as def/ndef say): one group with null
        group_column = f"nullif({group_column}, '')"
    metric = output.metric
    if metric is not None:
        field = output.field or ""
        value_column = f"l.{_ident(field, fields, 'Output.AggregateField')}"
        function = {"Average": "avg", "Sum": "sum"}[output.function or ""]
        aggregate = f", {function}(x) AS m"
        value = f", {value_column} AS x"
    else:
        aggregate = value = ""
    groups = (
        f"WITH f AS (SELECT {group_column} AS g{value} FROM leads l WHERE {where}), "
        f"grouped AS (SELECT g, count(*) AS n{aggregate} FROM f GROUP BY g)"
    )
    params = filter_params
    users = None
    if group_by == "OwnerId" and report.user_groups:
        # the users the filter names appear even without a matching lead
        user_bind = _Params()
        users = user_predicate(report, user_bind)
        params = params + tuple(user_bind.values)
    if users is not None:
        metric_column = ", grouped.m" if metric is not None else ""
        groups += (
            f', named AS (SELECT u."UserID" AS g FROM users u WHERE {users}), '
            f"final AS (SELECT named.g, coalesce(grouped.n, 0) AS n{metric_column} "
            "FROM named LEFT JOIN grouped ON grouped.g = named.g)"
        )
    else:
        groups += ", final AS (SELECT * FROM grouped)"
    shown = _output_value("g", fields[group_by], milliseconds)
    metric_out = ", m" if metric is not None else ""
    columns = (group_by, "Count") + ((metric,) if metric is not None else ())
    return Compiled(
        count_sql=f"{groups} SELECT count(*) FROM final",
        count_params=params,
        page_sql=(
            f"{groups} SELECT {shown}, n{metric_out} FROM final "
            "ORDER BY n DESC, g ASC NULLS LAST LIMIT ? OFFSET ?"
        ),
        page_params=params,
        columns=columns,
    )
