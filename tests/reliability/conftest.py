"""Fixtures of the reliability tests: quick client retries."""

from __future__ import annotations

import pytest

import leadsq

ANCHOR = "2026-11-01"


@pytest.fixture
def quick_client(fresh_settings) -> leadsq.Settings:
    """Fast backoff and a generous client limit: the sandbox decides what fails."""
    return leadsq.configure(backoff=(0.005, 0.05), rate_limit=(10_000, 1), max_retries=12)
