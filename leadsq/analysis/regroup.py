"""Computed locally from a list frame: aggregates in the server's shape, days since contact.

The analytics API groups by one lead field at a time. :func:`regroup` does on a list
frame what the service does on its database, so that two group-by fields, or a
function the service was not asked for, need no second request:

==============  ===============================================================
index           the group field(s), with the list column's dtype (a MultiIndex
                for several fields); a null value is a group of its own
``Count``       ``Int64``: leads in the group
``Average_X``   ``Float64``: mean of ``X`` over its non-null values
``Sum_X``       ``X``'s own dtype: sum of its non-null values
==============  ===============================================================

A group with no non-null ``X`` gets ``<NA>``. Groups are ordered by ``Count``
descending, then by group value ascending, nulls last (section 3 of the contract), so
a local regroup of a list read equals the server's aggregate read with the same
filters.

:func:`days_since` turns ``ProspectActivityDate_Max`` into whole days before a moment.
This module is pure pandas; :mod:`leadsq.analysis.accessor` records what it derived in the
frame's provenance.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import pandas as pd

from leadsq.contract import Report, UserCondition, fold_chain
from leadsq.errors import QueryError
from leadsq.query.build import AGGREGATES

__all__ = [
    "days_since",
    "function_name",
    "group_keys",
    "matching_users",
    "metric_name",
    "regroup",
    "server_order",
]


def group_keys(by: str | Sequence[str]) -> tuple[str, ...]:
    """The group-by fields as a tuple, checked: at least one, no repeats, all strings."""
    keys = (by,) if isinstance(by, str) else tuple(by)
    if not keys or not all(isinstance(key, str) and key for key in keys):
        raise QueryError(f"by must be a field name or a list of field names; got {by!r}")
    if len(set(keys)) != len(keys):
        raise QueryError(f"by names a field twice: {list(keys)}")
    return keys


def function_name(aggregate: str) -> str:
    """An aggregate spelling of :data:`leadsq.query.build.AGGREGATES` (``"count"``,
    ``"average"`` or ``"mean"``, ``"sum"``; any case) to the API's ``Count`` etc."""
    name = AGGREGATES.get(str(aggregate).strip().lower())
    if name is None:
        raise QueryError(
            f"aggregate: must be one of count, average, sum (mean for average); got {aggregate!r}"
        )
    return name


def metric_name(function: str, field: str | None) -> str | None:
    """The aggregate's value column, e.g. ``Average_EngagementScore``; ``None`` for Count."""
    return None if function == "Count" else f"{function}_{field}"


def regroup(
    frame: pd.DataFrame,
    by: str | Sequence[str],
    aggregate: str = "count",
    aggregate_field: str | None = None,
    *,
    include: Sequence[object] = (),
) -> pd.DataFrame:
    """Group the rows of a list frame and aggregate them like the analytics API.

    Parameters
    ----------
    frame : DataFrame
        One row per lead, with the ``by`` columns and ``aggregate_field``.
    by : str or sequence of str
        Group-by field(s).
    aggregate : {"count", "average", "mean", "sum"}
        The function; case-insensitive (``"mean"`` is ``"average"``).
    aggregate_field : str, optional
        The Number field averaged or summed (as in :func:`leadsq.read_leadsquared`); required for average and sum, ignored
        for count.
    include : sequence, optional
        Group values (one group field only) that appear even without a row, with
        ``Count`` 0 and a null metric: the service does this for the users a user
        filter names when grouping by ``OwnerId`` (see :func:`matching_users`).

    Returns
    -------
    DataFrame
        Indexed by the group field(s), with ``Count`` and, for average and sum, the
        metric column; ordered by ``Count`` descending, then group value ascending.

    Raises
    ------
    QueryError
        For an unknown function, a missing field or a column the frame lacks.
    """
    keys = group_keys(by)
    function = function_name(aggregate)
    field = aggregate_field
    if function == "Count":
        field = None
    elif not field:
        raise QueryError(f"aggregate_field: is required when aggregate is {function.lower()}")
    _check_columns(frame, keys, field)
    metric = metric_name(function, field)
    grouped = frame.groupby(list(keys), dropna=False, sort=False, observed=True)
    result = grouped.size().astype("Int64").rename("Count").to_frame()
    if metric is not None:
        values = grouped[field]
        if function == "Average":
            result[metric] = values.mean().astype("Float64")
        else:
            result[metric] = values.sum(min_count=1).astype(frame[field].dtype)
    result = result.reset_index()
    if include:
        if len(keys) > 1:
            raise QueryError("include= applies to one group field only")
        seen = set(result[keys[0]].dropna())
        extra = [value for value in dict.fromkeys(include) if value not in seen]
        if extra:
            zeros = pd.DataFrame({keys[0]: extra, "Count": [0] * len(extra)})
            result = pd.concat([result, zeros], ignore_index=True)
            result = result.astype({keys[0]: frame[keys[0]].dtype, "Count": "Int64"})
            if metric is not None:
                result[metric] = result[metric].astype(
                    "Float64" if function == "Average" else frame[field].dtype
                )
    if result.empty:  # groupby loses the key dtypes of an empty frame
        result = result.astype({key: frame[key].dtype for key in keys})
    return server_order(result, keys).set_index(list(keys) if len(keys) > 1 else keys[0])


