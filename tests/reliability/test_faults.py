"""Reads survive injected faults, and a server failing for good loses nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

import leadsq
from leadsq.sandbox import Faults, Sandbox
from tests.conftest import connect
from tests.reliability.conftest import ANCHOR

LEADS = 20_000
COLUMNS = [
    "ProspectID",
    "ProspectAutoId",
    "FirstName",
    "ProspectStage",
    "EngagementScore",
    "mx_Loan_Amount",
    "CreatedOn",
    "ProspectActivityDate_Max",
    "DoNotCall",
]
FAULTS = Faults(
    server_error=0.10, rate_limit=0.05, rate_limit_200=0.05, dropped=0.05, truncated=0.05
)


@pytest.fixture(scope="module")
def calm() -> Iterator[Sandbox]:
    with Sandbox(leads=LEADS, seed=11, anchor=ANCHOR, rate_limit=None) as box:
        yield box


@pytest.fixture(scope="module")
def faulty() -> Iterator[Sandbox]:
    with Sandbox(leads=LEADS, seed=11, anchor=ANCHOR, rate_limit=None, faults=FAULTS) as box:
        yield box


def without_provenance(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.attrs = {}
    return frame


@pytest.mark.parametrize("response_format", ["json", "csv"])
def test_paged_reads_under_faults_equal_the_fault_free_read(
    calm, faulty, quick_client, response_format
):
    query = {"columns": COLUMNS, "page_size": 1000, "response_format": response_format}
    expected = leadsq.read_leadsquared("distribution", **query, **connect(calm))
    assert len(expected) == LEADS
    for _ in range(3):
        frame = leadsq.read_leadsquared("distribution", **query, **connect(faulty))
        pd.testing.assert_frame_equal(without_provenance(frame), without_provenance(expected))
    answers = faulty.stats()["answers"]
    for status in ("500", "429"):
        assert int(answers.get(status, 0)) > 0, (
            f"the sandbox should have injected {status}s: {answers}"
        )


def test_aggregates_under_faults_equal_the_fault_free_ones(calm, faulty, quick_client):
    query = {
        "group_by": "OwnerId",
        "aggregate": "average",
        "aggregate_field": "EngagementScore",
        "page_size": 5,
    }
    expected = leadsq.read_leadsquared("distribution", **query, **connect(calm))
    frame = leadsq.read_leadsquared("distribution", **query, **connect(faulty))
    pd.testing.assert_frame_equal(without_provenance(frame), without_provenance(expected))


def test_a_server_failing_for_good_stops_with_the_rows_so_far_and_a_way_to_read_on(fresh_settings):
    leadsq.configure(
        backoff=(0.005, 0.02), max_retry_seconds=0.5, rate_limit=(10_000, 1), workers=1
    )
    with (
        Sandbox(leads=2000, seed=11, anchor=ANCHOR, rate_limit=(8, 3600)) as box,
        pytest.raises(leadsq.RateLimitError) as caught,
    ):
        leadsq.read_leadsquared(
            "distribution", columns=["ProspectAutoId"], page_size=100, **connect(box)
        )
    error = caught.value
    arrived = error.rows_received
    assert 0 < arrived < 2000 and arrived % 100 == 0
    assert error.partial.ProspectAutoId.tolist() == list(range(1, arrived + 1))
    assert f"{arrived} rows had arrived" in str(error)
    assert error.resume_body["Paging"] == {"PageIndex": arrived // 100 + 1, "PageSize": 100}
    with Sandbox(leads=2000, seed=11, anchor=ANCHOR, rate_limit=None) as same_data:
        rest = leadsq.read_leadsquared("distribution", body=error.resume_body, **connect(same_data))
    whole = pd.concat([error.partial, rest], ignore_index=True)
    assert whole.ProspectAutoId.tolist() == list(range(1, 2001))
