"""Where and as whom a client calls: the connection, resolved in one documented order.

Each of ``host``, ``access_key``, ``secret_key`` and ``analytics_url`` is taken from the
first of these places that has it:

1. the arguments (``leadsq.Client(host=...)``, ``read_leadsquared(host=...)``, ...);
2. the client's settings (``leadsq.configure(host=...)`` for the default client);
3. the environment: ``LSQ_HOST``, ``LSQ_ACCESS_KEY``, ``LSQ_SECRET_KEY``,
   ``LSQ_ANALYTICS_URL``;
4. the config file: ``$LSQ_CONFIG``, else ``~/.config/leadsq/config.ini``, section
   ``[leadsq]`` (keys ``host``, ``access_key``, ``secret_key``, ``analytics_url``).

``host`` is a region code, host name or base URL (:mod:`leadsq.client.hosts`); ``"auto"``
asks ``UserByAccessKey.Get`` which host serves the keys' account (once per key pair,
:func:`leadsq.client.account.discover_host`); ``"sandbox"`` is the process's built-in
sandbox, started on first use. Nothing configured is an error naming every place looked;
there is never a silent fallback to fake data.
"""

from __future__ import annotations

import configparser
import os
import stat
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from leadsq.client.hosts import base_url
from leadsq.client.limits.stores import fingerprint
from leadsq.client.settings import AUTO, Settings
from leadsq.errors import ConfigurationError

if TYPE_CHECKING:
    from leadsq.client.client import Client

__all__ = [
    "MIN_KEY_LENGTH",
    "NAMED_HOSTS",
    "Connection",
    "ConnectionArguments",
    "Secret",
    "checked_key",
    "masked",
    "masked_arguments",
    "resolve_connection",
]

ENVIRONMENT = {
    "host": "LSQ_HOST",
    "access_key": "LSQ_ACCESS_KEY",
    "secret_key": "LSQ_SECRET_KEY",
    "analytics_url": "LSQ_ANALYTICS_URL",
}
MIN_KEY_LENGTH = 8
"""Shorter keys are refused: no real key is, and masking one would mask parts of words."""

NAMED_HOSTS: dict[str, Callable[[], tuple[str, str, str]]] = {}
"""Hosts known by a name, to a function giving their base URL and keys when first used:
``"sandbox"``, registered by :mod:`leadsq` (so the client does not import the sandbox)."""


class ConnectionArguments(TypedDict, total=False):
    """The connection keywords every reading function takes: ``host``, ``access_key``,
    ``secret_key``, ``analytics_url`` (see :func:`resolve_connection`)."""

    host: str | None
    access_key: str | None
    secret_key: str | None
    analytics_url: str | None


