"""Fixtures of the client tests: a reader bound to the session sandbox, raw tables."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

import leadsq
from leadsq.sandbox import Sandbox


@pytest.fixture(scope="session")
def read(sandbox: Sandbox) -> Iterator[Callable[..., Any]]:
    """``leadsq.read_leadsquared`` against the session sandbox, without a progress bar.

    The client's rate limit is raised to the session sandbox's generous one.
    """
    saved = leadsq.config.settings
    leadsq.configure(rate_limit=sandbox.settings.rate_limit)
    yield functools.partial(
        leadsq.read_leadsquared,
        host=sandbox.url,
        access_key=sandbox.access_key,
        secret_key=sandbox.secret_key,
        progress=False,
    )
    leadsq.config.settings = saved


@pytest.fixture(scope="session")
def leads(sandbox: Sandbox) -> pd.DataFrame:
    """The sandbox's raw leads, as generated."""
    return sandbox.store.table("leads")


@pytest.fixture(scope="session")
def activities(sandbox: Sandbox) -> pd.DataFrame:
    return sandbox.store.table("activities")


@pytest.fixture(scope="session")
def users(sandbox: Sandbox) -> pd.DataFrame:
    return sandbox.store.table("users")


def ids(frame: pd.DataFrame) -> set[str]:
    """The ProspectIDs of a frame."""
    return set(frame["ProspectID"].astype(str))