def server_order(groups: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Order groups as the service does: ``Count`` descending, then keys ascending, nulls last."""
    ordered = groups.sort_values(
        ["Count", *keys],
        ascending=[False, *([True] * len(keys))],
        na_position="last",
        kind="stable",
    )
    return ordered.reset_index(drop=True)


def _check_columns(frame: pd.DataFrame, keys: tuple[str, ...], field: str | None) -> None:
    wanted = [*keys, *([field] if field else [])]
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        raise QueryError(
            f"the frame lacks the column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, frame.columns))}. Read them too (columns=[...])"
        )
    dtype = frame[field].dtype if field else None
    if field and (pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype)):
        raise QueryError(f"{field} is {dtype}, not a number: it cannot be averaged or summed")


def days_since(last_activity: pd.Series, now: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Whole days from each last activity to ``now``, and whether there was none.

    Parameters
    ----------
    last_activity : Series
        ``ProspectActivityDate_Max`` values (UTC datetimes, ``NaT`` for no activity).
    now : Timestamp
        The moment counted from, timezone-aware.

    Returns
    -------
    days : Series of Int64
        Whole days (floored), ``<NA>`` where there was no activity; an activity after
        ``now`` counts as 0 days.
    never : Series of boolean
        ``True`` where there was no activity at all.
    """
    moments = pd.to_datetime(last_activity, utc=True)
    whole = (now - moments) // pd.Timedelta(days=1)
    days = whole.astype("Float64").clip(lower=0).astype("Int64")
    never = moments.isna().astype("boolean")
    return days.rename("DaysSinceContact"), never.rename("NeverContacted")


def matching_users(users: pd.DataFrame, report: Report) -> list[str]:
    """The ``UserID`` of every user the report's user filter matches, in table order.

    ``users`` is a :func:`leadsq.client.metadata.users` frame: its id column is ``UserID``
    whatever the account's shape, the name the filter looks ids up by.

    Conditions compare case-insensitively: ``eq`` with any of the comma-separated
    values, ``lik`` as a substring; ``neq`` and ``nlik`` also match a null. Conditions
    and groups are joined by their links, AND before OR (:func:`leadsq.contract.fold_chain`).
    """
    if not report.user_groups or users.empty:
        return []
    groups = (
        (
            fold_chain(
                ((_user_test(users, c), c.link) for c in group.conditions),
                operator.and_,
                operator.or_,
            ),
            group.link,
        )
        for group in report.user_groups
    )
    matched = fold_chain(groups, operator.and_, operator.or_)
    return [str(user) for user in users.loc[matched, "UserID"]]


def _user_test(users: pd.DataFrame, condition: UserCondition) -> pd.Series:
    if condition.field not in users.columns:
        return pd.Series(False, index=users.index)
    column = users[condition.field].astype("string").str.lower()
    if condition.operator in ("eq", "neq"):
        items = [item.strip().lower() for item in condition.value.split(",")]
        test = column.isin(items)
    else:
        test = column.str.contains(condition.value.lower(), regex=False)
    test = test.fillna(False).astype(bool)
    if condition.operator in ("neq", "nlik"):
        test = column.isna().astype(bool) | ~test
    return test
