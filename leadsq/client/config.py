"""Settings, hosts and credentials, resolved in one documented order.

Each setting is taken from the first of these places that has it:

1. the arguments of the call (``host=``, ``access_key=``, ``secret_key=``, ...);
2. the in-process settings object, :data:`leadsq.settings` (``leadsq.configure(...)``);
3. the environment: ``LSQ_HOST``, ``LSQ_ACCESS_KEY``, ``LSQ_SECRET_KEY``,
   ``LSQ_ANALYTICS_URL``;
4. the config file: ``$LSQ_CONFIG``, else ``~/.config/leadsq/config.ini``, section
   ``[leadsq]`` (keys ``host``, ``access_key``, ``secret_key``, ``analytics_url``).

``host`` takes a region code (``us11``, ``in21``, ``in22``, ``ir31``, ``ca12``, ``me61``,
``sg``), a host name (``api-us11.leadsquared.com``) or a base URL (``https://...``,
``http://127.0.0.1:8765``); ``"auto"`` to ask ``UserByAccessKey.Get`` which host serves
the keys' account (once per key pair, :func:`leadsq.client.account.discover_host`); or
``"sandbox"`` for a process-wide sandbox started on demand. Nothing configured is an error naming every place looked; there is never a
silent fallback to fake data.
"""

from __future__ import annotations

import atexit
import configparser
import dataclasses
import os
import stat
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadsq.client.limits.stores import check_store
from leadsq.contract import (
    ENDPOINT_PATHS,
    EXCEPTION_TYPES,
    INPUT_ERROR_TYPES,
    METADATA_PATHS,
    did_you_mean,
)
from leadsq.errors import ConfigurationError

__all__ = [
    "MIN_KEY_LENGTH",
    "REGIONS",
    "Connection",
    "Secret",
    "Settings",
    "checked_key",
    "configure",
    "masked",
    "resolve_connection",
    "settings",
    "zone_named",
]

REGIONS: dict[str, str] = {
    "sg": "api.leadsquared.com",
    "us11": "api-us11.leadsquared.com",
    "in21": "api-in21.leadsquared.com",
    "in22": "api-in22.leadsquared.com",
    "ir31": "api-ir31.leadsquared.com",
    "ca12": "api-ca12.leadsquared.com",
    "me61": "api-me61.leadsquared.com",
}
DEFAULT_HOST = REGIONS["sg"]
ENVIRONMENT = {
    "host": "LSQ_HOST",
    "access_key": "LSQ_ACCESS_KEY",
    "secret_key": "LSQ_SECRET_KEY",
    "analytics_url": "LSQ_ANALYTICS_URL",
}
SANDBOX = "sandbox"
AUTO = "auto"
AUTH_FORMS = ("auto", "headers", "query")
MIN_KEY_LENGTH = 8
"""Shorter keys are refused: no real key is, and masking one would mask parts of words."""


