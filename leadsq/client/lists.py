"""The account's lead fields, users and activity types as frames, for a notebook.

``leadsq.fields()``, ``leadsq.users()`` and ``leadsq.activity_types()`` answer "what can I
filter on, whom, and by which activity": thin wrappers over :mod:`leadsq.client.metadata` that
take the client, or the connection keywords, as :func:`leadsq.read_leadsquared` does
(``host="sandbox"`` works). Each is also a method of :class:`~leadsq.Client`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from leadsq.client import metadata
from leadsq.client.client import Client, client_for
from leadsq.client.connection import masked_arguments
from leadsq.client.metadata import fields_from_metadata

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from leadsq.client.connection import ConnectionArguments

__all__ = ["activity_types", "fields", "users"]


def fields(client: Client | None = None, **connection: Unpack[ConnectionArguments]) -> pd.DataFrame:
    """The account's lead fields: what ``where=``, ``columns=`` and ``group_by=`` take.

    Parameters
    ----------
    client : Client, optional
        Default the default client.
    **connection
        ``host``, ``access_key``, ``secret_key``, ``analytics_url`` instead of ``client``,
        as for :func:`leadsq.read_leadsquared`.

    Returns
    -------
    DataFrame
        One row per field, by display name: ``SchemaName`` (the name to write),
        ``DisplayName``, ``DataType`` and ``Options`` (a Select field's values, as a
        tuple; empty for other types).
    """
    rows = fields_from_metadata(
        metadata.lead_fields(client_for(client, **masked_arguments(connection)).connection)
    )
    return pd.DataFrame(
        {
            "SchemaName": [item.name for item in rows],
            "DisplayName": [item.label for item in rows],
            "DataType": [item.data_type for item in rows],
            "Options": [item.options for item in rows],
        }
    )


def users(client: Client | None = None, **connection: Unpack[ConnectionArguments]) -> pd.DataFrame:
    """The account's users, whose ids and email addresses ``users=`` takes.

    Parameters
    ----------
    client : Client, optional
        Default the default client.
    **connection
        ``host``, ``access_key``, ``secret_key``, ``analytics_url`` instead of ``client``,
        as for :func:`leadsq.read_leadsquared`.
    """
    return metadata.users(client_for(client, **masked_arguments(connection)).connection)


def activity_types(
    client: Client | None = None, **connection: Unpack[ConnectionArguments]
) -> pd.DataFrame:
    """The account's activity types, whose codes or names ``activities=`` takes.

    Parameters
    ----------
    client : Client, optional
        Default the default client.
    **connection
        ``host``, ``access_key``, ``secret_key``, ``analytics_url`` instead of ``client``,
        as for :func:`leadsq.read_leadsquared`.
    """
    return metadata.activity_types(client_for(client, **masked_arguments(connection)).connection)
