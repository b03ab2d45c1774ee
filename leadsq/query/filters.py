"""Lead, user and activity filters: what users write, as the contract's conditions.

``where=`` goes through :mod:`leadsq.query.where`; ``filters=`` tuples, ``users=`` ids and
email addresses, ``user_filter=`` groups and ``activities=`` codes are read here, each
error naming the argument it came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from leadsq.contract import (
    ActivityFilter,
    LeadFilter,
    UserCondition,
    UserGroup,
)
from leadsq.errors import QueryError
from leadsq.query.arguments import FilterLike, UserConditionLike, UserFilterLike
from leadsq.query.values import format_value
from leadsq.query.where import parse_where

__all__ = [
    "FilterLike",
    "UserConditionLike",
    "UserFilterLike",
    "activity_filters",
    "lead_filter",
    "lead_filters",
    "lead_operator",
    "split_users",
    "user_groups",
    "values_of",
]


_LEAD_ALIASES = {"==": "=", "!=": "<>"}
_USER_ALIASES = {"=": "eq", "==": "eq", "!=": "neq", "<>": "neq"}
_LINKS = {"and": "AND", "or": "OR"}
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_EMAIL = re.compile(r"[^@\s,]+@[^@\s,]+")


def lead_filters(
    where: str | None, filters: Sequence[FilterLike] | None, labels: list[tuple[str, str]]
) -> list[LeadFilter]:
    result: list[LeadFilter] = []
    if where is not None:
        result.extend(parse_where(where))
        labels.extend((f"ReportFilter.LeadFilters[{i}]", "where") for i in range(len(result)))
    if filters is None:
        return result
    if isinstance(filters, (str, LeadFilter)) or (
        isinstance(filters, tuple) and filters and isinstance(filters[0], str)
    ):
        raise QueryError(
            f"filters: expected a list of filters; got {filters!r} (wrap one filter in a list)"
        )
    if not isinstance(filters, (Sequence, AbstractSet)):
        raise QueryError(f"filters: expected a list of filters; got {type(filters).__name__}")
    for j, item in enumerate(filters):
        labels.append((f"ReportFilter.LeadFilters[{len(result)}]", f"filters[{j}]"))
        result.append(lead_filter(item, argument=f"filters[{j}]"))
    return result


def lead_filter(item: FilterLike, *, argument: str = "filters") -> LeadFilter:
    """One lead filter from ``(field, operator[, value])`` or a :class:`LeadFilter`.

    Parameters
    ----------
    item : tuple or LeadFilter
        ``(field, operator, value)``, or ``(field, "def"|"ndef")``.
    argument : str, default "filters"
        The argument name to put in an error message.

    Returns
    -------
    LeadFilter
        Values are text; names and operators are not checked here (the contract does).

    Raises
    ------
    QueryError
        For a wrong shape: a value missing or extra, ``in`` without a list, a list with
        another operator.
    """
    if isinstance(item, LeadFilter):
        return item
    if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
        raise QueryError(
            f"{argument}: expected (field, operator, value) or (field, 'def'|'ndef'); got {item!r}"
        )
    field, operator = item[0], item[1]
    op = lead_operator(operator)
    if op in ("def", "ndef"):
        if len(item) == 3 and item[2] is not None:
            raise QueryError(
                f"{argument}: operator {operator!r} takes no value; got {item[2]!r}; "
                f"write ({field!r}, {operator!r})"
            )
        return LeadFilter(field=field, operator=op)
    if len(item) == 2:
        raise QueryError(
            f"{argument}: operator {operator!r} needs a value: (field, operator, value)"
        )
    value = item[2]
    many = _is_many(value)
    if op == "in":
        if not many:
            hint = f" (write [{value!r}])" if isinstance(value, (str, int, float)) else ""
            raise QueryError(
                f"{argument}: operator 'in' needs a list of values; got {value!r}{hint}"
            )
        texts = [format_value(v, argument=argument) for v in values_of(value)]
        if isinstance(value, AbstractSet):
            texts.sort()
        return LeadFilter(field=field, operator=op, values=tuple(texts))
    if many:
        raise QueryError(
            f"{argument}: operator {operator!r} takes one value; got a list {list(values_of(value))!r} "
            "(use 'in' for any of several values)"
        )
    return LeadFilter(field=field, operator=op, value=format_value(value, argument=argument))


def lead_operator(operator: object) -> Any:
    """A lead filter's operator as the API spells it: trimmed, lower case, and pandas'
    ``==`` and ``!=`` read as ``=`` and ``<>``; anything else is returned as it is (the
    contract refuses it, naming the argument)."""
    if not isinstance(operator, str):
        return operator
    op = operator.strip().lower()
    return _LEAD_ALIASES.get(op, op)


def _is_many(value: object) -> bool:
    return isinstance(
        value, (list, tuple, AbstractSet, pd.Series, pd.Index, pd.api.extensions.ExtensionArray)
    ) or (isinstance(value, np.ndarray) and value.ndim == 1)


def values_of(value: Any) -> list[object]:
    return list(value.tolist() if isinstance(value, (np.ndarray, pd.Series, pd.Index)) else value)


# --------------------------------------------------------------------------- users


def split_users(users: str | Sequence[str]) -> tuple[list[str], list[str]]:
    """Split owner identifiers into user ids and email addresses, in order, without repeats.

    Parameters
    ----------
    users : str or sequence of str
        GUIDs and/or email addresses; a string may hold several, comma-separated.

    Returns
    -------
    (list of str, list of str)
        The ids and the emails.

    Raises
    ------
    QueryError
        Naming ``users`` for an empty list or an item that is neither.
    """
    items = [users] if isinstance(users, str) else users
    if not isinstance(items, (Sequence, AbstractSet, pd.Series, pd.Index, np.ndarray)):
        raise QueryError(f"users: expected a string or a list of strings; got {users!r}")
    ids: list[str] = []
    emails: list[str] = []
    for item in values_of(items):
        if not isinstance(item, str):
            raise QueryError(f"users: expected strings; got {item!r} ({type(item).__name__})")
        for part in (p.strip() for p in item.split(",")):
            if not part:
                continue
            if _GUID.fullmatch(part):
                target = ids
            elif _EMAIL.fullmatch(part):
                target = emails
            else:
                raise QueryError(
                    f"users: {part!r} is neither a user id (a GUID) nor an email address; "
                    f"to filter on other user fields use user_filter=[('FirstName', 'eq', {part!r})]"
                )
            if part not in target:
                target.append(part)
    if not ids and not emails:
        raise QueryError("users: names no user; leave it out (None) for all users")
    return ids, emails


def user_groups(
    users: str | Sequence[str] | None,
    user_filter: UserFilterLike | None,
    labels: list[tuple[str, str]],
) -> list[UserGroup]:
    groups: list[UserGroup] = []
    if users is not None:
        ids, emails = split_users(users)
        conditions = [
            UserCondition(field, "eq", ",".join(values), "AND")
            for field, values in (("UserID", ids), ("EmailAddress", emails))
            if values
        ]
        if len(conditions) == 2:
            conditions[0] = replace(conditions[0], link="OR")
        labels.append(("ReportFilter.UserFilter.GroupConditions[0]", "users"))
        groups.append(UserGroup(conditions=tuple(conditions), link="AND"))
    if user_filter is None:
        return groups
    more = _parse_user_filter(user_filter)
    if groups and any(group.link == "OR" for group in more[:-1]):
        raise QueryError(
            "user_filter: groups joined by 'or' cannot be combined with users=: the users group "
            "would bind only to the first group; put the users in a condition of each group "
            "instead, e.g. ('EmailAddress', 'eq', [...])"
        )
    for k in range(len(more)):
        labels.append(
            (f"ReportFilter.UserFilter.GroupConditions[{len(groups) + k}]", f"user_filter[{k}]")
        )
    return groups + more


def _parse_user_filter(user_filter: object) -> list[UserGroup]:
    if isinstance(user_filter, UserGroup):
        return [user_filter]
    if isinstance(user_filter, (str, Mapping)) or not isinstance(user_filter, Sequence):
        raise QueryError(
            "user_filter: expected a list of groups, each a list of (field, operator, value) "
            f"conditions; got {user_filter!r}"
        )
    if user_filter and all(_is_condition(item) or _link(item) for item in user_filter):
        user_filter = [list(user_filter)]
    groups = []
    for k, (item, link) in enumerate(_linked(user_filter, "user_filter")):
        argument = f"user_filter[{k}]"
        if isinstance(item, UserGroup):
            groups.append(item if link is None else replace(item, link=link))
            continue
        if isinstance(item, (str, Mapping)) or not isinstance(item, Sequence):
            raise QueryError(
                f"{argument}: expected a group (a list of (field, operator, value) conditions); "
                f"got {item!r}"
            )
        conditions = [
            _user_condition(condition, condition_link, argument)
            for condition, condition_link in _linked(item, argument)
        ]
        if not conditions:
            raise QueryError(f"{argument}: a group needs at least one condition")
        groups.append(UserGroup(conditions=tuple(conditions), link=link or "AND"))
    return groups


def _is_condition(item: object) -> bool:
    return isinstance(item, UserCondition) or (
        isinstance(item, tuple) and len(item) == 3 and isinstance(item[0], str)
    )


def _link(item: object) -> str | None:
    return _LINKS.get(item.strip().lower()) if isinstance(item, str) else None


def _linked(items: Sequence[Any], argument: str) -> list[tuple[Any, str | None]]:
    """Pair each item with the link string that follows it (None when none does)."""
    result: list[tuple[Any, str | None]] = []
    for item in items:
        if isinstance(item, str):
            link = _link(item)
            if link is None:
                raise QueryError(f"{argument}: expected 'and' or 'or' between items; got {item!r}")
            if not result or result[-1][1] is not None:
                raise QueryError(f"{argument}: {item!r} must stand between two items")
            result[-1] = (result[-1][0], link)
        else:
            result.append((item, None))
    if result and result[-1][1] is not None and items and isinstance(items[-1], str):
        raise QueryError(f"{argument}: {items[-1]!r} must stand between two items")
    return result


def _user_condition(item: object, link: str | None, argument: str) -> UserCondition:
    if isinstance(item, UserCondition):
        return item if link is None else replace(item, link=link)
    if not isinstance(item, (tuple, list)) or len(item) != 3:
        raise QueryError(f"{argument}: expected conditions (field, operator, value); got {item!r}")
    field, operator, value = item
    op = operator.strip().lower() if isinstance(operator, str) else operator
    op = _USER_ALIASES.get(op, op)
    if _is_many(value):
        if op != "eq":
            raise QueryError(
                f"{argument}: operator {operator!r} takes one value; got a list (only 'eq' "
                "takes several)"
            )
        text = ",".join(format_value(v, argument=argument) for v in values_of(value))
    else:
        text = format_value(value, argument=argument)
    return UserCondition(field=field, operator=op, value=text, link=link or "AND")


# --------------------------------------------------------------------------- activities, output


def activity_filters(
    activities: int | str | Sequence[int | str] | None, labels: list[tuple[str, str]]
) -> list[ActivityFilter]:
    if activities is None:
        return []
    labels.append(("ReportFilter.ActivityFilters", "activities"))
    many = _is_many(activities)
    codes = []
    for code in values_of(activities) if many else [activities]:
        if isinstance(code, (bool, np.bool_)) or not isinstance(code, (int, np.integer, str)):
            raise QueryError(
                f"activities: expected activity event codes (whole numbers such as 21, 22); "
                f"got {code!r}"
            )
        text = format_value(code, argument="activities").strip()
        if not text.isdigit():
            raise QueryError(
                f"activities: expected activity event codes (whole numbers such as 21, 22); "
                f"got {code!r} (read_leadsquared resolves type names through the account)"
            )
        codes.append(int(text))
    return [ActivityFilter(operator="in" if many else "=", values=tuple(codes))]
