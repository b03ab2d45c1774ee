"""Settings: how a client calls the service (limits, retries, timeouts, paths, caching).

Each :class:`~leadsq.Client` holds one frozen :class:`Settings`. Connection defaults
(``host``, keys) are settings too; where the connection comes from when they are not set
is :mod:`leadsq.client.connection`'s rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadsq.client.hosts import DEFAULT_HOST
from leadsq.client.limits.stores import check_store
from leadsq.contract import (
    ENDPOINT_PATHS,
    EXCEPTION_TYPES,
    INPUT_ERROR_TYPES,
    METADATA_PATHS,
)
from leadsq.errors import ConfigurationError

__all__ = ["AUTH_FORMS", "AUTO", "UNSET", "Settings", "zone_named"]

AUTO = "auto"
AUTH_FORMS = ("auto", "headers", "query")


class _Unset:
    """Sentinel: a setting that was not given, as opposed to one given as ``None``."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Settings:
    """How a :class:`~leadsq.Client` calls the service: frozen, so a client's settings
    never change under it. ``leadsq.settings`` is the default client's; ``leadsq.configure``
    gives that client new ones, and ``dataclasses.replace`` (or ``Client(**changes)``) makes
    others.

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
    paths: Mapping[str, str | None] = field(
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
        object.__setattr__(self, "paths", MappingProxyType(dict(self.paths)))  # read-only too
        object.__setattr__(self, "input_error_types", tuple(self.input_error_types))

    @property
    def read_workers(self) -> int:
        """Concurrent page requests in one read: ``workers``, else the limit's calls
        per window, at most 32."""
        if self.workers is not None:
            return self.workers
        return min(int(self.rate_limit[0]), 32)


def _real(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pair(value: Any, first: Callable[[Any], bool], second: Callable[[Any], bool]) -> bool:
    return (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and first(value[0])
        and second(value[1])
    )


def _text_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {  # setting: (check, what it must be)
    "host": (_text_or_none, "a string or None"),
    "access_key": (_text_or_none, "a string or None"),
    "secret_key": (_text_or_none, "a string or None"),
    "analytics_url": (_text_or_none, "a string or None"),
    "discovery_host": (lambda v: isinstance(v, str) and bool(v.strip()), "a host"),
    "rate_limit": (
        lambda v: _pair(v, lambda c: _whole(c) and c >= 1, lambda w: _real(w) and w > 0),
        "(calls >= 1, window seconds > 0)",
    ),
    "rate_limit_margin": (lambda v: _real(v) and v >= 0, "seconds >= 0"),
    "rate_limit_store": (lambda v: isinstance(v, str), "a store (a string)"),
    "daily_budget": (lambda v: v is None or (_whole(v) and v >= 1), "a whole number >= 1 or None"),
    "timeout": (
        lambda v: _pair(v, lambda s: _real(s) and s > 0, lambda s: _real(s) and s > 0),
        "(connect seconds > 0, read seconds > 0)",
    ),
    "max_retries": (lambda v: _whole(v) and v >= 0, "a whole number >= 0"),
    "max_retry_seconds": (lambda v: _real(v) and v >= 0, "seconds >= 0"),
    "backoff": (
        lambda v: (
            _pair(v, lambda s: _real(s) and s >= 0, lambda s: _real(s) and s >= 0) and v[0] <= v[1]
        ),
        "(first seconds >= 0, largest seconds >= first)",
    ),
    "call_deadline": (lambda v: _real(v) and v > 0, "seconds > 0"),
    "read_deadline": (lambda v: v is None or (_real(v) and v > 0), "seconds > 0 or None"),
    "max_answer_bytes": (lambda v: _whole(v) and v >= 1, "a whole number >= 1"),
    "workers": (lambda v: v is None or (_whole(v) and v >= 1), "a whole number >= 1 or None"),
    "page_size": (lambda v: v is None or (_whole(v) and v >= 1), "a whole number >= 1 or None"),
    "auth": (lambda v: v in AUTH_FORMS, f"one of {', '.join(map(repr, AUTH_FORMS))}"),
    "paths": (
        lambda v: (
            isinstance(v, Mapping)
            and all(isinstance(k, str) and _text_or_none(p) for k, p in v.items())
        ),
        "a mapping of endpoint names to paths (or None)",
    ),
    "rate_limit_exception": (lambda v: isinstance(v, str) and bool(v), "an ExceptionType name"),
    "input_error_types": (
        lambda v: isinstance(v, (tuple, list)) and all(isinstance(i, str) for i in v),
        "a tuple of ExceptionType names",
    ),
    "repair_drift": (lambda v: isinstance(v, bool), "True or False"),
    "time_zone": (lambda v: isinstance(v, str), "'UTC', 'account' or an IANA zone name"),
    "cache_dir": (_text_or_none, "a directory (a string) or None"),
    "cache_max_bytes": (lambda v: _whole(v) and v >= 0, "a whole number >= 0"),
}
"""What each setting may be; the one owner of the settings' rules."""


def _check_settings(value: Settings) -> None:
    for name, (fits, wanted) in _RULES.items():
        given = getattr(value, name)
        if not fits(given):
            shown = "***" if name.endswith("_key") else repr(given)
            raise ConfigurationError(f"{name} must be {wanted}; got {shown}")
    check_store(value.rate_limit_store)
    if value.time_zone.strip().lower() != "account":
        zone_named(value.time_zone)
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
