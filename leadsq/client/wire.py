"""What one HTTP exchange may cost and where it may go: deadlines, size, origin, stopping.

requests bounds each socket operation (``timeout``), not a call: a server sending a byte
a second keeps a call going for ever, an answer is read whole into memory whatever its
size (a gzip bomb of 200 KB grows to gigabytes), and a redirect carries our key headers
and query keys to wherever it points. This module gives :class:`~leadsq.client.transport.Transport`

* :class:`Flight`: one call in the air. Its sockets are known (the session's connections
  tell the flight of their thread when they connect or send, :func:`install`), so at its
  deadline, or when its :class:`Guard` is cancelled, they are shut down: whatever the
  call was blocked in (connecting, sending, waiting, reading a trickle) returns at once.
* :class:`Guard`: the calls of one read. :meth:`Guard.cancel` (Ctrl-C, a failed read)
  shuts every flight's sockets and refuses any further send or retry sleep under it, so
  no worker thread keeps sending after the read is over.
* :func:`read_body`: an answer read as a stream, decompressed, up to ``limit`` bytes.
* :func:`same_origin`: whether a redirect stays at the origin the keys belong to, and
  :func:`refused_redirect`, the error of one that does not;
* :func:`check_format`: a success is JSON, or the CSV asked, not a proxy's page.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from leadsq.errors import APIError, TransportError

__all__ = [
    "Cancelled",
    "DeadlinePassed",
    "Flight",
    "Guard",
    "check_format",
    "install",
    "origin",
    "read_body",
    "refused_redirect",
    "same_origin",
]

_local = threading.local()


class Cancelled(Exception):
    """The read this call belonged to was stopped (interrupted, or failed elsewhere)."""


class DeadlinePassed(TransportError):
    """The read's deadline (``read_deadline``) passed: no call starts, none is retried."""


class Flight:
    """One call in the air: its sockets, shut down at its deadline or on cancel."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._down = False

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self._down:
                _shut(sock)
            else:
                self._sockets.add(sock)

    def shut(self) -> None:
        """Shut every socket of this call down (it fails at once, wherever it waits)."""
        with self._lock:
            self._down = True
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _shut(sock)

    def expire(self) -> None:
        self.expired = True
        self.shut()

    @contextlib.contextmanager
    def flying(self) -> Iterator[Flight]:
        """While in the block, this thread's connections report to this flight, and the
        flight is shut down when its deadline passes."""
        timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self.expire)
        timer.daemon = True
        timer.start()
        _local.flight = self
        try:
            yield self
        finally:
            _local.flight = None
            timer.cancel()


class Guard:
    """The calls of one read: cancelled together, so none sends after the read ends.

    Parameters
    ----------
    deadline : float, optional
        ``time.monotonic()`` by which the whole read must be done; no call runs past it.
    """

    def __init__(self, deadline: float | None = None) -> None:
        self.deadline = deadline
        self.cancelled = threading.Event()
        self._flights: set[Flight] = set()
        self._children: list[Guard] = []
        self._lock = threading.Lock()

    def child(self) -> Guard:
        """A guard of some of this one's calls (say the pages in flight), with its
        deadline, cancelled with it or on its own."""
        child = Guard(self.deadline)
        with self._lock:
            self._children.append(child)
            if self.cancelled.is_set():
                child.cancelled.set()
        return child

    def flight(self, seconds: float) -> Flight:
        """A flight of at most ``seconds``, not past the read's deadline, under this guard.

        Raises
        ------
        Cancelled
            If the guard was cancelled.
        DeadlinePassed
            If the read's deadline has passed.
        """
        now = time.monotonic()
        deadline = now + seconds
        if self.deadline is not None:
            if now >= self.deadline:
                raise DeadlinePassed(
                    "the read's deadline passed (read_deadline): no more calls are made"
                )
            deadline = min(deadline, self.deadline)
        flight = Flight(deadline)
        with self._lock:
            self.check()
            self._flights.add(flight)
        return flight

    def land(self, flight: Flight) -> None:
        with self._lock:
            self._flights.discard(flight)

    def check(self) -> None:
        """Raise :class:`Cancelled` if the read was stopped."""
        if self.cancelled.is_set():
            raise Cancelled("the read was stopped")

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` (a retry's wait), or until cancelled, then raise."""
        if self.cancelled.wait(seconds):
            raise Cancelled("the read was stopped")

    def cancel(self) -> None:
        """Stop every call of the read: sockets shut down, no more sends or sleeps."""
        with self._lock:
            self.cancelled.set()
            flights = list(self._flights)
            children = list(self._children)
        for flight in flights:
            flight.shut()
        for child in children:
            child.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _watched(sock: Any) -> None:
    flight = getattr(_local, "flight", None)
    if flight is not None and sock is not None:
        flight.watch(sock)


class _Connection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watched(self.sock)  # a kept-alive connection: connected before this flight
        super().request(*args, **kwargs)


class _SecureConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watched(self.sock)
        super().request(*args, **kwargs)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _SecurePool(HTTPSConnectionPool):
    ConnectionCls = _SecureConnection


def install(adapter: HTTPAdapter) -> None:
    """Make ``adapter``'s connections report their sockets to their thread's flight."""
    adapter.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _SecurePool}


def read_body(raw: Any, limit: int) -> bytes | None:
    """The answer's bytes, decompressed, read from urllib3's ``raw`` response in pieces;
    ``None`` as soon as they pass ``limit`` (the rest is not read)."""
    chunks = []
    size = 0
    for chunk in raw.stream(1 << 16, decode_content=True):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url`` (the port its scheme implies when not given)."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def same_origin(url: str, target: str) -> bool:
    """Whether ``target`` has the scheme, host and port of ``url``."""
    return origin(url) == origin(target)


def refused_redirect(where: str, url: str, target: str, status: int, redact: Any) -> APIError:
    """The error of a redirect to another origin (never followed: the keys stay home)."""
    scheme, host, _ = origin(url)
    to_scheme, to_host, _ = origin(target)
    parts = urlsplit(target)
    shown = redact(f"{parts.scheme}://{parts.netloc}{parts.path}")
    if scheme == "https" and to_scheme != "https":
        why = "from https to plain http, where the keys would travel in clear"
    elif host != to_host:
        why = f"to another host than {host}"
    else:
        why = "to another scheme or port"
    return APIError(
        f"{where} answered {status}, a redirect {why}: {shown}. Not followed, so the keys "
        "went nowhere else; if that is the account's API host, read with host= set to it.",
        status=status,
    )


def check_format(where: str, content_type: str, content: bytes, asked: str) -> None:
    """A success must be what was asked: JSON, or CSV when CSV was asked. Anything else
    (a proxy's HTML page with status 200) is a transport failure, retried.

    Raises
    ------
    TransportError
        For an answer that is neither.
    """
    start = content.lstrip()[:1]
    if start in (b"{", b"[") or (asked == "CSV" and "csv" in content_type.lower()):
        return
    raise TransportError(
        f"{where} answered 200 with {content_type or 'no content type'}, not "
        f"{'CSV or ' if asked == 'CSV' else ''}JSON (a proxy's page?): "
        f"{content[:80].decode('utf-8', 'replace')!r}"
    )
