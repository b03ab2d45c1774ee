"""Query builders on the shared sandbox, and running the code they show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import leadsq
from leadsq.notebook.widget import QueryBuilder


@pytest.fixture
def make_builder(sandbox) -> Callable[..., QueryBuilder]:
    """Build a form on the shared sandbox (keys passed explicitly, progress bar off)."""

    def make(**options: Any) -> QueryBuilder:
        options.setdefault("progress", False)
        return QueryBuilder(
            host=sandbox.url,
            access_key=sandbox.access_key,
            secret_key=sandbox.secret_key,
            **options,
        )

    return make


@pytest.fixture
def builder(make_builder) -> QueryBuilder:
    return make_builder()


@pytest.fixture
def run_code(sandbox, monkeypatch) -> Callable[[str], pd.DataFrame]:
    """Exec a generated call as a notebook would, keys from the environment."""
    monkeypatch.setenv("LSQ_ACCESS_KEY", sandbox.access_key)
    monkeypatch.setenv("LSQ_SECRET_KEY", sandbox.secret_key)

    def run(code: str) -> pd.DataFrame:
        assert sandbox.access_key not in code and sandbox.secret_key not in code
        namespace: dict[str, Any] = {"pd": pd, "leadsq": leadsq}
        exec(f"frame = {code}", namespace)
        return namespace["frame"]

    return run


def assert_same_read(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal frames from equal reads: values, dtypes, index and provenance but the time."""
    pd.testing.assert_frame_equal(left, right)
    provenance = [dict(frame.attrs["leadsq"]) for frame in (left, right)]
    for item in provenance:
        item.pop("read_at")
    assert provenance[0] == provenance[1]
