"""Incremental sync: a first full read, then only what changed, ending equal to a full read."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import leadsq
from leadsq.__main__ import main
from tests.sync.conftest import PAGE, by_id, churning, full_read, past_this_second

COLUMNS = [
    "ProspectID",
    "ProspectAutoId",
    "ProspectStage",
    "EngagementScore",
    "Score",
    "ModifiedOn",
]


@pytest.mark.parametrize("format", ["duckdb", "parquet"])
def test_a_later_run_reads_only_what_changed_and_ends_equal_to_a_full_read(
    box, keys, calls, tmp_path, format
):
    store = tmp_path / ("leads.duckdb" if format == "duckdb" else "leads")
    first = leadsq.sync(store, columns=COLUMNS, format=format, page_size=PAGE, lag=0, **keys)
    assert len(first) == 3000 and first.attrs["leadsq_sync"]["new"] == 3000
    made = box.store.churn(created=150)
    touched = box.store.churn(modified=300)
    past_this_second()
    changed = set(touched.modified) - set(made.created)
    before = calls()
    second = leadsq.sync(store, columns=COLUMNS, format=format, page_size=PAGE, lag=0, **keys)
    spent = calls() - before
    run = second.attrs["leadsq_sync"]
    assert (run["new"], run["changed"], run["removed"]) == (150, len(changed), 0)
    assert spent <= math.ceil((150 + len(touched.modified)) / PAGE) + 1
    pd.testing.assert_frame_equal(by_id(second), full_read(box, COLUMNS))
    runs = leadsq.sync_runs(store, format=format)
    assert list(runs.run) == [1, 2] and list(runs.rows) == [3000, 3150]
    assert runs.window_start[1] == runs.window_end[0]


def test_sync_under_churn_ends_equal_to_a_fresh_full_read(box, keys, tmp_path):
    store = tmp_path / "leads.duckdb"
    with churning(box, created=30, modified=120):
        for _ in range(3):  # lag: a change is stamped before its commit makes it visible
            leadsq.sync(store, columns=COLUMNS, page_size=PAGE, lag=3, **keys)
    final = leadsq.sync(store, columns=COLUMNS, page_size=PAGE, lag=0, **keys)
    expected = full_read(box, COLUMNS)
    assert len(expected) > 3000
    assert not final.ProspectID.duplicated().any()
    pd.testing.assert_frame_equal(by_id(final), expected)
    assert list(final.ProspectAutoId) == sorted(final.ProspectAutoId)
    runs = leadsq.sync_runs(store)
    assert runs.changed[1:].sum() > 0 and runs.new[1:].sum() > 0


def test_a_lead_that_stops_matching_leaves_the_table(box, keys, tmp_path):
    store = tmp_path / "leads.duckdb"
    query = {"where": "EngagementScore < 40", "columns": COLUMNS}
    leadsq.sync(store, **query, page_size=PAGE, lag=0, **keys)
    with churning(box, created=20, modified=200):
        box.store.churn(modified=2000)  # +2 EngagementScore each: some pass 40
        leadsq.sync(store, **query, page_size=PAGE, lag=3, **keys)
    final = leadsq.sync(store, **query, page_size=PAGE, lag=0, **keys)
    expected = full_read(box, COLUMNS, where="EngagementScore < 40")
    pd.testing.assert_frame_equal(by_id(final), expected)
    runs = leadsq.sync_runs(store)
    assert runs.removed.sum() > 0


def test_not_contacted_leads_leave_when_contacted(box, keys, tmp_path):
    store = tmp_path / "neglected.duckdb"
    query = {"endpoint": "not_contacted", "columns": ["ProspectID", "ModifiedOn"]}
    first = leadsq.sync(store, **query, page_size=PAGE, lag=0, **keys)
    box.store.churn(modified=1000)  # an outbound call each
    past_this_second()
    final = leadsq.sync(store, **query, page_size=PAGE, lag=0, **keys)
    assert final.attrs["leadsq_sync"]["removed"] > 0
    assert len(final) < len(first)
    pd.testing.assert_frame_equal(
        by_id(final), full_read(box, query["columns"], endpoint="not_contacted")
    )


def test_prospect_id_and_modified_on_are_added_to_the_columns(box, keys, tmp_path):
    frame = leadsq.sync(tmp_path / "s.duckdb", columns=["FirstName"], lag=0, **keys)
    assert list(frame.columns) == ["FirstName", "ProspectID", "ModifiedOn"]
    assert frame.ModifiedOn.dtype == "datetime64[ns, UTC]"
    default = leadsq.sync(tmp_path / "d.duckdb", lag=0, **keys)
    read = leadsq.read_leadsquared("distribution", max_results=1, progress=False, **keys)
    assert list(default.columns) == [*read.columns, "ModifiedOn"]


def test_a_store_holding_another_query_is_refused_before_any_call(box, keys, calls, tmp_path):
    store = tmp_path / "s.duckdb"
    leadsq.sync(store, columns=COLUMNS, lag=0, **keys)
    before = calls()
    with pytest.raises(leadsq.QueryError, match="another query"):
        leadsq.sync(store, columns=COLUMNS, where="Score > 3", lag=0, **keys)
    assert calls() == before
    other = leadsq.sync(store, table="scored", columns=COLUMNS, where="Score > 3", lag=0, **keys)
    assert (other.Score > 3).all()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"format": "csv"}, "format must be one of duckdb, parquet"),
        ({"table": "drop table"}, "table must be a plain name"),
        ({"lag": -1}, "lag must be seconds"),
        ({"group_by": "Source"}, "unexpected keyword"),
    ],
)
def test_bad_arguments_are_refused(box, keys, calls, tmp_path, arguments, message):
    before = calls()
    with pytest.raises((leadsq.QueryError, TypeError), match=message):
        leadsq.sync(tmp_path / "s.duckdb", **arguments, **keys)
    assert calls() == before


def test_a_full_run_reads_everything_again_and_drops_what_no_longer_matches(box, keys, tmp_path):
    store = tmp_path / "s.duckdb"
    query = {"where": "EngagementScore < 40", "columns": COLUMNS}
    first = leadsq.sync(store, **query, lag=0, **keys)
    box.store.churn(modified=2000)
    past_this_second()
    within_lag = leadsq.sync(store, **query, lag=3600, full=True, **keys)
    assert within_lag.attrs["leadsq_sync"]["removed"] == 0
    assert set(within_lag.ProspectID) == set(first.ProspectID)
    final = leadsq.sync(store, **query, lag=0, full=True, **keys)
    assert final.attrs["leadsq_sync"]["removed"] > 0
    expected = full_read(box, COLUMNS, where="EngagementScore < 40")
    pd.testing.assert_frame_equal(by_id(final), expected)


def test_reconcile_warns_when_the_server_counts_other_leads(box, keys, tmp_path):
    store = tmp_path / "s.duckdb"
    leadsq.sync(store, columns=COLUMNS, lag=0, reconcile=True, **keys)  # equal: no warning
    past_this_second()  # the new leads fall after the run's window, which the next shares
    box.store.churn(created=5)
    with pytest.warns(
        leadsq.ReconcileWarning, match="server counts 3005 leads .* local table 3000"
    ):
        leadsq.sync(store, columns=COLUMNS, lag=3600, reconcile=True, **keys)


def test_the_command_runs_a_sync_and_says_what_it_did(box, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LSQ_ACCESS_KEY", box.access_key)
    monkeypatch.setenv("LSQ_SECRET_KEY", box.secret_key)
    store = str(tmp_path / "cron")
    arguments = ["sync", store, "--host", box.url, "--format", "parquet", "--lag", "0"]
    assert main([*arguments, "--where", "Score > 3"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("run 1: ") and " removed; " in first
    assert main([*arguments, "--where", "Score > 3"]) == 0
    assert capsys.readouterr().out.startswith("run 2: 0 new, 0 changed")
    assert main([*arguments, "--where", "Score > 4"]) == 1
    error = capsys.readouterr().err
    assert "another query" in error and box.access_key not in error


@pytest.mark.parametrize("format", ["duckdb", "parquet"])
def test_the_store_never_holds_a_key(box, keys, tmp_path, format):
    leadsq.sync(tmp_path / "store", format=format, columns=COLUMNS, lag=0, **keys)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert box.access_key.encode() not in data
            assert box.secret_key.encode() not in data
