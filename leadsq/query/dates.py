"""Date ranges: what people write (``"last 30 days"``, a pair, a day) as UTC bounds.

The contract speaks UTC instants written ``yyyy-MM-dd HH:mm:ss``. :func:`resolve_range`
turns a :data:`DateRangeLike` into an inclusive ``(start, end)`` of naive UTC instants.
Single instants are read by :mod:`leadsq.query.instants` (:func:`to_utc`) and values are
written by :mod:`leadsq.query.values` (:func:`format_value`).

Date ranges
-----------
All ranges are inclusive and whole seconds. A bound written as a date only (a ``date``
object or a ``"2024-03-31"`` string) means the start of that day when it is the start, and
the end of that day (``23:59:59``) when it is the end. Strings are matched
case-insensitively, with any amount of space between words.

Stored times have milliseconds while the API's bounds are whole seconds, so an end second
is meant whole; :mod:`leadsq.query.windows` says how a read sends it.

==================================  ===========================================================
form                                range
==================================  ===========================================================
``(start, end)`` (tuple or list)    ``start`` .. ``end``; ``end=None`` (or ``"now"``) is now
``pd.Interval(start, end)``         the same; an open side moves in by one second
``"2024-01-01..2024-03-31"``        the same as a tuple; ``"2024-01-01.."`` runs until now
``"2024-03-31"`` or a ``date``      that whole day
``"since 2024-01-01"``              ``2024-01-01 00:00:00`` .. now
``"last 30 days"``                  a rolling window ending now; units: ``seconds``,
                                    ``minutes``, ``hours``, ``days``, ``weeks``, ``months``,
                                    ``years`` (singular or plural; months and years are
                                    calendar steps, clamped to the month's last day)
``"today"``                         today 00:00:00 .. now
``"yesterday"``                     the whole of yesterday
``"this week"``                     Monday 00:00:00 of this week .. now (weeks start on Monday)
``"this month"``, ``"this year"``   the first day of this month/year 00:00:00 .. now
``"last week"``                     the whole previous calendar week, Monday to Sunday
``"last month"``, ``"last year"``   the whole previous calendar month/year
==================================  ===========================================================

Relative forms and date-only bounds follow a time zone's calendar (``zone``; the reader
takes it from ``leadsq.settings.time_zone``: UTC by default, or the account's zone), and
are sent as the UTC instants of that zone's midnights. Naive times of day (``"2024-03-31
10:00"``, a naive ``datetime``) are UTC whatever the zone. An end at now is rounded up to
the next whole second, so nothing stamped before now is left out. Relative forms are
resolved once, when the query is built: the request carries absolute instants, so
re-running a built report later asks for the same window, while re-running the *call*
asks for a new one.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TypeAlias

import numpy as np
import pandas as pd

from leadsq.contract import format_date
from leadsq.errors import QueryError
from leadsq.query.instants import is_date_only, to_utc

__all__ = [
    "RELATIVE_FORMS",
    "DateLike",
    "DateRangeLike",
    "is_date_only",
    "resolve_range",
]

DateLike: TypeAlias = str | datetime | date | pd.Timestamp | np.datetime64
DateRangeLike: TypeAlias = (
    str | date | tuple[DateLike | None, DateLike | None] | list[DateLike | None] | pd.Interval
)

RELATIVE_FORMS = (
    "last <n> seconds|minutes|hours|days|weeks|months|years",
    "today",
    "yesterday",
    "this week",
    "this month",
    "this year",
    "last week",
    "last month",
    "last year",
    "since <date>",
    "<date>..<date>",
    "<date>",
)

_ROLLING = re.compile(r"last (\d+) (second|minute|hour|day|week|month|year)s?")
_SECOND = timedelta(seconds=1)


# --------------------------------------------------------------------------- ranges


def resolve_range(
    value: object,
    *,
    now: datetime | None = None,
    argument: str = "range",
    zone: tzinfo = timezone.utc,
) -> tuple[datetime, datetime]:
    """Resolve a date range to inclusive naive UTC bounds in whole seconds.

    Parameters
    ----------
    value : DateRangeLike
        One of the forms in the module docstring.
    now : datetime, optional
        The "now" relative forms count from; default the current time. An end at now
        is rounded up to the next whole second.
    argument : str, default "range"
        The argument name to put in an error message, e.g. ``"created"``.
    zone : tzinfo, default UTC
        Whose calendar days, weeks, months and date-only bounds follow (e.g.
        ``ZoneInfo("Asia/Kolkata")``); the bounds returned are UTC all the same.

    Returns
    -------
    (datetime, datetime)
        ``start`` and ``end``, both included. An end is a whole second: stored times
        have milliseconds, so the end second is meant whole (:mod:`leadsq.query.windows`).

    Raises
    ------
    QueryError
        For an unknown form, a missing start or a backwards range.
    """
    local = _Calendar(_ceil_now(now), zone)
    if isinstance(value, str):
        start, end = local.text(value, argument)
    elif isinstance(value, pd.Interval):
        start = local.bound(value.left, argument, end=False)
        end = local.bound(value.right, argument, end=True)
        if value.open_left:
            start += _SECOND
        if value.open_right:
            end -= _SECOND
    elif isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise QueryError(
                f"{argument}: a range is (start, end); got {len(value)} items: {value!r}"
            )
        start = local.bound(value[0], argument, end=False)
        end = local.bound(value[1], argument, end=True)
    elif isinstance(value, date) and not isinstance(value, datetime):
        start, end = local.days(value, value)
    else:
        raise QueryError(
            f"{argument}: expected a (start, end) pair, a pd.Interval or a string such as "
            f"'last 30 days'; got {type(value).__name__} ({value!r})"
        )
    if start > end:
        raise QueryError(
            f"{argument}: the range is backwards: {format_date(start)} is after {format_date(end)}"
        )
    return start, end


def _ceil_now(now: datetime | None) -> datetime:
    value = to_utc(datetime.now(timezone.utc) if now is None else now, argument="now")
    whole = value.replace(microsecond=0)
    return whole if whole == value else whole + _SECOND


class _Calendar:
    """Bounds read in ``zone``'s calendar from ``now`` (naive UTC), returned as naive UTC."""

    def __init__(self, now: datetime, zone: tzinfo) -> None:
        self.now = now
        self.zone = zone
        self.local_now = now.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
        self.today = self.local_now.date()

    def utc(self, local: datetime) -> datetime:
        """A naive local time as a naive UTC one."""
        moment = local.replace(tzinfo=self.zone).astimezone(timezone.utc)
        return moment.replace(tzinfo=None)

    def midnight(self, day: date) -> datetime:
        return self.utc(datetime.combine(day, time()))

    def days(self, first: date, last: date) -> tuple[datetime, datetime]:
        """The whole local days ``first`` .. ``last``."""
        return self.midnight(first), self.midnight(last + timedelta(days=1)) - _SECOND

    def bound(self, value: object, argument: str, *, end: bool) -> datetime:
        if value is None or (isinstance(value, str) and value.strip().lower() == "now"):
            if not end:
                raise QueryError(
                    f"{argument}: the range has no start; give one, e.g. ('2024-01-01', None) "
                    "or 'since 2024-01-01'"
                )
            return self.now
        instant = to_utc(value, argument=argument).replace(microsecond=0)
        if is_date_only(value):
            day = instant.date()
            return self.days(day, day)[1] if end else self.midnight(day)
        return instant

    def text(self, text: str, argument: str) -> tuple[datetime, datetime]:
        words = " ".join(text.strip().lower().split())
        today, now = self.today, self.now
        if ".." in text:
            head, _, tail = text.partition("..")
            return (
                self.bound(head.strip() or None, argument, end=False),
                self.bound(tail.strip() or None, argument, end=True),
            )
        if words.startswith("since "):
            return self.bound(text.strip()[5:].strip(), argument, end=False), now
        if is_date_only(text):
            day = to_utc(text, argument=argument).date()
            return self.days(day, day)
        rolling = _ROLLING.fullmatch(words)
        if rolling:
            start = _minus(self.local_now, int(rolling.group(1)), rolling.group(2), argument)
            return self.utc(start), now
        monday = today - timedelta(days=today.weekday())
        starts = {
            "today": today,
            "this week": monday,
            "this month": today.replace(day=1),
            "this year": date(today.year, 1, 1),
        }
        if words in starts:
            return self.midnight(starts[words]), now
        last_month = today.replace(day=1) - timedelta(days=1)
        wholes = {
            "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
            "last week": (monday - timedelta(days=7), monday - timedelta(days=1)),
            "last month": (last_month.replace(day=1), last_month),
            "last year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        }
        if words in wholes:
            return self.days(*wholes[words])
        raise QueryError(
            f"{argument}: unknown date range {text!r}; use one of: {'; '.join(RELATIVE_FORMS)} "
            "(or a (start, end) pair)"
        )


def _minus(now: datetime, count: int, unit: str, argument: str) -> datetime:
    if unit in ("month", "year"):
        months = now.year * 12 + now.month - 1 - count * (12 if unit == "year" else 1)
        year, month = divmod(months, 12)
        if year < 1:
            raise QueryError(f"{argument}: 'last {count} {unit}s' reaches before year 1")
        day = min(now.day, calendar.monthrange(year, month + 1)[1])
        return now.replace(year=year, month=month + 1, day=day)
    try:
        return now - timedelta(**{f"{unit}s": count})
    except OverflowError:
        raise QueryError(f"{argument}: 'last {count} {unit}s' reaches before year 1") from None
