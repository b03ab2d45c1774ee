"""Lead fields, activity types and users of an account, asked once per client.

These back the dtype table (field types), owner names (users) and the query builder's
pickers. Each is asked once per :class:`~leadsq.Client` (its connection's); call
``client.clear_metadata()`` after changing the account's schema.

Accounts answer in more than one shape, so each answer is read into one:

- users (``Users.Get``): the id, ``ID`` in the documented shape and ``UserID`` in an
  older one, is the column ``UserID`` (the name the user filter looks it up by);
  inactive users are kept (leads can still be owned by them) and ``Active`` (``boolean``)
  says which are, from ``StatusCode`` (0 active, any other inactive; no ``StatusCode``:
  all active);
- activity types (``ActivityTypes.Get``): the name, ``DisplayName`` on some accounts and
  ``ActivityEventName`` on others (a type may have either), is the column ``Name``.

The caller's own user (``UserByAccessKey.Get``, :func:`account`) tells the account's time
zone, which :func:`time_zone` gives when ``leadsq.settings.time_zone`` is ``"account"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from leadsq.client.client import Client, client_for
from leadsq.client.connection import Connection
from leadsq.client.settings import zone_named
from leadsq.client.transport import transport_for
from leadsq.errors import APIError, ConfigurationError
from leadsq.frames import decode_json

__all__ = [
    "USER_ID",
    "Field",
    "account",
    "activity_names",
    "activity_types",
    "display_names",
    "field_names",
    "field_types",
    "fields_from_metadata",
    "lead_fields",
    "owner_names",
    "text_of",
    "time_zone",
    "users",
]

USER_ID = "UserID"
"""The users frame's id column, whatever the account calls it."""

_COLUMNS = {
    "lead_fields": ("SchemaName", "DisplayName", "DataType"),
    "activity_types": ("ActivityEvent", "Name"),
    "users": (USER_ID, "FirstName", "LastName", "EmailAddress"),
}
_ALIASES = {  # the frame's column: the answer's names for it, in order of preference
    "activity_types": {"Name": ("DisplayName", "ActivityEventName")},
    "users": {USER_ID: ("ID", "UserID")},
}


def _decoded(connection: Connection, name: str) -> object:
    answer = transport_for(connection).call(name)
    try:
        return decode_json(answer.content)
    except ValueError:
        raise APIError(f"{name}: the answer is not valid JSON") from None


def _fetch(connection: Connection, name: str) -> pd.DataFrame:
    """``name``'s answer as one frame, asked once per client."""
    return _owner(connection).fetched(name, lambda: _asked(connection, name))


def _asked(connection: Connection, name: str) -> pd.DataFrame:
    rows = _decoded(connection, name)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise APIError(f"{name}: expected a JSON list of objects")
    frame = _one_shape(pd.DataFrame.from_records(rows), name)
    aliases = _ALIASES.get(name, {})
    missing = [
        " or ".join(aliases.get(column, (column,)))
        for column in _COLUMNS[name]
        if column not in frame.columns
    ]
    if rows and missing:
        raise APIError(f"{name}: the answer lacks {', '.join(missing)}")
    return frame