class _Unset:
    """Sentinel: a setting that was not given, as opposed to one given as ``None``."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass
class Settings:
    """Process-wide settings; the module-level :data:`settings` is the one in use.

    Every point the contract marks [ours] or [seen] is a setting here, because the
    real service may differ from the sandbox.

    Attributes
    ----------
    host, access_key, secret_key, analytics_url : str or None
        Connection defaults (step 2 of the resolution order); ``host="auto"`` finds the
        account's host from the keys.
    discovery_host : str
        Where ``host="auto"`` asks ``UserByAccessKey.Get`` (any regional host answers
        it). Default ``api.leadsquared.com``.
    rate_limit : tuple of (int, float)
        Calls allowed per window of seconds, shared by every call with the same access
        key through ``rate_limit_store``. Default ``(25, 5.0)``, the Enterprise plan's
        limit.
    rate_limit_store : str
        Where the limit of each access key is kept, so that every process using the
        key shares it (see :mod:`leadsq.client.limits.stores`): ``"file"`` (default: a file
        per key in the user's cache directory, shared by the machine's processes),
        ``"file:<directory>"``, ``"redis://host:port/db"`` (shared by every machine
        reaching that server; ``pip install leadsq[redis]``) or ``"memory"`` (this
        process only). Keys are kept under a hash, never in the clear.
    daily_budget : int or None
        Most calls a UTC day per access key, counted in ``rate_limit_store``; a read
        that would cross it stops at a page boundary with
        :class:`~leadsq.errors.BudgetExceededError`. Default ``None``: no budget (the
        plan's own daily cap still applies).
    rate_limit_margin : float
        Seconds added to the client's window: no two calls a window's calls apart go
        out less than window + margin apart, so calls that reach the service at
        different speeds still arrive inside its limit. Default 0.05: calls sent
        together reach a service some milliseconds apart; raise it where they spread
        more (429 retries in the ``leadsq`` INFO log say so).
    timeout : tuple of (float, float)
        Connect and read timeouts in seconds.
    max_retries : int
        Attempts after the first for 5xx answers without an input-error type and
        transport errors.
    max_retry_seconds : float
        Give up retrying one call after this long. Rate-limit answers are retried
        until then, however many: the limit is waited for, not counted as a failure.
    backoff : tuple of (float, float)
        First and largest wait between retries in seconds (exponential, with jitter).
        A ``Retry-After`` longer than what is left of ``max_retry_seconds`` is not
        waited: the error is raised at once, saying when to try again.
    call_deadline : float
        Seconds one request may take in all, from sending to the answer's last byte
        (default 120); ``timeout`` bounds each socket operation only, so a server
        trickling bytes would otherwise hold a call for ever.
    read_deadline : float or None
        Seconds a whole read may take, every page and retry (default 3600); ``None``:
        no bound. A read past it fails with the rows that had arrived.
    max_answer_bytes : int
        Largest answer read, decompressed (default 64 MiB, a page of 10,000 wide rows
        is about 20 MB): answers are read as a stream, and one growing past this (a
        gzip bomb, an endless answer) is dropped with an error.
    workers : int or None
        Concurrent page requests in one read, all under the shared rate limiter.
        ``None`` (default): the rate limit's calls per window (at most 32), so a whole
        window's calls are in flight at once and round trips hide behind the limit.
    page_size : int or None
        Page size of a read that names none. ``None`` (default): the endpoint's page cap
        where a refusal has told it (:mod:`leadsq.client.learnt`), else 10,000, the page a
        public production job reads with: a service that refuses it names its cap, and
        the read goes on at the cap (one call spent). A size over a known cap is lowered
        to the cap, with a warning.
    auth : {"auto", "headers", "query"}
        Where the keys go: ``x-LSQ-AccessKey``/``x-LSQ-SecretKey`` headers (the vendor's
        general advice; keeps keys out of URLs and logs) or the query string (every
        public analytics call; ``$`` in keys is percent-encoded). ``"auto"`` (default):
        headers, and on a 401 the query string once; what worked is remembered per host.
    paths : dict
        Path per endpoint (``distribution``, ``not_contacted``, ``lead_fields``,
        ``activity_types``, ``users``, ``account``). ``not_contacted`` is ``None`` by
        default: the first read tries ``leadsq.contract.ENDPOINT_PATHS["not_contacted"]``
        in order, on 404s, and remembers per host the one that answered. A path set
        here is used as is. ``configure(paths={...})`` changes only the names given.
    rate_limit_exception : str
        The ``ExceptionType`` that marks a rate-limit answer, whatever its HTTP status
        (so do the rate limit's words, ``API calls exceeded the limit of N in M
        second(s)``). A limit of a day is not retried: :class:`~leadsq.DailyLimitError`.
    input_error_types : tuple of str
        ``ExceptionType`` values of the caller's mistakes: raised at once as
        :class:`~leadsq.BadRequestError`, whatever the status (the real service answers
        them 500), never retried. Default ``leadsq.contract.INPUT_ERROR_TYPES``.
    repair_drift : bool
        Read a list again by ``ProspectAutoId`` keyset when its total changed during the
        read (relies on rows ordered by ``ProspectAutoId``, the sandbox's rule [ours]).
    time_zone : str
        Whose calendar relative windows (``"last month"``) and date-only bounds
        (``"2026-03-01"``) follow: ``"UTC"`` (default), an IANA name such as
        ``"Asia/Kolkata"``, or ``"account"``, the account's ``TimeZone`` (asked of
        ``UserByAccessKey.Get`` once per connection). Requests speak UTC either way.
    cache : bool, float or str
        The read cache (:mod:`leadsq.client.cache`): ``False`` (default) off; ``True`` one
        hour; seconds, or a duration such as ``"30m"`` or ``"1h"``, to live.
    cache_dir : str or None
        Where the read cache lives; ``None``: the user's cache directory.
    cache_max_bytes : int
        The read cache's bound on disk; the oldest answers go first. Default 1 GiB.
    """

    host: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    analytics_url: str | None = None
    discovery_host: str = DEFAULT_HOST
    rate_limit: tuple[int, float] = (25, 5.0)
    rate_limit_margin: float = 0.05
    rate_limit_store: str = "file"
    daily_budget: int | None = None
    timeout: tuple[float, float] = (5.0, 60.0)
    max_retries: int = 8
    max_retry_seconds: float = 120.0
    backoff: tuple[float, float] = (0.25, 8.0)
    call_deadline: float = 120.0
    read_deadline: float | None = 3600.0
    max_answer_bytes: int = 64 << 20
    workers: int | None = None
    page_size: int | None = None
    auth: str = AUTO
    paths: dict[str, str | None] = field(
        default_factory=lambda: {
            "distribution": ENDPOINT_PATHS["distribution"][0],
            "not_contacted": None,
            **METADATA_PATHS,
        }
    )
    rate_limit_exception: str = EXCEPTION_TYPES[429]
    input_error_types: tuple[str, ...] = INPUT_ERROR_TYPES
    repair_drift: bool = True
    time_zone: str = "UTC"
    cache: bool | float | str = False
    cache_dir: str | None = None
    cache_max_bytes: int = 1 << 30

    def __post_init__(self) -> None:
        _check_settings(self)

    @property
    def read_workers(self) -> int:
        """Concurrent page requests in one read: ``workers``, else the limit's calls
        per window, at most 32."""
        if self.workers is not None:
            return self.workers
        return min(int(self.rate_limit[0]), 32)


def _check_settings(value: Settings) -> None:
    calls, window = value.rate_limit
    if int(calls) != calls or calls < 1 or not window > 0:
        raise ConfigurationError(
            f"rate_limit must be (calls >= 1, window seconds > 0); got {value.rate_limit!r}"
        )
    if value.auth not in AUTH_FORMS:
        raise ConfigurationError(
            f"auth must be one of {', '.join(map(repr, AUTH_FORMS))}; got {value.auth!r}"
        )
    if not value.rate_limit_margin >= 0:
        raise ConfigurationError(
            f"rate_limit_margin must be seconds >= 0; got {value.rate_limit_margin!r}"
        )
    for name in ("workers", "page_size"):
        number = getattr(value, name)
        if number is not None and (
            isinstance(number, bool) or not isinstance(number, int) or number < 1
        ):
            raise ConfigurationError(f"{name} must be a whole number >= 1 or None; got {number!r}")
    check_store(value.rate_limit_store)
    budget = value.daily_budget
    if budget is not None and (
        isinstance(budget, bool) or not isinstance(budget, int) or budget < 1
    ):
        raise ConfigurationError(
            f"daily_budget must be a whole number >= 1 or None; got {budget!r}"
        )
    if value.max_retries < 0:
        raise ConfigurationError(f"max_retries must be >= 0; got {value.max_retries!r}")
    for name in ("call_deadline", "read_deadline"):
        seconds = getattr(value, name)
        if (seconds is not None or name == "call_deadline") and not (
            isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0
        ):
            raise ConfigurationError(f"{name} must be seconds > 0; got {seconds!r}")
    if (
        isinstance(value.max_answer_bytes, bool)
        or not isinstance(value.max_answer_bytes, int)
        or value.max_answer_bytes < 1
    ):
        raise ConfigurationError(
            f"max_answer_bytes must be a whole number >= 1; got {value.max_answer_bytes!r}"
        )
    if not isinstance(value.time_zone, str):
        raise ConfigurationError(f"time_zone must be a string; got {value.time_zone!r}")
    if value.time_zone.strip().lower() != "account":
        zone_named(value.time_zone)
    if isinstance(value.cache_max_bytes, bool) or not (
        isinstance(value.cache_max_bytes, int) and value.cache_max_bytes >= 0
    ):
        raise ConfigurationError(
            f"cache_max_bytes must be a whole number >= 0; got {value.cache_max_bytes!r}"
        )
    from leadsq.client.cache import parse_ttl  # the cache owns what a time to live may be

    parse_ttl(value.cache)
    missing = {"distribution", "not_contacted", *METADATA_PATHS} - set(value.paths)
    if missing:
        raise ConfigurationError(f"paths lacks {', '.join(sorted(missing))}")
    unset = sorted(name for name, path in value.paths.items() if path is None)
    if set(unset) - set(ENDPOINT_PATHS):
        raise ConfigurationError(
            f"paths: only {', '.join(ENDPOINT_PATHS)} may be None (found on first use); "
            f"got None for {', '.join(set(unset) - set(ENDPOINT_PATHS))}"
        )


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``"UTC"``, ``"Asia/Kolkata"``).

    Raises
    ------
    ConfigurationError
        When there is no such zone.
    """
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"time_zone {name!r} is not a time zone: use 'UTC', 'account' or an IANA name "
            "such as 'Asia/Kolkata'"
        ) from None


