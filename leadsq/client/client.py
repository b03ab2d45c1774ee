"""The client: one account, its settings, its transport and what it has fetched.

A :class:`Client` holds what used to be process-wide: frozen :class:`Settings`, the
connection (resolved at each use), the HTTP transport (one keep-alive session; a
``session=`` seam), the account's metadata (lead fields, users, activity types, its own
user), and ``close()``. What is shared on purpose stays shared: the rate limit and daily
budget of an access key (every client, process and machine using the key, through
:mod:`leadsq.client.limits`) and what the service was seen to do at a host
(:mod:`leadsq.client.learnt`: paths, the key form, page caps), facts about the host
rather than about one client.

Functions that take connection keywords (``read_leadsquared(host=..., access_key=...)``,
``leadsq.fields(...)``, ``leadsq.sync(...)``) use :func:`client_for`: the **default
client** when none is named (its settings are ``leadsq.settings``, changed by
:func:`configure`), else a client of the default settings kept for those keywords.
:func:`configure` gives them all its settings and closes the transports of the old ones,
so no call goes on with the settings it replaced.
"""

from __future__ import annotations

import atexit
import dataclasses
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from leadsq.client.connection import Connection, masked, resolve_connection
from leadsq.client.learnt import key_digest
from leadsq.client.settings import Settings
from leadsq.errors import ConfigurationError, QueryError

if TYPE_CHECKING:
    import pandas as pd
    import requests

    from leadsq.client.transport import Transport

__all__ = [
    "Client",
    "client_for",
    "clients_of_account",
    "configure",
    "connection_for",
    "current_settings",
]

T = TypeVar("T")


