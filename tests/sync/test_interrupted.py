"""A run that stops part-way leaves the store as the last run left it; the next run resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

import leadsq
from leadsq.sandbox import Sandbox
from tests.conftest import SANDBOX_ANCHOR, connect
from tests.sync.conftest import by_id, full_read, past_this_second

COLUMNS = ["ProspectID", "ProspectAutoId", "EngagementScore", "ModifiedOn"]


@pytest.fixture
def faulty(fresh_settings):
    """A sandbox answering a fifth of its calls with a 500."""
    leadsq.configure(rate_limit=(10_000, 1), backoff=(0.001, 0.01), max_retries=12)
    with Sandbox(
        leads=3000,
        seed=3,
        anchor=SANDBOX_ANCHOR,
        rate_limit=None,
        faults={"server_error": 0.2},
    ) as box:
        yield box


def keys_of(box: Sandbox) -> dict:
    return {k: v for k, v in connect(box).items() if k != "progress"}


def test_a_first_run_that_fails_part_way_leaves_no_trace(faulty, tmp_path):
    store = tmp_path / "s.duckdb"
    leadsq.configure(max_retries=0)
    with pytest.raises(leadsq.ServerError):
        leadsq.sync(store, columns=COLUMNS, page_size=100, lag=0, **keys_of(faulty))
    assert leadsq.sync_runs(store).empty
    leadsq.configure(max_retries=12)
    resumed = leadsq.sync(store, columns=COLUMNS, page_size=100, lag=0, **keys_of(faulty))
    assert list(leadsq.sync_runs(store).run) == [1]
    pd.testing.assert_frame_equal(by_id(resumed), full_read(faulty, COLUMNS))


@pytest.mark.parametrize("format", ["duckdb", "parquet"])
def test_a_later_run_that_fails_part_way_is_read_again_with_nothing_lost_or_duplicated(
    faulty, tmp_path, format
):
    store = tmp_path / "s"
    first = leadsq.sync(
        store, columns=COLUMNS, format=format, page_size=20, lag=0, **keys_of(faulty)
    )
    faulty.store.churn(created=50, modified=500)
    past_this_second()
    leadsq.configure(max_retries=0)
    with pytest.raises(leadsq.ServerError):
        leadsq.sync(store, columns=COLUMNS, format=format, page_size=20, lag=0, **keys_of(faulty))
    runs = leadsq.sync_runs(store, format=format)
    assert list(runs.run) == [1]
    leadsq.configure(max_retries=12)
    resumed = leadsq.sync(
        store, columns=COLUMNS, format=format, page_size=20, lag=0, **keys_of(faulty)
    )
    runs = leadsq.sync_runs(store, format=format)
    assert list(runs.run) == [1, 2]
    assert runs.window_start[1] == runs.window_end[0]
    assert runs.new[1] == 50 and len(resumed) == len(first) + 50
    assert not resumed.ProspectID.duplicated().any()
    pd.testing.assert_frame_equal(by_id(resumed), full_read(faulty, COLUMNS))


def test_a_killed_sync_process_leaves_the_store_consistent(fresh_settings, tmp_path):
    leadsq.configure(rate_limit=(10_000, 1))
    with Sandbox(leads=3000, seed=5, anchor=SANDBOX_ANCHOR, rate_limit=None, latency=0.02) as box:
        store = tmp_path / "s.duckdb"
        environment = {
            **os.environ,
            "LSQ_ACCESS_KEY": box.access_key,
            "LSQ_SECRET_KEY": box.secret_key,
        }
        command = [sys.executable, "-m", "leadsq", "sync", str(store), "--host", box.url]
        command += ["--columns", ",".join(COLUMNS), "--page-size", "20", "--lag", "0"]
        child = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while sum(box.stats()["answers"].values()) < 30 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert child.poll() is None, "the child finished before it could be killed"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        assert leadsq.sync_runs(store).empty
        resumed = leadsq.sync(store, columns=COLUMNS, page_size=500, lag=0, **keys_of(box))
        assert list(leadsq.sync_runs(store).run) == [1]
        pd.testing.assert_frame_equal(by_id(resumed), full_read(box, COLUMNS))


def test_a_parquet_part_left_by_a_run_stopped_before_its_state_was_saved_is_dropped(
    fresh_settings, tmp_path
):
    leadsq.configure(rate_limit=(10_000, 1))
    with Sandbox(leads=500, seed=5, anchor=SANDBOX_ANCHOR, rate_limit=None) as box:
        first = leadsq.sync(tmp_path, format="parquet", lag=0, **keys_of(box))
        directory = tmp_path / "leads"
        (current,) = directory.glob("part-*.parquet")
        orphan = directory / "part-0123456789abcdef.parquet"
        orphan.write_bytes(current.read_bytes())  # as a killed run would leave it
        again = leadsq.sync(tmp_path, format="parquet", lag=0, **keys_of(box))
        assert not orphan.exists() and len(list(directory.glob("part-*.parquet"))) == 1
        pd.testing.assert_frame_equal(by_id(again), by_id(first))
