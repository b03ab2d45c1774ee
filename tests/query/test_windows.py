"""exact_list_window: a list read sends each lead-date window's next second and cuts there."""

from __future__ import annotations

from datetime import datetime

from leadsq.query.build import build_report
from leadsq.query.code import window_notes
from leadsq.query.windows import exact_list_window, exclusive_end

NOW = datetime(2026, 5, 15, 10, 30)


def test_the_exclusive_end_of_a_day_is_the_next_midnight():
    report = build_report("distribution", created="2026-03-31", now=NOW)
    assert exclusive_end(report.date_filters[0].end) == datetime(2026, 4, 1)


def test_a_list_read_sends_the_next_second_and_asks_for_the_date_columns():
    report = build_report(
        "distribution",
        created="last month",
        modified=("2026-05-01", "2026-05-10 12:00"),
        columns=["ProspectID", "ModifiedOn"],
        now=NOW,
    )
    sent, cuts = exact_list_window(report)
    assert [(w.field, w.start, w.end) for w in sent.date_filters] == [
        ("LeadCreatedOn", datetime(2026, 4, 1), datetime(2026, 5, 1)),
        ("LeadModifiedOn", datetime(2026, 5, 1), datetime(2026, 5, 10, 12, 0, 1)),
    ]
    assert sent.output.columns == ("ProspectID", "ModifiedOn", "CreatedOn")
    assert cuts == {
        "CreatedOn": datetime(2026, 5, 1),
        "ModifiedOn": datetime(2026, 5, 10, 12, 0, 1),
    }
    assert sent.lead_filters == report.lead_filters and sent.paging == report.paging


def test_an_aggregate_or_an_activity_window_is_sent_as_it_is():
    aggregate = build_report("distribution", created="2026-03-31", group_by="Source")
    assert exact_list_window(aggregate) == (aggregate, {})
    activity = build_report("not_contacted", activity_window="2026-03-31", activities=21)
    assert exact_list_window(activity) == (activity, {})


def test_window_notes_say_which_ends_are_exact():
    report = build_report(
        "not_contacted", created="2026-03-31", activity_window="2026-03-31", activities=21
    )
    assert window_notes(report) == [
        "# created up to 2026-03-31 23:59:59 is read exactly: ToDate is sent as "
        "2026-04-01 00:00:00 and rows with CreatedOn at or past it are dropped",
        "# activity_window ToDate 2026-03-31 23:59:59 is sent as it is (activity times are "
        "not columns): times within that last second, after 2026-03-31 23:59:59.000, are left out",
    ]
    assert window_notes(build_report("distribution")) == []
