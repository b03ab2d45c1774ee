"""Leads created and changed during a paged read: no duplicates, no unchanged lead missed."""

from __future__ import annotations

import pytest

import leadsq
from leadsq.sandbox import Churn, Sandbox
from tests.conftest import connect
from tests.reliability.conftest import ANCHOR


def not_contacted_ids(box: Sandbox) -> set[int]:
    leads = box.store.table("leads")
    touched = set(box.store.table("activities").ProspectAutoId)
    return set(leads.ProspectAutoId) - touched


@pytest.mark.parametrize(("workers", "response_format"), [(1, "json"), (8, "json"), (8, "csv")])
def test_a_read_during_churn_has_no_duplicates_and_misses_no_unchanged_lead(
    quick_client, workers, response_format
):
    leadsq.configure(workers=workers)
    churn = Churn(created_per_second=40, modified_per_second=80)
    with Sandbox(
        leads=20_000, seed=5, anchor=ANCHOR, rate_limit=None, latency=0.02, churn=churn
    ) as box:
        before = not_contacted_ids(box)
        with pytest.warns(leadsq.DriftWarning, match="total changed") as warned:
            frame = leadsq.read_leadsquared(
                "not_contacted",
                columns=["ProspectID", "ProspectAutoId"],
                page_size=100,
                response_format=response_format,
                **connect(box),
            )
        after = not_contacted_ids(box)
    assert not frame.ProspectID.duplicated().any()
    unchanged = before & after
    assert len(unchanged) > 1000
    assert unchanged <= set(frame.ProspectAutoId)
    assert set(frame.ProspectAutoId) <= before | after | set(range(min(after), max(after) + 1))
    provenance = frame.attrs["leadsq"]
    drift = provenance["drift"]
    assert drift is not None and len(drift) > 1
    # the totals the paged read saw, as warned, not the keyset repair's falling ones
    assert " -> ".join(map(str, drift)) in str(warned[0].message)
    assert min(drift) > len(unchanged)
    assert provenance["repaired"] is True
    assert len(unchanged) < provenance["total_count"] <= len(before | after)


def test_a_read_without_churn_records_no_drift(sandbox, quick_client):
    frame = leadsq.read_leadsquared(
        "not_contacted", columns=["ProspectID"], page_size=100, **connect(sandbox)
    )
    assert frame.attrs["leadsq"]["drift"] is None
