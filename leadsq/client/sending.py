"""Sending one attempt of a call: the request, its keys, its redirects, its answer checked.

:class:`Sender` sends a :class:`Call` on a keep-alive :class:`requests.Session` with
timeouts, within the call's deadline (``call_deadline``, and the read's), its keys added
to the request's arguments only; follows a redirect only within the origin
(:mod:`leadsq.client.wire`: one to another host, port or scheme is refused, so the keys
never leave), and reads the answer as a stream up to ``max_answer_bytes`` decompressed.
The answer becomes an :class:`Answer` or an :class:`~leadsq.errors.APIError`
(:func:`leadsq.client.answers.check_answer`; a 200 that is neither JSON nor the CSV
asked, a proxy's page, is a transport error). A host that has not answered in this
process gets short timeouts (:data:`FIRST_CONTACT`) and, when it does not answer, a
message saying what to check. Waiting for the rate limit and retrying are the
transport's (:mod:`leadsq.client.transport`, :mod:`leadsq.client.retries`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from leadsq.client.answers import check_answer
from leadsq.client.learnt import learnt
from leadsq.client.wire import Guard, check_format, read_body, refused_redirect, same_origin
from leadsq.errors import APIError, TransportError

if TYPE_CHECKING:
    from leadsq.client.connection import Connection

__all__ = ["FIRST_CONTACT", "Answer", "Call", "Sender"]

log = logging.getLogger("leadsq")

FIRST_CONTACT = (3.0, 10.0)
"""Connect and read timeouts (seconds) for a host that has not answered in this process:
at most these (``Settings.timeout`` if shorter), with one retry at most."""

_MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Call:
    """One call, the same for each of its attempts.

    Attributes
    ----------
    name : str
        The endpoint's name (``"distribution"``, ``"lead_fields"``...).
    base : str
        The base URL it is called at.
    path : str
        Its path under ``base``.
    body : dict or None
        The JSON body of a POST; ``None`` for a GET.
    response_format : {"JSON", "CSV"}
        The answer's format asked of a POST.
    form : {"headers", "query", "auto"}
        Where the keys go (``"auto"`` until the transport chooses).
    guard : Guard
        The read the call belongs to: its deadline and its stop.
    """

    name: str
    base: str
    path: str
    body: dict[str, Any] | None
    response_format: str
    form: str
    guard: Guard

    @property
    def where(self) -> str:
        """The endpoint and path, as messages name the call."""
        return f"{self.name} ({self.path})"

    @property
    def method(self) -> str:
        return "POST" if self.body is not None else "GET"

    @property
    def asked(self) -> str:
        """The format the answer must have: the one asked of a POST, else JSON."""
        return self.response_format if self.body is not None else "JSON"

    @property
    def params(self) -> dict[str, str]:
        return {"responseformat": self.response_format} if self.body is not None else {}

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json"} if self.body is not None else {}

    @property
    def data(self) -> bytes | None:
        return json.dumps(self.body).encode() if self.body is not None else None


@dataclass(frozen=True)
class Answer:
    """A successful answer: its bytes, content type and the request's duration."""

    content: bytes
    content_type: str
    seconds: float


