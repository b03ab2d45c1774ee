"""When a failed call is tried again, and after how long (`tenacity`_).

Retried: rate limits (not a daily one, nor our own budget's), 5xx answers without an
input-error type and transport failures (refused, dropped, timed out or cut-off
answers), but not a read past its deadline. The wait is a bounded exponential backoff
with jitter (``Settings.backoff``), or what ``Retry-After`` asks when longer
(:func:`leadsq.client.answers.retry_after_seconds` reads both of its forms); a wait past
what the retry budget has left is not waited: the error is raised at once, saying when
to try again. A rate-limit answer is retried until ``max_retry_seconds``, however many
times (waiting for the limit is no failure); other failures count against
``max_retries``, and one at most while the host has not answered in this process, so a
typo or a dead network fails in seconds.

.. _tenacity: https://pypi.org/project/tenacity/
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from tenacity import RetryCallState, Retrying, retry_if_exception, wait_random_exponential

from leadsq.client.learnt import learnt
from leadsq.client.wire import DeadlinePassed
from leadsq.errors import (
    BudgetExceededError,
    DailyLimitError,
    RateLimitError,
    ServerError,
    TransportError,
)

if TYPE_CHECKING:
    from leadsq.client.settings import Settings

__all__ = ["RETRYABLE", "retryable", "retrying"]

log = logging.getLogger("leadsq")

RETRYABLE = (RateLimitError, ServerError, TransportError)
_LONGEST_SHOWN = 10**9  # seconds: a wait asked past this is shown as this far ahead


def retrying(settings: Settings, base: str, sleep: Callable[[float], None]) -> Retrying:
    """The retry policy of one call to ``base``.

    Parameters
    ----------
    settings : Settings
        Its ``max_retries``, ``max_retry_seconds`` and ``backoff``.
    base : str
        The base URL called: while it has not answered in this process, one retry at most.
    sleep : callable
        Waits between attempts (:meth:`leadsq.client.wire.Guard.sleep`: a stopped read
        ends its waits).
    """
    first, largest = settings.backoff
    return Retrying(
        retry=retry_if_exception(retryable),
        stop=_stop_rule(settings.max_retries, settings.max_retry_seconds, base),
        wait=_RetryAfterOr(
            wait_random_exponential(multiplier=first, max=largest), settings.max_retry_seconds
        ),
        sleep=sleep,
        before_sleep=_log_retry,
        reraise=True,
    )


def retryable(error: BaseException) -> bool:
    """Rate limits (but the day's, the service's or our budget's), server errors and
    transport failures (but a read past its deadline) are retried."""
    return isinstance(error, RETRYABLE) and not isinstance(
        error, (DailyLimitError, BudgetExceededError, DeadlinePassed)
    )


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.info("retrying after attempt %d: %s", state.attempt_number, error)


def _stop_rule(max_retries: int, max_seconds: float, base: str) -> Callable[[RetryCallState], bool]:
    """When to stop retrying one call: after ``max_seconds`` in any case, and after
    ``max_retries`` retries of failures other than rate-limit answers; one at most while
    ``base`` has not answered in this process, so a typo or a dead network fails in
    seconds."""
    failures = 0

    def stop(state: RetryCallState) -> bool:
        nonlocal failures
        error = state.outcome.exception() if state.outcome else None
        failures += not isinstance(error, RateLimitError)
        retries = max_retries if learnt.answered(base) else min(max_retries, 1)
        return failures > retries or (state.seconds_since_start or 0) >= max_seconds

    return stop


class _RetryAfterOr:
    """Wait what ``Retry-After`` asks for when the server sent it, else the fallback;
    a wait past what is left of the retry budget is not waited: the error is raised at
    once, saying when to try again."""

    def __init__(self, fallback: Any, budget: float) -> None:
        self.fallback = fallback
        self.budget = budget

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None)
        fallback = self.fallback(state)
        if asked is None:
            return fallback
        left = self.budget - (state.seconds_since_start or 0.0)
        if isinstance(error, Exception) and asked > left:
            at = datetime.now(timezone.utc) + timedelta(seconds=min(asked, _LONGEST_SHOWN))
            error.args = (
                f"{error.args[0]} (the server asked to wait {_seconds(asked)} s before "
                f"retrying, past the {max(left, 0):.0f} s left of max_retry_seconds: not "
                f"waited; try again after {at:%Y-%m-%d %H:%M:%S} UTC)",
            )
            raise error
        return max(asked, fallback)


def _seconds(seconds: float) -> str:
    """``seconds`` to a tenth, without a trailing ``.0``: 3600, 2.4."""
    return f"{seconds:.1f}".removesuffix(".0")
