"""Every setting of the sandbox, as small frozen value objects.

:class:`SandboxSettings` holds them all; :class:`Faults` and :class:`Churn` group the
settings of injected faults and of data changing while the server runs. Each is checked
when it is made, so a bad value fails at once with a ``ValueError`` that names it.

The demo keys are fixed and documented: they guard nothing but a local server filled
with made-up data, and a fixed pair lets notebooks and docs name them.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timezone
from typing import Any

from leadsq.contract import DATE_FORMAT, ENDPOINT_PATHS
from leadsq.sandbox.catalog import ACTIVITY_TYPE_NAMES

__all__ = [
    "DEMO_ACCESS_KEY",
    "DEMO_SECRET_KEY",
    "Churn",
    "Faults",
    "SandboxSettings",
    "parse_anchor",
]

USERS_SHAPES = ("documented", "legacy")
"""``Users.Get`` shapes: the vendor's documented one, or the sandbox's first one."""

DEMO_ACCESS_KEY = "u$sandbox-demo-access-key"
"""The sandbox's default access key."""

DEMO_SECRET_KEY = "sandbox-demo-secret-key"
"""The sandbox's default secret key (a demo value: it protects made-up data only)."""

_PRINTABLE = re.compile(r"[!-~]+")  # printable ASCII, no spaces
NOT_CONTACTED = ENDPOINT_PATHS["not_contacted"]