class Secret(str):
    """A key: a string everywhere it is used, masked wherever it is shown by ``repr``
    (a traceback's locals, ``pytest -l``, Sentry, a debugger's variables)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('***')"


def masked(value: str | None) -> str | None:
    """``value`` as a :class:`Secret` (unchecked), or ``None``."""
    return None if value is None else Secret(value)


def masked_arguments(arguments: Mapping[str, Any]) -> ConnectionArguments:
    """Connection keywords with their keys as :class:`Secret` (a traceback's locals, a
    debugger's variables show them masked); an unknown keyword is an error.

    Raises
    ------
    TypeError
        For a keyword that is no connection keyword, as Python raises for one a function
        does not take (with the close match).
    """
    unknown = sorted(set(arguments) - set(ConnectionArguments.__annotations__))
    if unknown:
        from leadsq.contract import did_you_mean

        hint = did_you_mean(unknown[0], ConnectionArguments.__annotations__)
        raise TypeError(f"unexpected keyword argument {unknown[0]!r}{hint}")
    return {  # type: ignore[return-value]
        name: masked(value) if name.endswith("_key") else value for name, value in arguments.items()
    }


def checked_key(name: str, value: object) -> Secret:
    """``value`` without surrounding whitespace (a key read from a file ends in a newline),
    as a :class:`Secret`.

    Raises
    ------
    ConfigurationError
        For an empty key, one holding whitespace, a control or a non-ASCII character (the
        message says which and where, never the key), or one shorter than
        :data:`MIN_KEY_LENGTH` characters.
    """
    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not text:
        raise ConfigurationError(f"{name} must be a non-empty string")
    for position, character in enumerate(text, 1):
        if " " < character < "\x7f":
            continue
        kind = (
            "whitespace"
            if character.isspace()
            else "a control character"
            if character < " " or character == "\x7f"
            else "a non-ASCII character"
        )
        raise ConfigurationError(
            f"{name} holds {kind} at character {position} of {len(text)}: keys are printable "
            "ASCII (was something pasted or read along with it?); the key is not shown"
        )
    if len(text) < MIN_KEY_LENGTH:  # no real key is; masking one would mask parts of words
        raise ConfigurationError(
            f"{name}: shorter than {MIN_KEY_LENGTH} characters, so not a LeadSquared key; "
            "copy the whole key from Settings > API and Webhooks"
        )
    return Secret(text)


@dataclass(frozen=True)
class Connection:
    """Where and as whom to call: base URLs and keys (the keys never show in a repr;
    they are checked and stripped by :func:`checked_key` when a connection is made), with
    the settings to call by and the :class:`~leadsq.Client` that calls."""

    api_url: str
    analytics_url: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    settings: Settings = field(repr=False, compare=False)
    client: Client | None = field(default=None, repr=False, compare=False)
    """The client whose transport, limits and caches serve this connection."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "access_key", checked_key("access_key", self.access_key))
        object.__setattr__(self, "secret_key", checked_key("secret_key", self.secret_key))

    @property
    def host(self) -> str:
        """The analytics base URL, for provenance."""
        return self.analytics_url

    def quick(self) -> Connection:
        """This connection for a look-up that must not keep a user waiting (owner names
        for a plot, the form's lists): one attempt, no retry, short timeouts and deadline.
        Its failure is the caller's to show, with what it can do without the answer. A
        client's quick connections share one transport.

        Raises
        ------
        ConfigurationError
            For a connection no :class:`~leadsq.Client` made (it could make no call).
        """
        if self.client is None:
            raise ConfigurationError("a Connection is made by a leadsq.Client (client.connection)")
        return self.client.quick(self)

    @property
    def account(self) -> str:
        """The account's fingerprint: a hash of the access key and the API host, never the
        key. Frames and synced tables record it, so a refresh reads the same account."""
        return fingerprint(self.access_key, self.api_url)


def _config_file() -> Path:
    return Path(os.environ.get("LSQ_CONFIG", "~/.config/leadsq/config.ini")).expanduser()


def _from_file(path: Path) -> Mapping[str, str]:
    if not path.is_file():
        return {}
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        # as libpq for ~/.pgpass: the file holds keys, so only its owner may touch it
        warnings.warn(
            f"config file {path} is open to other users (mode {stat.filemode(mode)}) and "
            f"holds keys: run chmod 600 {path}",
            UserWarning,
            stacklevel=4,
        )
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise ConfigurationError(f"config file {path} cannot be read: {exc.message}") from None
    return dict(parser["leadsq"]) if parser.has_section("leadsq") else {}


def resolve_connection(
    host: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    analytics_url: str | None = None,
    *,
    settings: Settings,
) -> Connection:
    """Resolve host, analytics base and keys in the documented order.

    Parameters
    ----------
    host, access_key, secret_key, analytics_url : str, optional
        Explicit values; each wins over every other place.
    settings : Settings
        The client's settings (step 2).

    Returns
    -------
    Connection

    Raises
    ------
    ConfigurationError
        Naming every place looked when a host or a key is missing; for a key shorter
        than :data:`MIN_KEY_LENGTH` characters.
    """
    access_key, secret_key = masked(access_key), masked(secret_key)  # no plain key in locals
    path = _config_file()
    places = [
        {
            "host": host,
            "access_key": access_key,
            "secret_key": secret_key,
            "analytics_url": analytics_url,
        },
        {name: getattr(settings, name) for name in ENVIRONMENT},
        {name: os.environ.get(variable) for name, variable in ENVIRONMENT.items()},
        _from_file(path),
    ]
    chosen = {name: next((p[name] for p in places if p.get(name)), None) for name in ENVIRONMENT}
    chosen.update(access_key=masked(chosen["access_key"]), secret_key=masked(chosen["secret_key"]))
    named = NAMED_HOSTS.get(str(chosen["host"] or "").strip().lower())
    if named is not None:  # host="sandbox": its own URL and keys
        url, access, secret = named()
        chosen.update(host=url, access_key=masked(access), secret_key=masked(secret))
    missing = [name for name in ("host", "access_key", "secret_key") if not chosen[name]]
    if missing:
        raise ConfigurationError(
            f"No {' or '.join(missing)} configured. Looked in: the arguments "
            f"(host=, access_key=, secret_key=); leadsq.settings (leadsq.configure(...)); "
            f"the environment ({', '.join(ENVIRONMENT[m] for m in missing)}); "
            f"the config file {path} (section [leadsq]). "
            'To try leadsq without an account, pass host="sandbox" (or set LSQ_HOST=sandbox) '
            "to use the built-in sandbox server."
        )
    host, access, secret = (str(chosen[name]) for name in ("host", "access_key", "secret_key"))
    if host.strip().lower() == AUTO:
        from leadsq.client.account import (
            account_for,
        )  # the account module calls through a Transport

        api_url = account_for(access, secret, settings).api_url
    else:
        api_url = base_url(host)
    analytics = base_url(chosen["analytics_url"]) if chosen["analytics_url"] else api_url
    return Connection(
        api_url=api_url,
        analytics_url=analytics,
        access_key=access,
        secret_key=secret,
        settings=settings,
    )
