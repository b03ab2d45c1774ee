"""What the accessor asks of the account a frame was read from: owner names, and the
field and activity names a plot shows. Plots and their words do no I/O; these look-ups
are made here, a plot's on a quick connection (one attempt, short timeouts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from leadsq.analysis.provenance import OWNER_NAME
from leadsq.analysis.words import AccountNames, owner_labels
from leadsq.client import metadata
from leadsq.client.checks import warn_user
from leadsq.client.refresh import connection_of
from leadsq.errors import LeadsqError

__all__ = ["owner_name_map", "plot_account_names", "plot_owner_names"]


def owner_name_map(provenance: Mapping[str, Any], *, quick: bool = False) -> dict[str, str]:
    """User id to ``"First Last"`` for the account a frame was read from (asked once per
    client).

    ``quick=True``: one attempt with short timeouts (:meth:`Connection.quick`), for a
    look-up that must not keep a user waiting (a plot's labels).
    """
    connection = connection_of(provenance)
    return metadata.owner_names(connection.quick() if quick else connection)


def plot_owner_names(frame: pd.DataFrame, provenance: Mapping[str, Any]) -> dict[str, str]:
    """The owner names a plot of ``frame`` labels its bars with: from its ``OwnerName``
    column when it has one, else one quick look-up; when that fails, none (the plot
    shows ids) and a warning naming the host and the error."""
    if OWNER_NAME in frame.columns:
        return dict(owner_labels(frame, True))
    try:
        return owner_name_map(provenance, quick=True)
    except LeadsqError as exc:
        host = provenance.get("host")
        warn_user(f"owner names are unavailable from {host} ({exc}); showing user ids", UserWarning)
        return {}


def plot_account_names(provenance: Mapping[str, Any]) -> AccountNames:
    """The field and activity names of the account a frame was read from, for a plot's
    titles, each asked once on a quick connection; what cannot be had is left out (the
    titles then say schema names and codes, which are as true)."""
    fields: dict[str, str] = {}
    activities: dict[int, str] = {}
    try:
        connection = connection_of(provenance).quick()
        fields = metadata.field_names(connection)
        activities = metadata.activity_names(connection)
    except LeadsqError:
        pass
    return AccountNames(fields, activities)
