"""Fixtures shared by every test folder: one pinned sandbox for the whole session.

Its raw tables (``leads``, ``activities``, ``users``) are what tests compute their
expectations from, with pandas, independently of the SQL that answers requests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pandas as pd
import pytest

import leadsq
from leadsq.sandbox import Sandbox

SANDBOX_ANCHOR = datetime(2026, 11, 1)


def connect(box: Sandbox) -> dict[str, Any]:
    """Keyword arguments of ``read_leadsquared`` that read from ``box``, quietly."""
    return {
        "host": box.url,
        "access_key": box.access_key,
        "secret_key": box.secret_key,
        "progress": False,
    }


@pytest.fixture(scope="session", autouse=True)
def limits_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests' shared rate limits and day counts live in a directory of their own,
    not in the user's cache (``rate_limit_store="file"``), so no other run shares them."""
    leadsq.configure(rate_limit_store=f"file:{tmp_path_factory.mktemp('limits')}")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A sandbox of 3,000 leads (seed 7, anchor 2026-11-01) with a generous rate limit."""
    with Sandbox(leads=3000, seed=7, anchor=SANDBOX_ANCHOR, rate_limit=(10_000, 1)) as box:
        yield box


@pytest.fixture
def fresh_settings() -> Iterator[leadsq.Settings]:
    """Settings a test may change; the process-wide ones come back afterwards."""
    saved = leadsq.settings
    yield leadsq.configure()
    leadsq.configure(saved)


@pytest.fixture(scope="session")
def read(sandbox: Sandbox) -> Iterator[Callable[..., Any]]:
    """``leadsq.read_leadsquared`` against the session sandbox, without a progress bar.

    The client's rate limit is raised to the session sandbox's generous one.
    """
    saved = leadsq.settings
    leadsq.configure(rate_limit=sandbox.settings.rate_limit)
    yield functools.partial(leadsq.read_leadsquared, **connect(sandbox))
    leadsq.configure(saved)


@pytest.fixture(scope="session")
def leads(sandbox: Sandbox) -> pd.DataFrame:
    """The session sandbox's raw leads, as generated, in ProspectAutoId order."""
    return sandbox.store.table("leads")


@pytest.fixture(scope="session")
def activities(sandbox: Sandbox) -> pd.DataFrame:
    return sandbox.store.table("activities")


@pytest.fixture(scope="session")
def users(sandbox: Sandbox) -> pd.DataFrame:
    return sandbox.store.table("users")


@pytest.fixture(scope="session")
def field_types(sandbox: Sandbox) -> dict[str, str]:
    return dict(sandbox.store.fields)
