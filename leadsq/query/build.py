"""The query model: keyword arguments in, a valid :class:`~leadsq.contract.Report` out.

:func:`build_report` is everything that happens before a request: it turns what a user
writes in a notebook into the dataclasses of :mod:`leadsq.contract`, then validates the
whole with :func:`contract.parse_report(report_to_body(...)) <leadsq.contract.parse_report>`,
the same rules the sandbox applies, so nothing invalid is ever sent. A rule broken in
the body is reported against the argument it came from::

    filters[0]: operator must be one of =, <>, ...; got 'eq'
    where: unknown field 'EngagmentScore' (did you mean EngagementScore?)

The parts of a query and where they go in the body:

===================  =========================================================
argument             body
===================  =========================================================
``where``            ``ReportFilter.LeadFilters`` (first), see :mod:`leadsq.query.where`
``filters``          ``ReportFilter.LeadFilters`` (after ``where``'s)
``users``            ``ReportFilter.UserFilter``: one group, first
``user_filter``      ``ReportFilter.UserFilter``: further groups
``activities``       ``ReportFilter.ActivityFilters`` (``not_contacted`` only)
``created``          ``DateFilter`` on ``LeadCreatedOn``
``modified``         ``DateFilter`` on ``LeadModifiedOn``
``activity_window``  ``DateFilter`` on ``ActivityCreatedOn`` (``not_contacted`` only)
``columns``          ``Output`` of ``Type`` ``List``, ``IncludeCSV``
``group_by``, ...    ``Output`` of ``Type`` ``Aggregate``
``page_size``        ``Paging.PageSize`` (``PageIndex`` is 1; the reader pages)
``body``             all of it, taken as is
===================  =========================================================

Date ranges are resolved (relative forms from ``now``) while the report is built, so a
report holds absolute instants; see :mod:`leadsq.query.dates`. :func:`leadsq.query.code.to_code`
writes a report back as the call that builds it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone, tzinfo
from typing import Any

import numpy as np
import pandas as pd

from leadsq import contract
from leadsq.contract import (
    ContractError,
    DateFilter,
    Output,
    Paging,
    Report,
)
from leadsq.errors import QueryError
from leadsq.query.booleans import boolean_text
from leadsq.query.dates import DateRangeLike, resolve_range
from leadsq.query.filters import (
    FilterLike,
    UserFilterLike,
    activity_filters,
    lead_filter,
    lead_filters,
    lead_operator,
    split_users,
    user_groups,
    values_of,
)
from leadsq.query.instants import to_utc
from leadsq.query.messages import in_user_words

__all__ = [
    "DEFAULT_COLUMNS",
    "DEFAULT_PAGE_SIZE",
    "FilterLike",
    "UserFilterLike",
    "build_report",
    "fit_to_fields",
    "lead_filter",
    "lead_operator",
    "normalise_endpoint",
    "split_users",
    "with_page_size",
]

DEFAULT_PAGE_SIZE = 10_000
_LEAD_COLUMNS = (
    "ProspectID",
    "FirstName",
    "LastName",
    "ProspectStage",
    "Source",
    "EngagementScore",
    "OwnerId",
    "CreatedOn",
    "ProspectActivityDate_Max",
)
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "distribution": _LEAD_COLUMNS,
    "not_contacted": _LEAD_COLUMNS,
}

AGGREGATES = {"count": "Count", "average": "Average", "mean": "Average", "sum": "Sum"}
"""The aggregate spellings users may write (case ignored), to the API's functions."""
_DATE_ARGUMENTS = (
    ("created", "LeadCreatedOn"),
    ("modified", "LeadModifiedOn"),
    ("activity_window", "ActivityCreatedOn"),
)


