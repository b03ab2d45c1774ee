"""The account's lead fields, users and activity types as frames, for a notebook.

``leadsq.fields()``, ``leadsq.users()`` and ``leadsq.activity_types()`` answer "what can I
filter on, whom, and by which activity": thin wrappers over :mod:`leadsq.client.metadata` that
take the connection as :func:`leadsq.read_leadsquared` does (``host="sandbox"`` works).
"""

from __future__ import annotations

import pandas as pd

from leadsq.client import metadata
from leadsq.client.config import resolve_connection
from leadsq.notebook.form_fields import fields_from_metadata

__all__ = ["activity_types", "fields", "users"]


def fields(
    host: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    analytics_url: str | None = None,
) -> pd.DataFrame:
    """The account's lead fields: what ``where=``, ``columns=`` and ``group_by=`` take.

    Parameters
    ----------
    host, access_key, secret_key, analytics_url : str, optional
        The connection, as for :func:`leadsq.read_leadsquared`.

    Returns
    -------
    DataFrame
        One row per field, by display name: ``SchemaName`` (the name to write),
        ``DisplayName``, ``DataType`` and ``Options`` (a Select field's values, as a
        tuple; empty for other types).
    """
    connection = resolve_connection(host, access_key, secret_key, analytics_url)
    rows = fields_from_metadata(metadata.lead_fields(connection))
    return pd.DataFrame(
        {
            "SchemaName": [item.name for item in rows],
            "DisplayName": [item.label for item in rows],
            "DataType": [item.data_type for item in rows],
            "Options": [item.options for item in rows],
        }
    )


def users(
    host: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    analytics_url: str | None = None,
) -> pd.DataFrame:
    """The account's users, whose ids and email addresses ``users=`` takes.

    Parameters
    ----------
    host, access_key, secret_key, analytics_url : str, optional
        The connection, as for :func:`leadsq.read_leadsquared`.
    """
    return metadata.users(resolve_connection(host, access_key, secret_key, analytics_url))


def activity_types(
    host: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    analytics_url: str | None = None,
) -> pd.DataFrame:
    """The account's activity types, whose codes or names ``activities=`` takes.

    Parameters
    ----------
    host, access_key, secret_key, analytics_url : str, optional
        The connection, as for :func:`leadsq.read_leadsquared`.
    """
    return metadata.activity_types(resolve_connection(host, access_key, secret_key, analytics_url))
