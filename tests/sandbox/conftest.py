"""Fixtures of the sandbox tests: a plain-HTTP API client (raw tables: tests/conftest.py)."""

from __future__ import annotations

import pytest

from leadsq.sandbox import Sandbox
from tests.sandbox.helpers import Api


@pytest.fixture(scope="session")
def api(sandbox: Sandbox) -> Api:
    return Api(sandbox)
