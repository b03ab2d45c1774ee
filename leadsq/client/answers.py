"""Reading one HTTP answer: the bytes of a success, or the error it says (contract section 5).

An answer is an error when its status is 400 or more, when its body is the error body
(``"Status": "Error"`` or an ``ExceptionType``) whatever the status, or when it is the
rate limit's message alone (some hosts answer the limit with 200 or 403, in JSON or as
text). :func:`leadsq.errors.error_class` chooses the class; this module builds the
exception with the server's words, keys masked, and what the caller needs to act:
``retry_after`` (seconds, from ``Retry-After`` in either form:
:func:`retry_after_seconds`), ``renews_at`` of a daily limit, ``right_host`` of a wrong
host.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from leadsq.client.settings import Settings
from leadsq.contract import parse_rate_limit_message, parse_wrong_host
from leadsq.errors import DailyLimitError, WrongHostError, error_class

__all__ = ["check_answer", "next_utc_midnight", "retry_after_seconds"]

log = logging.getLogger("leadsq")

_SMALL = 4096  # error answers are short; a page of leads that size is never inspected
_TEXT = re.compile(rb"^\s*[^\s\[{]")  # not JSON: the message alone


def check_answer(
    where: str,
    status: int,
    reason: str,
    headers: Mapping[str, str],
    content: bytes,
    settings: Settings,
    redact: Callable[[str], str],
) -> None:
    """Raise the :class:`~leadsq.errors.APIError` an answer says, if it says one.

    Parameters
    ----------
    where : str
        The endpoint and path, for the message.
    status, reason, headers, content
        The HTTP answer.
    settings : Settings
        Its ``rate_limit_exception`` and ``input_error_types`` take part in the choice.
    redact : callable
        Masks the connection's keys in any text taken from the answer.

    Raises
    ------
    APIError
        A subclass chosen by :func:`leadsq.errors.error_class`.
    """
    if status < 400 and len(content) > _SMALL:
        return
    body = _error_body(content)
    text = content[:_SMALL].decode("utf-8", "replace").strip()
    if body is None and status < 400:
        is_text = "csv" not in headers.get("Content-Type", "") and _TEXT.match(content)
        if not (is_text and parse_rate_limit_message(text)):
            return
    exception_type = _text(body.get("ExceptionType")) if body else None
    exception_message = redact(_text(body.get("ExceptionMessage")) or "") if body else None
    message = exception_message or redact(text[:200])
    kind = error_class(
        status,
        exception_type,
        message,
        rate_limit_type=settings.rate_limit_exception,
        input_error_types=settings.input_error_types,
    )
    detail = f"{where} answered {status}: {message or reason}"
    renews = next_utc_midnight()
    right = parse_wrong_host(message) or ""
    if kind is DailyLimitError:
        detail += (
            f" (the day's calls are used up; the day renews at {renews:%Y-%m-%d %H:%M} UTC;"
            " not retried)"
        )
    elif kind is WrongHostError:
        detail += (
            f' (this account is served by {right}: read with host="{right}", or set it with'
            f' leadsq.configure(host="{right}"), or pass host="auto" to find it from the keys)'
        )
    error = kind(
        detail,
        status=status,
        exception_type=exception_type,
        exception_message=exception_message,
    )
    asked = headers.get("Retry-After")
    error.retry_after = retry_after_seconds(asked)
    if asked is not None and error.retry_after is None:
        log.debug(
            "%s: Retry-After %r is neither seconds nor an HTTP date: ignored",
            where,
            redact(asked[:80]),
        )
    if isinstance(error, DailyLimitError):
        error.renews_at = renews
    elif isinstance(error, WrongHostError):
        error.right_host = right
    raise error


def next_utc_midnight(now: datetime | None = None) -> datetime:
    """The next midnight UTC after ``now`` (default: the current time), timezone-aware."""
    now = now or datetime.now(timezone.utc)
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), timezone.utc)


def _error_body(content: bytes) -> dict[str, Any] | None:
    """The error body (``ExceptionType``, or ``"Status": "Error"``), else ``None``."""
    if len(content) > _SMALL and b"ExceptionType" not in content[:512]:
        return None
    try:
        value = json.loads(content)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    is_error = "ExceptionType" in value or str(value.get("Status", "")).lower() == "error"
    return value if is_error else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """The seconds a ``Retry-After`` value asks to wait (RFC 9110, section 10.2.3).

    Parameters
    ----------
    value : str or None
        The header: delta-seconds (``"120"``) or an HTTP-date
        (``"Wed, 21 Oct 2026 07:28:00 GMT"``).
    now : datetime, optional
        The moment a date is counted from (default: the current time).

    Returns
    -------
    float or None
        At least 0: a date already past asks no wait (retry now). ``None`` without a
        value, or with one that is neither form (it is ignored).
    """
    if value is None:
        return None
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _until(value, now)
    if seconds is None or not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _until(date: str, now: datetime | None) -> float | None:
    """Seconds from ``now`` to the HTTP-date ``date``; ``None`` if it is none."""
    try:
        when = parsedate_to_datetime(date.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, its zone unsaid (RFC 5322)
        when = when.replace(tzinfo=timezone.utc)
    return (when - (now or datetime.now(timezone.utc))).total_seconds()
