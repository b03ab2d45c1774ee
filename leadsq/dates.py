"""Instants, date ranges and the text every user value is sent as.

The contract speaks UTC instants written ``yyyy-MM-dd HH:mm:ss`` and plain strings. This
module turns what people write in a notebook into those:

- :func:`to_utc` turns a ``datetime``, ``date``, ``pd.Timestamp``, ``numpy.datetime64`` or
  an ISO-like string into a naive UTC ``datetime`` (aware values are converted to UTC, naive
  ones are taken to be UTC already);
- :func:`format_value` is the one function every filter value passes through on its way
  into a request body;
- :func:`boolean_text` owns the Boolean spellings: people write ``True``, ``1``,
  ``"true"`` or ``"yes"``; the service stores and compares ``"1"``/``"0"``
  (:data:`leadsq.contract.BOOLEAN_VALUES`) and answers a ``"true"`` filter with an error;
- :func:`resolve_range` turns a :data:`DateRangeLike` into an inclusive ``(start, end)``.

Date ranges
-----------
All ranges are inclusive and whole seconds. A bound written as a date only (a ``date``
object or a ``"2024-03-31"`` string) means the start of that day when it is the start, and
the end of that day (``23:59:59``) when it is the end. Strings are matched
case-insensitively, with any amount of space between words.

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

Relative forms are computed from ``now`` in UTC (days start at 00:00 UTC) and are resolved
once, when the query is built: the request carries absolute instants, so re-running a built
report later asks for the same window, while re-running the *call* asks for a new one.
"""

from __future__ import annotations

import calendar
import numbers
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import numpy as np
import pandas as pd

from leadsq.contract import BOOLEAN_VALUES, format_date
from leadsq.errors import QueryError

__all__ = [
    "FALSE_WORDS",
    "RELATIVE_FORMS",
    "TRUE_WORDS",
    "DateLike",
    "DateRangeLike",
    "boolean_text",
    "format_value",
    "is_date_only",
    "resolve_range",
    "to_utc",
    "utc_now",
]

DateLike = str | datetime | date | pd.Timestamp | np.datetime64
DateRangeLike = (
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

TRUE_WORDS = frozenset({"1", "true", "yes"})
"""Texts read as ``True`` (case-insensitive, spaces around ignored), in values and answers."""
FALSE_WORDS = frozenset({"0", "false", "no"})
"""Texts read as ``False``."""

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ROLLING = re.compile(r"last (\d+) (second|minute|hour|day|week|month|year)s?")
_END_OF_DAY = time(23, 59, 59)


# --------------------------------------------------------------------------- instants


def utc_now(now: datetime | None = None) -> datetime:
    """The current time (or ``now``) as a naive UTC ``datetime`` in whole seconds.

    Parameters
    ----------
    now : datetime, optional
        A pinned "now"; aware values are converted to UTC, naive ones are taken as UTC.

    Returns
    -------
    datetime
    """
    value = datetime.now(timezone.utc) if now is None else now
    return to_utc(value, argument="now").replace(microsecond=0)


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


def boolean_text(value: object, *, argument: str = "value") -> str:
    """The text a Boolean field's value is sent as: ``"1"`` or ``"0"``.

    Parameters
    ----------
    value : bool, numpy.bool_, int or str
        ``True``/``False``, ``1``/``0``, or a word of :data:`TRUE_WORDS` /
        :data:`FALSE_WORDS` in any case.
    argument : str, default "value"
        The argument name to put in an error message.

    Returns
    -------
    str
        One of :data:`leadsq.contract.BOOLEAN_VALUES`.

    Raises
    ------
    QueryError
        For any other value.
    """
    true, false = BOOLEAN_VALUES
    if isinstance(value, (bool, np.bool_)):
        return true if value else false
    word = str(value).strip().lower() if isinstance(value, (str, numbers.Integral)) else None
    if word in TRUE_WORDS:
        return true
    if word in FALSE_WORDS:
        return false
    raise QueryError(
        f"{argument}: {value!r} is not a Boolean value; write True or False "
        "(1/0, 'true'/'false' and 'yes'/'no' are read too)"
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
    value: object, *, now: datetime | None = None, argument: str = "range"
) -> tuple[datetime, datetime]:
    """Resolve a date range to inclusive naive UTC bounds in whole seconds.

    Parameters
    ----------
    value : DateRangeLike
        One of the forms in the module docstring.
    now : datetime, optional
        The "now" relative forms count from; default the current time.
    argument : str, default "range"
        The argument name to put in an error message, e.g. ``"created"``.

    Returns
    -------
    (datetime, datetime)
        ``start`` and ``end``, both included.

    Raises
    ------
    QueryError
        For an unknown form, a missing start or a backwards range.
    """
    current = utc_now(now)
    if isinstance(value, str):
        start, end = _resolve_text(value, current, argument)
    elif isinstance(value, pd.Interval):
        start = _bound(value.left, current, argument, end=False)
        end = _bound(value.right, current, argument, end=True)
        if value.open_left:
            start += timedelta(seconds=1)
        if value.open_right:
            end -= timedelta(seconds=1)
    elif isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise QueryError(
                f"{argument}: a range is (start, end); got {len(value)} items: {value!r}"
            )
        start = _bound(value[0], current, argument, end=False)
        end = _bound(value[1], current, argument, end=True)
    elif isinstance(value, date) and not isinstance(value, datetime):
        start, end = _whole_days(value, value)
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


def _bound(value: object, now: datetime, argument: str, *, end: bool) -> datetime:
    if value is None or (isinstance(value, str) and value.strip().lower() == "now"):
        if not end:
            raise QueryError(
                f"{argument}: the range has no start; give one, e.g. ('2024-01-01', None) "
                "or 'since 2024-01-01'"
            )
        return now
    instant = to_utc(value, argument=argument).replace(microsecond=0)
    if end and is_date_only(value):
        return datetime.combine(instant.date(), _END_OF_DAY)
    return instant


def _whole_days(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, time()), datetime.combine(last, _END_OF_DAY)


def _resolve_text(text: str, now: datetime, argument: str) -> tuple[datetime, datetime]:
    words = " ".join(text.strip().lower().split())
    today = now.date()
    if ".." in text:
        head, _, tail = text.partition("..")
        return (
            _bound(head.strip() or None, now, argument, end=False),
            _bound(tail.strip() or None, now, argument, end=True),
        )
    if words.startswith("since "):
        return _bound(text.strip()[5:].strip(), now, argument, end=False), now
    if is_date_only(text):
        day = to_utc(text, argument=argument).date()
        return _whole_days(day, day)
    rolling = _ROLLING.fullmatch(words)
    if rolling:
        return _minus(now, int(rolling.group(1)), rolling.group(2), argument), now
    if words == "today":
        return datetime.combine(today, time()), now
    if words == "yesterday":
        return _whole_days(today - timedelta(days=1), today - timedelta(days=1))
    monday = today - timedelta(days=today.weekday())
    if words == "this week":
        return datetime.combine(monday, time()), now
    if words == "last week":
        return _whole_days(monday - timedelta(days=7), monday - timedelta(days=1))
    if words == "this month":
        return datetime.combine(today.replace(day=1), time()), now
    if words == "last month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return _whole_days(last_day.replace(day=1), last_day)
    if words == "this year":
        return datetime(today.year, 1, 1), now
    if words == "last year":
        return _whole_days(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
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
