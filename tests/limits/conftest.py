"""Fixtures of the shared-limit tests: a real Redis server, stores, and reading processes.

Each test gets its own access key (a sandbox accepts any key it is given), so its
window and day counts start empty whatever ran before.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leadsq.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
ANCHOR = "2026-11-01"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``redis-server`` of our own on a free loopback port, stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
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


@pytest.fixture(params=["file", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ``rate_limit_store`` of each shared kind: a file store in a temporary
    directory, and the test Redis server."""
    if request.param == "file":
        return f"file:{tmp_path / 'limits'}"
    return str(request.getfixturevalue("redis_url"))


@pytest.fixture
def access_key() -> str:
    """A key no other test uses."""
    return f"test-{uuid.uuid4().hex}"


def small_sandbox(access_key: str, **settings: Any) -> Sandbox:
    """A sandbox of 300 leads that knows ``access_key``, allowing 5 calls in any 1 s."""
    settings.setdefault("rate_limit", (5, 1))
    return Sandbox(leads=300, seed=13, anchor=ANCHOR, access_key=access_key, **settings)


def connect(box: Sandbox) -> dict[str, Any]:
    return {
        "host": box.url,
        "access_key": box.settings.access_key,
        "secret_key": box.secret_key,
        "progress": False,
    }


READER = """
import json, sys
import leadsq
settings, query, connection = (json.loads(a) for a in sys.argv[1:])
settings["rate_limit"] = tuple(settings["rate_limit"])
leadsq.configure(**settings)
print("ready", flush=True)
sys.stdin.readline()  # every reader starts together
frame = leadsq.read_leadsquared("distribution", **query, **connection)
print(json.dumps(frame.ProspectAutoId.tolist()), flush=True)
"""


def start_readers(
    count: int, box: Sandbox, settings: dict[str, Any], query: dict[str, Any]
) -> list[subprocess.Popen[str]]:
    """``count`` processes, each reading ``query`` from ``box`` with ``settings``, started
    together once all have imported leadsq."""
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                json.dumps(settings),
                json.dumps(query),
                json.dumps(connect(box)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(count)
    ]
    for reader in readers:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
    for reader in readers:
        assert reader.stdin is not None
        reader.stdin.write("go\n")
        reader.stdin.flush()
    return readers


def read_ids(reader: subprocess.Popen[str]) -> list[int]:
    """The ``ProspectAutoId`` values a reader read (it must succeed)."""
    out, _ = reader.communicate(timeout=120)
    assert reader.returncode == 0
    return list(json.loads(out.strip().splitlines()[-1]))