def _one_shape(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The answer with one column per alias group (see the module docstring)."""
    for column, spellings in _ALIASES.get(name, {}).items():
        present = [spelling for spelling in spellings if spelling in frame.columns]
        if present:
            values = frame[present[0]]
            for other in present[1:]:
                values = values.combine_first(frame[other])
            frame = frame.drop(columns=present).assign(**{column: values})
    if name == "users" and not frame.empty:
        status = frame.get("StatusCode", pd.Series(0, index=frame.index))
        frame["Active"] = (pd.to_numeric(status, errors="coerce").fillna(0) == 0).astype("boolean")
    return frame


def _owner(connection: Connection) -> Client:
    """The client whose metadata cache serves ``connection`` (never another's)."""
    if connection.client is None:
        raise ConfigurationError("a Connection is made by a leadsq.Client (client.connection)")
    return connection.client


def _connection(connection: Connection | None) -> Connection:
    return connection if connection is not None else client_for().connection


def lead_fields(connection: Connection | None = None) -> pd.DataFrame:
    """The account's lead fields (``LeadsMetaData.Get``): one row per ``SchemaName``.

    Parameters
    ----------
    connection : Connection, optional
        Defaults to the default client's.
    """
    return _fetch(_connection(connection), "lead_fields").copy()


def field_types(connection: Connection | None = None) -> dict[str, str]:
    """Lead ``SchemaName`` to ``DataType``."""
    return _pairs(_fetch(_connection(connection), "lead_fields"), "SchemaName", "DataType", str)


def field_names(connection: Connection | None = None) -> dict[str, str]:
    """Lead ``SchemaName`` to ``DisplayName``."""
    return _pairs(_fetch(_connection(connection), "lead_fields"), "SchemaName", "DisplayName", str)


def activity_names(connection: Connection | None = None) -> dict[int, str]:
    """Activity event code to the type's ``Name``."""
    return _pairs(_fetch(_connection(connection), "activity_types"), "ActivityEvent", "Name", int)


def _pairs(frame: pd.DataFrame, key: str, value: str, kind: type) -> dict[Any, str]:
    """``key`` to ``value`` over the rows of a metadata frame (none for an empty one)."""
    if frame.empty:
        return {}
    return dict(zip(frame[key].astype(kind), frame[value].astype(str), strict=True))


def activity_types(connection: Connection | None = None) -> pd.DataFrame:
    """The account's activity types (``ActivityTypes.Get``): ``ActivityEvent`` and ``Name``."""
    return _fetch(_connection(connection), "activity_types").copy()


def users(connection: Connection | None = None) -> pd.DataFrame:
    """The account's users (``Users.Get``), inactive ones too: ``UserID``, names,
    ``EmailAddress``, ``Active`` and whatever else the account tells."""
    return _fetch(_connection(connection), "users").copy()


def owner_names(connection: Connection | None = None) -> dict[str, str]:
    """User id to a readable name, ``"First Last"`` (the email when both are blank).

    Inactive users are named too: leads can still be owned by them.
    """
    return display_names(_fetch(_connection(connection), "users"))


def display_names(frame: pd.DataFrame) -> dict[str, str]:
    """User id to the name leadsq shows for the user of a :func:`users` frame: ``"First
    Last"``, else the email address, else the id. The one owner of owner display names."""
    names = {}
    for row in frame.to_dict("records"):
        user_id = text_of(row.get(USER_ID))
        if user_id:
            name = f"{text_of(row.get('FirstName'))} {text_of(row.get('LastName'))}".strip()
            names[user_id] = name or text_of(row.get("EmailAddress")) or user_id
    return names


def _account(connection: Connection) -> dict:
    return _owner(connection).fetched("account", lambda: _asked_account(connection))


def _asked_account(connection: Connection) -> dict:
    answer = _decoded(connection, "account")
    if not isinstance(answer, dict):
        raise APIError("account: expected a JSON object")
    return answer


def account(connection: Connection | None = None) -> dict:
    """The caller's user (``UserByAccessKey.Get``): ``ID``, names, ``OrgShortCode``,
    ``TimeZone``, ``LSQCommonServiceURLs`` and whatever else the account tells."""
    return dict(_account(_connection(connection)))


def time_zone(connection: Connection | None = None) -> ZoneInfo:
    """The zone whose calendar relative windows and date-only bounds follow.

    ``leadsq.settings.time_zone`` of the connection: ``"UTC"`` (the default), an IANA
    name such as ``"Asia/Kolkata"``, or ``"account"``: the account's ``TimeZone``, asked
    of ``UserByAccessKey.Get`` once per connection.

    Raises
    ------
    APIError
        When the account's answer names no zone, or one that is not an IANA name.
    """
    connection = _connection(connection)
    name = connection.settings.time_zone
    if name.strip().lower() != "account":
        return zone_named(name)
    told = _account(connection).get("TimeZone")
    if not isinstance(told, str) or not told.strip():
        raise APIError(
            "account: UserByAccessKey.Get tells no TimeZone; set the zone yourself, e.g. "
            "leadsq.configure(time_zone='Asia/Kolkata')"
        )
    try:
        return zone_named(told)
    except ConfigurationError:
        raise APIError(
            f"account: the account's TimeZone {told!r} is not an IANA zone name; set the zone "
            "yourself, e.g. leadsq.configure(time_zone='Asia/Kolkata')"
        ) from None


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
                label=text_of(row.get("DisplayName")) or str(row["SchemaName"]),
                data_type=text_of(row.get("DataType")) or "Text",
                options=values,
            )
        )
    return sorted(fields, key=lambda item: (item.label.lower(), item.name))


def text_of(value: object) -> str:
    """A metadata cell as text: ``""`` for a missing one (``None``, NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)
