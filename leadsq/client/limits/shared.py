"""The rate limit and the daily budget of one access key, shared through its store.

Every call waits in :meth:`SharedLimit.acquire`: in one step under the store's lock it
checks the day's budget, puts the call in the sliding window if the window has room
(else learns how long until it has) and counts the call for the day. Every process
using the same store and key sees the same window, so together they send no more than
the limit, however many they are.

An answer that the service's daily cap is reached is remembered for the key and the
UTC day: every process on the key then stops at once with
:class:`~leadsq.errors.DailyLimitError` instead of spending a call to be told again.

A rate-limit answer means someone sent more than we know of (another tool on the
account, a second machine on a file store, a clock off by a margin). After one, the
limit slows down for every process on the key, as botocore's adaptive retry mode does:
for :data:`COOLDOWN_WINDOWS` window(s) it admits :data:`COOLDOWN_SHARE` of the calls per
window (botocore's factor; at least one call).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from pyrate_limiter import Rate

from leadsq.client.limits.stores import Store, fingerprint, store_for, utc_day
from leadsq.errors import BudgetExceededError, DailyLimitError

if TYPE_CHECKING:
    from leadsq.client.connection import Connection

__all__ = ["COOLDOWN_SHARE", "COOLDOWN_WINDOWS", "SharedLimit", "limit_for"]

log = logging.getLogger("leadsq")

COOLDOWN_WINDOWS = 1
COOLDOWN_SHARE = 0.7
_POLL = 0.25  # seconds between looks at a stopped read while waiting


class SharedLimit:
    """The limit of one access key: its window, its day's budget, its cooldown.

    One caller at a time in a process waits in it: each call is dated by the clock
    when it is let through, right before it goes out (a crowd of waiters would date
    calls by the sleeps they asked for, early on a busy interpreter, eating the
    margin). Callers in other processes take their turns through the store.

    Parameters
    ----------
    store : Store
        Where the key's window, day counts and cooldown are kept.
    calls, window : int, float
        The service's limit: ``calls`` in any ``window`` seconds.
    margin : float
        Seconds added to the window: no two calls ``calls`` apart go out less than
        ``window + margin`` apart.
    budget : int, optional
        Most calls a UTC day (``daily_budget``).
    """

    def __init__(
        self, store: Store, calls: int, window: float, margin: float, budget: int | None
    ) -> None:
        self.store = store
        self.window = window
        self.budget = budget
        interval = round((window + margin) * 1000)
        self._rate = Rate(calls, interval)
        self._slow = Rate(max(1, int(calls * COOLDOWN_SHARE)), interval)
        self._turn = threading.Lock()

    def acquire(self, check: Callable[[], None] = lambda: None) -> None:
        """Wait until a call may go out, and count it. ``check()`` is called at least
        every quarter second of the wait and may raise to give it up (the read it is for
        was stopped: a Ctrl-C must not leave workers asleep here for a window).

        Raises
        ------
        BudgetExceededError
            When the day's budget is used up; no call may go out.
        DailyLimitError
            When the service answered its daily cap today (to any process on the key).
        """
        store = self.store
        while not self._turn.acquire(timeout=_POLL):
            check()
        try:
            while True:
                with store.locked():
                    now = store.now() / 1000
                    day = utc_day(now)
                    if self.budget is not None and store.calls_on(day) >= self.budget:
                        raise self.over_budget(day)
                    if store.capped_on() == day:
                        raise self._capped(day)
                    slow = store.cooldown_until() > now
                    wait = store.admit(self._slow if slow else self._rate)
                    if not wait:
                        calls = store.count_call(day)
                        if self.budget is not None and calls > self.budget:
                            # another machine took the last call first (Redis)
                            store.count_call(day, -1)
                            raise self.over_budget(day)
                        return
                check()
                time.sleep(min(wait / 1000, _POLL))
        finally:
            self._turn.release()

    def throttled(self) -> None:
        """The service answered a rate limit: slow down every process on the key."""
        until = self.store.now() / 1000 + COOLDOWN_WINDOWS * self.window
        log.info(
            "rate-limit answer: key %s runs at %d calls / %g s for %g s",
            self.store.fingerprint,
            self._slow.limit,
            self.window,
            COOLDOWN_WINDOWS * self.window,
        )
        self.store.cool_down(until)

    def capped(self) -> None:
        """The service answered its daily cap: every process on the key stops calling
        until the next UTC midnight (a call would only be refused again)."""
        self.store.cap(utc_day(self.store.now() / 1000))

    def _capped(self, day: str) -> DailyLimitError:
        renews = _renewal(day)
        error = DailyLimitError(
            f"the service's daily cap for this access key (fingerprint "
            f"{self.store.fingerprint}) was reached on {day} (UTC), as a call of this or "
            f"another process was told: no call is sent until it renews at "
            f"{renews:%Y-%m-%d %H:%M} UTC"
        )
        error.renews_at = renews
        return error

    def calls_left(self) -> int | None:
        """Calls the day's budget still allows (``None``: no budget)."""
        if self.budget is None:
            return None
        return max(self.budget - self.store.calls_on(utc_day(self.store.now() / 1000)), 0)

    def over_budget(self, day: str | None = None) -> BudgetExceededError:
        """The error of a call the day's budget does not allow."""
        day = day or utc_day(self.store.now() / 1000)
        assert self.budget is not None
        renews = _renewal(day)
        calls = self.store.calls_on(day)
        return BudgetExceededError(
            f"the daily budget of {self.budget} calls for this access key (fingerprint "
            f"{self.store.fingerprint}) is used up: {calls} calls on {day} (UTC); it renews "
            f"at {renews:%Y-%m-%d %H:%M} UTC. Raise it with leadsq.configure(daily_budget=...)",
            budget=self.budget,
            calls_today=calls,
            renews_at=renews,
        )


def _renewal(day: str) -> datetime:
    """When ``day``'s calls renew: the next UTC midnight (:mod:`leadsq.client.answers` owns it)."""
    from leadsq.client.answers import next_utc_midnight  # answers needs config, which needs us

    return next_utc_midnight(datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc))


_limits: dict[tuple[str, str, int, float, float, int | None], SharedLimit] = {}
_limits_lock = threading.Lock()


def limit_for(connection: Connection) -> SharedLimit:
    """The process's limit for a connection's access key and host, under its settings
    (``rate_limit``, ``rate_limit_margin``, ``rate_limit_store`` and ``daily_budget``)."""
    settings = connection.settings
    calls, window = settings.rate_limit
    name = fingerprint(connection.access_key, connection.api_url)
    key = (
        settings.rate_limit_store,
        name,
        int(calls),
        float(window),
        float(settings.rate_limit_margin),
        settings.daily_budget,
    )
    with _limits_lock:
        if key not in _limits:
            store = store_for(settings.rate_limit_store, name)
            _limits[key] = SharedLimit(store, *key[2:])
        return _limits[key]