def build_report(
    endpoint: str,
    where: str | None = None,
    *,
    filters: Sequence[FilterLike] | None = None,
    users: str | Sequence[str] | None = None,
    user_filter: UserFilterLike | None = None,
    activities: int | str | Sequence[int | str] | None = None,
    created: DateRangeLike | None = None,
    modified: DateRangeLike | None = None,
    activity_window: DateRangeLike | None = None,
    columns: str | Sequence[str] | None = None,
    group_by: str | None = None,
    aggregate: str = "count",
    aggregate_field: str | None = None,
    page_size: int | None = None,
    body: Mapping[str, Any] | str | None = None,
    now: datetime | None = None,
    zone: tzinfo = timezone.utc,
    fields: Mapping[str, str] | None = None,
) -> Report:
    """Build and validate the report a read sends, before any request.

    Parameters
    ----------
    endpoint : {"distribution", "not_contacted"}
        Case-insensitive; ``"not-contacted"`` is accepted too.
    where : str, optional
        Lead filters in the concise syntax of :mod:`leadsq.query.where`, e.g.
        ``"ProspectStage in ['Prospect', 'Opportunity'] and EngagementScore >= 20"``.
    filters : sequence, optional
        Lead filters with the API's operators, each ``(field, operator, value)``,
        ``(field, "def")``/``(field, "ndef")`` or a :class:`~leadsq.contract.LeadFilter`.
        Operators: ``=``, ``<>``, ``>``, ``<``, ``>=``, ``<=``, ``def``, ``ndef``, ``lik``,
        ``nlik``, ``in`` (``==`` and ``!=`` are read as ``=`` and ``<>``). ``in`` takes a
        list, tuple, set, Series or array of values; the others take one value. Values go
        through :func:`leadsq.query.values.format_value`. All lead filters are joined by AND.
    users : str or sequence of str, optional
        Lead owners: user ids (GUIDs) and/or email addresses (a string may hold several,
        comma-separated). Sent as one user-filter group, ``UserID eq <ids>`` OR
        ``EmailAddress eq <emails>``.
    user_filter : optional
        Advanced user condition groups: a list of groups, each a list of conditions
        ``(field, operator, value)`` with ``"and"``/``"or"`` between them (default
        ``"and"``; AND binds tighter than OR), and ``"and"``/``"or"`` between groups::

            [[("Role", "eq", "Sales Manager"), "or", ("Team", "eq", "North")],
             "and",
             [("EmailAddress", "nlik", "@contractor.example")]]

        Fields: ``UserID``, ``EmailAddress``, ``FirstName``, ``LastName``, ``Role``,
        ``Team``; operators ``eq`` (a list value means any of them), ``neq``, ``lik``,
        ``nlik``. A flat list of conditions is one group. :class:`~leadsq.contract.UserGroup`
        and :class:`~leadsq.contract.UserCondition` objects may stand in for groups and
        conditions; they keep their own ``link`` unless a link string follows them, so
        ``user_filter=report.user_groups`` rebuilds a report's groups. With ``users`` the
        ``users`` group comes first, joined by AND, so groups here must then be joined by AND.
    activities : int, str or sequence, optional
        ``not_contacted`` only: activity event codes that count as contact. One code is
        sent as ``=``, a list as ``in``. Type names need the account's types:
        :func:`leadsq.read_leadsquared` resolves them (:func:`leadsq.client.checks.activity_codes`).
    created, modified, activity_window : DateRangeLike, optional
        Date ranges on ``LeadCreatedOn``, ``LeadModifiedOn`` and (``not_contacted`` only)
        ``ActivityCreatedOn``: a ``(start, end)`` pair or a form such as ``"last 30 days"``;
        see :mod:`leadsq.query.dates`. Relative forms are resolved now, from ``now``.
    columns : str or sequence of str, optional
        A list read's lead fields (a string may be comma-separated). Default:
        :data:`DEFAULT_COLUMNS` of the endpoint.
    group_by : str, optional
        An aggregate read: one row per value of this lead field.
    aggregate : {"count", "average", "sum"}, default "count"
        Case-insensitive; ``"mean"`` is ``"average"``. Needs ``group_by`` unless ``"count"``.
    aggregate_field : str, optional
        The Number field to average or sum; required for those, refused for ``"count"``.
    page_size : int, optional
        ``Paging.PageSize``; a whole number, at least 1. Default 10,000, or a ``body``'s own.
    body : dict or str, optional
        A documented JSON body (a dict, or JSON text), validated and taken as is. It cannot
        be combined with the arguments above but ``page_size`` (``aggregate`` counts as
        given when it differs from its default). With ``page_size`` it is read in pages of
        that size from the row its ``Paging`` starts at (:func:`with_page_size`).
    now : datetime, optional
        The "now" of relative dates; default the current UTC time. Aware values are
        converted to UTC, naive ones are taken as UTC.
    zone : tzinfo, default UTC
        Whose calendar relative dates and date-only bounds follow
        (:func:`leadsq.query.dates.resolve_range`); the report holds UTC instants either way.
    fields : Mapping[str, str], optional
        The account's lead fields (``SchemaName`` to ``DataType``): when given, field
        names and values are checked against them too (with close matches for a
        misspelt name) and Date values written as the contract wants
        (:func:`fit_to_fields`).

    Returns
    -------
    Report
        Validated, with canonical names and values; ``contract.report_to_body`` gives the
        exact body to send.

    Raises
    ------
    QueryError
        For anything that cannot be sent, naming the argument it came from.
    """
    endpoint = normalise_endpoint(endpoint)
    if page_size is not None and (
        isinstance(page_size, bool) or not isinstance(page_size, (int, np.integer))
    ):
        raise QueryError(
            f"page_size: must be a whole number, at least 1; got {page_size!r} "
            f"({type(page_size).__name__})"
        )
    if body is not None:
        _refuse_with_body(
            where=where,
            filters=filters,
            users=users,
            user_filter=user_filter,
            activities=activities,
            created=created,
            modified=modified,
            activity_window=activity_window,
            columns=columns,
            group_by=group_by,
            aggregate=None if str(aggregate).strip().lower() == "count" else aggregate,
            aggregate_field=aggregate_field,
        )
        report = _parse_body(body, endpoint)
        if fields is not None:
            report = fit_to_fields(report, fields)
            try:
                contract.check_fields(report, fields)
            except ContractError as error:
                raise QueryError(f"body: {error.message}") from None
        return report if page_size is None else with_page_size(report, int(page_size))
    labels: list[tuple[str, str]] = []  # (body path prefix, argument), longest first
    leads = lead_filters(where, filters, labels)
    groups = user_groups(users, user_filter, labels)
    activity_conditions = activity_filters(activities, labels)
    ranges = {"created": created, "modified": modified, "activity_window": activity_window}
    dates: list[contract.DateFilter] = []
    for argument, field in _DATE_ARGUMENTS:
        if ranges[argument] is not None:
            start, end = resolve_range(ranges[argument], now=now, argument=argument, zone=zone)
            labels.append((f"DateFilter[{len(dates)}]", argument))
            dates.append(DateFilter(field=field, start=start, end=end))
    output = _output(endpoint, columns, group_by, aggregate, aggregate_field, labels)
    labels.append(("Paging", "page_size"))
    report = Report(
        endpoint=endpoint,
        output=output,
        paging=Paging(index=1, size=DEFAULT_PAGE_SIZE if page_size is None else int(page_size)),
        user_groups=tuple(groups),
        lead_filters=tuple(leads),
        activity_filters=tuple(activity_conditions),
        date_filters=tuple(dates),
    )
    try:
        report = contract.parse_report(contract.report_to_body(report), endpoint)
        if fields is not None:
            report = fit_to_fields(report, fields)
            contract.check_fields(report, fields)
    except ContractError as error:
        raise QueryError(in_user_words(error, labels)) from None
    return report


