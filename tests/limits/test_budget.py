"""The daily budget stops a read at its call, and the resume body finishes the read."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

import leadsq
from leadsq.sandbox import Faults

from .conftest import ROOT, connect, read_ids, small_sandbox, start_readers

QUERY = {"columns": ["ProspectAutoId"], "page_size": 30}  # 10 pages of the 300 leads


def calls(box) -> int:
    return sum(box.stats()["answers"].values())


def test_the_budget_stops_a_read_at_its_call_and_the_resume_body_reads_the_rest_once(
    store, access_key, fresh_settings
):
    # a metadata call and 4 pages fit in 5 calls; the pages go out 32 at a time
    leadsq.configure(rate_limit=(1000, 1), rate_limit_store=store, daily_budget=5)
    with small_sandbox(access_key, rate_limit=None) as box:
        with pytest.raises(leadsq.BudgetExceededError) as caught:
            leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
        error = caught.value
        assert calls(box) == 5
        assert error.partial.ProspectAutoId.tolist() == list(range(1, 121))
        assert error.resume_body["Paging"] == {"PageIndex": 5, "PageSize": 30}
        midnight = (datetime.now(timezone.utc) + timedelta(days=1)).date()
        assert error.renews_at == datetime(*midnight.timetuple()[:3], tzinfo=timezone.utc)
        assert (error.budget, error.calls_today) == (5, 5)
        assert f"renews at {midnight:%Y-%m-%d} 00:00 UTC" in str(error)
        assert isinstance(error, leadsq.RateLimitError)

        leadsq.configure(daily_budget=11)
        rest = leadsq.read_leadsquared("distribution", body=error.resume_body, **connect(box))
        # the resume body says where to start; the rest (rows 121-300) comes in one page of
        # leadsq's size, not 6 of the body's 30: none asked twice
        assert calls(box) == 5 + 1
    whole = pd.concat([error.partial, rest], ignore_index=True)
    assert whole.ProspectAutoId.tolist() == list(range(1, 301))


def test_a_spent_budget_sends_nothing(store, access_key, fresh_settings):
    leadsq.configure(rate_limit=(1000, 1), rate_limit_store=store, daily_budget=1)
    with small_sandbox(access_key, rate_limit=None) as box:
        with pytest.raises(leadsq.BudgetExceededError) as caught:
            leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
        assert calls(box) == 1  # the metadata call
        assert caught.value.rows_received == 0
        assert caught.value.resume_body["Paging"]["PageIndex"] == 1


def test_usage_agrees_with_the_sandbox_count_across_processes(store, access_key, fresh_settings):
    leadsq.configure(rate_limit=(5, 1), rate_limit_store=store)
    with small_sandbox(access_key) as box:
        settings = {"rate_limit": [5, 1], "rate_limit_store": store}
        reader = start_readers(1, box, settings, QUERY)[0]
        frame = leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
        assert read_ids(reader) == frame.ProspectAutoId.tolist() == list(range(1, 301))
        counted = calls(box)
        seen = leadsq.usage(access_key, host=box.url)
        name = leadsq.client.limits.stores.fingerprint(access_key, box.url)
    row = seen.loc[name]
    assert row.today_calls == counted == 2 * 11
    assert 0 < row.window_calls <= row.window_limit == 5
    assert access_key not in repr(seen)
    assert name in leadsq.usage().index


def test_rate_limit_answers_are_retried_until_max_retry_seconds_however_many(
    store, access_key, fresh_settings
):
    # a third of the answers are the rate-limit answer; no retry count is left for them
    leadsq.configure(
        rate_limit=(1000, 1), rate_limit_store=store, max_retries=0, backoff=(0.01, 0.02)
    )
    faults = Faults(rate_limit=0.3)
    with small_sandbox(access_key, rate_limit=None, faults=faults) as box:
        frame = leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
        refused = box.stats()["answers"].get("429", 0)
    assert frame.ProspectAutoId.tolist() == list(range(1, 301))
    assert refused > 1


@pytest.mark.parametrize("budget", [0, -1, 2.5, True, "100"])
def test_a_daily_budget_that_is_no_count_of_calls_is_refused(budget, fresh_settings):
    with pytest.raises(leadsq.ConfigurationError, match="daily_budget"):
        leadsq.configure(daily_budget=budget)


CAPPED = """
import json, sys
import leadsq
leadsq.configure(rate_limit=(1000, 1), rate_limit_store=sys.argv[1])
try:
    leadsq.read_leadsquared("distribution", **json.loads(sys.argv[2]))
except leadsq.DailyLimitError as error:
    print(type(error).__name__, error.renews_at.isoformat())
"""


def test_the_services_daily_cap_stops_every_process_on_the_key_without_a_call(
    store, access_key, fresh_settings
):
    leadsq.configure(rate_limit=(1000, 1), rate_limit_store=store)
    with small_sandbox(access_key, rate_limit=None, daily_cap=3) as box:
        with pytest.raises(leadsq.DailyLimitError):
            leadsq.read_leadsquared("distribution", **QUERY, **connect(box))
        answered = calls(box)
        other = subprocess.run(
            [sys.executable, "-c", CAPPED, store, json.dumps({**QUERY, **connect(box)})],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        assert calls(box) == answered  # the other process was not sent to be told again
    midnight = (datetime.now(timezone.utc) + timedelta(days=1)).date()
    assert other.stdout.split() == ["DailyLimitError", f"{midnight}T00:00:00+00:00"]
