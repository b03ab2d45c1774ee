"""The service's error answers, as the sandbox says them and the client reads them.

:func:`error_body` is the documented error body for a status (section 5); each message
maker (the sandbox's words) sits next to the parser the client reads it back with, so the
two cannot drift apart.
"""

from __future__ import annotations

import re

from leadsq.contract.errors import EXCEPTION_TYPES

__all__ = [
    "daily_limit_message",
    "error_body",
    "page_size_cap_message",
    "parse_page_size_cap",
    "parse_rate_limit_message",
    "parse_wrong_host",
    "rate_limit_message",
    "wrong_host_message",
]


def error_body(status: int, message: str) -> dict[str, str]:
    """The documented error body for an HTTP ``status`` (section 5)."""
    exception_type = EXCEPTION_TYPES.get(status, EXCEPTION_TYPES[500])
    return {"Status": "Error", "ExceptionType": exception_type, "ExceptionMessage": message}


def rate_limit_message(calls: int, window_seconds: float) -> str:
    """The rate-limit message, e.g. ``API calls exceeded the limit of 25 in 5 second(s)``."""
    return f"API calls exceeded the limit of {calls} in {window_seconds:g} second(s)"


def daily_limit_message(calls: int) -> str:
    """The answer to a call past a daily cap [ours: the real words are not documented]."""
    return f"API calls exceeded the limit of {calls} in 1 day(s)"


_RATE_LIMIT_WORDS = re.compile(
    r"API calls exceeded the limit of (\d+) in (\d+(?:\.\d+)?) (second|minute|hour|day)\(s\)",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


def parse_rate_limit_message(text: str) -> tuple[int, float] | None:
    """``(calls, window_seconds)`` from a rate-limit message, or ``None`` if it is not one.

    A window of a day (86,400 s) is a daily cap.
    """
    match = _RATE_LIMIT_WORDS.search(text)
    if match is None:
        return None
    return int(match.group(1)), float(match.group(2)) * _UNIT_SECONDS[match.group(3).lower()]


def page_size_cap_message(cap: int) -> str:
    """The refusal of a page over the cap, in the words other LeadSquared APIs use [seen]."""
    return f"Invalid Input! Parameter Name: PageSize can not be more than {cap}"


_PAGE_SIZE_CAP = re.compile(r"PageSize can ?not be more than (\d+)", re.IGNORECASE)


def parse_page_size_cap(text: str) -> int | None:
    """The cap named by a page-size refusal (:func:`page_size_cap_message`), else ``None``."""
    match = _PAGE_SIZE_CAP.search(text)
    return int(match.group(1)) if match else None


def wrong_host_message(host: str) -> str:
    """The 401 of a wrong regional host, naming the right one [doc; the words are ours]."""
    return f"This account's API host is {host}; please send your calls there."


_URL = re.compile(r"https?://[^\s,;'\"<>]+[^\s,;'\"<>.]")
_HOST_NAME = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.leadsquared\.com\b", re.IGNORECASE)


def parse_wrong_host(text: str) -> str | None:
    """The URL or host name a 401 message names as the account's host, else ``None``."""
    match = _URL.search(text) or _HOST_NAME.search(text)
    return match.group(0) if match else None
