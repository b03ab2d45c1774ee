"""Fixtures of the read-cache tests: a cache directory of the test's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

import leadsq
from leadsq.sandbox import Sandbox


@pytest.fixture
def cache_dir(tmp_path, read) -> Iterator[object]:
    """A fresh cache directory for this test (``read`` sets the session's rate limit first)."""
    saved = leadsq.settings
    leadsq.configure(cache_dir=str(tmp_path))
    yield tmp_path
    leadsq.configure(saved)


@pytest.fixture
def calls(sandbox: Sandbox) -> Callable[[], int]:
    """Requests the session sandbox has answered since the test began."""

    def total() -> int:
        return sum(sandbox.stats()["answers"].values())

    start = total()
    return lambda: total() - start
