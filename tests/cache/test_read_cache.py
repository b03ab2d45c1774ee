"""A cached re-read makes no call and gives an equal frame; anything else goes to the service."""

from __future__ import annotations

import pandas as pd
import pytest

import leadsq
from leadsq.client.cache import read_key
from leadsq.client.client import connection_for
from leadsq.query.build import build_report
from leadsq.sandbox import Sandbox
from tests.conftest import SANDBOX_ANCHOR, connect

COLUMNS = ["ProspectID", "ProspectStage", "EngagementScore", "mx_Loan_Amount", "CreatedOn"]
CREATED = ("2026-06-01", "2026-10-31")


def test_a_cached_re_read_makes_no_call_and_gives_an_equal_frame(read, cache_dir, calls):
    first = read("distribution", created=CREATED, columns=COLUMNS, page_size=500, cache="1h")
    spent = calls()
    again = read("distribution", created=CREATED, columns=COLUMNS, page_size=500, cache="1h")
    assert spent >= 2
    assert calls() == spent
    pd.testing.assert_frame_equal(again, first)
    assert first.attrs["leadsq"]["cache"]["hit"] is False
    assert again.attrs["leadsq"]["cache"]["hit"] is True
    assert again.attrs["leadsq"]["read_at"] == first.attrs["leadsq"]["read_at"]
    assert repr(again.lsq).endswith(", answered from the read cache>")
    assert "cache" not in repr(first.lsq)


def test_an_aggregate_comes_back_with_its_typed_index(read, cache_dir, calls):
    kwargs = {"group_by": "ProspectStage", "aggregate": "average"}
    first = read("distribution", **kwargs, aggregate_field="EngagementScore", cache=True)
    spent = calls()
    again = read("distribution", **kwargs, aggregate_field="EngagementScore", cache=True)
    assert calls() == spent
    pd.testing.assert_frame_equal(again, first)
    assert again.index.name == "ProspectStage"


def test_an_empty_answer_comes_back_with_its_columns_and_types(read, cache_dir, calls):
    first = read("distribution", "EngagementScore > 100000", columns=COLUMNS, cache="1h")
    spent = calls()
    again = read("distribution", "EngagementScore > 100000", columns=COLUMNS, cache="1h")
    assert calls() == spent and again.empty
    pd.testing.assert_frame_equal(again, first)


def test_a_csv_read_is_answered_by_the_json_reads_answer(read, cache_dir, calls):
    first = read("distribution", columns=COLUMNS, max_results=300, page_size=100, cache="1h")
    spent = calls()
    again = read(
        "distribution",
        columns=COLUMNS,
        max_results=300,
        page_size=100,
        response_format="csv",
        cache="1h",
    )
    assert calls() == spent
    pd.testing.assert_frame_equal(again, first)


def test_the_setting_turns_the_cache_on_and_cache_false_goes_to_the_service(read, cache_dir, calls):
    leadsq.configure(cache="30m")
    read("distribution", columns=COLUMNS, max_results=50)
    spent = calls()
    read("distribution", columns=COLUMNS, max_results=50)
    assert calls() == spent
    read("distribution", columns=COLUMNS, max_results=50, cache=False)
    assert calls() > spent


@pytest.mark.parametrize(
    "change",
    [
        {"created": ("2026-06-01", "2026-10-30")},
        {"columns": [*COLUMNS, "Source"]},
        {"page_size": 250},
        {"max_results": 100},
        {"where": "EngagementScore >= 10"},
    ],
)
def test_a_changed_query_goes_to_the_service(read, cache_dir, calls, change):
    query = {"created": CREATED, "columns": COLUMNS, "page_size": 500, "cache": "1h"}
    read("distribution", **query)
    spent = calls()
    read("distribution", **{**query, **change})
    assert calls() > spent


def test_an_expired_entry_goes_to_the_service(read, cache_dir, calls):
    first = read("distribution", columns=COLUMNS, max_results=20, cache="1h")
    spent = calls()
    again = read("distribution", columns=COLUMNS, max_results=20, cache=1e-6)
    assert calls() > spent
    assert again.attrs["leadsq"]["cache"]["hit"] is False
    pd.testing.assert_frame_equal(again, first, check_like=True)


def test_another_account_on_the_same_host_has_another_key(sandbox):
    report = build_report("distribution", columns=COLUMNS)
    ours = connection_for(sandbox.url, sandbox.access_key, sandbox.secret_key)
    theirs = connection_for(sandbox.url, "u$rother", sandbox.secret_key)
    assert read_key(ours, report, None) != read_key(theirs, report, None)
    assert sandbox.access_key not in read_key(ours, report, None)