def _check_share(owner: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{owner}.{name} must be a number between 0 and 1, got {value!r}")
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{owner}.{name} must be between 0 and 1, got {value!r}")
    return number


def _check_number(name: str, value: object, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum:g}, got {value!r}")
    return number


def _check_int(name: str, value: object, *, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and <= {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be >= {minimum}{upper}, got {value!r}")
    return value


def _check_choice(
    name: str, value: object, choices: tuple[Any, ...], *, booleans: bool = False
) -> None:
    if isinstance(value, bool) != booleans or value not in choices:
        expected = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {expected}; got {value!r}")


def _check_time_zone(value: object) -> None:
    try:
        if not isinstance(value, str):
            raise ValueError
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ValueError(
            f"time_zone must be an IANA time zone such as Asia/Kolkata, got {value!r}"
        ) from None


@dataclass(frozen=True)
class Faults:
    """Shares of calls that the sandbox answers with an injected fault.

    Each share is a probability between 0 and 1, drawn per authenticated call from a
    random generator seeded with the sandbox's seed; the shares may not add up to more
    than 1. A faulted call still counts against the rate limit. An injected rate-limit
    answer has the body ``SandboxSettings.rate_limit_body`` says.

    Parameters
    ----------
    server_error : float
        Share answered ``500`` with the ``MXInternalServerException`` body.
    rate_limit : float
        Share answered ``429`` with the rate-limit body, whatever the real count.
    rate_limit_200 : float
        Share answered ``200`` with the rate-limit body (seen on the real service).
    rate_limit_403 : float
        Share answered ``403`` with the rate-limit body (seen on the real service).
    dropped : float
        Share whose connection is closed without any response.
    truncated : float
        Share whose response announces a ``Content-Length`` larger than what is sent
        before the connection is closed.
    """

    server_error: float = 0.0
    rate_limit: float = 0.0
    rate_limit_200: float = 0.0
    dropped: float = 0.0
    truncated: float = 0.0
    rate_limit_403: float = 0.0

    def __post_init__(self) -> None:
        for item in fields(self):
            object.__setattr__(
                self, item.name, _check_share("Faults", item.name, getattr(self, item.name))
            )
        if self.total > 1.0 + 1e-9:
            raise ValueError(f"Faults shares add up to {self.total:g}, more than 1")

    @property
    def total(self) -> float:
        """The share of calls that get any fault."""
        return sum(getattr(self, item.name) for item in fields(self))

    def __bool__(self) -> bool:
        return self.total > 0.0


@dataclass(frozen=True)
class Churn:
    """Leads created and modified per second while the sandbox runs.

    New leads get the next ``ProspectAutoId`` and ``CreatedOn`` = now, so they land at
    the end of a list ordered by ``ProspectAutoId``. A modified lead gets an outbound
    phone call (event 22) posted now: its ``ModifiedOn``, ``ProspectActivityDate_Max``,
    ``EngagementScore`` and ``Score`` change, and it stops being "not contacted".

    Parameters
    ----------
    created_per_second : float
        Leads created per second.
    modified_per_second : float
        Leads modified per second.
    """

    created_per_second: float = 0.0
    modified_per_second: float = 0.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = _check_number(f"Churn.{item.name}", getattr(self, item.name))
            object.__setattr__(self, item.name, value)

    def __bool__(self) -> bool:
        return self.created_per_second > 0 or self.modified_per_second > 0


def parse_anchor(value: datetime | date | str | None) -> datetime:
    """Turn an anchor setting into a naive UTC datetime (whole seconds).

    ``None`` is today at midnight UTC; a ``date`` is its midnight; a string is
    ``yyyy-MM-dd`` or ``yyyy-MM-dd HH:mm:ss``; an aware datetime is converted to UTC.
    """
    if value is None:
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.replace(microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        for pattern in (DATE_FORMAT, "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.strptime(text, pattern)
            except ValueError:
                continue
        raise ValueError(f"anchor must look like 2026-11-01 or 2026-11-01 12:00:00, got {value!r}")
    raise ValueError(f"anchor must be a datetime, a date or a string, got {value!r}")


def _coerce(kind: type, name: str, value: object) -> Any:
    if isinstance(value, kind):
        return value
    if isinstance(value, Mapping):
        try:
            return kind(**value)
        except TypeError as exc:
            raise ValueError(f"{name}: {exc}") from None
    raise ValueError(f"{name} must be a {kind.__name__} or a mapping, got {value!r}")


@dataclass(frozen=True)
class SandboxSettings:
    """All settings of a sandbox: data, keys, network, limits, latency, faults, churn.

    Parameters
    ----------
    seed : int
        Seed of the generated data and of the injected faults; the same seed, sizes and
        anchor give the same data.
    leads : int
        Number of generated leads (default 20,000).
    users : int
        Number of users (default 25). The first seven carry the user ids that appear on
        the vendor's example requests.
    anchor : datetime, date or str, optional
        The sandbox's "today": every generated date lies before it. Default: today at
        midnight UTC. Tests pin it. Stored as a naive UTC datetime.
    activity_scale : float
        Multiplies the number of activities generated per lead (default 1.0, about
        three activities per lead).
    access_key, secret_key : str
        The only keys accepted; default the documented demo pair. Neither is shown by
        ``repr``.
    header_auth : bool
        Accept the keys in the ``x-LSQ-AccessKey``/``x-LSQ-SecretKey`` headers as well as
        in the query string (default). False: headers are ignored, so a call with its keys
        in headers only is a 401, as some hosts were seen to answer.
    host : str
        Interface to listen on; loopback unless told otherwise.
    port : int
        TCP port; 0 picks a free one.
    rate_limit : tuple of (int, int), optional
        ``(calls, window_seconds)`` per access key in any sliding window (default 25 in
        5 s); ``None`` switches the limit off. The window is whole seconds.
    rate_limit_status : {429, 200, 403}
        HTTP status of an over-limit answer (default 429; the real service was also seen
        answering 200 and 403).
    rate_limit_body : {"json", "message"}
        Body of an over-limit answer: ``"json"`` (default) the error body with
        ``MXAPIRateLimitExceededException``; ``"message"`` the message alone as
        ``text/plain`` (``API calls exceeded the limit of 25 in 5 second(s)``).
    retry_after : bool
        Send ``Retry-After`` (whole seconds until a call is allowed again) with an
        over-limit answer. Off by default: the real service documents no such header.
    max_page_size : int
        Largest ``Paging.PageSize`` accepted (default 10,000, as a public production job
        reads pages). A bigger page is an input error in the real service's words:
        ``Invalid Input! Parameter Name: PageSize can not be more than 10000``.
    latency : float
        Seconds from a call's arrival to its answer (the answer leaves when its work is
        done if that takes longer): the service's round trip. The call counts against
        the limit when it arrives.
    jitter : float
        Up to this many more seconds, drawn uniformly per call.
    faults : Faults or mapping
        Shares of injected faults (none by default).
    churn : Churn or mapping
        Leads created and modified per second while running (none by default).
    max_body_bytes : int
        Largest request body accepted; larger bodies get 413 (default 1 MiB).
    workers : int
        Most requests answered at once (default 64); more wait their turn.
    max_connections : int
        Most connections open at once (default 1024). Past it, the connection that has
        waited longest for its request's head is closed to make room.
    header_timeout : float
        Seconds from a connection's accept to the end of its request's head (default
        10); a connection that takes longer is closed.
    body_timeout : float
        Seconds from the end of a request's head to the end of its answer: reading the
        body, working, the latency and writing (default 60; more than ``latency`` plus
        ``jitter``). A slower request's connection is closed.
    input_error_status : {500, 400}
        HTTP status of an input error: a well-formed body with a bad value, an unknown
        field, a page over the cap. Default 500, as the real service answers [seen]; the
        body's ``ExceptionType`` names the error (``MXInvalidDataTypeException``, ...)
        either way. A body that is not JSON or not of the documented structure is always
        400 ``MXInvalidInputException``.
    not_contacted_path : str, optional
        The only Leads Not Contacted path answered (one of
        ``ENDPOINT_PATHS["not_contacted"]``; the others are 404). Default: all of them,
        since the real one is not known.
    users_shape : {"documented", "legacy"}
        ``Users.Get`` items: ``"documented"`` (default) as the vendor documents them:
        ``ID, FirstName, LastName, EmailAddress, Role, StatusCode`` (0 active, 1
        inactive: a few users are inactive and still own leads), ``MemberOfGroups, Tag,
        IsPhoneCallAgent``; ``"legacy"``: ``UserID, FirstName, LastName, EmailAddress,
        Role, Team``. The user filter's ``LookupName`` stays ``UserID`` either way.
    account_url : str, optional
        The API host ``UserByAccessKey.Get`` names in ``LSQCommonServiceURLs.api``
        (a host name or a base URL); default the sandbox's own base URL.
    time_zone : str
        The account's time zone, ``UserByAccessKey.Get``'s ``TimeZone`` (an IANA name;
        default ``Asia/Kolkata``).
    wrong_host : bool
        Play a wrong regional host: every call but ``UserByAccessKey.Get`` (keys right)
        is a 401 whose message names ``account_url`` (required then), in the words of
        ``leadsq.contract.wrong_host_message``. Default False.
    activity_type_names : {"DisplayName", "ActivityEventName", "mixed"}
        How ``ActivityTypes.Get`` names a type: ``DisplayName`` (default), or
        ``ActivityEventName`` plus ``EventType`` as some accounts do, or ``mixed``: the
        custom types (numbered from 200) the second way, the others the first.
    daily_cap : int, optional
        Calls allowed per access key per UTC day; past it, calls get the rate-limit
        answer (``rate_limit_status``, ``rate_limit_body``) with the message
        ``API calls exceeded the limit of N in 1 day(s)``. Default None: no cap. A call
        refused by the window's limit does not count against the day.
    subsecond_times : bool
        Stored ``CreatedOn``, ``ModifiedOn`` and activity times carry milliseconds, and
        every date is answered with them (``2026-04-24 06:55:17.123``), as on the real
        service (default). Date filters compare exactly against their whole-second
        bounds: ``ToDate`` ``23:59:59`` leaves out a lead created at ``23:59:59.400``.
        False: whole seconds throughout.
    """

    seed: int = 7
    leads: int = 20_000
    users: int = 25
    anchor: datetime | date | str | None = None
    activity_scale: float = 1.0
    access_key: str = field(default=DEMO_ACCESS_KEY, repr=False)
    secret_key: str = field(default=DEMO_SECRET_KEY, repr=False)
    host: str = "127.0.0.1"
    port: int = 0
    rate_limit: tuple[int, int] | None = (25, 5)
    rate_limit_status: int = 429
    rate_limit_body: str = "json"
    header_auth: bool = True
    retry_after: bool = False
    max_page_size: int = 10_000
    latency: float = 0.0
    jitter: float = 0.0
    faults: Faults = field(default_factory=Faults)
    churn: Churn = field(default_factory=Churn)
    max_body_bytes: int = 1 << 20
    workers: int = 64
    max_connections: int = 1024
    header_timeout: float = 10.0
    body_timeout: float = 60.0
    input_error_status: int = 500
    not_contacted_path: str | None = None
    users_shape: str = "documented"
    account_url: str | None = None
    time_zone: str = "Asia/Kolkata"
    wrong_host: bool = False
    activity_type_names: str = "DisplayName"
    daily_cap: int | None = None
    subsecond_times: bool = True

    def __post_init__(self) -> None:
        def set_(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        _check_int("seed", self.seed, minimum=-(2**63), maximum=2**63 - 1)
        _check_int("leads", self.leads, minimum=0, maximum=50_000_000)
        _check_int("users", self.users, minimum=1, maximum=10_000)
        set_("anchor", parse_anchor(self.anchor))
        set_("activity_scale", _check_number("activity_scale", self.activity_scale))
        if self.activity_scale > 100:
            raise ValueError(f"activity_scale must be at most 100, got {self.activity_scale:g}")
        for name in ("access_key", "secret_key"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _PRINTABLE.fullmatch(value):
                # never echo a key: it may be a real secret pasted by mistake
                raise ValueError(f"{name} must be a non-empty string of printable ASCII")
        if not isinstance(self.host, str) or not self.host.strip():
            raise ValueError(f"host must be a non-empty string, got {self.host!r}")
        _check_int("port", self.port, minimum=0, maximum=65535)
        set_("rate_limit", self._checked_rate_limit(self.rate_limit))
        _check_choice("rate_limit_status", self.rate_limit_status, (429, 200, 403))
        _check_choice("rate_limit_body", self.rate_limit_body, ("json", "message"))
        _check_choice("header_auth", self.header_auth, (True, False), booleans=True)
        _check_int("max_page_size", self.max_page_size, minimum=1, maximum=1_000_000)
        set_("latency", _check_number("latency", self.latency))
        set_("jitter", _check_number("jitter", self.jitter))
        set_("faults", _coerce(Faults, "faults", self.faults))
        set_("churn", _coerce(Churn, "churn", self.churn))
        _check_int("max_body_bytes", self.max_body_bytes, minimum=1)
        _check_int("workers", self.workers, minimum=1, maximum=10_000)
        _check_int("max_connections", self.max_connections, minimum=1, maximum=1_000_000)
        set_("header_timeout", _check_number("header_timeout", self.header_timeout))
        set_("body_timeout", _check_number("body_timeout", self.body_timeout))
        if self.header_timeout <= 0 or self.body_timeout <= self.latency + self.jitter:
            raise ValueError(
                "header_timeout must be > 0 and body_timeout more than latency + jitter, got "
                f"{self.header_timeout:g} and {self.body_timeout:g}"
            )
        _check_choice("input_error_status", self.input_error_status, (500, 400))
        if self.not_contacted_path is not None:
            _check_choice("not_contacted_path", self.not_contacted_path, NOT_CONTACTED)
        _check_choice("users_shape", self.users_shape, USERS_SHAPES)
        if self.account_url is not None and (
            not isinstance(self.account_url, str) or not _PRINTABLE.fullmatch(self.account_url)
        ):
            raise ValueError(
                "account_url must be a host name or a base URL without spaces, "
                f"got {self.account_url!r}"
            )
        _check_time_zone(self.time_zone)
        _check_choice("wrong_host", self.wrong_host, (True, False), booleans=True)
        if self.wrong_host and self.account_url is None:
            raise ValueError("wrong_host needs account_url: the host its 401 names")
        _check_choice("activity_type_names", self.activity_type_names, ACTIVITY_TYPE_NAMES)
        if self.daily_cap is not None:
            _check_int("daily_cap", self.daily_cap, minimum=1)
        _check_choice("subsecond_times", self.subsecond_times, (True, False), booleans=True)

    @staticmethod
    def _checked_rate_limit(value: object) -> tuple[int, int] | None:
        if value is None:
            return None
        message = (
            "rate_limit must be None or (calls, window_seconds) with calls >= 1 and a "
            f"whole number of seconds >= 1, got {value!r}"
        )
        if isinstance(value, str):
            calls_text, _, window_text = value.partition("/")
            try:
                value = (int(calls_text), float(window_text))
            except ValueError:
                raise ValueError(message) from None
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ValueError(message)
        calls, window = value
        if isinstance(calls, bool) or not isinstance(calls, int) or calls < 1:
            raise ValueError(message)
        if isinstance(window, bool) or not isinstance(window, (int, float)):
            raise ValueError(message)
        if not math.isfinite(window) or window < 1 or window != int(window):
            raise ValueError(message)
        return (calls, int(window))

    def replace(self, **changes: Any) -> SandboxSettings:
        """A copy with some settings changed (checked again)."""
        return replace(self, **changes)
