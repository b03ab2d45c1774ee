"""The sandbox's server: one thread reads every request's head, a bounded pool answers.

werkzeug's threaded server gives each connection a thread of its own from the moment it
is accepted, with no cap and no deadline on the request's head: 3,000 connections that
sent half a request held 3,000 threads, and when they closed together the server stalled
for everyone for over a minute. :class:`PooledServer` instead

* accepts on one thread and reads each connection's request line and headers there,
  without blocking (a selector), within ``header_timeout`` seconds of the accept, else
  the connection is closed (a head over 64 KiB is answered 431);
* keeps at most ``max_connections`` open: past it, the connection waiting longest for
  its head is closed to make room, so a crowd of idle connections cannot lock callers
  out (when every open connection is being answered, the new one is closed);
* hands a complete head to one of at most ``workers`` threads, which reads the body and
  answers within ``body_timeout`` seconds of the head's end (every read and write is
  bounded by it: a body or a reader trickling bytes cannot hold a worker longer).

A request's arrival is when its head was complete: the application finds it in the
WSGI environ as ``leadsq.arrived`` (``time.monotonic()``), so the rate limit dates a call
when it came, not when a worker got to it. Answers close the connection (werkzeug's
handler always does), so no connection waits in a worker for a next request.
"""

from __future__ import annotations

import contextlib
import io
import selectors
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

__all__ = ["PooledHandler", "PooledServer"]

MAX_HEAD_BYTES = 64 * 1024
_HEAD_END = b"\r\n\r\n"
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n"
    b"Content-Length: 0\r\n\r\n"
)


@dataclass
class _Waiting:
    """A connection still sending its head."""

    address: Any
    deadline: float
    head: bytearray


@dataclass(frozen=True)
class _Arrival:
    """A request whose head is complete: the bytes read so far and its deadline."""

    address: Any
    head: bytes
    arrived: float
    deadline: float


class _Input(io.RawIOBase):
    """The request's bytes: the head already read, then the socket, until the deadline."""

    def __init__(self, connection: socket.socket, head: bytes, deadline: float) -> None:
        self._connection = connection
        self._head = memoryview(head)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request was not read within body_timeout")
        self._connection.settimeout(left)
        return self._connection.recv_into(buffer)


class _Output(io.BufferedIOBase):
    """Writes to the socket, each within the request's deadline."""

    def __init__(self, connection: socket.socket, deadline: float) -> None:
        self._connection = connection
        self._deadline = deadline

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the answer was not written within body_timeout")
        self._connection.settimeout(left)
        self._connection.sendall(data)
        return len(data)


class PooledHandler(WSGIRequestHandler):
    """werkzeug's request handler reading a head :class:`PooledServer` already read."""

    server: PooledServer

    def setup(self) -> None:
        self.connection = self.request
        arrival = self.server.arrival_of(self.connection)
        self.arrived = arrival.arrived
        self.rfile = io.BufferedReader(_Input(self.connection, arrival.head, arrival.deadline))
        self.wfile = _Output(self.connection, arrival.deadline)

    def handle(self) -> None:
        # one request: werkzeug's answers close the connection
        self.close_connection = True
        try:
            self.handle_one_request()
        except (ConnectionError, TimeoutError) as error:
            self.connection_dropped(error)

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ["leadsq.arrived"] = self.arrived
        return environ


