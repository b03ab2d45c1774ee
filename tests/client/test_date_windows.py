"""Date windows neither lose nor gain rows at their edges, in UTC or in a time zone.

A small sandbox of its own has leads created at the edges of one day (Store.churn(at=...)):
the last sub-second of it (23:59:59.400), the next midnight exactly (00:00:00.000, as
date-only imports are), its own midnight and the last instant before it. Expectations are computed
with pandas over the sandbox's raw table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

import leadsq
from leadsq.sandbox import Sandbox
from tests.client.conftest import ids
from tests.conftest import connect

DAY = date(2026, 10, 20)
MIDNIGHT = datetime(2026, 10, 20)
NEXT_MIDNIGHT = datetime(2026, 10, 21)
INSIDE = (NEXT_MIDNIGHT - timedelta(milliseconds=600), MIDNIGHT)  # 23:59:59.400, 00:00:00.000
OUTSIDE = (NEXT_MIDNIGHT, MIDNIGHT - timedelta(milliseconds=1))  # next 00:00:00.000, 23:59:59.999
KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    """400 leads and four more created at the edges of DAY (CreatedOn and ModifiedOn)."""
    with Sandbox(
        leads=400, seed=11, anchor=datetime(2026, 11, 1), rate_limit=(10_000, 1)
    ) as sandbox:
        for moment in (*INSIDE, *OUTSIDE):
            sandbox.store.churn(created=1, at=moment)
        yield sandbox


def edge_ids(box: Sandbox, moments: tuple[datetime, ...]) -> set[int]:
    """The ProspectAutoIds of the leads created at ``moments``."""
    leads = box.store.table("leads")
    return set(leads.loc[leads["CreatedOn"].isin(moments), "ProspectAutoId"].astype(int))


@pytest.fixture
def read(box, fresh_settings):
    leadsq.configure(rate_limit=box.settings.rate_limit)

    def read(*args, **kwargs):
        return leadsq.read_leadsquared(*args, **connect(box), **kwargs)

    return read


def stamped(box: Sandbox, column: str, start: datetime, end: datetime) -> pd.DataFrame:
    """The raw leads whose ``column`` is in ``[start, end)`` (naive UTC)."""
    leads = box.store.table("leads")
    return leads[(leads[column] >= start) & (leads[column] < end)]


def auto_ids(frame: pd.DataFrame) -> set[int]:
    return set(frame["ProspectAutoId"].astype(int))


@pytest.mark.parametrize(
    ("argument", "column"), [("created", "CreatedOn"), ("modified", "ModifiedOn")]
)
def test_a_list_read_of_a_day_holds_exactly_that_day(box, read, argument, column):
    frame = read("distribution", columns=["ProspectID", "ProspectAutoId"], **{argument: DAY})
    expected = stamped(box, column, MIDNIGHT, NEXT_MIDNIGHT)
    assert ids(frame) == set(expected["ProspectID"])
    assert len(edge_ids(box, INSIDE)) == len(edge_ids(box, OUTSIDE)) == 2
    assert edge_ids(box, INSIDE) <= auto_ids(frame) and not edge_ids(box, OUTSIDE) & auto_ids(frame)
    assert list(frame.columns) == ["ProspectID", "ProspectAutoId"]  # the date column was dropped


def test_a_list_read_that_asks_for_the_date_column_keeps_it(box, read):
    frame = read("distribution", created=(DAY, DAY), columns=["ProspectAutoId", "CreatedOn"])
    assert len(frame) == len(stamped(box, "CreatedOn", MIDNIGHT, NEXT_MIDNIGHT))
    assert frame["CreatedOn"].max() < pd.Timestamp(NEXT_MIDNIGHT, tz="UTC")
    assert edge_ids(box, INSIDE) <= auto_ids(frame)


def test_a_read_in_chunks_is_trimmed_as_the_whole_read(read):
    whole = read("distribution", created=("2026-10-01", DAY), columns=["ProspectID"])
    chunks = list(
        read(
            "distribution",
            created=("2026-10-01", DAY),
            columns=["ProspectID"],
            page_size=20,
            chunksize=7,
        )
    )
    assert [len(chunk) for chunk in chunks[:-1]] == [7] * (len(chunks) - 1)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_an_aggregate_sends_the_end_second_as_it_is_and_says_so(box, read):
    counts = read("distribution", created=DAY, group_by="ProspectStage")
    inclusive = stamped(box, "CreatedOn", MIDNIGHT, NEXT_MIDNIGHT - timedelta(seconds=1))
    leads = box.store.table("leads")
    last_second = (leads["CreatedOn"] == NEXT_MIDNIGHT - timedelta(seconds=1)).sum()
    assert counts["Count"].sum() == len(inclusive) + last_second  # 23:59:59.400 is left out
    notes = counts.lsq.code.splitlines()[0]
    assert notes == (
        "# created ToDate 2026-10-20 23:59:59 is sent as it is (an aggregate cannot drop "
        "rows): times within that last second, after 2026-10-20 23:59:59.000, are left out"
    )


def test_the_code_of_a_list_read_says_how_its_end_was_sent(read):
    frame = read("distribution", created=DAY, columns=["ProspectID"])
    first, call = frame.lsq.code.split("\n", 1)
    assert first == (
        "# created up to 2026-10-20 23:59:59 is read exactly: ToDate is sent as "
        "2026-10-21 00:00:00 and rows with CreatedOn at or past it are dropped"
    )
    assert '"2026-10-20 23:59:59"' in call
    assert frame.attrs["leadsq"]["body"]["DateFilter"][0]["ToDate"] == "2026-10-20 23:59:59"


def test_refresh_reads_the_same_exact_window(read):
    frame = read("distribution", created=DAY, columns=["ProspectID"])
    pd.testing.assert_frame_equal(frame.lsq.refresh(), frame)


def test_days_follow_the_configured_time_zone_and_are_sent_in_utc(box, read):
    leadsq.configure(time_zone="Asia/Kolkata")
    frame = read("distribution", created=("2026-10-01", DAY), columns=["ProspectID"])
    start = datetime(2026, 10, 1, tzinfo=KOLKATA).astimezone(ZoneInfo("UTC"))
    end = datetime(2026, 10, 21, tzinfo=KOLKATA).astimezone(ZoneInfo("UTC"))
    expected = stamped(box, "CreatedOn", start.replace(tzinfo=None), end.replace(tzinfo=None))
    assert ids(frame) == set(expected["ProspectID"])
    assert frame.lsq.report.date_filters[0].start == datetime(2026, 9, 30, 18, 30)
    assert '("2026-09-30 18:30:00", "2026-10-20 18:29:59")' in frame.lsq.code


def test_a_relative_window_in_a_time_zone_starts_at_its_midnight(read):
    leadsq.configure(time_zone="America/New_York")

    def local_midnight() -> datetime:
        now = datetime.now(ZoneInfo("America/New_York"))
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    before = local_midnight()
    frame = read("distribution", created="today", columns=["ProspectID"])
    assert frame.lsq.report.date_filters[0].start in {before, local_midnight()}


def test_an_unknown_time_zone_is_refused_naming_the_choices(fresh_settings):
    with pytest.raises(leadsq.ConfigurationError, match="'Mars/Olympus' is not a time zone"):
        leadsq.configure(time_zone="Mars/Olympus")


def test_a_window_ending_now_gets_no_note_since_nothing_after_it_existed(read):
    counts = read("distribution", created="last 7 days", group_by="Source")
    assert counts.lsq.code.startswith("pd.read_leadsquared(")


def test_a_trimmed_read_that_fails_part_way_reads_on_from_the_window_it_was_asked(fresh_settings):
    leadsq.configure(
        backoff=(0.005, 0.02), max_retry_seconds=0.5, rate_limit=(10_000, 1), workers=1
    )
    same = {"leads": 400, "seed": 11, "anchor": datetime(2026, 11, 1)}
    asked = {"created": ("2026-01-01", DAY), "columns": ["ProspectAutoId"], "page_size": 50}
    with (
        Sandbox(**same, rate_limit=(4, 3600)) as limited,
        pytest.raises(leadsq.RateLimitError) as caught,
    ):
        leadsq.read_leadsquared("distribution", **asked, **connect(limited))
    error = caught.value
    body = error.resume_body
    assert body["DateFilter"][0]["ToDate"] == "2026-10-20 23:59:59"
    assert body["Output"]["IncludeCSV"] == "ProspectAutoId"
    assert list(error.partial.columns) == ["ProspectAutoId"] and error.rows_received > 0
    with Sandbox(**same, rate_limit=None) as free:
        rest = leadsq.read_leadsquared("distribution", body=body, **connect(free))
        whole = leadsq.read_leadsquared("distribution", **asked, **connect(free))
    both = pd.concat([error.partial, rest], ignore_index=True)
    pd.testing.assert_frame_equal(both, whole)
