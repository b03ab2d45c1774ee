"""Exceptions raised by leadsq.

The whole tree::

    LeadsqError
    ├── QueryError (also ValueError)        a bad query, caught before any request
    ├── ConfigurationError (also ValueError) no host or keys found, or a bad setting
    └── APIError                             the service answered with an error
        ├── BadRequestError      400, or a 5xx whose ExceptionType is an input error
        ├── AuthenticationError  401, 403 (not a rate limit)
        │   └── WrongHostError       401 naming the account's right host
        ├── NotFoundError        404, 405
        ├── RateLimitError       429, or the rate limit's type or words with any status
        │   ├── DailyLimitError      the rate limit of a day: not retried
        │   └── BudgetExceededError  the day's daily_budget is used up (no call sent)
        ├── ServerError          5xx, no input-error type
        ├── TransportError       no usable answer: connection, timeout, truncated body
        └── IncompleteReadError  the answers do not add up: rows short of the total,
                                 pages longer than asked, rows repeated

:func:`error_class` chooses the class of an error answer from its status, ``ExceptionType``
and ``ExceptionMessage``; retries follow the class (rate limits but the daily one, server
errors and transport failures are retried, the rest raised at once).

Every :class:`APIError` carries the server's ``exception_type`` and ``exception_message``
(``None`` when the server sent none) and, for a paged read that failed part-way, the
rows that had arrived (``partial``, a DataFrame or ``None``) and the body that reads on
from the first missing page (``resume_body``, for ``read_leadsquared(..., body=...)``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from leadsq.contract import (
    INTERNAL_SERVER,
    UNAUTHORIZED,
    parse_rate_limit_message,
    parse_wrong_host,
)

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ConfigurationError",
    "DailyLimitError",
    "IncompleteReadError",
    "LeadsqError",
    "NotFoundError",
    "QueryError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "WrongHostError",
    "error_class",
    "error_for_status",
]

DAY_SECONDS = 86400.0


class LeadsqError(Exception):
    """Root of every exception leadsq raises on purpose."""


class QueryError(LeadsqError, ValueError):
    """A query that cannot be sent: a bad argument, operator, value or body."""


class ConfigurationError(LeadsqError, ValueError):
    """No usable host or credentials, or a setting out of range."""


class APIError(LeadsqError):
    """The service answered with an error, or gave no usable answer.

    Parameters
    ----------
    message : str
        What failed, in words.
    status : int, optional
        The HTTP status, when there was one.
    exception_type, exception_message : str, optional
        The ``ExceptionType`` and ``ExceptionMessage`` of the server's error body.

    Attributes
    ----------
    retry_after : float or None
        Seconds the answer's ``Retry-After`` header asked to wait, if it had one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        exception_type: str | None = None,
        exception_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.exception_type = exception_type
        self.exception_message = exception_message
        self.retry_after: float | None = None
        self.partial: Any = None
        self.rows_received = 0
        self.resume_body: dict[str, Any] | None = None


class BadRequestError(APIError):
    """400: the server refused the request body."""


class AuthenticationError(APIError):
    """401 (or a 403 that is no rate limit): missing or wrong access or secret key."""


class WrongHostError(AuthenticationError):
    """401 from a regional host that is not the account's; the message names the right one.

    Attributes
    ----------
    right_host : str
        The account's host, as the server named it (pass it as ``host=``).
    """

    right_host: str


class NotFoundError(APIError):
    """404 or 405: no such endpoint at this host (check the host and analytics base)."""


class RateLimitError(APIError):
    """The rate limit: 429, or its ``ExceptionType`` or words with any status, after the
    retries ran out."""


class DailyLimitError(RateLimitError):
    """The account's calls of the day are used up; raised at once, never retried.

    Attributes
    ----------
    renews_at : datetime
        When the day renews (the next midnight UTC), timezone-aware.
    """

    renews_at: datetime


class BudgetExceededError(RateLimitError):
    """The access key's calls today (UTC) reached ``daily_budget``: no call was sent.

    A rate limit of our own, so ``except RateLimitError`` catches it too; it is never
    retried. A read stopped by it keeps ``partial`` and ``resume_body`` like any failed
    read.

    Attributes
    ----------
    budget : int
        The ``daily_budget`` setting.
    calls_today : int
        Calls counted today for the key, by every process sharing its store.
    renews_at : datetime
        When the budget renews: the next UTC midnight.
    """

    def __init__(self, message: str, *, budget: int, calls_today: int, renews_at: datetime) -> None:
        super().__init__(message)
        self.budget = budget
        self.calls_today = calls_today
        self.renews_at = renews_at


class ServerError(APIError):
    """A 5xx answer (no input-error type), after the retries ran out."""


class TransportError(APIError):
    """No usable answer: a refused or dropped connection, a timeout or a cut-off body."""


class IncompleteReadError(APIError):
    """The answers do not add up: fewer rows than the total and the page size promise, a
    page longer than asked, rows repeated within a read, an absurd ``TotalCount``.

    Never retried: the server answered, wrongly. The rows that had arrived are in
    ``partial`` (``rows_received`` of them), ``expected`` is what the total promised
    (``None`` when it told none).
    """

    expected: int | None = None


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    405: NotFoundError,
    413: BadRequestError,
    429: RateLimitError,
}


def error_for_status(status: int) -> type[APIError]:
    """The exception class for an HTTP error ``status``."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else APIError


def error_class(
    status: int,
    exception_type: str | None,
    message: str | None,
    *,
    rate_limit_type: str,
    input_error_types: Collection[str],
) -> type[APIError]:
    """The exception class of an error answer (contract section 5).

    Parameters
    ----------
    status : int
        The HTTP status; any, since a rate limit or an error body may come with 200.
    exception_type, message : str or None
        The answer's ``ExceptionType`` and ``ExceptionMessage`` (or its text).
    rate_limit_type : str
        The ``ExceptionType`` of a rate limit (``Settings.rate_limit_exception``).
    input_error_types : collection of str
        ``ExceptionType`` values of the caller's mistakes (``Settings.input_error_types``):
        a bad request whatever the status.

    Returns
    -------
    type of APIError
    """
    window = parse_rate_limit_message(message) if message else None
    if status == 429 or exception_type == rate_limit_type or window is not None:
        return (
            DailyLimitError if window is not None and window[1] >= DAY_SECONDS else RateLimitError
        )
    if exception_type in input_error_types:
        return BadRequestError
    if status == 401 or exception_type == UNAUTHORIZED:
        return WrongHostError if message and parse_wrong_host(message) else AuthenticationError
    if exception_type == INTERNAL_SERVER:
        return ServerError
    return error_for_status(status)