def fit_to_fields(report: Report, field_types: Mapping[str, str]) -> Report:
    """Write the values of Date- and Boolean-field filters in the contract's form.

    ``"2026-06-01"``, ``"2026-06-01T10:00Z"`` or a Timestamp's text become
    ``"2026-06-01 00:00:00"`` / ``"2026-06-01 10:00:00"`` (UTC), so a filter written as
    pandas would compare dates reaches the API as it expects. A date means its midnight,
    as in pandas. A Boolean field's ``"true"``, ``"yes"`` or ``"1"`` becomes ``"1"``
    (:func:`leadsq.query.booleans.boolean_text`): the service refuses ``"true"``. Other values
    are left as they are.

    Raises
    ------
    QueryError
        If a Date field's value is not a date, or a Boolean field's is not a Boolean.
    """
    fitters: dict[str, Callable[..., str]] = {"Date": _date_text, "Boolean": boolean_text}
    fitted = []
    for condition in report.lead_filters:
        fit = fitters.get(field_types.get(condition.field, ""))
        if fit is not None:
            argument = f"the filter on {condition.field}"
            condition = replace(
                condition,
                value=None if condition.value is None else fit(condition.value, argument=argument),
                values=None
                if condition.values is None
                else tuple(fit(value, argument=argument) for value in condition.values),
            )
        fitted.append(condition)
    return replace(report, lead_filters=tuple(fitted))


def _date_text(value: str, *, argument: str) -> str:
    return contract.format_date(to_utc(value, argument=argument))


def normalise_endpoint(endpoint: object) -> str:
    """The canonical endpoint name: ``"distribution"`` or ``"not_contacted"``.

    Parameters
    ----------
    endpoint : str
        Case-insensitive, with ``-`` or ``_`` (``"Not-Contacted"`` works).

    Raises
    ------
    QueryError
        Naming ``endpoint`` for anything else.
    """
    name = endpoint.strip().lower().replace("-", "_") if isinstance(endpoint, str) else None
    if name not in contract.ENDPOINTS:
        raise QueryError(
            f"endpoint: must be one of {', '.join(map(repr, contract.ENDPOINTS))}; got {endpoint!r}"
        )
    return name


