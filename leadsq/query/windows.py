"""Date windows sent exactly: whole-second bounds over millisecond times.

A date window's end is an inclusive whole second (:func:`leadsq.query.dates.resolve_range`),
and is meant whole. The service's ``ToDate`` is whole seconds and inclusive too, but its
stored times have milliseconds: ``ToDate`` ``23:59:59`` ends at ``23:59:59.000``, so a lead
stamped ``23:59:59.400`` falls outside it, while the next midnight would take in leads
stamped exactly ``00:00:00`` of the next day (date-only imports are). One window cannot
say "up to the end of a day" exactly, so:

- a list read is exact: it sends the next second (:func:`exclusive_end`; the next
  midnight for a day's end), asks for the window's column too (``CreatedOn`` for
  ``LeadCreatedOn``, ``ModifiedOn`` for ``LeadModifiedOn``), and drops the rows whose
  column is at or past that instant, and the column if it was not asked for
  (:func:`exact_list_window`);
- an aggregate cannot drop rows, nor can an ``ActivityCreatedOn`` window (activity times
  are not lead columns): the end is sent as it is. That leaves out the rows stamped
  within the last second, the lesser error; ``df.lsq.code`` says so
  (:func:`leadsq.query.code.window_notes`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from leadsq.contract import DATE_FIELD_COLUMNS, Report

__all__ = ["exact_list_window", "exclusive_end"]

_SECOND = timedelta(seconds=1)


def exclusive_end(end: datetime) -> datetime:
    """The first instant after the inclusive whole-second ``end``: one second later."""
    return end + _SECOND


def exact_list_window(report: Report) -> tuple[Report, dict[str, datetime]]:
    """The report a list read sends to get its lead-date windows exactly, and the cuts.

    Parameters
    ----------
    report : Report
        What was asked.

    Returns
    -------
    (Report, dict)
        The report to send: each ``LeadCreatedOn``/``LeadModifiedOn`` window ending at
        its :func:`exclusive_end`, the window's column added to ``IncludeCSV`` when
        missing; and column name to the instant (naive UTC) at or past which a row is
        dropped. An aggregate, or a report with no such window: ``report`` itself and
        no cuts.
    """
    if report.output.type != "List":
        return report, {}
    cuts: dict[str, datetime] = {}
    windows = []
    for window in report.date_filters:
        column = DATE_FIELD_COLUMNS.get(window.field)
        if column is not None:
            cut = exclusive_end(window.end)
            cuts[column] = min(cut, cuts.get(column, cut))
            window = replace(window, end=cut)
        windows.append(window)
    if not cuts:
        return report, {}
    asked = report.output.columns
    output = replace(report.output, columns=asked + tuple(c for c in cuts if c not in asked))
    return replace(report, output=output, date_filters=tuple(windows)), cuts