class Sender:
    """Sends attempts of calls for one connection on one session.

    Parameters
    ----------
    connection : Connection
        The keys and settings.
    session : requests.Session
        Where requests go (its adapter reports sockets to their flight: :func:`leadsq.client.wire.install`).
    redact : callable
        Masks the connection's keys in any text.
    """

    def __init__(
        self, connection: Connection, session: requests.Session, redact: Callable[[str], str]
    ) -> None:
        self._connection = connection
        self._settings = connection.settings
        self._session = session
        self._redact = redact

    def send(self, call: Call) -> Answer:
        """Send one attempt of ``call`` within its deadline; its answer, checked.

        Raises
        ------
        APIError
            The error the answer says, or a :class:`~leadsq.errors.TransportError`
            when no usable answer came.
        Cancelled
            If the call's read was stopped.
        """
        flight = call.guard.flight(self._settings.call_deadline)
        started = time.perf_counter()
        failure: TransportError | None = None
        try:
            with flight.flying():
                status, reason, headers, content = self._exchange(call)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            failure = self._failure(call, exc, flight.expired)
        finally:
            call.guard.land(flight)
        if failure is not None:
            # raised here, not in the handler: no chained exception (whose URL may hold
            # the keys, with auth="query") travels with it
            call.guard.check()
            raise failure
        learnt.set_answered(call.base)
        seconds = time.perf_counter() - started
        log.debug("%s -> %s in %.3f s, %d bytes", call.where, status, seconds, len(content))
        check_answer(call.where, status, reason, headers, content, self._settings, self._redact)
        content_type = headers.get("Content-Type", "")
        check_format(call.where, content_type, content, call.asked)
        return Answer(content, content_type, seconds)

    def _exchange(self, call: Call) -> tuple[int, str, Any, bytes]:
        """Send, follow redirects that stay at the origin, read the answer within its cap.

        The keys are added here, in the request's arguments only (no local of ours holds
        them); a redirect to another origin is refused: they stay with the base URL.
        """
        url = call.base + call.path
        for _ in range(_MAX_REDIRECTS + 1):
            response = self._session.request(
                call.method,
                url,
                params={**call.params, **self._key_query(call.form)},
                data=call.data,
                headers={**call.headers, **self._key_headers(call.form)},
                timeout=self._timeout(call.base),
                stream=True,
                allow_redirects=False,
            )
            with response:
                if not response.is_redirect:
                    content = read_body(response.raw, self._settings.max_answer_bytes)
                    if content is None:
                        raise APIError(
                            f"{call.where}: the answer passed {self._settings.max_answer_bytes} "
                            "bytes (decompressed) and was not read further (max_answer_bytes)",
                            status=response.status_code,
                        )
                    return response.status_code, response.reason, response.headers, content
                target = urljoin(url, response.headers["Location"])
            if not same_origin(url, target):
                raise refused_redirect(call.where, url, target, response.status_code, self._redact)
            log.info("%s: redirected within %s to %s", call.where, call.base, urlsplit(target).path)
            url = target
        raise TransportError(f"{call.where}: more than {_MAX_REDIRECTS} redirects")

    def _key_headers(self, form: str) -> dict[str, str]:
        if form != "headers":
            return {}
        return {
            "x-LSQ-AccessKey": self._connection.access_key,
            "x-LSQ-SecretKey": self._connection.secret_key,
        }

    def _key_query(self, form: str) -> dict[str, str]:
        if form == "headers":
            return {}
        # requests percent-encodes them, "$" included
        return {"accessKey": self._connection.access_key, "secretKey": self._connection.secret_key}

    def _timeout(self, base: str) -> tuple[float, float]:
        """The settings' timeouts; at most :data:`FIRST_CONTACT` for a host that has not
        answered in this process, so a bad host fails fast."""
        connect, read = self._settings.timeout
        if learnt.answered(base):
            return connect, read
        return min(connect, FIRST_CONTACT[0]), min(read, FIRST_CONTACT[1])

    def _failure(self, call: Call, exc: BaseException, expired: bool) -> TransportError:
        if expired:
            return TransportError(
                f"{call.where}: no whole answer within the call's deadline of "
                f"{self._settings.call_deadline:g} s (call_deadline) or the read's"
            )
        if not learnt.answered(call.base):
            return TransportError(_unreached(call, exc, self._timeout(call.base)))
        return TransportError(
            f"{call.where}: no usable answer ({type(exc).__name__}: {self._redact(str(exc))})"
        )


def _unreached(call: Call, exc: BaseException, timeout: tuple[float, float]) -> str:
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
        f"{call.where}: {call.base} {what}; it has not answered in this process. Check the "
        "host (host=, LSQ_HOST, or a region code such as us11), the network and any proxy or "
        "firewall between"
    )
