"""Fixtures of the fuzz tests: one small sandbox without a rate limit, and the figures.

The fuzz tests count what they send and what comes back in :data:`FIGURES`; the counts are
printed at the end of the run (the closing note of issue 8 quotes them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from leadsq.sandbox import Sandbox
from tests.conftest import SANDBOX_ANCHOR

FIGURES: dict[str, Counter[str]] = {}
"""Counts by test group, e.g. ``FIGURES["bodies"]["400"]``; printed after the run."""

TIMEOUT = 10.0
"""Seconds a fuzzed call may take before it counts as a hang."""


def count(group: str, what: str | int) -> None:
    FIGURES.setdefault(group, Counter())[str(what)] += 1


@pytest.fixture(scope="session")
def fuzz_sandbox() -> Iterator[Sandbox]:
    """A small sandbox (500 leads) without a rate limit, since fuzzing needs many quick
    calls, and with a 64 KiB body limit, so that oversized bodies are cheap to make."""
    with Sandbox(
        leads=500, seed=13, anchor=SANDBOX_ANCHOR, rate_limit=None, max_body_bytes=1 << 16
    ) as box:
        yield box
        answers = box.stats()["answers"]
    FIGURES["fuzz sandbox answers"] = Counter(answers)
    # every fuzz test checks its own answers (a 500 is an input error's, with its type);
    # this is the server's own count of requests that failed it, all tests long
    assert "crashed" not in answers, answers


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    """One keep-alive session for the many fuzz calls."""
    with requests.Session() as session:
        yield session


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    terminalreporter.section("fuzz figures")
    for group, counts in sorted(FIGURES.items()):
        total = counts.get("sent", sum(counts.values()))
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if k != "sent")
        terminalreporter.write_line(f"{group}: {total} ({detail})")
