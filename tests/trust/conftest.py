"""Fixtures of the trust tests: one small sandbox behind servers that misbehave."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import leadsq
from leadsq.client.learnt import forget
from leadsq.sandbox import Sandbox
from tests.conftest import SANDBOX_ANCHOR

LEADS = 1000


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    """1,000 leads, no rate limit: the servers in front of it decide what goes wrong."""
    with Sandbox(leads=LEADS, seed=5, anchor=SANDBOX_ANCHOR, rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def quick(fresh_settings) -> Iterator[leadsq.Settings]:
    """No retries, no client limit to speak of, nothing learnt from other tests."""
    forget()
    yield leadsq.configure(max_retries=0, rate_limit=(10_000, 1), backoff=(0.005, 0.05))
    forget()
