"""Fixtures of the sandbox tests: an API client and the raw tables of the session sandbox."""

from __future__ import annotations

import pandas as pd
import pytest

from leadsq.sandbox import Sandbox
from tests.sandbox.helpers import Api


@pytest.fixture(scope="session")
def api(sandbox: Sandbox) -> Api:
    return Api(sandbox)


@pytest.fixture(scope="session")
def leads(sandbox: Sandbox) -> pd.DataFrame:
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
