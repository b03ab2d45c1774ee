"""What the query form offers, asked of the account: its lead fields, users, activity types, zone.

Each look-up is made once, on :meth:`~leadsq.client.connection.Connection.quick` terms (one
attempt, no retry, short timeouts), so a form for a host that is gone says so at once
instead of spending the retry budget of a read. Without the fields the form can make no
query (:class:`ChoicesUnavailable`); without the users or the activity types it still can,
and :attr:`AccountChoices.problems` says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from leadsq.client import metadata
from leadsq.client.metadata import Field, fields_from_metadata
from leadsq.errors import LeadsqError
from leadsq.notebook.form_fields import activity_options, user_options

if TYPE_CHECKING:
    from leadsq.client.client import Client

__all__ = ["AccountChoices", "ChoicesUnavailable", "describe", "load_choices"]


class ChoicesUnavailable(Exception):
    """The account's fields (or its time zone) could not be had: the message says why."""


@dataclass(frozen=True)
class AccountChoices:
    """The pickers' options of one account.

    Attributes
    ----------
    fields : tuple of Field
        The lead fields, sorted by display name.
    users : tuple of (str, str)
        ``(name, user id)`` per user; empty when they could not be had.
    activities : tuple of (str, int)
        ``("Name (code)", code)`` per activity type; empty when they could not be had.
    zone : tzinfo
        Whose calendar the form's dates follow.
    problems : tuple of str
        One sentence per list that could not be had, naming the host and the error.
    """

    fields: tuple[Field, ...]
    users: tuple[tuple[str, str], ...]
    activities: tuple[tuple[str, int], ...]
    zone: tzinfo
    problems: tuple[str, ...] = ()


def load_choices(client: Client) -> AccountChoices:
    """Ask the account for the form's options, one attempt per list.

    Parameters
    ----------
    client : Client
        The form's client; its look-ups here are quick (:meth:`Connection.quick`).

    Raises
    ------
    ChoicesUnavailable
        When the connection cannot be made, or the fields or the time zone cannot be
        had; the message names the host and the error.
    """
    try:
        connection = client.connection.quick()
    except LeadsqError as exc:
        raise ChoicesUnavailable(f"Could not load the account's fields: {describe(exc)}") from None
    where = f"(asked {connection.api_url} once)"
    try:
        fields = tuple(fields_from_metadata(metadata.lead_fields(connection)))
        zone = metadata.time_zone(connection)
    except LeadsqError as exc:
        raise ChoicesUnavailable(
            f"Could not load the account's fields: {describe(exc)} {where}"
        ) from None
    problems = []
    lists: dict[str, tuple[Any, ...]] = {}
    for name, fetch, options, without in (
        ("users", metadata.users, user_options, "every owner's leads are read"),
        ("activity types", metadata.activity_types, activity_options, "any activity is contact"),
    ):
        try:
            lists[name] = tuple(options(fetch(connection)))
        except LeadsqError as exc:
            lists[name] = ()
            problems.append(
                f"Could not load the account's {name}: {describe(exc)} {where}; "
                f"the picker is empty ({without})"
            )
    return AccountChoices(
        fields=fields,
        users=lists["users"],
        activities=lists["activity types"],
        zone=zone,
        problems=tuple(problems),
    )


def describe(exc: BaseException) -> str:
    """``"TypeName: message"``, as the form shows an error."""
    return f"{type(exc).__name__}: {exc}"
