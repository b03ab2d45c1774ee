"""Fixtures shared by every test folder: one pinned sandbox for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

import leadsq
from leadsq.sandbox import Sandbox

SANDBOX_ANCHOR = datetime(2026, 11, 1)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A sandbox of 3,000 leads (seed 7, anchor 2026-11-01) with a generous rate limit."""
    with Sandbox(leads=3000, seed=7, anchor=SANDBOX_ANCHOR, rate_limit=(10_000, 1)) as box:
        yield box


@pytest.fixture
def fresh_settings() -> Iterator[leadsq.Settings]:
    """Settings a test may change; the process-wide ones come back afterwards."""
    saved = leadsq.config.settings
    yield leadsq.configure()
    leadsq.config.settings = saved