class Client:
    """A session with one LeadSquared account.

    Parameters
    ----------
    host, access_key, secret_key, analytics_url : str, optional
        The connection; what is not given comes from the settings, the environment or the
        config file (:mod:`leadsq.client.connection`). ``host="sandbox"`` is the built-in
        sandbox.
    settings : Settings, optional
        The settings to call by; default ``leadsq.settings``.
    session : requests.Session, optional
        The HTTP session to send with (a proxy, a CA bundle, an adapter of your own);
        default a new keep-alive session. The client mounts its own adapter on it, which
        reads answers as streams within the limits of the settings.
    **changes
        Settings to change from ``settings`` (``rate_limit=(10, 5)``, ``cache="1h"``).

    Examples
    --------
    >>> with leadsq.Client(host="sandbox") as client:  # doctest: +SKIP
    ...     leads = client.read("distribution", where="Score > 3")
    """

    def __init__(
        self,
        host: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        analytics_url: str | None = None,
        *,
        settings: Settings | None = None,
        session: requests.Session | None = None,
        **changes: Any,
    ) -> None:
        access_key, secret_key = masked(access_key), masked(secret_key)  # no plain key in locals
        base = settings if settings is not None else current_settings()
        self.settings: Settings = _changed(base, changes) if changes else base
        self._arguments = (host, access_key, secret_key, analytics_url)
        self._session = session
        self._lock = threading.RLock()
        self._connection: Connection | None = None
        self._transports: dict[int, tuple[Settings, Transport]] = {}
        self._fetched: dict[str, Any] = {}
        self._hasty: dict[int, tuple[Settings, Settings]] = {}
        self._closed = False
        _live.add(self)

    def __repr__(self) -> str:
        where = self._connection.analytics_url if self._connection else self._arguments[0]
        return f"Client({where!r})" if where else "Client()"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def connection(self) -> Connection:
        """Where and as whom this client calls, resolved again at each use (what is not
        given may come from the environment or the config file, which can change).

        When the resolution changes (another host or key), the transports and what was
        fetched of the old account are dropped.

        Raises
        ------
        ConfigurationError
            Naming every place looked when a host or a key is missing; when closed.
        """
        with self._lock:
            if self._closed:
                raise ConfigurationError(f"{self!r} is closed; make a new leadsq.Client")
            resolved = resolve_connection(*self._arguments, settings=self.settings)
            if resolved != self._connection:  # compares URLs and keys
                if self._connection is not None:
                    self._drop_account()
                self._connection = dataclasses.replace(resolved, client=self)
            return self._connection

    def _drop_account(self) -> None:
        self._close_transports()
        self._fetched.clear()

    def _close_transports(self) -> None:
        for _, transport in self._transports.values():
            transport.close()
        self._transports.clear()

    @property
    def account(self) -> str:
        """The account's fingerprint (a hash of its access key and host, never the key)."""
        return self.connection.account

    def transport(self, connection: Connection | None = None) -> Transport:
        """The transport for ``connection`` (default :attr:`connection`): one per settings
        object, so a :meth:`Connection.quick` look-up keeps its own short timeouts."""
        connection = connection or self.connection
        with self._lock:
            if self._closed:
                raise ConfigurationError(f"{self!r} is closed; make a new leadsq.Client")
            held = self._transports.get(id(connection.settings))
            if held is None:
                from leadsq.client.transport import Transport  # requests loads on first call

                held = (connection.settings, Transport(connection, session=self._session))
                self._transports[id(connection.settings)] = held
            return held[1]

    def quick(self, connection: Connection) -> Connection:
        """``connection`` on quick settings (:meth:`Connection.quick`), the same settings
        object each time, so quick look-ups share one transport."""
        with self._lock:
            held = self._hasty.get(id(connection.settings))
            if held is None:  # held[0] keeps the id taken while it is a key
                held = (connection.settings, _hasty(connection.settings))
                self._hasty[id(connection.settings)] = held
            return dataclasses.replace(connection, settings=held[1])

    def fetched(self, name: str, fetch: Callable[[], T]) -> T:
        """``fetch()``'s answer for ``name``, asked once for the life of the client (the
        account's fields, users, activity types, its own user)."""
        with self._lock:
            if name not in self._fetched:
                self._fetched[name] = fetch()
            return self._fetched[name]

    def clear_metadata(self) -> None:
        """Forget the account's fields, users and activity types (after changing them)."""
        with self._lock:
            self._fetched.clear()

    def close(self) -> None:
        """Close the HTTP sessions; the client makes no call after this."""
        with self._lock:
            self._closed = True
            self._close_transports()

    def read(self, endpoint: str, where: str | None = None, **arguments: Any) -> pd.DataFrame:
        """:func:`leadsq.read_leadsquared` with this client."""
        from leadsq.client.reader import read_leadsquared

        return read_leadsquared(endpoint, where, client=self, **arguments)

    def fields(self) -> pd.DataFrame:
        """:func:`leadsq.fields` of this client's account."""
        from leadsq.client.lists import fields

        return fields(client=self)

    def users(self) -> pd.DataFrame:
        """:func:`leadsq.users` of this client's account."""
        from leadsq.client.lists import users

        return users(client=self)

    def activity_types(self) -> pd.DataFrame:
        """:func:`leadsq.activity_types` of this client's account."""
        from leadsq.client.lists import activity_types

        return activity_types(client=self)

    def _follow(self, settings: Settings) -> None:
        """Call by ``settings`` from now on (the default client's, after
        :func:`configure`): the transports of the old ones are closed; the account's
        metadata is kept while :attr:`connection` resolves to the same account."""
        with self._lock:
            self._close_transports()
            self._hasty.clear()  # quick settings of the old ones
            if self._connection is not None:
                if settings.paths != self.settings.paths:  # the metadata came from them
                    self._fetched.clear()
                self._connection = dataclasses.replace(self._connection, settings=settings)
            self.settings = settings


def _hasty(settings: Settings) -> Settings:
    """``settings`` for a quick look-up: one attempt, no retry, short timeouts."""
    return dataclasses.replace(
        settings, max_retries=0, max_retry_seconds=0.0, timeout=(3.0, 10.0), call_deadline=10.0
    )


