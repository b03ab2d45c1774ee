"""Date ranges: every form resolves to inclusive UTC bounds, relative ones from a pinned now."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

import leadsq
from leadsq.errors import QueryError
from leadsq.query.dates import resolve_range

NOW = datetime(2024, 5, 15, 10, 30, 0)  # a Wednesday


def resolved(value, now=NOW):
    return resolve_range(value, now=now, argument="created")


def test_a_pair_of_datetimes_is_taken_as_is():
    pair = (datetime(2024, 1, 1, 8), datetime(2024, 1, 2, 9, 30))
    assert resolved(pair) == pair


def test_a_list_works_like_a_tuple():
    assert resolved(["2024-01-01 08:00", "2024-01-02 09:30:15"]) == (
        datetime(2024, 1, 1, 8),
        datetime(2024, 1, 2, 9, 30, 15),
    )


def test_a_date_only_start_is_midnight_and_a_date_only_end_is_the_end_of_that_day():
    assert resolved(("2024-01-01", "2024-03-31")) == (
        datetime(2024, 1, 1),
        datetime(2024, 3, 31, 23, 59, 59),
    )
    assert resolved((date(2024, 1, 1), date(2024, 3, 31))) == (
        datetime(2024, 1, 1),
        datetime(2024, 3, 31, 23, 59, 59),
    )


def test_timestamps_are_instants_even_at_midnight():
    assert resolved((pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-31"))) == (
        datetime(2024, 1, 1),
        datetime(2024, 3, 31),
    )


def test_aware_bounds_are_converted_to_utc_and_naive_ones_are_utc():
    start = pd.Timestamp("2024-01-01 05:30", tz="Asia/Kolkata")
    end = np.datetime64("2024-01-02T00:00:00")
    assert resolved((start, end)) == (datetime(2024, 1, 1), datetime(2024, 1, 2))


def test_bounds_are_whole_seconds():
    pair = (datetime(2024, 1, 1, 8, 0, 0, 700_000), datetime(2024, 1, 1, 9, 0, 0, 300_000))
    assert resolved(pair) == (datetime(2024, 1, 1, 8), datetime(2024, 1, 1, 9))


@pytest.mark.parametrize("end", [None, "now", "NOW"])
def test_an_open_end_is_now(end):
    assert resolved(("2024-05-01", end)) == (datetime(2024, 5, 1), NOW)


def test_an_interval_is_a_range_and_open_sides_move_in_by_one_second():
    closed = pd.Interval(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"), closed="both")
    assert resolved(closed) == (datetime(2024, 1, 1), datetime(2024, 2, 1))
    right = pd.Interval(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"))
    assert resolved(right) == (datetime(2024, 1, 1, 0, 0, 1), datetime(2024, 2, 1))
    left = pd.Interval(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"), closed="left")
    assert resolved(left) == (datetime(2024, 1, 1), datetime(2024, 1, 31, 23, 59, 59))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-01-01..2024-03-31", datetime(2024, 1, 1), datetime(2024, 3, 31, 23, 59, 59)),
        (" 2024-01-01 .. 2024-03-31 ", datetime(2024, 1, 1), datetime(2024, 3, 31, 23, 59, 59)),
        ("2024-01-01 08:00..2024-01-01 09:00", datetime(2024, 1, 1, 8), datetime(2024, 1, 1, 9)),
        ("2024-05-01..", datetime(2024, 5, 1), NOW),
        ("2024-03-31", datetime(2024, 3, 31), datetime(2024, 3, 31, 23, 59, 59)),
        ("since 2024-01-01", datetime(2024, 1, 1), NOW),
        ("Since 2024-05-15 09:00", datetime(2024, 5, 15, 9), NOW),
        ("last 30 days", datetime(2024, 4, 15, 10, 30), NOW),
        ("last 1 day", datetime(2024, 5, 14, 10, 30), NOW),
        ("last 2 weeks", datetime(2024, 5, 1, 10, 30), NOW),
        ("last 6 hours", datetime(2024, 5, 15, 4, 30), NOW),
        ("last 90 minutes", datetime(2024, 5, 15, 9, 0), NOW),
        ("last 45 seconds", datetime(2024, 5, 15, 10, 29, 15), NOW),
        ("last 3 months", datetime(2024, 2, 15, 10, 30), NOW),
        ("last 2 years", datetime(2022, 5, 15, 10, 30), NOW),
        ("LAST   30   DAYS", datetime(2024, 4, 15, 10, 30), NOW),
        ("today", datetime(2024, 5, 15), NOW),
        ("yesterday", datetime(2024, 5, 14), datetime(2024, 5, 14, 23, 59, 59)),
        ("this week", datetime(2024, 5, 13), NOW),
        ("last week", datetime(2024, 5, 6), datetime(2024, 5, 12, 23, 59, 59)),
        ("this month", datetime(2024, 5, 1), NOW),
        ("last month", datetime(2024, 4, 1), datetime(2024, 4, 30, 23, 59, 59)),
        ("this year", datetime(2024, 1, 1), NOW),
        ("last year", datetime(2023, 1, 1), datetime(2023, 12, 31, 23, 59, 59)),
    ],
)
def test_every_string_form_resolves_from_the_pinned_now(text, start, end):
    assert resolved(text) == (start, end)


def test_calendar_steps_clamp_to_the_last_day_of_a_shorter_month():
    assert resolved("last 1 month", now=datetime(2024, 3, 31, 12))[0] == datetime(2024, 2, 29, 12)
    assert resolved("last 1 year", now=datetime(2024, 2, 29))[0] == datetime(2023, 2, 28)


def test_last_month_in_january_is_december_of_the_year_before():
    assert resolved("last month", now=datetime(2024, 1, 10)) == (
        datetime(2023, 12, 1),
        datetime(2023, 12, 31, 23, 59, 59),
    )


def test_this_week_on_a_monday_starts_that_monday():
    assert resolved("this week", now=datetime(2024, 5, 13, 7))[0] == datetime(2024, 5, 13)


def test_an_aware_now_is_converted_to_utc_before_counting_days():
    now = datetime(2024, 5, 15, 2, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert resolved("today", now=now) == (datetime(2024, 5, 14), datetime(2024, 5, 14, 20, 30))


def test_without_a_pinned_now_relative_forms_count_from_the_current_utc_time():
    before = datetime.now(timezone.utc).replace(tzinfo=None)
    start, end = resolve_range("last 1 hours")
    after = datetime.now(timezone.utc).replace(tzinfo=None)
    assert before <= end <= after + timedelta(seconds=1)
    assert end.microsecond == 0
    assert end - start == timedelta(hours=1)


def test_an_end_at_now_rounds_up_to_the_next_whole_second():
    now = datetime(2024, 5, 15, 10, 30, 0, 250_000)
    assert resolved("today", now=now) == (datetime(2024, 5, 15), datetime(2024, 5, 15, 10, 30, 1))
    assert resolved(("2024-05-01", None), now=now.replace(microsecond=0))[1] == now.replace(
        microsecond=0
    )


def test_a_single_date_is_that_whole_day():
    assert resolved(date(2024, 2, 29)) == (datetime(2024, 2, 29), datetime(2024, 2, 29, 23, 59, 59))


def test_a_backwards_range_names_the_argument_and_both_bounds():
    with pytest.raises(
        QueryError,
        match=r"created: the range is backwards: 2024-03-01 00:00:00 is after 2024-01-01 00:00:00",
    ):
        resolved((datetime(2024, 3, 1), datetime(2024, 1, 1)))


def test_since_a_future_date_is_backwards():
    with pytest.raises(QueryError, match="created: the range is backwards"):
        resolved("since 2030-01-01")


@pytest.mark.parametrize("value", [(None, "2024-01-01"), "..2024-01-01", (None, None)])
def test_a_range_without_a_start_is_refused(value):
    with pytest.raises(QueryError, match="created: the range has no start"):
        resolved(value)


@pytest.mark.parametrize(
    "text", ["next week", "last 0.5 days", "last fortnight", "last day", "2024/01/01", "forever"]
)
def test_an_unknown_string_form_is_refused_listing_the_known_ones(text):
    with pytest.raises(QueryError, match=r"created: unknown date range .*last <n> .*since <date>"):
        resolved(text)


@pytest.mark.parametrize("value", [("2024-01-01",), ("a", "b", "c")])
def test_a_pair_needs_exactly_two_items(value):
    with pytest.raises(QueryError, match="created: a range is \\(start, end\\); got"):
        resolved(value)


@pytest.mark.parametrize("value", [20240101, datetime(2024, 1, 1), {"start": "2024-01-01"}])
def test_other_types_are_refused(value):
    with pytest.raises(QueryError, match="created: expected a \\(start, end\\) pair"):
        resolved(value)


def test_a_bad_bound_names_the_argument():
    with pytest.raises(QueryError, match="created: '01/02/2024' is not a date"):
        resolved(("01/02/2024", None))


def test_a_window_reaching_before_year_one_is_refused():
    with pytest.raises(QueryError, match="created: 'last 999999 years' reaches before year 1"):
        resolved("last 999999 years")
    with pytest.raises(QueryError, match="created: 'last 99999999 days' reaches before year 1"):
        resolved("last 99999999 days")


KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+05:30, no daylight saving
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        # 2024-05-15 10:30 UTC is 16:00 in Kolkata: its days start at 18:30 UTC the day before
        ("today", datetime(2024, 5, 14, 18, 30), NOW),
        ("yesterday", datetime(2024, 5, 13, 18, 30), datetime(2024, 5, 14, 18, 29, 59)),
        ("last month", datetime(2024, 3, 31, 18, 30), datetime(2024, 4, 30, 18, 29, 59)),
        ("2024-03-01", datetime(2024, 2, 29, 18, 30), datetime(2024, 3, 1, 18, 29, 59)),
        (date(2024, 3, 1), datetime(2024, 2, 29, 18, 30), datetime(2024, 3, 1, 18, 29, 59)),
        (
            ("2024-03-01", "2024-03-31"),
            datetime(2024, 2, 29, 18, 30),
            datetime(2024, 3, 31, 18, 29, 59),
        ),
        ("last 30 days", datetime(2024, 4, 15, 10, 30), NOW),
        ("this week", datetime(2024, 5, 12, 18, 30), NOW),
        # a time of day is UTC whatever the zone; an offset is honoured
        (
            ("2024-05-01 10:00", "2024-05-02 10:00+05:30"),
            datetime(2024, 5, 1, 10),
            datetime(2024, 5, 2, 4, 30),
        ),
    ],
)
def test_days_and_relative_forms_follow_the_zone_calendar_and_are_sent_in_utc(value, start, end):
    assert resolve_range(value, now=NOW, zone=KOLKATA) == (start, end)


def test_the_zone_calendar_decides_what_today_is():
    # 20:00 UTC on the 15th is already the 16th in Kolkata
    late = datetime(2024, 5, 15, 20, 0)
    assert resolve_range("yesterday", now=late, zone=KOLKATA) == (
        datetime(2024, 5, 14, 18, 30),
        datetime(2024, 5, 15, 18, 29, 59),
    )


def test_a_day_across_a_daylight_saving_change_is_its_true_length():
    # New York moved its clocks forward on 2024-03-10: that day lasted 23 hours
    start, end = resolve_range("2024-03-10", zone=NEW_YORK)
    assert (start, end) == (datetime(2024, 3, 10, 5), datetime(2024, 3, 11, 3, 59, 59))
    assert end + timedelta(seconds=1) - start == timedelta(hours=23)


def test_the_help_defines_rolling_and_calendar_windows_as_they_resolve():
    now = datetime(2026, 3, 15, 10, 0)
    help_text = " ".join(leadsq.read_leadsquared.__doc__.split())
    assert 'rolling, ``"last <N> <unit>"``: from N units before now until now' in help_text
    assert '``"last month"`` is 1 February 00:00:00 to 28 February 23:59:59' in help_text
    assert '``"last 1 month"`` is 15 February 10:00 until now' in help_text
    assert resolve_range("last month", now=now) == (
        datetime(2026, 2, 1),
        datetime(2026, 2, 28, 23, 59, 59),
    )
    assert resolve_range("last 1 month", now=now) == (datetime(2026, 2, 15, 10), now)
    assert resolve_range("this week", now=now) == (datetime(2026, 3, 9), now)
    assert resolve_range("last week", now=now) == (
        datetime(2026, 3, 2),
        datetime(2026, 3, 8, 23, 59, 59),
    )
