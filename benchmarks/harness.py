"""Processes for a run: readers that start together, a free port, a Redis server.

The benchmarks own this module and the tests import it (``from benchmarks.harness import
...``; a benchmark run as a script, ``from harness import ...``), so both start readers
through the same gate: each reader process prints ``ready`` once it is set up (leadsq
imported and configured) and waits for a line on stdin; :func:`start_together` sends
every one ``go`` only when all are ready, so their first calls leave together and none
is counted while another still imports.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["free_port", "redis_server", "start_together", "wait_for_go"]

READY, GO = "ready", "go"


def wait_for_go() -> None:
    """In a reader process: say it is ready, then wait until told to go."""
    print(READY, flush=True)
    sys.stdin.readline()


def start_together(commands: Sequence[Sequence[str]], *, cwd: Path) -> list[subprocess.Popen[str]]:
    """Start one process per command (each calls :func:`wait_for_go`); once every one
    is ready, tell them all to go. Their stdout is a pipe, for what they report."""
    processes = [
        subprocess.Popen(
            list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=cwd
        )
        for command in commands
    ]
    for process in processes:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if line != READY:
            raise RuntimeError(f"a reader process did not get ready (it said {line!r})")
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(GO + "\n")
        process.stdin.flush()
    return processes


def free_port() -> int:
    """A loopback port free at the time of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str | None]:
    """A ``redis-server`` of our own on a free loopback port (no persistence), stopped
    afterwards: its URL, or ``None`` when the binary is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                directory,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                raise RuntimeError("redis-server did not start")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.terminate()
            server.wait(timeout=10)
