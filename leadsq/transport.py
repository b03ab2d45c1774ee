"""HTTP to the service: one session per connection, a shared rate limiter, retries.

Every call goes through :meth:`Transport.call`, which

1. waits for a slot in the sliding-window rate limiter shared by every call with the
   same access key in this process (`pyrate-limiter`_);
2. sends the request on a keep-alive :class:`requests.Session` with timeouts;
3. turns the answer into bytes or an :class:`~leadsq.errors.APIError`; the rate-limit
   body counts as a 429 whatever its HTTP status;
4. retries 429s, 5xx answers and transport failures (refused, dropped, timed out or
   cut-off answers) with bounded exponential backoff and jitter (`tenacity`_),
   honouring ``Retry-After``. Each retry waits for the rate limiter again, so retries
   never push the process over the limit.

Keys travel in headers by default and are redacted from every message and log line.

.. _pyrate-limiter: https://pypi.org/project/pyrate-limiter/
.. _tenacity: https://pypi.org/project/tenacity/
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from pyrate_limiter import Limiter, Rate
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from leadsq.config import Connection
from leadsq.errors import (
    RateLimitError,
    ServerError,
    TransportError,
    error_for_status,
)

__all__ = ["Answer", "Transport", "transport_for"]

log = logging.getLogger("leadsq")

RETRYABLE = (RateLimitError, ServerError, TransportError)
_KEY_PARAMETER = re.compile(r"((?:access|secret)Key=)[^&\s\"']+", re.IGNORECASE)


class _RedactKeysInURLs(logging.Filter):
    """Masks ``accessKey=``/``secretKey=`` query values in urllib3's debug lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = _KEY_PARAMETER.sub(r"\1***", str(record.msg))
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactKeysInURLs())


@dataclass(frozen=True)
class Answer:
    """A successful answer: its bytes, content type and the request's duration."""

    content: bytes
    content_type: str
    seconds: float


class _SharedLimit:
    """The limiter of one access key and limit, and the turn to wait in it.

    One caller at a time waits in the limiter: when a slot frees, pyrate-limiter wakes
    every waiter, and each dates its slot by the sleeps it asked for, not by the clock.
    A crowd of waiters on a busy interpreter so spreads a window's calls out and dates
    them early (the next window then starts early by as much, eating the margin).
    """

    def __init__(self, calls: int, window: float, margin: float) -> None:
        # the margin widens the window itself: no two calls a window's calls apart
        # go out less than window + margin apart (a sleep's buffer would not ensure it)
        self._limiter = Limiter(Rate(calls, round((window + margin) * 1000)), buffer_ms=1)
        self._turn = threading.Lock()

    def acquire(self) -> None:
        """Wait until a call may go out, and count it."""
        with self._turn:
            self._limiter.try_acquire("calls")  # one limiter per key: one name will do


_limits: dict[tuple[str, int, float, float], _SharedLimit] = {}
_limits_lock = threading.Lock()


def _limit_for(access_key: str, rate_limit: tuple[int, float], margin: float) -> _SharedLimit:
    """One limit per access key and limit, shared by the whole process."""
    digest = hashlib.sha256(access_key.encode()).hexdigest()
    calls, window = rate_limit
    with _limits_lock:
        key = (digest, int(calls), float(window), float(margin))
        if key not in _limits:
            _limits[key] = _SharedLimit(int(calls), float(window), float(margin))
        return _limits[key]