def _changed(settings: Settings, changes: dict[str, Any]) -> Settings:
    """``settings`` with ``changes``; ``paths`` merged into the current paths."""
    names = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise ConfigurationError(
            f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
        )
    paths = changes.get("paths")
    if isinstance(paths, Mapping):  # anything else is refused by the settings' own rules
        changes = {**changes, "paths": {**settings.paths, **paths}}
    return dataclasses.replace(settings, **changes)


_live: weakref.WeakSet[Client] = weakref.WeakSet()  # for a frame's refresh to find its account
_lock = threading.Lock()
_default: list[Client] = []
_named: dict[tuple[str | None, str | None, str | None], Client] = {}


def _default_client() -> Client:
    with _lock:
        if not _default:
            _default.append(Client(settings=Settings()))
        return _default[0]


def current_settings() -> Settings:
    """The default client's settings: what ``leadsq.settings`` shows."""
    return _default[0].settings if _default else Settings()


def configure(settings: Settings | None = None, /, **changes: Any) -> Settings:
    """Give the default client new settings; return them.

    The default client (and those made for reads that name their connection) call by them
    from now on: their transports of the old settings are closed, and what they had
    fetched of the account is kept unless the connection changed.

    Parameters
    ----------
    settings : Settings, optional
        Settings to start from (``leadsq.configure(saved)`` puts saved ones back);
        default the current ones.
    **changes
        Settings to change. ``paths`` is merged into the current paths:
        ``configure(paths={"not_contacted": "/Leads/LeadsNotContacted"})`` sets that one.

    Examples
    --------
    >>> import leadsq
    >>> leadsq.configure(host="us11", rate_limit=(10, 5))  # doctest: +SKIP
    """
    if settings is not None and not isinstance(settings, Settings):
        raise ConfigurationError(
            f"configure() takes settings by name (host=..., rate_limit=...), or a "
            f"leadsq.Settings first; got {settings!r}"
        )
    settings = _changed(settings or current_settings(), changes)
    with _lock:
        if not _default:
            _default.append(Client(settings=settings))
        for client in [*_default, *_named.values()]:
            client._follow(settings)
    return settings


def client_for(
    client: Client | None = None,
    host: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    analytics_url: str | None = None,
) -> Client:
    """The client a function called with these keywords uses.

    ``client`` when given; the default client when no connection keyword is; else a
    client of the default settings for those keywords, kept for the session (so its
    transport and the account's metadata serve every read naming them).

    Raises
    ------
    QueryError
        For ``client=`` together with connection keywords.
    """
    access_key, secret_key = masked(access_key), masked(secret_key)  # no plain key in locals
    given = (host, access_key, secret_key, analytics_url)
    if client is not None:
        if any(value is not None for value in given):
            raise QueryError(
                "pass either client= or host=/access_key=/secret_key=/analytics_url=, not both"
            )
        return client
    if all(value is None for value in given):
        return _default_client()
    keys = key_digest(access_key or "", secret_key or "")
    name = (host, keys if access_key or secret_key else None, analytics_url)
    with _lock:
        known = _named.get(name)
        if known is None or known._closed:
            known = _named[name] = Client(*given, settings=current_settings())
        return known


def connection_for(
    host: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    analytics_url: str | None = None,
) -> Connection:
    """The connection of :func:`client_for` these keywords (its client's, resolved)."""
    return client_for(None, host, access_key, secret_key, analytics_url).connection


def clients_of_account(account: str) -> Iterator[Client]:
    """The open clients, default first, that read ``account`` (a fingerprint,
    :attr:`Connection.account`) now: made for it, and still resolving to it."""
    for client in dict.fromkeys([*_default, *_named.values(), *list(_live)]):
        if client._closed or client._connection is None or client._connection.account != account:
            continue  # never read it
        try:
            if client.connection.account == account:  # the environment may have changed
                yield client
        except ConfigurationError:
            continue


@atexit.register
def _close_all() -> None:
    for client in list(_live):
        client.close()
