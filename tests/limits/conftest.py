"""Fixtures of the shared-limit tests: a real Redis server, stores, and reading processes.

The processes and the Redis server come from :mod:`benchmarks.harness`, which
``benchmarks/shared_limit.py`` starts its readers with too.

Each test gets its own access key (a sandbox accepts any key it is given), so its
window and day counts start empty whatever ran before.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.harness import redis_server, start_together
from leadsq.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
ANCHOR = "2026-11-01"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A ``redis-server`` of our own on a free loopback port, stopped afterwards."""
    with redis_server() as url:
        if url is None:
            pytest.skip("redis-server is not installed (.ci/run installs it)")
        yield url


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
from benchmarks.harness import wait_for_go
settings, query, connection = (json.loads(a) for a in sys.argv[1:])
settings["rate_limit"] = tuple(settings["rate_limit"])
leadsq.configure(**settings)
wait_for_go()  # every reader starts together
frame = leadsq.read_leadsquared("distribution", **query, **connection)
print(json.dumps(frame.ProspectAutoId.tolist()), flush=True)
"""


def start_readers(
    count: int, box: Sandbox, settings: dict[str, Any], query: dict[str, Any]
) -> list[subprocess.Popen[str]]:
    """``count`` processes, each reading ``query`` from ``box`` with ``settings``, started
    together once all have imported leadsq."""
    arguments = [json.dumps(settings), json.dumps(query), json.dumps(connect(box))]
    return start_together([[sys.executable, "-c", READER, *arguments]] * count, cwd=ROOT)


def read_ids(reader: subprocess.Popen[str]) -> list[int]:
    """The ``ProspectAutoId`` values a reader read (it must succeed)."""
    out, _ = reader.communicate(timeout=120)
    assert reader.returncode == 0
    return list(json.loads(out.strip().splitlines()[-1]))
