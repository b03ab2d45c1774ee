"""HTTP to the service: the client's session, a shared rate limiter, retries.

Every call goes through :meth:`Transport.call`, which

1. waits for a slot in the sliding-window rate limit shared by every call with the
   same access key, in this process and every other using the same store, and within
   the day's budget (:mod:`leadsq.client.limits`, on `pyrate-limiter`_);
2. sends the request and reads its answer (:mod:`leadsq.client.sending`: timeouts, the
   call's deadline, keys in the request's arguments only, redirects only within the
   origin, answers up to ``max_answer_bytes``), turned into bytes or an
   :class:`~leadsq.errors.APIError` (:func:`leadsq.client.answers.check_answer`): a rate
   limit is one by its type or its words whatever the HTTP status, an input error is a
   bad request even as a 500, and a 200 that is neither JSON nor the CSV asked (a proxy's
   page) a transport error;
3. retries as :mod:`leadsq.client.retries` says: rate limits (not a daily one), 5xx
   answers without an input-error type and transport failures, with bounded exponential
   backoff and jitter, honouring ``Retry-After`` (seconds or an HTTP date) unless it asks
   more than the retry budget has left (then raised at once). Each retry waits for the
   rate limiter again, so retries never push the process over the limit; a read stopped
   meanwhile (:class:`~leadsq.client.wire.Guard`) ends its waits and sends nothing more.
   A rate-limit answer slows the key's shared limit down for a while; a daily-limit
   answer stops every process on the key for the day.

Around that, it finds out on first use what the real service leaves open, and remembers
it per host (:mod:`leadsq.client.learnt`): which Not Contacted path answers (candidates in the
contract's order, on 404s) and, with ``auth="auto"``, whether keys go in headers or, after
a 401, in the query string. Keys are redacted from every message and log line
(:mod:`leadsq.client.redaction`).

.. _pyrate-limiter: https://pypi.org/project/pyrate-limiter/
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from leadsq.client.connection import Connection
from leadsq.client.learnt import learnt
from leadsq.client.limits.shared import limit_for
from leadsq.client.redaction import redact
from leadsq.client.retries import retrying
from leadsq.client.sending import Answer, Call, Sender
from leadsq.client.settings import AUTO
from leadsq.client.wire import Guard, install
from leadsq.contract import ENDPOINT_PATHS
from leadsq.errors import (
    AuthenticationError,
    ConfigurationError,
    DailyLimitError,
    NotFoundError,
    RateLimitError,
    WrongHostError,
)

__all__ = ["Answer", "Transport", "transport_for"]

log = logging.getLogger("leadsq")


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
        self._sender = Sender(connection, self._session, self.redact)

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

    def redact(self, text: str) -> str:
        """``text`` with this connection's keys masked (also percent-encoded), as whole
        keys only: never a part of another word."""
        return redact(text, self._secrets)

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
        base = self.base(name)
        guard = guard or Guard()
        for tried, path in enumerate(paths, 1):
            call = Call(name, base, path, body, response_format.upper(), self._settings.auth, guard)
            try:
                answer = self._authenticated(call)
                break
            except NotFoundError as error:
                if tried == len(paths):
                    if tried > 1:
                        error.args = (f"{error.args[0]} (tried {', '.join(paths)}, all 404)",)
                    raise
                log.info("%s: %s answered 404; trying %s", name, path, paths[tried])
        if len(paths) > 1:
            log.info("%s answers at %s; remembered for %s", name, path, base)
            learnt.set_not_contacted_path(base, path)
        return answer

    def _authenticated(self, call: Call) -> Answer:
        """Call with the keys where ``call.form`` says; ``"auto"``: where they worked
        at this host, else headers, then on a 401 the query string once."""
        form = call.form
        if form == AUTO:
            form = learnt.auth(call.base) or AUTO
        if form != AUTO:
            return self._retrying(replace(call, form=form))
        try:
            answer = self._retrying(replace(call, form="headers"))
            chosen = "headers"
        except AuthenticationError as refused:
            if refused.status != 401 or isinstance(refused, WrongHostError):
                raise
            log.info("%s refused keys in headers (401); trying the query string", call.base)
            answer = self._retrying(replace(call, form="query"))
            chosen = "query"
        learnt.set_auth(call.base, chosen)
        return answer

    def _retrying(self, call: Call) -> Answer:
        return retrying(self._settings, call.base, call.guard.sleep)(self._call_once, call)

    def _call_once(self, call: Call) -> Answer:
        """One attempt: a turn under the rate limit, then the request; a rate-limit answer
        slows the key's limit down, a daily-limit answer stops it for the day."""
        self.limit.acquire(call.guard.check)
        call.guard.check()  # a read stopped while this call waited for its turn sends nothing
        try:
            return self._sender.send(call)
        except DailyLimitError:
            self.limit.capped()
            raise
        except RateLimitError:
            self.limit.throttled()
            raise


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
