"""HTTP to the service: one session per connection, a shared rate limiter, retries.

Every call goes through :meth:`Transport.call`, which

1. waits for a slot in the sliding-window rate limit shared by every call with the
   same access key, in this process and every other using the same store, and within
   the day's budget (:mod:`leadsq.client.limits`, on `pyrate-limiter`_);
2. sends the request on a keep-alive :class:`requests.Session` with timeouts, within the
   call's deadline (``call_deadline``, and the read's), its keys added to the call's
   arguments only; follows a redirect only within the origin (:mod:`leadsq.client.wire`: one to
   another host, port or scheme is refused, so the keys never leave), and reads the answer
   as a stream up to ``max_answer_bytes`` decompressed;
3. turns the answer into bytes or an :class:`~leadsq.errors.APIError`
   (:func:`leadsq.client.answers.check_answer`): a rate limit is one by its type or its words
   whatever the HTTP status, an input error is a bad request even as a 500, and a 200
   that is neither JSON nor the CSV asked (a proxy's page) a transport error;
4. retries rate limits (not a daily one), 5xx answers without an input-error type and
   transport failures (refused, dropped, timed out or cut-off answers) with bounded
   exponential backoff and jitter (`tenacity`_), honouring ``Retry-After`` unless it
   asks more than the retry budget has left (then raised at once). Each retry waits for
   the rate limiter again, so retries never push the process over the limit; a read
   stopped meanwhile (:class:`~leadsq.client.wire.Guard`) ends its waits and sends nothing more.
   A rate-limit answer slows the key's shared limit down for a while and is retried
   until ``max_retry_seconds``, however many times: waiting for the limit is no
   failure. Other failures count against ``max_retries``.

Around that, it finds out on first use what the real service leaves open, and remembers
it per host (:mod:`leadsq.client.learnt`): which Not Contacted path answers (candidates in the
contract's order, on 404s) and, with ``auth="auto"``, whether keys go in headers or, after
a 401, in the query string. Keys are redacted from every message and log line.

.. _pyrate-limiter: https://pypi.org/project/pyrate-limiter/
.. _tenacity: https://pypi.org/project/tenacity/
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    wait_random_exponential,
)

from leadsq.client.answers import check_answer
from leadsq.client.connection import Connection
from leadsq.client.learnt import learnt
from leadsq.client.limits.shared import limit_for
from leadsq.client.settings import AUTO
from leadsq.client.wire import (
    DeadlinePassed,
    Guard,
    check_format,
    install,
    read_body,
    refused_redirect,
    same_origin,
)
from leadsq.contract import ENDPOINT_PATHS
from leadsq.errors import (
    APIError,
    AuthenticationError,
    BudgetExceededError,
    ConfigurationError,
    DailyLimitError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    WrongHostError,
)

__all__ = ["Answer", "Transport", "transport_for"]

log = logging.getLogger("leadsq")

RETRYABLE = (RateLimitError, ServerError, TransportError)
_MAX_REDIRECTS = 5
_POLL = 0.25  # seconds between looks at a stopped read while waiting for the limiter
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


class Transport:
    """Calls the service for one :class:`~leadsq.client.connection.Connection`.

    Parameters
    ----------
    connection : Connection
        Base URLs, keys and settings.
    session : requests.Session, optional
        The session to send with; default a new one. Its adapters are replaced by ours.

    Attributes
    ----------
    limit : SharedLimit
        The account's rate limit and daily budget (its key on its host), shared through
        ``settings.rate_limit_store`` (:func:`leadsq.client.limits.limit_for`).
    """

    def __init__(self, connection: Connection, session: requests.Session | None = None) -> None:
        self.connection = connection
        settings = connection.settings
        self._settings = settings
        self.limit = limit_for(connection)
        self._session = session if session is not None else requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(4, settings.read_workers * 2))
        install(adapter)  # its connections report their sockets to their call (wire)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["Accept-Encoding"] = "gzip"
        self._secrets = tuple(k for k in (connection.access_key, connection.secret_key) if k)

    def __repr__(self) -> str:
        return f"Transport({self.connection.analytics_url!r})"

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()

    def base(self, name: str) -> str:
        """The base URL endpoint ``name`` is called at: the analytics base for the two
        reports, the API base for the rest."""
        if name in ENDPOINT_PATHS:
            return self.connection.analytics_url
        return self.connection.api_url

    def _paths(self, name: str) -> tuple[str, ...]:
        """The path of ``name`` if set or learnt, else the candidates to try in order."""
        path = self._settings.paths[name]
        if path is None:
            path = learnt.not_contacted_path(self.base(name))
        return (path,) if path is not None else ENDPOINT_PATHS[name]

    def call(
        self,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        response_format: str = "JSON",
        guard: Guard | None = None,
    ) -> Answer:
        """Send one request (POST with ``body``, else GET), retrying as documented.

        ``guard`` is the read this call belongs to (:class:`leadsq.client.wire.Guard`): its
        deadline bounds the call, and once it is cancelled the call stops wherever it is
        (:class:`leadsq.client.wire.Cancelled`). Without one, the call has its own.

        A path to be found (``Settings.paths[name]`` is ``None``) is found here: each
        candidate in turn until one answers other than 404, remembered per host.

        Raises
        ------
        APIError
            A subclass per failure, carrying the server's ``ExceptionType`` and
            ``ExceptionMessage``; retryable failures only after the retries ran out.
        """
        paths = self._paths(name)
        guard = guard or Guard()
        for tried, path in enumerate(paths, 1):
            try:
                answer = self._authenticated(name, path, body, response_format.upper(), guard)
                break
            except NotFoundError as error:
                if tried == len(paths):
                    if tried > 1:
                        error.args = (f"{error.args[0]} (tried {', '.join(paths)}, all 404)",)
                    raise
                log.info("%s: %s answered 404; trying %s", name, path, paths[tried])
        if len(paths) > 1:
            log.info("%s answers at %s; remembered for %s", name, path, self.base(name))
            learnt.set_not_contacted_path(self.base(name), path)
        return answer

    def _authenticated(
        self, name: str, path: str, body: dict[str, Any] | None, response_format: str, guard: Guard
    ) -> Answer:
        """Call with the keys where ``Settings.auth`` says; ``"auto"``: where they worked
        at this host, else headers, then on a 401 the query string once."""
        form = self._settings.auth
        base = self.base(name)
        if form == AUTO:
            form = learnt.auth(base) or AUTO
        if form != AUTO:
            return self._retrying(name, path, body, response_format, form, guard)
        try:
            answer = self._retrying(name, path, body, response_format, "headers", guard)
            chosen = "headers"
        except AuthenticationError as refused:
            if refused.status != 401 or isinstance(refused, WrongHostError):
                raise
            log.info("%s refused keys in headers (401); trying the query string", base)
            answer = self._retrying(name, path, body, response_format, "query", guard)
            chosen = "query"
        learnt.set_auth(base, chosen)
        return answer

    def _retrying(
        self,
        name: str,
        path: str,
        body: dict[str, Any] | None,
        response_format: str,
        form: str,
        guard: Guard,
    ) -> Answer:
        settings = self._settings
        first, largest = settings.backoff
        retrying = Retrying(
            retry=retry_if_exception(_retryable),
            stop=_stop_rule(settings.max_retries, settings.max_retry_seconds, self.base(name)),
            wait=_RetryAfterOr(
                wait_random_exponential(multiplier=first, max=largest), settings.max_retry_seconds
            ),
            sleep=guard.sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        return retrying(self._call_once, name, path, body, response_format, form, guard)

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.info("retrying after attempt %d: %s", state.attempt_number, error)

    def _call_once(
        self,
        name: str,
        path: str,
        body: dict[str, Any] | None,
        response_format: str,
        form: str,
        guard: Guard,
    ) -> Answer:
        where = f"{name} ({path})"
        params = {"responseformat": response_format} if body is not None else {}
        headers = {"Content-Type": "application/json"} if body is not None else {}
        data = json.dumps(body).encode() if body is not None else None
        self.limit.acquire(guard.check)
        guard.check()  # a read stopped while this call waited for its turn sends nothing
        flight = guard.flight(self._settings.call_deadline)
        started = time.perf_counter()
        failure: TransportError | None = None
        try:
            with flight.flying():
                status, reason, answer_headers, content = self._exchange(
                    where,
                    "POST" if body is not None else "GET",
                    name,
                    path,
                    params,
                    headers,
                    data,
                    form,
                )
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            failure = self._failure(where, exc, flight.expired, self.base(name))
        finally:
            guard.land(flight)
        if failure is not None:
            # raised here, not in the handler: no chained exception (whose URL may hold
            # the keys, with auth="query") travels with it
            guard.check()
            raise failure
        learnt.set_answered(self.base(name))
        seconds = time.perf_counter() - started
        log.debug("%s -> %s in %.3f s, %d bytes", where, status, seconds, len(content))
        try:
            check_answer(
                where, status, reason, answer_headers, content, self._settings, self.redact
            )
        except DailyLimitError:
            self.limit.capped()
            raise
        except RateLimitError:
            self.limit.throttled()
            raise
        content_type = answer_headers.get("Content-Type", "")
        check_format(where, content_type, content, response_format if body is not None else "JSON")
        return Answer(content, content_type, seconds)

    def _timeout(self, base: str) -> tuple[float, float]:
        """The settings' timeouts; at most :data:`FIRST_CONTACT` for a host that has not
        answered in this process, so a bad host fails fast."""
        connect, read = self._settings.timeout
        if learnt.answered(base):
            return connect, read
        return min(connect, FIRST_CONTACT[0]), min(read, FIRST_CONTACT[1])

    def _failure(self, where: str, exc: BaseException, expired: bool, base: str) -> TransportError:
        if expired:
            return TransportError(
                f"{where}: no whole answer within the call's deadline of "
                f"{self._settings.call_deadline:g} s (call_deadline) or the read's"
            )
        if not learnt.answered(base):
            return TransportError(_unreached(where, base, exc, self._timeout(base)))
        return TransportError(
            f"{where}: no usable answer ({type(exc).__name__}: {self.redact(str(exc))})"
        )

    def _exchange(
        self,
        where: str,
        method: str,
        name: str,
        path: str,
        params: dict[str, str],
        headers: dict[str, str],
        data: bytes | None,
        form: str,
    ) -> tuple[int, str, Any, bytes]:
        """Send, follow redirects that stay at the origin, read the answer within its cap.

        The keys are added here, in the call's arguments only (no local of ours holds
        them); a redirect to another origin is refused: they stay with the base URL.
        """
        url = self.base(name) + path
        for _ in range(_MAX_REDIRECTS + 1):
            response = self._session.request(
                method,
                url,
                params={**params, **self._key_query(form)},
                data=data,
                headers={**headers, **self._key_headers(form)},
                timeout=self._timeout(self.base(name)),
                stream=True,
                allow_redirects=False,
            )
            with response:
                if not response.is_redirect:
                    content = read_body(response.raw, self._settings.max_answer_bytes)
                    if content is None:
                        raise APIError(
                            f"{where}: the answer passed {self._settings.max_answer_bytes} bytes "
                            "(decompressed) and was not read further (max_answer_bytes)",
                            status=response.status_code,
                        )
                    return response.status_code, response.reason, response.headers, content
                target = urljoin(url, response.headers["Location"])
            if not same_origin(url, target):
                raise refused_redirect(where, url, target, response.status_code, self.redact)
            log.info(
                "%s: redirected within %s to %s", where, self.base(name), urlsplit(target).path
            )
            url = target
        raise TransportError(f"{where}: more than {_MAX_REDIRECTS} redirects")

    def _key_headers(self, form: str) -> dict[str, str]:
        if form != "headers":
            return {}
        return {
            "x-LSQ-AccessKey": self.connection.access_key,
            "x-LSQ-SecretKey": self.connection.secret_key,
        }

    def _key_query(self, form: str) -> dict[str, str]:
        if form == "headers":
            return {}
        # requests percent-encodes them, "$" included
        return {"accessKey": self.connection.access_key, "secretKey": self.connection.secret_key}

    def redact(self, text: str) -> str:
        """``text`` with this connection's keys masked (also percent-encoded), as whole
        keys only: never a part of another word."""
        for secret in self._secrets:
            for form in (secret, quote(secret, safe="")):
                text = re.sub(rf"(?<![\w$%-]){re.escape(form)}(?![\w$%-])", "***", text)
        return _KEY_PARAMETER.sub(r"\1***", text)


FIRST_CONTACT = (3.0, 10.0)
"""Connect and read timeouts (seconds) for a host that has not answered in this process:
at most these (``Settings.timeout`` if shorter), with one retry at most."""


def _unreached(where: str, base: str, exc: BaseException, timeout: tuple[float, float]) -> str:
    """Why a host that never answered did not, and what to check."""
    if isinstance(exc, requests.ConnectTimeout):
        what = f"did not accept a connection within {timeout[0]:g} s"
    elif isinstance(exc, requests.ReadTimeout):
        what = f"accepted the connection but sent nothing within {timeout[1]:g} s"
    elif isinstance(exc, requests.ConnectionError):
        what = "could not be reached (connection refused, or no such host)"
    else:
        what = f"gave no usable answer ({type(exc).__name__})"
    return (
        f"{where}: {base} {what}; it has not answered in this process. Check the host "
        "(host=, LSQ_HOST, or a region code such as us11), the network and any proxy or "
        "firewall between"
    )


def _retryable(error: BaseException) -> bool:
    """Rate limits (but the day's, the service's or our budget's), server errors and
    transport failures (but a read past its deadline) are retried."""
    return isinstance(error, RETRYABLE) and not isinstance(
        error, (DailyLimitError, BudgetExceededError, DeadlinePassed)
    )


def _stop_rule(max_retries: int, max_seconds: float, base: str) -> Callable[[RetryCallState], bool]:
    """When to stop retrying one call: after ``max_seconds`` in any case, and after
    ``max_retries`` retries of failures other than rate-limit answers; one at most while
    ``base`` has not answered in this process, so a typo or a dead network fails in
    seconds."""
    failures = 0

    def stop(state: RetryCallState) -> bool:
        nonlocal failures
        error = state.outcome.exception() if state.outcome else None
        failures += not isinstance(error, RateLimitError)
        retries = max_retries if learnt.answered(base) else min(max_retries, 1)
        return failures > retries or (state.seconds_since_start or 0) >= max_seconds

    return stop


class _RetryAfterOr:
    """Wait what ``Retry-After`` asks for when the server sent it, else the fallback;
    a wait past what is left of the retry budget is not waited: the error is raised at
    once, saying when to try again."""

    def __init__(self, fallback: Any, budget: float) -> None:
        self.fallback = fallback
        self.budget = budget

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None)
        fallback = self.fallback(state)
        if asked is None:
            return fallback
        left = self.budget - (state.seconds_since_start or 0.0)
        if isinstance(error, Exception) and asked > left:
            at = datetime.now(timezone.utc) + timedelta(seconds=asked)
            error.args = (
                f"{error.args[0]} (the server asked to wait {asked:g} s before retrying, past "
                f"the {max(left, 0):.0f} s left of max_retry_seconds: not waited; try again "
                f"after {at:%Y-%m-%d %H:%M:%S} UTC)",
            )
            raise error
        return max(asked, fallback)


def transport_for(connection: Connection) -> Transport:
    """The transport of ``connection``'s client (keep-alive sessions are reused).

    Raises
    ------
    ConfigurationError
        For a connection no :class:`~leadsq.Client` made.
    """
    if connection.client is None:
        raise ConfigurationError("a Connection is made by a leadsq.Client (client.connection)")
    return connection.client.transport(connection)
