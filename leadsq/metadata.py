"""Lead fields, activity types and users of an account, fetched once per connection.

These back the dtype table (field types), owner names (users) and the query builder's
pickers. Each is cached per connection for the life of the process; call
:func:`clear_cache` after changing the account's schema.
"""

from __future__ import annotations

import functools

import pandas as pd

from leadsq.config import Connection, resolve_connection
from leadsq.errors import APIError
from leadsq.frames import decode_json
from leadsq.transport import transport_for

__all__ = ["activity_types", "clear_cache", "field_types", "lead_fields", "owner_names", "users"]

_COLUMNS = {
    "lead_fields": ("SchemaName", "DisplayName", "DataType"),
    "activity_types": ("ActivityEvent", "DisplayName"),
    "users": ("UserID", "FirstName", "LastName", "EmailAddress"),
}


@functools.lru_cache(maxsize=64)
def _fetch(connection: Connection, name: str) -> pd.DataFrame:
    answer = transport_for(connection).call(name)
    try:
        rows = decode_json(answer.content)
    except ValueError:
        raise APIError(f"{name}: the answer is not valid JSON") from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise APIError(f"{name}: expected a JSON list of objects")
    frame = pd.DataFrame.from_records(rows)
    missing = [column for column in _COLUMNS[name] if column not in frame.columns]
    if rows and missing:
        raise APIError(f"{name}: the answer lacks {', '.join(missing)}")
    return frame


def _connection(connection: Connection | None) -> Connection:
    return connection if connection is not None else resolve_connection()


def lead_fields(connection: Connection | None = None) -> pd.DataFrame:
    """The account's lead fields (``LeadsMetaData.Get``): one row per ``SchemaName``.

    Parameters
    ----------
    connection : Connection, optional
        Defaults to the configured one (:func:`leadsq.config.resolve_connection`).
    """
    return _fetch(_connection(connection), "lead_fields").copy()


def field_types(connection: Connection | None = None) -> dict[str, str]:
    """Lead ``SchemaName`` to ``DataType``."""
    frame = _fetch(_connection(connection), "lead_fields")
    if frame.empty:
        return {}
    return dict(zip(frame["SchemaName"].astype(str), frame["DataType"].astype(str), strict=True))


def activity_types(connection: Connection | None = None) -> pd.DataFrame:
    """The account's activity types (``ActivityTypes.Get``): event code and name."""
    return _fetch(_connection(connection), "activity_types").copy()


def users(connection: Connection | None = None) -> pd.DataFrame:
    """The account's users (``Users.Get``)."""
    return _fetch(_connection(connection), "users").copy()


def owner_names(connection: Connection | None = None) -> dict[str, str]:
    """User id to a readable name, ``"First Last"`` (the email when both are blank)."""
    frame = _fetch(_connection(connection), "users")
    if frame.empty:
        return {}
    first = frame["FirstName"].fillna("").astype(str)
    last = frame["LastName"].fillna("").astype(str)
    names = (first + " " + last).str.strip()
    names = names.where(names != "", frame["EmailAddress"].fillna("").astype(str))
    return dict(zip(frame["UserID"].astype(str), names, strict=True))


def clear_cache() -> None:
    """Forget every cached answer."""
    _fetch.cache_clear()