# the last part of a body path, in the words of the argument it came from
# --------------------------------------------------------------------------- body=


def _refuse_with_body(**given: object) -> None:
    """Refuse query arguments given with ``body=`` (defaults passed as None)."""
    conflicts = [name for name, value in given.items() if value is not None]
    if conflicts:
        raise QueryError(
            f"body: cannot be combined with {', '.join(conflicts)}: a body already says "
            "everything; pass either the body or those arguments"
        )


def with_page_size(report: Report, size: int) -> Report:
    """``report`` read in pages of ``size`` from the row its ``Paging`` starts at.

    A body's ``Paging`` says where to start (``PageIndex`` of ``PageSize``), not how to
    page: a vendor example's ``PageSize`` of 10 would take a call per ten rows.

    Raises
    ------
    QueryError
        Naming ``page_size`` when the body's first row does not begin a page of ``size``.
    """
    if size < 1:
        raise QueryError(f"page_size: must be a whole number, at least 1; got {size}")
    start = (report.paging.index - 1) * report.paging.size
    if start % size:
        raise QueryError(
            f"page_size: the body starts at row {start + 1:,} (PageIndex "
            f"{report.paging.index} of PageSize {report.paging.size}), which does not begin "
            f"a page of {size:,}; give a page_size that divides {start:,}"
        )
    return replace(report, paging=Paging(index=start // size + 1, size=size))


def _parse_body(body: object, endpoint: str) -> Report:
    try:
        if isinstance(body, (str, bytes)):
            body = contract.decode_body(body)
        elif isinstance(body, Mapping) and not isinstance(body, dict):
            body = dict(body)
        return contract.parse_report(body, endpoint)
    except ContractError as error:
        raise QueryError(f"body: {error.message}") from None


# --------------------------------------------------------------------------- lead filters


def _output(
    endpoint: str,
    columns: str | Sequence[str] | None,
    group_by: str | None,
    aggregate: str,
    aggregate_field: str | None,
    labels: list[tuple[str, str]],
) -> Output:
    if not isinstance(aggregate, str) or aggregate.strip().lower() not in AGGREGATES:
        hint = contract.did_you_mean(aggregate, AGGREGATES) if isinstance(aggregate, str) else ""
        raise QueryError(
            f"aggregate: must be one of count, average (or mean), sum; got {aggregate!r}{hint}"
        )
    function = AGGREGATES[aggregate.strip().lower()]
    if group_by is None:
        if function != "Count" or aggregate_field is not None:
            name = "aggregate_field" if aggregate_field is not None else "aggregate"
            raise QueryError(f"{name}: needs group_by (an aggregate is computed per group)")
        labels.append(("Output", "columns"))
        if columns is None:
            return Output(type="List", columns=DEFAULT_COLUMNS[endpoint])
        return Output(type="List", columns=_columns(columns))
    if columns is not None:
        raise QueryError(
            "columns: cannot be combined with group_by: a list read returns columns, an "
            "aggregate read returns one row per group; pass one of them"
        )
    labels.extend(
        [
            ("Output", "group_by"),
            ("Output.AggregateFunction", "aggregate"),
            ("Output.AggregateField", "aggregate_field"),
        ]
    )
    if function == "Count":
        if aggregate_field is not None:
            raise QueryError(
                f"aggregate_field: is only used with aggregate='average' or 'sum'; "
                f"got aggregate={aggregate!r}"
            )
        return Output(type="Aggregate", group_by=group_by, function=function)
    if aggregate_field is None:
        raise QueryError(
            f"aggregate_field: is required for aggregate={aggregate!r}: name the Number field "
            f"to {function.lower()}"
        )
    return Output(type="Aggregate", group_by=group_by, function=function, field=aggregate_field)


def _columns(columns: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(columns, str):
        return tuple(name.strip() for name in columns.split(","))
    if not isinstance(columns, (Sequence, pd.Index, pd.Series, np.ndarray)):
        raise QueryError(f"columns: expected a list of lead fields; got {columns!r}")
    names = values_of(columns)
    for name in names:
        if not isinstance(name, str):
            raise QueryError(f"columns: expected field names (strings); got {name!r}")
    return tuple(names)  # type: ignore[arg-type]
