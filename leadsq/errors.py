"""Exceptions raised by leadsq.

The whole tree::

    LeadsqError
    ├── QueryError (also ValueError)        a bad query, caught before any request
    ├── ConfigurationError (also ValueError) no host or keys found, or a bad setting
    └── APIError                             the service answered with an error
        ├── BadRequestError      400
        ├── AuthenticationError  401
        ├── NotFoundError        404, 405
        ├── RateLimitError       429, or the rate-limit body with any status
        ├── ServerError          5xx
        └── TransportError       no usable answer: connection, timeout, truncated body

Every :class:`APIError` carries the server's ``exception_type`` and ``exception_message``
(``None`` when the server sent none) and, for a paged read that failed part-way, the
rows that had arrived (``partial``, a DataFrame or ``None``) and the body that reads on
from the first missing page (``resume_body``, for ``read_leadsquared(..., body=...)``).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "LeadsqError",
    "NotFoundError",
    "QueryError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "error_for_status",
]


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
        self.partial: Any = None
        self.rows_received = 0
        self.resume_body: dict[str, Any] | None = None


class BadRequestError(APIError):
    """400: the server refused the request body."""


class AuthenticationError(APIError):
    """401: missing or wrong access or secret key."""


class NotFoundError(APIError):
    """404 or 405: no such endpoint at this host (check the host and analytics base)."""


class RateLimitError(APIError):
    """429, or the rate-limit body with any status, after the retries ran out."""


class ServerError(APIError):
    """A 5xx answer, after the retries ran out."""


class TransportError(APIError):
    """No usable answer: a refused or dropped connection, a timeout or a cut-off body."""


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