class Transport:
    """Calls the service for one :class:`~leadsq.config.Connection`.

    Parameters
    ----------
    connection : Connection
        Base URLs, keys and settings.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        settings = connection.settings
        self._settings = settings
        self._limit = _limit_for(
            connection.access_key, settings.rate_limit, settings.rate_limit_margin
        )
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(4, settings.read_workers * 2))
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["Accept-Encoding"] = "gzip"
        self._secrets = tuple(k for k in (connection.access_key, connection.secret_key) if k)

    def __repr__(self) -> str:
        return f"Transport({self.connection.analytics_url!r})"

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()

    def url(self, name: str) -> str:
        """The full URL of endpoint ``name`` (a key of ``Settings.paths``)."""
        base = self.connection.analytics_url
        if name not in ("distribution", "not_contacted"):
            base = self.connection.api_url
        return base + self._settings.paths[name]

    def call(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        response_format: str = "JSON",
    ) -> Answer:
        """Send one request (POST with ``body``, else GET), retrying as documented.

        Raises
        ------
        APIError
            A subclass per failure, carrying the server's ``ExceptionType`` and
            ``ExceptionMessage``; retryable failures only after the retries ran out.
        """
        settings = self._settings
        first, largest = settings.backoff
        retrying = Retrying(
            retry=retry_if_exception_type(RETRYABLE),
            stop=stop_after_attempt(settings.max_retries + 1)
            | stop_after_delay(settings.max_retry_seconds),
            wait=_RetryAfterOr(wait_random_exponential(multiplier=first, max=largest)),
            before_sleep=self._log_retry,
            reraise=True,
        )
        return retrying(self._call_once, name, body, response_format)

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.info("retrying after attempt %d: %s", state.attempt_number, error)

    def _call_once(self, name: str, body: dict[str, Any] | None, response_format: str) -> Answer:
        url = self.url(name)
        params = {"responseformat": response_format} if body is not None else {}
        headers = {}
        if self._settings.auth == "headers":
            headers["x-LSQ-AccessKey"] = self.connection.access_key
            headers["x-LSQ-SecretKey"] = self.connection.secret_key
        else:
            params.update(
                accessKey=self.connection.access_key, secretKey=self.connection.secret_key
            )
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self._limit.acquire()
        started = time.perf_counter()
        try:
            response = self._session.request(
                "POST" if body is not None else "GET",
                url,
                params=params,
                data=data,
                headers=headers,
                timeout=self._settings.timeout,
            )
            content = response.content
        except requests.RequestException as exc:
            raise TransportError(
                f"{self._where(name)}: no usable answer ({type(exc).__name__}: {self.redact(str(exc))})"
            ) from None
        seconds = time.perf_counter() - started
        log.debug(
            "%s -> %s in %.3f s, %d bytes",
            self._where(name),
            response.status_code,
            seconds,
            len(content),
        )
        self._raise_for_error(name, response, content)
        return Answer(content, response.headers.get("Content-Type", ""), seconds)

    def _where(self, name: str) -> str:
        return f"{name} ({self._settings.paths[name]})"

    def redact(self, text: str) -> str:
        """``text`` with this connection's keys masked."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _KEY_PARAMETER.sub(r"\1***", text)

    def _raise_for_error(self, name: str, response: requests.Response, content: bytes) -> None:
        status = response.status_code
        error = _error_body(content) if status >= 400 or b"ExceptionType" in content[:512] else None
        rate_limited = (
            error is not None and error.get("ExceptionType") == self._settings.rate_limit_exception
        )
        if status < 400 and not rate_limited:
            return
        exception_type = error.get("ExceptionType") if error else None
        exception_message = self.redact(str(error.get("ExceptionMessage"))) if error else None
        kind = RateLimitError if rate_limited or status == 429 else error_for_status(status)
        detail = (
            exception_message
            or self.redact(content[:200].decode("utf-8", "replace"))
            or response.reason
        )
        exc = kind(
            f"{self._where(name)} answered {status}: {detail}",
            status=status,
            exception_type=exception_type,
            exception_message=exception_message,
        )
        exc.retry_after = _retry_after(response.headers.get("Retry-After"))  # type: ignore[attr-defined]
        raise exc


def _error_body(content: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(content)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "ExceptionType" in value else None


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class _RetryAfterOr:
    """Wait what ``Retry-After`` asks for when the server sent it, else the fallback."""

    def __init__(self, fallback: Any) -> None:
        self.fallback = fallback

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None)
        fallback = self.fallback(state)
        return max(asked, fallback) if asked is not None else fallback


_transports: dict[tuple[Connection, int], Transport] = {}
_transports_lock = threading.Lock()


def transport_for(connection: Connection) -> Transport:
    """The process's transport for ``connection`` (keep-alive sessions are reused)."""
    with _transports_lock:
        key = (connection, id(connection.settings))
        transport = _transports.get(key)
        if transport is None:
            transport = _transports[key] = Transport(connection)
        return transport
