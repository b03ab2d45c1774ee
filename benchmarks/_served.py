"""A sandbox served from a child process, so its CPU and memory stay out of the client's.

``with served(leads=100_000, latency=0.2, ...) as box:`` gives ``box.url``, the keys,
``box.read(...)`` (a leadsq read from it), ``box.stats()`` (the child's
``Sandbox.stats()``) and ``box.churn(created=, modified=)`` (its ``store.churn``). Run as a
script, this module is the child: it starts the sandbox, prints one JSON line with the URL
and keys, then answers each ``stats`` or ``churn CREATED MODIFIED`` line on stdin with a
JSON line, and stops at end of input.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = "2026-11-01"


class Served:
    """The parent's handle on a sandbox running in a child process."""

    def __init__(self, process: subprocess.Popen[str], hello: dict[str, Any]) -> None:
        self._process = process
        self.url: str = hello["url"]
        self.access_key: str = hello["access_key"]
        self.secret_key: str = hello["secret_key"]
        self.startup_seconds: float = hello["startup_seconds"]

    def read(self, **query: Any) -> Any:
        """``leadsq.read_leadsquared("distribution", **query)`` from this sandbox, no bar."""
        import leadsq

        return leadsq.read_leadsquared(
            "distribution",
            progress=False,
            host=self.url,
            access_key=self.access_key,
            secret_key=self.secret_key,
            **query,
        )

    def stats(self) -> dict[str, Any]:
        """The child's ``Sandbox.stats()``: answers by status and ``peak_window_calls``."""
        return self._ask("stats")

    def churn(self, created: int = 0, modified: int = 0) -> dict[str, Any]:
        """Create and modify leads in the child's store now; the ``ProspectAutoId`` of each."""
        return self._ask(f"churn {created} {modified}")

    def _ask(self, line: str) -> Any:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())


@contextmanager
def served(**settings: Any) -> Iterator[Served]:
    """A sandbox with these :class:`~leadsq.sandbox.SandboxSettings`, in a child process."""
    settings.setdefault("anchor", ANCHOR)
    process = subprocess.Popen(
        [sys.executable, __file__, json.dumps(settings)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox child process failed to start")
        yield Served(process, json.loads(line))
    finally:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=60)


def _child(settings: dict[str, Any]) -> None:
    sys.path.insert(0, str(ROOT))
    from leadsq.sandbox import Sandbox
    from leadsq.sandbox.runtime import frozen_heap

    if settings.get("rate_limit") is not None:
        settings["rate_limit"] = tuple(settings["rate_limit"])
    started = time.perf_counter()
    with Sandbox(port=0, **settings) as sandbox:
        hello = {
            "url": sandbox.url,
            "access_key": sandbox.access_key,
            "secret_key": sandbox.secret_key,
            "startup_seconds": time.perf_counter() - started,
        }
        print(json.dumps(hello), flush=True)
        with frozen_heap():  # as ``python -m leadsq sandbox`` serves
            for line in sys.stdin:
                words = line.split()
                if words == ["stats"]:
                    print(json.dumps(sandbox.stats()), flush=True)
                elif words[:1] == ["churn"]:
                    done = sandbox.store.churn(int(words[1]), int(words[2]))
                    print(
                        json.dumps({"created": done.created, "modified": done.modified}), flush=True
                    )


if __name__ == "__main__":
    _child(json.loads(sys.argv[1]))
