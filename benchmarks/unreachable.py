"""How soon a read fails on a host that never answers: refused, and silent.

Two reads with leadsq's default settings (8 retries, timeouts of 5 s and 60 s):

- a refused host: a loopback port nothing listens on;
- a silent host: a loopback port that accepts connections and never answers.

A host that has not answered in the process gets short timeouts
(``leadsq.client.transport.FIRST_CONTACT``) and one retry at most, so both fail within the
bounds printed; the script exits 1 when one is over its bound. (Before: 10 s refused,
120 s silent, 112-line tracebacks.)

    python benchmarks/unreachable.py
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterator

import leadsq
from leadsq.client.sending import FIRST_CONTACT

# one retry, each attempt within its first-contact timeout, plus the backoff between
BOUNDS = {"refused": 3.0, "silent": 2 * sum(FIRST_CONTACT) + 2.0}


@contextlib.contextmanager
def listening(refuse: bool) -> Iterator[str]:
    """A loopback URL where nothing listens (``refuse``), or a listener that accepts
    connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    if refuse:
        server.close()  # nothing listens: connections are refused
        yield url
        return
    server.settimeout(0.1)
    done = threading.Event()
    accepted: list[socket.socket] = []

    def accept() -> None:
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        done.set()
        thread.join()
        for connection in [*accepted, server]:
            connection.close()


def timed(url: str) -> tuple[float, BaseException]:
    started = time.perf_counter()
    try:
        leadsq.read_leadsquared(
            "distribution", host=url, access_key="access-key", secret_key="secret-key"
        )
    except leadsq.TransportError as error:
        return time.perf_counter() - started, error
    raise SystemExit(f"{url} answered: not an unreachable host")


def main() -> int:
    print(f"settings: timeout={leadsq.settings.timeout}, max_retries={leadsq.settings.max_retries}")
    print(f"first contact: timeouts {FIRST_CONTACT}, one retry at most")
    over = 0
    for name, refused in (("refused", True), ("silent", False)):
        with listening(refuse=refused) as url:
            seconds, error = timed(url)
        lines = len(traceback.format_exception(error))
        bound = BOUNDS[name]
        verdict = "ok" if seconds <= bound else "OVER"
        over += seconds > bound
        print(
            f"{name:8} {seconds:6.2f} s (bound {bound:.0f} s, {verdict}); traceback {lines} lines"
        )
        print(f"         {error}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
