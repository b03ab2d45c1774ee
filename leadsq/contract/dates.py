"""The contract's date text: ``yyyy-MM-dd HH:mm:ss``, naive UTC."""

from __future__ import annotations

from datetime import datetime

from leadsq.contract.vocabulary import DATE_FORMAT

__all__ = ["format_date", "parse_date"]


def format_date(value: datetime) -> str:
    """Format a naive UTC datetime as ``yyyy-MM-dd HH:mm:ss``."""
    return value.strftime(DATE_FORMAT)


def parse_date(text: str) -> datetime:
    """Parse ``yyyy-MM-dd HH:mm:ss`` (optionally with ``.fff``) into a naive UTC datetime.

    Raises
    ------
    ValueError
        If ``text`` is not in that format.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a string, got {type(text).__name__}")
    head, dot, fraction = text.partition(".")
    if dot and not (fraction.isdigit() and 1 <= len(fraction) <= 6):
        raise ValueError(f"{text!r} is not a date of the form yyyy-MM-dd HH:mm:ss")
    try:
        parsed = datetime.strptime(head, DATE_FORMAT)
    except ValueError:
        raise ValueError(f"{text!r} is not a date of the form yyyy-MM-dd HH:mm:ss") from None
    if dot:
        parsed = parsed.replace(microsecond=int(fraction.ljust(6, "0")))
    return parsed
