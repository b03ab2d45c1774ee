"""The text every user value is sent as: the one owner of value-to-text for a request.

Strings go as they are, Booleans as ``"1"``/``"0"`` (:mod:`leadsq.query.booleans`),
numbers as plain decimal text, instants as UTC ``yyyy-MM-dd HH:mm:ss``
(:mod:`leadsq.query.instants`).
"""

from __future__ import annotations

import numbers
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from leadsq.contract import format_date
from leadsq.errors import QueryError
from leadsq.query.booleans import boolean_text
from leadsq.query.instants import to_utc

__all__ = ["format_value"]


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