settings = Settings()
_settings_lock = threading.Lock()


def configure(**changes: Any) -> Settings:
    """Change the process-wide :data:`settings`; return them.

    ``paths`` is merged into the current paths: ``configure(paths={"not_contacted":
    "/Leads/LeadsNotContacted"})`` sets that one path.

    Examples
    --------
    >>> import leadsq
    >>> leadsq.configure(host="us11", rate_limit=(10, 5))  # doctest: +SKIP
    """
    global settings
    names = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise ConfigurationError(
            f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
        )
    with _settings_lock:
        if changes.get("paths") is not None:
            changes["paths"] = {**settings.paths, **changes["paths"]}
        settings = dataclasses.replace(settings, **changes)
    return settings


class Secret(str):
    """A key: a string everywhere it is used, masked wherever it is shown by ``repr``
    (a traceback's locals, ``pytest -l``, Sentry, a debugger's variables)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('***')"


def masked(value: str | None) -> str | None:
    """``value`` as a :class:`Secret` (unchecked), or ``None``."""
    return None if value is None else Secret(value)


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
    they are checked and stripped by :func:`checked_key` when a connection is made)."""

    api_url: str
    analytics_url: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    settings: Settings = field(repr=False, compare=False)

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
        Its failure is the caller's to show, with what it can do without the answer."""
        hasty = dataclasses.replace(
            self.settings,
            max_retries=0,
            max_retry_seconds=0.0,
            timeout=(3.0, 10.0),
            call_deadline=10.0,
        )
        return dataclasses.replace(self, settings=hasty)


