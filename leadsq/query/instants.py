"""Instants: the one owner of reading a date or time and of converting it to UTC.

The rule everywhere in leadsq: an aware value is converted to UTC; a naive one is taken to
be UTC already. :func:`to_utc` gives the naive UTC ``datetime`` a request is written from
(:func:`leadsq.contract.format_date`); :func:`utc_timestamp` gives the aware
``pd.Timestamp`` frames and plots compare with; :func:`parse_day` reads a ``yyyy-mm-dd``
day, as the form's date inputs and date-only range bounds are written.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import pandas as pd

from leadsq.errors import QueryError

__all__ = ["is_date_only", "parse_day", "to_utc", "utc_timestamp"]

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


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


def utc_timestamp(value: object) -> pd.Timestamp:
    """``value`` as an aware ``pd.Timestamp`` in UTC (naive values are taken to be UTC).

    Parameters
    ----------
    value : datetime, date, pd.Timestamp, numpy.datetime64 or str
        Anything ``pd.Timestamp`` reads.

    Returns
    -------
    pd.Timestamp
        Aware, in UTC, to the nanosecond.
    """
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def parse_day(text: str, *, argument: str = "value") -> date:
    """The day a ``yyyy-mm-dd`` text names (spaces around ignored).

    Raises
    ------
    QueryError
        Naming ``argument``: ``'2024-13-01' is not a date (yyyy-mm-dd)``.
    """
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(f"{argument}: {text!r} is not a date (yyyy-mm-dd)") from None
