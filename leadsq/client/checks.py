"""What the account's own lists say about a query's values, before it is read.

A read sends only what the contract allows, but a value can be valid and still match
nothing: a Select option spelt another way (``'Opportunities'`` for ``Opportunity``),
an activity code the account has no type for, an owner who is not a user. Each gives
an empty frame or, worse, numbers that look right (every lead "not contacted" by a
type that does not exist). Real accounts hold values outside a field's options, so
these are warnings (:class:`UnknownValueWarning`, with close matches), never errors.

Activity types may also be named: ``activities=["Phone Call"]`` is resolved to codes
through the account's types by :func:`activity_codes`.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import pandas as pd

from leadsq.client import metadata
from leadsq.client.connection import Connection
from leadsq.client.metadata import fields_from_metadata
from leadsq.contract import Report, did_you_mean
from leadsq.errors import QueryError

__all__ = ["UnknownValueWarning", "activity_codes", "names_in", "warn_unknown_values"]

_PACKAGE = str(Path(__file__).parents[1])  # the leadsq package: warnings point past it
_CHOOSING = ("=", "<>", "in")


class UnknownValueWarning(UserWarning):
    """A filter's value is not one the account knows: a Select field's options, its
    activity types or its users. The read goes on (the data may hold it anyway)."""


def warn_user(message: str, category: type[Warning]) -> None:
    """Warn, pointing at the first caller outside leadsq (the user's line)."""
    frame: FrameType | None = sys._getframe(0)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def names_in(activities: object) -> bool:
    """Whether ``activities`` names a type (text that is not a code) to be resolved."""
    items = activities if isinstance(activities, (list, tuple, pd.Series)) else [activities]
    return any(isinstance(item, str) and not item.strip().isdigit() for item in items)


def activity_codes(
    activities: int | str | Sequence[int | str], connection: Connection
) -> list[int | str]:
    """Activity codes for ``activities``: names become the codes of the account's types.

    Parameters
    ----------
    activities : str or sequence of int or str
        Codes (``21``, ``"22"``) and/or type names (``"Phone Call"``, case ignored).
    connection : Connection
        The account whose activity types name the codes.

    Raises
    ------
    QueryError
        Naming ``activities`` for a name the account has no type of, with close matches.
    """
    items: list[Any] = (
        list(activities) if isinstance(activities, (list, tuple, pd.Series)) else [activities]
    )
    names = metadata.activity_names(connection)
    by_name: dict[str, list[int]] = {}
    for code, name in names.items():
        by_name.setdefault(name.strip().lower(), []).append(code)
    codes: list[int | str] = []
    for item in items:
        if not isinstance(item, str) or item.strip().isdigit():
            codes.append(item)  # build_report checks the codes
            continue
        found = by_name.get(item.strip().lower())
        if found is None:
            raise QueryError(
                f"activities: the account has no activity type named {item!r}"
                f"{did_you_mean(item, names.values())}; leadsq.activity_types() lists them"
            )
        codes.extend(code for code in found if code not in codes)
    return codes


def warn_unknown_values(report: Report, connection: Connection) -> None:
    """Warn of each value of ``report`` that the account does not know.

    Select options are checked for ``=``, ``<>`` and ``in`` filters; activity codes
    against the account's types; the owners of the ``users=`` group against its users.
    The account's lists are fetched only for the filters a report has (and cached).
    """
    _warn_options(report, connection)
    _warn_activities(report, connection)
    _warn_users(report, connection)


def _warn_options(report: Report, connection: Connection) -> None:
    choosing = [f for f in report.lead_filters if f.operator in _CHOOSING]
    if not choosing:
        return
    options = {
        item.name: item.options
        for item in fields_from_metadata(metadata.lead_fields(connection))
        if item.data_type == "Select" and item.options
    }
    for condition in choosing:
        known = options.get(condition.field, ())
        folded = {option.strip().lower() for option in known}
        values = condition.values if condition.values is not None else (condition.value,)
        for value in values if known else ():
            if str(value).strip().lower() not in folded:  # the service ignores case
                warn_user(
                    f"{condition.field}: {value!r} is not one of its options"
                    f"{did_you_mean(str(value), known)}; leads holding it are read if any "
                    f"(options: {', '.join(known)})",
                    UnknownValueWarning,
                )


def _warn_activities(report: Report, connection: Connection) -> None:
    codes = [code for f in report.activity_filters for code in f.values]
    if not codes:
        return
    names = metadata.activity_names(connection)
    unknown = [code for code in codes if code not in names]
    if unknown:
        warn_user(
            f"activities: {', '.join(map(str, unknown))} "
            f"{'is not an activity type' if len(unknown) == 1 else 'are not activity types'} "
            "of this account, so no activity of that kind can count as contact; "
            "leadsq.activity_types() lists the account's types",
            UnknownValueWarning,
        )


def _warn_users(report: Report, connection: Connection) -> None:
    wanted = [
        (condition.field, value.strip())
        for group in report.user_groups
        for condition in group.conditions
        if condition.operator == "eq" and condition.field in ("UserID", "EmailAddress")
        for value in condition.value.split(",")
    ]
    if not wanted:
        return
    users = metadata.users(connection)
    for field, value in wanted:
        known = users[field].dropna().astype(str) if field in users.columns else pd.Series()
        if value.lower() not in set(known.str.lower()):
            warn_user(
                f"users: {value!r} is not a user of this account{did_you_mean(value, known)}; "
                "no lead is owned by it",
                UnknownValueWarning,
            )