class PooledServer(BaseWSGIServer):
    """A WSGI server with a bounded pool of workers and bounded connections.

    Parameters
    ----------
    host, port, app, handler
        As werkzeug's ``BaseWSGIServer``; ``handler`` must be a :class:`PooledHandler`.
    workers : int
        Most requests answered at once.
    max_connections : int
        Most connections open at once.
    header_timeout, body_timeout : float
        Seconds for a request's head (from the accept) and for its body and answer
        (from the head's end).
    """

    multithread = True  # werkzeug then speaks HTTP/1.1, as its threaded server

    def __init__(
        self,
        host: str,
        port: int,
        app: Any,
        handler: type[PooledHandler],
        *,
        workers: int,
        max_connections: int,
        header_timeout: float,
        body_timeout: float,
    ) -> None:
        super().__init__(host, port, app, handler=handler)
        self.socket.setblocking(False)
        self.workers = workers
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self._waiting: dict[socket.socket, _Waiting] = {}  # oldest first
        self._arrivals: dict[socket.socket, _Arrival] = {}
        self._queue: deque[socket.socket] = deque()
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._threads = 0
        self._idle = 0
        self._closing = False
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._wake_read, self._wake_write = socket.socketpair()

    # ------------------------------------------------------------------ accepting

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Accept and read heads until :meth:`shutdown`."""
        self._stopped.clear()
        selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        try:
            while not self._stop.is_set():
                timeout = poll_interval
                if self._waiting:
                    first = next(iter(self._waiting.values()))
                    timeout = max(0.0, min(timeout, first.deadline - time.monotonic()))
                for key, _ in selector.select(timeout):
                    if key.fileobj is self.socket:
                        self._accept(selector)
                    elif key.fileobj is self._wake_read:
                        with contextlib.suppress(OSError):
                            self._wake_read.recv(4096)
                    else:
                        self._read_head(selector, key.fileobj)  # type: ignore[arg-type]
                self._expire(selector)
        finally:
            for connection in list(self._waiting):
                self._close_waiting(selector, connection)
            selector.close()
            self._stop.clear()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` and wait until it has."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_write.send(b"x")
        self._stopped.wait()

    def server_close(self) -> None:
        """Close the listening socket, and wait (``body_timeout`` at most) until the
        requests already read are answered: the application may then be released."""
        super().server_close()
        with self._lock:
            self._closing = True
            self._work.notify_all()
            self._work.wait_for(lambda: self._threads == 0, timeout=self.body_timeout)
        self._wake_read.close()
        self._wake_write.close()

    def _accept(self, selector: selectors.BaseSelector) -> None:
        for _ in range(256):  # then let the heads waiting be read too
            try:
                connection, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. out of descriptors: the waiting ones expire meanwhile
                return
            if not self._make_room(selector):
                connection.close()
                continue
            connection.setblocking(False)
            deadline = time.monotonic() + self.header_timeout
            self._waiting[connection] = _Waiting(address, deadline, bytearray())
            selector.register(connection, selectors.EVENT_READ)

    def _make_room(self, selector: selectors.BaseSelector) -> bool:
        with self._lock:
            answering = len(self._arrivals)
        if answering + len(self._waiting) < self.max_connections:
            return True
        if not self._waiting:
            return False
        self._close_waiting(selector, next(iter(self._waiting)))
        return True

    def _read_head(self, selector: selectors.BaseSelector, connection: socket.socket) -> None:
        waiting = self._waiting[connection]
        try:
            data = connection.recv(MAX_HEAD_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close_waiting(selector, connection)
            return
        searched = max(0, len(waiting.head) - len(_HEAD_END) + 1)
        waiting.head += data
        if waiting.head.find(_HEAD_END, searched) >= 0:
            selector.unregister(connection)
            del self._waiting[connection]
            now = time.monotonic()
            head = bytes(waiting.head)
            arrival = _Arrival(waiting.address, head, now, now + self.body_timeout)
            self._dispatch(connection, arrival)
        elif len(waiting.head) > MAX_HEAD_BYTES:
            with contextlib.suppress(OSError):
                connection.send(_TOO_LARGE)
            self._close_waiting(selector, connection)

    def _expire(self, selector: selectors.BaseSelector) -> None:
        now = time.monotonic()
        while self._waiting:
            connection, waiting = next(iter(self._waiting.items()))
            if waiting.deadline > now:
                return
            self._close_waiting(selector, connection)

    def _close_waiting(self, selector: selectors.BaseSelector, connection: socket.socket) -> None:
        del self._waiting[connection]
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(connection)
        connection.close()

    # ------------------------------------------------------------------ answering

    def _dispatch(self, connection: socket.socket, arrival: _Arrival) -> None:
        with self._lock:
            self._arrivals[connection] = arrival
            self._queue.append(connection)
            if self._idle:
                self._idle -= 1  # this one is taken: the next request wakes another
                self._work.notify()
            elif self._threads < self.workers:
                self._threads += 1
                name = f"leadsq-sandbox-worker-{self.server_address[1]}"  # one port's pool
                threading.Thread(target=self._work_loop, name=name, daemon=True).start()

    def arrival_of(self, connection: socket.socket) -> _Arrival:
        """The head read for ``connection`` and its deadline (for the handler)."""
        with self._lock:
            return self._arrivals[connection]

    def _work_loop(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    if self._closing:
                        self._threads -= 1
                        self._work.notify_all()  # server_close waits for the last one
                        return
                    self._idle += 1  # _dispatch takes it off when it wakes this thread
                    self._work.wait()
                connection = self._queue.popleft()
                address = self._arrivals[connection].address
            try:
                connection.setblocking(True)
                self.finish_request(connection, address)
            except Exception:
                self.handle_error(connection, address)
            finally:
                with self._lock:
                    del self._arrivals[connection]
                self.shutdown_request(connection)
