"""The sandbox's rate limit per access key, and its daily cap, on pyrate-limiter.

:class:`RateLimit` keeps two :class:`pyrate_limiter.Limiter` objects, each asked with a
non-blocking ``try_acquire`` per key (an over-limit call is answered at once, never held):

- the window: at most ``calls`` calls in any ``window`` seconds (a sliding-window log),
  each dated by its *arrival* (when its head was read, ``time.monotonic()``), not by when
  a worker took it up;
- the cap: at most ``daily_cap`` calls per UTC day (a fixed window of a day over the
  wall clock: epoch milliseconds start each UTC day at a multiple of a day's).

Workers take calls up a little out of their arrival order, so a call may be counted
after one that arrived just after it; its window then holds those later calls too
(a call that arrived a millisecond before one already admitted cannot slip in as a sixth
of five), and :class:`_ArrivalOrder` files it in arrival order, as the log's lookups
need. Old entries are dropped as calls come (no leak thread): a window's log keeps two
windows, for the calls still to be counted a little late, and a cap's log keeps its day.
"""

from __future__ import annotations

import bisect
import threading
import time
from operator import attrgetter

from pyrate_limiter import (
    AbstractClock,
    BucketFactory,
    Duration,
    FixedWindow,
    InMemoryBucket,
    Limiter,
    LogAlgorithm,
    Rate,
    RateItem,
    SlidingWindowLog,
    WallClock,
)

__all__ = ["RateLimit"]

_by_timestamp = attrgetter("timestamp")


class _ArrivalOrder(InMemoryBucket):
    """pyrate-limiter's in-memory log, each admitted call filed in date order (the
    log appends, and its lookups bisect)."""

    def put(self, item: RateItem) -> bool:
        if not super().put(item):
            return False
        items = self.items
        if len(items) > 1 and items[-2].timestamp > item.timestamp:
            items.pop()
            bisect.insort(items, item, key=_by_timestamp)
        return True


class _Dated(AbstractClock):
    """A clock that reads the date it was last set to: a call's arrival, in ms."""

    def __init__(self) -> None:
        self.at = 0

    def now(self) -> int:
        return self.at


class _PerKey(BucketFactory):
    """One log per key id, dated by ``clock``, trimmed to ``keep`` ms as calls come."""

    def __init__(
        self, rate: Rate, algorithm: LogAlgorithm, clock: AbstractClock, keep: int
    ) -> None:
        self._rate = rate
        self._algorithm = algorithm
        self._clock = clock
        self._keep = keep
        self._buckets: dict[str, _ArrivalOrder] = {}

    def wrap_item(self, name: str, weight: int = 1) -> RateItem:
        now = self._clock.now()
        assert isinstance(now, int)
        return RateItem(name, now, weight)

    def get(self, item: RateItem) -> _ArrivalOrder:
        bucket = self._buckets.get(item.name)
        if bucket is None:
            bucket = _ArrivalOrder([self._rate], algorithm=self._algorithm)
            self._buckets[item.name] = bucket
        bucket.leak(item.timestamp - self._keep)  # drops what is older than the policy's bound
        return bucket


class RateLimit:
    """The sandbox's window and daily cap per key id (see the module's doc).

    Parameters
    ----------
    window : tuple of (int, float), optional
        ``(calls, seconds)``; ``None`` for no window.
    daily_cap : int, optional
        Calls per key per UTC day; ``None`` for no cap.
    """

    def __init__(self, window: tuple[int, float] | None, daily_cap: int | None) -> None:
        self._lock = threading.Lock()  # a call's date and its acquire go together
        self._arrival = _Dated()
        self._window: Limiter | None = None
        self._window_logs: _PerKey | None = None
        if window is not None:
            calls, seconds = window
            rate = Rate(calls, round(seconds * 1000))
            self._window_logs = _PerKey(rate, SlidingWindowLog(), self._arrival, rate.interval)
            self._window = Limiter(self._window_logs)
        self._cap: Limiter | None = None
        if daily_cap is not None:
            rate = Rate(daily_cap, Duration.DAY)
            self._cap = Limiter(_PerKey(rate, FixedWindow(), WallClock(), 0))

    def window_wait(self, key_id: str, arrived: float) -> float | None:
        """Count a call of ``key_id`` that arrived at ``arrived`` (``time.monotonic()``)
        against the window: ``None`` when admitted (or no window), else the seconds from
        now until a call would be."""
        if self._window is None or self._window_logs is None:
            return None
        with self._lock:
            self._arrival.at = round(arrived * 1000)
            if self._window.try_acquire(key_id, blocking=False):
                return None
            item = self._window_logs.wrap_item(key_id)
            wait_ms = self._window_logs.get(item).waiting(item)  # from the call's arrival
        assert isinstance(wait_ms, int)
        return wait_ms / 1000 - (time.monotonic() - arrived)

    def within_cap(self, key_id: str) -> bool:
        """Count a call of ``key_id`` against today's cap (UTC); False when the day's
        calls are used up (or True: no cap)."""
        if self._cap is None:
            return True
        return bool(self._cap.try_acquire(key_id, blocking=False))
