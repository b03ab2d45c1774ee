"""Instants, date ranges and the text every user value is sent as.

The contract speaks UTC instants written ``yyyy-MM-dd HH:mm:ss`` and plain strings. This
module turns what people write in a notebook into those:

- :func:`to_utc` turns a ``datetime``, ``date``, ``pd.Timestamp``, ``numpy.datetime64`` or
  an ISO-like string into a naive UTC ``datetime`` (aware values are converted to UTC, naive
  ones are taken to be UTC already);
- :func:`format_value` is the one function every filter value passes through on its way
  into a request body;
- :func:`resolve_range` turns a :data:`DateRangeLike` into an inclusive ``(start, end)``.

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
import numbers
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import TypeAlias

import numpy as np
import pandas as pd

from leadsq.contract import format_date
from leadsq.errors import QueryError
from leadsq.query.booleans import boolean_text

__all__ = [
    "RELATIVE_FORMS",
    "DateLike",
    "DateRangeLike",
    "format_value",
    "is_date_only",
    "resolve_range",
    "to_utc",
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

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ROLLING = re.compile(r"last (\d+) (second|minute|hour|day|week|month|year)s?")
_SECOND = timedelta(seconds=1)


# --------------------------------------------------------------------------- instants


def to_utc(value: object, *, argument: str = "value") -> datetime:
    """Coerce an instant to a naive UTC ``datetime``.

    Parameters
    ----------
    value : datetime, date, pd.Timestamp, numpy.datetime64 or str
        A ``date`` means its midnight. A string is ISO-like: ``2024-01-31``,
        ``2024-01-31 10:00``, ``2024-01-31T10:00:00.5``, optionally followed by ``Z``,
        ``UTC`` or an offset such as ``+05:30``. Aware values are converted to UTC; naive
        values are taken to be UTC already.
    argument : str, default "value"
        The argument name to put in an error message.

    Returns
    -------
    datetime
        Naive, in UTC, to the microsecond.

    Raises
    ------
    QueryError
        For a missing value (``None``, ``NaT``), a string in another form, or another type.
    """
    if value is None or value is pd.NaT or (isinstance(value, np.datetime64) and np.isnat(value)):
        raise QueryError(f"{argument}: a date is missing (got {value!r})")
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(timezone.utc)
        return datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
        )
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str):
        return _parse_instant(value, argument)
    raise QueryError(
        f"{argument}: expected a date, datetime, Timestamp or string; got {type(value).__name__}"
    )


def is_date_only(value: object) -> bool:
    """Whether ``value`` names a day rather than an instant (a ``date``, or ``"yyyy-mm-dd"``)."""
    if isinstance(value, str):
        return _DATE_ONLY.fullmatch(value.strip()) is not None
    return isinstance(value, date) and not isinstance(value, datetime)


def _parse_instant(text: str, argument: str) -> datetime:
    match = _ISO.fullmatch(text.strip())
    if match is None:
        raise QueryError(
            f"{argument}: {text!r} is not a date; write yyyy-mm-dd or yyyy-mm-dd HH:MM[:SS], "
            "optionally with Z or an offset such as +05:30"
        )
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError as error:
        raise QueryError(f"{argument}: {text!r} is not a valid date ({error})") from None
    if zone and zone.upper() not in ("Z", "UTC"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        parsed -= sign * offset
    return parsed


# --------------------------------------------------------------------------- values


def format_value(value: object, *, argument: str = "value") -> str:
    """The text a user value is sent as in a request body.

    Every filter value passes through this one function.

    Parameters
    ----------
    value : str, bool, int, float, Decimal, numpy scalar, datetime, date, pd.Timestamp or numpy.datetime64
        Strings are sent as they are; booleans as ``"1"``/``"0"``; numbers as plain
        decimal text (``20`` for ``20.0``, never scientific notation); instants as UTC
        ``yyyy-MM-dd HH:mm:ss`` (aware values converted, naive ones taken as UTC, a ``date``
        is its midnight).
    argument : str, default "value"
        The argument name to put in an error message.

    Returns
    -------
    str

    Raises
    ------
    QueryError
        For a missing value (``None``, ``NaN``, ``NA``, ``NaT``), an infinite number or a
        value of another type.
    """
    if isinstance(value, str):
        return str(value)
    if value is None or value is pd.NA or value is pd.NaT:
        raise QueryError(
            f"{argument}: a missing value ({value!r}) cannot be sent; to match leads with no "
            "value use the 'ndef' operator (.isna() in where)"
        )
    if isinstance(value, (bool, np.bool_)):
        return boolean_text(value, argument=argument)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, (float, np.floating, Decimal)):
        return _decimal_text(value, argument)
    if isinstance(value, (datetime, date, np.datetime64)):
        return format_date(to_utc(value, argument=argument))
    raise QueryError(
        f"{argument}: cannot send a value of type {type(value).__name__} ({value!r}); "
        "use a string, number, bool or date"
    )


def _decimal_text(value: float | np.floating | Decimal, argument: str) -> str:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number.is_nan():
        raise QueryError(
            f"{argument}: a missing value ({value!r}) cannot be sent; to match leads with no "
            "value use the 'ndef' operator (.isna() in where)"
        )
    if number.is_infinite():
        raise QueryError(f"{argument}: an infinite number ({value!r}) cannot be sent")
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


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
