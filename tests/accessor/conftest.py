"""Fixtures of the accessor tests: frames read over HTTP from the shared sandbox.

The ``sandbox`` fixture (3,000 leads, seed 7, anchor 2026-11-01) is in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

CREATED = ("2026-05-01", "2026-10-31")
LAST_30_DAYS = ("2026-10-02", "2026-11-01")
LIST_COLUMNS = [
    "ProspectID",
    "ProspectStage",
    "Source",
    "OwnerId",
    "Score",
    "EngagementScore",
    "mx_Loan_Amount",
    "mx_Interest_Rate",
    "ProspectActivityDate_Max",
]


@pytest.fixture(scope="session")
def leads(read: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    """Leads created in six months, as a list (several pages)."""
    return read("distribution", created=CREATED, columns=LIST_COLUMNS, page_size=500)


@pytest.fixture(scope="session")
def engagement_by_owner(read: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    """Average engagement per owner of the same leads, from the server."""
    return read(
        "distribution",
        created=CREATED,
        group_by="OwnerId",
        aggregate="average",
        aggregate_field="EngagementScore",
    )


@pytest.fixture(scope="session")
def not_contacted(read: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    """Prospects and opportunities without a phone call in the last 30 days."""
    return read(
        "not_contacted",
        "ProspectStage in ['Prospect', 'Opportunity']",
        activities=[21, 22],
        activity_window=LAST_30_DAYS,
        columns=["ProspectID", "ProspectStage", "OwnerId", "ProspectActivityDate_Max"],
    )


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")
