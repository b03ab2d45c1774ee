"""Processes reading on one access key share its limit through the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import leadsq
from benchmarks.harness import free_port
from leadsq.client.limits.stores import fingerprint, store_for, utc_day
from leadsq.sandbox import Faults

from .conftest import ROOT, connect, read_ids, small_sandbox, start_readers

QUERY = {"columns": ["ProspectAutoId"], "page_size": 50}  # 6 pages of the 300 leads


def test_four_processes_on_one_key_send_no_more_than_the_limit_and_read_exactly(store, access_key):
    # a margin of a fifth of the short window (default 0.05 s): the sandbox, a thread of
    # this process, counts a call when its thread gets to it, tens of ms late while it
    # answers others (with 0.05 s, 1 run in 4 drew a 429 on 2 cores)
    settings = {"rate_limit": [5, 1], "rate_limit_margin": 0.2, "rate_limit_store": store}
    with small_sandbox(access_key) as box:
        readers = start_readers(4, box, settings, QUERY)
        reads = [read_ids(reader) for reader in readers]
        stats = box.stats()
    assert all(ids == list(range(1, 301)) for ids in reads)
    assert stats["answers"] == {"200": 4 * 7}  # a metadata call and 6 pages each, no 429
    assert stats["peak_window_calls"] <= 5


HOLDER = """
import sqlite3, sys, time
from leadsq.client.limits.stores import store_for
store = store_for(sys.argv[1], sys.argv[2])
with store.locked():
    db = sqlite3.connect(store.path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO days VALUES ('2000-01-01', 1000)")
    print("holding", flush=True)
    time.sleep(60)
"""


def test_a_process_killed_while_holding_the_file_store_leaves_it_usable(
    tmp_path, access_key, fresh_settings
):
    store = f"file:{tmp_path}"
    leadsq.configure(rate_limit=(5, 1), rate_limit_store=store)
    with small_sandbox(access_key) as box:
        name = fingerprint(access_key, box.url)
        with subprocess.Popen(
            [sys.executable, "-c", HOLDER, store, name], stdout=subprocess.PIPE, text=True, cwd=ROOT
        ) as holder:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
            os.kill(holder.pid, signal.SIGKILL)  # in the middle of a write, the lock held
        frame = leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
    assert frame.ProspectAutoId.tolist() == list(range(1, 301))
    kept = store_for(store, name)
    assert kept.calls_on("2000-01-01") == 0  # the killed write was rolled back
    assert kept.calls_on(utc_day()) == 7


REDIS_HOLDER = """
import sys, time
from leadsq.client.limits.stores import store_for
store = store_for(sys.argv[1], sys.argv[2])
with store.locked():
    print("holding", flush=True)
    time.sleep(60)
"""


def test_a_process_killed_while_holding_the_redis_store_leaves_it_usable(
    redis_url, access_key, fresh_settings
):
    leadsq.configure(rate_limit=(5, 1), rate_limit_store=redis_url)
    with small_sandbox(access_key) as box:
        name = fingerprint(access_key, box.url)
        with subprocess.Popen(
            [sys.executable, "-c", REDIS_HOLDER, redis_url, name],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        ) as holder:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
            os.kill(holder.pid, signal.SIGKILL)
        # the lock expires 2 s after it was taken
        frame = leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
    assert frame.ProspectAutoId.tolist() == list(range(1, 301))
    assert store_for(redis_url, name).calls_on(utc_day()) == 7


def test_a_rate_limit_answer_slows_the_key_down_and_its_retries_wait_for_the_window(
    store, access_key, fresh_settings
):
    # the client believes in twice the sandbox's limit: the 6th and 7th calls are refused
    leadsq.configure(rate_limit=(10, 5), rate_limit_store=store, backoff=(0.01, 0.05))
    with small_sandbox(access_key, rate_limit=(5, 5)) as box:
        frame = leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
        refused = box.stats()["answers"].get("429", 0)
    assert frame.ProspectAutoId.tolist() == list(range(1, 301))
    # the refused calls slowed the key to 7 calls / 5 s: their retries waited for the
    # window instead of drawing a 429 each (without it, a retry every 10-50 ms for 5 s)
    assert 1 <= refused <= 2


USAGE = """
import sys
import pandas as pd
import leadsq
print("ready", flush=True)
sys.stdin.readline()
until = leadsq.usage(sys.argv[2], host=sys.argv[3], store=sys.argv[1]).iloc[0].cooldown_until
print(0 if pd.isna(until) else until.timestamp())
"""


def test_another_process_on_the_key_sees_the_slow_down(store, access_key, fresh_settings):
    leadsq.configure(rate_limit=(10, 5), rate_limit_store=store, max_retry_seconds=0.2)
    with (
        small_sandbox(access_key, rate_limit=None, faults=Faults(rate_limit=1.0)) as box,
        subprocess.Popen(
            [sys.executable, "-c", USAGE, store, access_key, box.url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        ) as other,
    ):
        assert other.stdout is not None and other.stdout.readline().strip() == "ready"
        with pytest.raises(leadsq.RateLimitError):
            leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
        refused_at = time.time()
        cooling_until, _ = other.communicate("go\n", timeout=60)
    assert float(cooling_until) > refused_at  # one window after the last refusal


def test_a_store_that_cannot_be_used_is_a_configuration_error_naming_it(
    tmp_path, access_key, fresh_settings
):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    leadsq.configure(rate_limit_store=f"file:{not_a_directory}")
    with small_sandbox(access_key) as box, pytest.raises(leadsq.ConfigurationError) as caught:
        leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
    assert str(not_a_directory) in str(caught.value)
    assert access_key not in str(caught.value)
    with pytest.raises(leadsq.ConfigurationError, match="rate_limit_store"):
        leadsq.configure(rate_limit_store="sqlite")


def test_a_redis_store_that_does_not_answer_is_a_configuration_error(access_key, fresh_settings):
    port = free_port()
    leadsq.configure(rate_limit_store=f"redis://user:secret@127.0.0.1:{port}/0")
    with small_sandbox(access_key) as box, pytest.raises(leadsq.ConfigurationError) as caught:
        leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
    assert "Redis does not answer" in str(caught.value)
    assert "secret" not in str(caught.value)