def base_url(host: str) -> str:
    """Turn a region code, host name or base URL into a base URL without a trailing slash.

    Raises
    ------
    ConfigurationError
        If ``host`` is none of those.
    """
    text = host.strip()
    if text.lower() in REGIONS:
        return f"https://{REGIONS[text.lower()]}"
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(f"host {host!r} is not an http(s) URL")
        return text.rstrip("/")
    hint = did_you_mean(text, REGIONS) if "." not in text else ""
    if hint:  # a bare name close to a region code is a typo, not a host of the network
        raise ConfigurationError(f"host {host!r} is not a region code ({', '.join(REGIONS)}){hint}")
    if text and all(part and part.replace("-", "").isalnum() for part in text.split(".")):
        return f"https://{text}"
    raise ConfigurationError(
        f"host {host!r} is not a region code ({', '.join(REGIONS)}), a host name or a base URL"
    )


_sandbox: Any = None


def shared_sandbox() -> Any:
    """The process-wide sandbox behind ``host="sandbox"``, started on first use."""
    global _sandbox
    with _settings_lock:
        if _sandbox is None:
            from leadsq.sandbox import Sandbox

            _sandbox = Sandbox()
            _sandbox.start()
            atexit.register(_close_shared_sandbox)
        return _sandbox


def _close_shared_sandbox() -> None:
    """Stop the shared sandbox and close its database before the interpreter goes."""
    global _sandbox
    if _sandbox is not None:
        _sandbox.stop()
        _sandbox.store.close()
        _sandbox = None


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
) -> Connection:
    """Resolve host, analytics base and keys in the documented order.

    Parameters
    ----------
    host, access_key, secret_key, analytics_url : str, optional
        Explicit values; each wins over every other place.

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
    current = settings
    path = _config_file()
    places = [
        {
            "host": host,
            "access_key": access_key,
            "secret_key": secret_key,
            "analytics_url": analytics_url,
        },
        {name: getattr(current, name) for name in ENVIRONMENT},
        {name: os.environ.get(variable) for name, variable in ENVIRONMENT.items()},
        _from_file(path),
    ]
    chosen = {name: next((p[name] for p in places if p.get(name)), None) for name in ENVIRONMENT}
    chosen.update(access_key=masked(chosen["access_key"]), secret_key=masked(chosen["secret_key"]))
    if chosen["host"] and chosen["host"].strip().lower() == SANDBOX:
        box = shared_sandbox()
        chosen.update(host=box.url, access_key=box.access_key, secret_key=box.secret_key)
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

        api_url = account_for(access, secret).api_url
    else:
        api_url = base_url(host)
    analytics = base_url(chosen["analytics_url"]) if chosen["analytics_url"] else api_url
    return Connection(
        api_url=api_url,
        analytics_url=analytics,
        access_key=access,
        secret_key=secret,
        settings=current,
    )
