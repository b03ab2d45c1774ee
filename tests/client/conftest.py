"""Helpers of the client tests (most fixtures are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

import leadsq
from leadsq.client.learnt import forget


def ids(frame: pd.DataFrame) -> set[str]:
    """The ProspectIDs of a frame."""
    return set(frame["ProspectID"].astype(str))


@pytest.fixture
def nothing_learnt(fresh_settings: leadsq.Settings) -> Iterator[leadsq.Settings]:
    """Nothing learnt about any host before or after the test; no retries, no limit to
    speak of, so every call a test counts is one the read chose to make."""
    forget()
    yield leadsq.configure(max_retries=0, rate_limit=(10_000, 1))
    forget()
