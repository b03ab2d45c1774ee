"""Fixtures of the reliability tests: quick client retries, keyword arguments per sandbox."""

from __future__ import annotations

from typing import Any

import pytest

import leadsq
from leadsq.sandbox import Sandbox

ANCHOR = "2026-11-01"


@pytest.fixture
def quick_client(fresh_settings) -> leadsq.Settings:
    """Fast backoff and a generous client limit: the sandbox decides what fails."""
    return leadsq.configure(backoff=(0.005, 0.05), rate_limit=(10_000, 1), max_retries=12)


def connect(box: Sandbox) -> dict[str, Any]:
    """Keyword arguments that read from ``box``."""
    return {
        "host": box.url,
        "access_key": box.access_key,
        "secret_key": box.secret_key,
        "progress": False,
    }
