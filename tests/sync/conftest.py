"""Fixtures of the sync tests: a sandbox of their own (churn changes its data), calls counted."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pytest

import leadsq
from leadsq.sandbox import Churn, Sandbox
from leadsq.sandbox.runtime import _ChurnThread
from tests.conftest import SANDBOX_ANCHOR, connect

PAGE = 200


@pytest.fixture
def box(fresh_settings) -> Iterator[Sandbox]:
    """3,000 leads that only this test changes; a quick client without a rate limit."""
    leadsq.configure(rate_limit=(10_000, 1), backoff=(0.005, 0.05))
    with Sandbox(leads=3000, seed=11, anchor=SANDBOX_ANCHOR, rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
def keys(box: Sandbox) -> dict[str, Any]:
    """Connection keywords of ``leadsq.sync`` for ``box``."""
    return {k: v for k, v in connect(box).items() if k != "progress"}


@pytest.fixture
def calls(box: Sandbox) -> Callable[[], int]:
    """Requests ``box`` has answered so far."""
    return lambda: sum(box.stats()["answers"].values())


def past_this_second() -> None:
    """Wait into the next second: a window ending "now" (whole seconds, ``ToDate``
    exact to the millisecond) then holds every change made so far."""
    time.sleep(1.05 - time.time() % 1)


@contextmanager
def churning(box: Sandbox, created: float, modified: float) -> Iterator[None]:
    """The sandbox's churn thread running over ``box`` for the block, then stopped and
    waited :func:`past_this_second`."""
    thread = _ChurnThread(box.store, Churn(created, modified), tick=0.02)
    thread.start()
    try:
        yield
    finally:
        thread.stop()
        past_this_second()


def full_read(box: Sandbox, columns: list[str], **query: Any) -> pd.DataFrame:
    """A fresh full read of the query (``distribution`` unless ``endpoint=``), by id."""
    endpoint = query.pop("endpoint", "distribution")
    frame = leadsq.read_leadsquared(
        endpoint, columns=columns, page_size=1000, **query, **connect(box)
    )
    return by_id(frame)


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("ProspectID").reset_index(drop=True)