def test_another_account_goes_to_its_own_service(cache_dir, read):
    keys = {"access_key": "u$rsecond-account", "secret_key": "second-secret"}
    with Sandbox(leads=300, seed=7, anchor=SANDBOX_ANCHOR, rate_limit=(10_000, 1), **keys) as other:
        mine = read("distribution", columns=COLUMNS, cache="1h")
        answered = sum(other.stats()["answers"].values())
        theirs = leadsq.read_leadsquared(
            "distribution", columns=COLUMNS, cache="1h", **connect(other)
        )
        assert sum(other.stats()["answers"].values()) > answered
    assert len(theirs) == 300 and len(mine) == 3000


def test_refresh_goes_to_the_service_and_replaces_the_stored_answer(read, cache_dir, calls):
    read("distribution", columns=COLUMNS, max_results=30, cache="1h")
    cached = read("distribution", columns=COLUMNS, max_results=30, cache="1h")
    spent = calls()
    fresh = cached.lsq.refresh()
    assert calls() > spent
    assert fresh.attrs["leadsq"]["cache"]["hit"] is False
    after = read("distribution", columns=COLUMNS, max_results=30, cache="1h")
    assert after.attrs["leadsq"]["read_at"] == fresh.attrs["leadsq"]["read_at"]
    assert leadsq.cache_info().entries == 1


def test_chunked_reads_are_not_cached(read, cache_dir, calls):
    for _ in range(2):
        spent = calls()
        chunks = list(read("distribution", columns=COLUMNS, chunksize=1000, cache="1h"))
        assert calls() > spent
        assert sum(map(len, chunks)) == 3000
    assert leadsq.cache_info().entries == 0


def test_cache_info_counts_and_clear_cache_empties(read, cache_dir, calls):
    read("distribution", columns=COLUMNS, max_results=10, cache="1h")
    read("distribution", columns=COLUMNS, max_results=20, cache="1h")
    info = leadsq.cache_info()
    assert (info.entries, info.path.parent) == (2, cache_dir)
    assert info.bytes == sum(p.stat().st_size for p in info.path.glob("*.parquet"))
    removed = leadsq.clear_cache()
    assert (removed.entries, removed.bytes) == (2, info.bytes)
    assert leadsq.cache_info().entries == 0
    assert not list(info.path.glob("*.parquet"))
    spent = calls()
    read("distribution", columns=COLUMNS, max_results=10, cache="1h")
    assert calls() > spent


def test_the_size_bound_drops_the_oldest_answers_first(read, cache_dir, calls):
    read("distribution", columns=COLUMNS, max_results=1000, cache="1h")
    one = leadsq.cache_info().bytes
    leadsq.configure(cache_max_bytes=int(one * 1.5))
    read("distribution", columns=COLUMNS, max_results=999, cache="1h")
    info = leadsq.cache_info()
    assert info.entries == 1 and info.bytes <= info.max_bytes
    spent = calls()
    read("distribution", columns=COLUMNS, max_results=999, cache="1h")
    assert calls() == spent
    read("distribution", columns=COLUMNS, max_results=1000, cache="1h")
    assert calls() > spent


def test_no_cache_file_holds_a_key(read, cache_dir, sandbox):
    read("distribution", columns=COLUMNS, max_results=10, cache="1h")
    for path in cache_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert sandbox.access_key.encode() not in data
            assert sandbox.secret_key.encode() not in data


@pytest.mark.parametrize("value", ["soon", "1h30", -5, 0, float("nan"), "0s"])
def test_a_bad_time_to_live_is_refused_naming_the_forms(read, cache_dir, calls, value):
    with pytest.raises(leadsq.ConfigurationError, match="duration such as"):
        read("distribution", columns=COLUMNS, cache=value)
    with pytest.raises(leadsq.ConfigurationError, match="cache must be"):
        leadsq.configure(cache=value)
    assert calls() == 0


def test_a_refresh_in_another_backend_does_not_change_what_the_cache_holds(read, cache_dir) -> None:
    first = read(
        "distribution",
        columns=["ProspectAutoId", "FirstName"],
        max_results=20,
        cache="1h",
        dtype_backend="pyarrow",
    )
    first.lsq.refresh()  # replaces the cached answer
    plain = read(
        "distribution", columns=["ProspectAutoId", "FirstName"], max_results=20, cache="1h"
    )
    assert plain.attrs["leadsq"]["cache"]["hit"]
    assert str(plain.dtypes["ProspectAutoId"]) == "Int64"
    assert plain.attrs["leadsq"]["dtype_backend"] == "numpy_nullable"
    assert str(plain.lsq.refresh().dtypes["ProspectAutoId"]) == "Int64"
