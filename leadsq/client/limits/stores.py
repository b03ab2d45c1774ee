"""Where an access key's limits are kept: its window of calls, its calls per day, its cooldown.

One store per account *fingerprint* (:func:`fingerprint`: a hash of the access key and
its host, never the key) and place, chosen by the ``rate_limit_store`` setting:

``"file"`` (default) or ``"file:<directory>"``
    Shared by every process on the machine: one SQLite file per fingerprint in the
    user's cache directory (``platformdirs``) or in ``<directory>``. The window is
    pyrate-limiter's SQLite bucket; each admission (budget, window, day count) runs
    under the bucket's file lock, an OS lock the system drops when its process dies,
    and SQLite rolls back a transaction its process did not finish: a process killed
    while holding the store leaves it usable.
``"redis://..."`` (or ``rediss://``)
    Shared by every machine that reaches the Redis server (``pip install leadsq[redis]``):
    pyrate-limiter's Redis bucket, day counts by ``INCR``, the cooldown a key that
    expires. Calls are dated by the Redis server's clock, so machines whose clocks
    differ still share one window, and each admission runs under a Redis lock that
    expires after 2 s, so a process killed while holding it holds it no longer. (The
    bucket's script counts the calls dated up to the caller's date: without the lock,
    a process that read the clock a moment before another's call went in would not see
    that call, and 4 processes drew 429s.)
``"memory"``
    This process only, as before the shared limit existed.

A window's calls are dated in milliseconds by the store's clock (:meth:`Store.now`): the
machine's wall clock, which every process on it shares, or the Redis server's.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from leadsq.errors import ConfigurationError

if TYPE_CHECKING:  # pyrate-limiter loads with the first store
    from pyrate_limiter import AbstractBucket, Rate

__all__ = [
    "STORE_KINDS",
    "Store",
    "check_store",
    "fingerprint",
    "known_stores",
    "store_for",
    "utc_day",
]

STORE_KINDS = "'file', 'file:<directory>', 'memory' or 'redis://host:port/db'"
_NAME = "call"  # a window holds one key's calls: one item name will do
_KEEP_DAYS = 8  # day counts kept for usage(), then dropped


def fingerprint(access_key: str, base_url: str) -> str:
    """The name an account's limits are kept under: 16 hex digits of a SHA-256 hash of
    the access key and the host it calls (``base_url``'s host and port).

    A key is valid on its account's host only, so the pair is the account; sandboxes,
    which all accept the demo key, each count apart. The key cannot be read back.
    """
    host = urlsplit(base_url).netloc.lower() or base_url.lower()
    return hashlib.sha256(f"leadsq-limits:{host}\n{access_key}".encode()).hexdigest()[:16]


def utc_day(at: float | None = None) -> str:
    """The UTC day (``YYYY-MM-DD``) of ``at`` (epoch seconds), default now."""
    return datetime.fromtimestamp(time.time() if at is None else at, timezone.utc).strftime(
        "%Y-%m-%d"
    )


class Store(ABC):
    """One key's limits in one place. Every method is safe across the store's users
    (threads, processes, machines, as its kind allows)."""

    def __init__(self, key_fingerprint: str) -> None:
        self.fingerprint = key_fingerprint
        from pyrate_limiter import Rate

        self.bucket: AbstractBucket = self._make_bucket([Rate(1, 1000)])
        self._leaked_at = 0

    @abstractmethod
    def _make_bucket(self, rates: list[Rate]) -> AbstractBucket: ...

    def now(self) -> int:
        """The store's clock, in milliseconds: what its calls are dated by (here the
        machine's wall clock, which its processes share)."""
        return time.time_ns() // 1_000_000

    @abstractmethod
    def locked(self) -> AbstractContextManager[Any]:
        """Held for one admission: budget, window and day count in one step."""

    @abstractmethod
    def calls_on(self, day: str) -> int:
        """Calls counted on UTC ``day``."""

    @abstractmethod
    def count_call(self, day: str, step: int = 1) -> int:
        """Add ``step`` calls to ``day`` (``-1`` takes one back); the day's new count."""

    @abstractmethod
    def cooldown_until(self) -> float:
        """Epoch seconds until which the limit runs slower (0: not cooling down)."""

    @abstractmethod
    def cool_down(self, until: float) -> None:
        """Run slower until ``until`` (epoch seconds), unless already cooling down longer."""

    @abstractmethod
    def window_calls(self, since: int) -> int:
        """Calls dated at or after ``since`` (milliseconds)."""

    @abstractmethod
    def capped_on(self) -> str:
        """The last UTC day the service answered its daily cap ("" if never)."""

    @abstractmethod
    def cap(self, day: str) -> None:
        """Remember that the service answered its daily cap on ``day``."""

    def admit(self, rate: Rate) -> int:
        """Put a call dated now into the window if ``rate`` allows it: 0, else the
        milliseconds until it may. Call with :meth:`locked` held."""
        now = self.now()
        if now - self._leaked_at > rate.interval:
            self.bucket.leak(now)
            self._leaked_at = now
        self.bucket.rates = [rate]
        from pyrate_limiter import RateItem

        item = RateItem(_NAME, now)
        if self.bucket.put(item):
            return 0
        return max(int(self.bucket.waiting(item)), 1)  # type: ignore[arg-type]


class MemoryStore(Store):
    """This process's limits only (pyrate-limiter's in-memory bucket)."""

    def __init__(self, key_fingerprint: str) -> None:
        self._lock = threading.RLock()
        self._days: Counter[str] = Counter()
        self._cooldown = 0.0
        self._capped_on = ""
        super().__init__(key_fingerprint)

    def _make_bucket(self, rates: list[Rate]) -> AbstractBucket:
        from pyrate_limiter import InMemoryBucket

        return InMemoryBucket(rates)

    def locked(self) -> AbstractContextManager[Any]:
        return self._lock

    def calls_on(self, day: str) -> int:
        return self._days[day]

    def count_call(self, day: str, step: int = 1) -> int:
        with self._lock:
            self._days[day] += step
            return self._days[day]

    def cooldown_until(self) -> float:
        return self._cooldown

    def cool_down(self, until: float) -> None:
        with self._lock:
            self._cooldown = max(self._cooldown, until)

    def window_calls(self, since: int) -> int:
        with self._lock:
            items = self.bucket.items  # type: ignore[attr-defined]
            return sum(1 for item in items if item.timestamp >= since)

    def capped_on(self) -> str:
        return self._capped_on

    def cap(self, day: str) -> None:
        self._capped_on = day


class FileStore(Store):
    """One SQLite file per key fingerprint in ``directory``, under a file lock."""

    def __init__(self, key_fingerprint: str, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{key_fingerprint}.sqlite"
        super().__init__(key_fingerprint)
        bucket: Any = self.bucket
        self._lock = bucket.lock  # filelock's FileLock: excludes threads and processes
        self._db: sqlite3.Connection = bucket.conn
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS days (day TEXT PRIMARY KEY, calls INT)")
            self._db.execute("CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value)")
            self._db.commit()

    def _make_bucket(self, rates: list[Rate]) -> AbstractBucket:
        from pyrate_limiter import SQLiteBucket

        return SQLiteBucket.init_from_file(
            rates, table="calls", db_path=str(self.path), use_file_lock=True
        )

    def locked(self) -> AbstractContextManager[Any]:
        return self._lock

    def _one(self, query: str, *parameters: Any) -> Any:
        with self._lock:
            row = self._db.execute(query, parameters).fetchone()
            self._db.commit()
        return row[0] if row else None

    def calls_on(self, day: str) -> int:
        return self._one("SELECT calls FROM days WHERE day = ?", day) or 0

    def count_call(self, day: str, step: int = 1) -> int:
        with self._lock:
            oldest = utc_day(time.time() - _KEEP_DAYS * 86400)
            self._db.execute("DELETE FROM days WHERE day < ?", (oldest,))
            return int(
                self._one(
                    "INSERT INTO days VALUES (?, ?) ON CONFLICT(day) "
                    "DO UPDATE SET calls = calls + excluded.calls RETURNING calls",
                    day,
                    step,
                )
            )

    def cooldown_until(self) -> float:
        return float(self._one("SELECT value FROM state WHERE name = 'cooldown_until'") or 0)

    def cool_down(self, until: float) -> None:
        self._one(
            "INSERT INTO state VALUES ('cooldown_until', ?) ON CONFLICT(name) "
            "DO UPDATE SET value = max(value, excluded.value) RETURNING value",
            until,
        )

    def window_calls(self, since: int) -> int:
        return int(self._one("SELECT COUNT(*) FROM calls WHERE item_timestamp >= ?", since))

    def capped_on(self) -> str:
        return str(self._one("SELECT value FROM state WHERE name = 'capped_on'") or "")

    def cap(self, day: str) -> None:
        self._one(
            "INSERT INTO state VALUES ('capped_on', ?) ON CONFLICT(name) "
            "DO UPDATE SET value = excluded.value RETURNING value",
            day,
        )


class RedisStore(Store):
    """The key's limits in Redis: a sorted set, a counter a day, an expiring cooldown."""

    def __init__(self, key_fingerprint: str, url: str) -> None:
        try:
            import redis
        except ImportError:
            raise ConfigurationError(
                "rate_limit_store='redis://...' needs the redis package: "
                "pip install 'leadsq[redis]'"
            ) from None
        self._redis = redis.Redis.from_url(url)
        self._prefix = f"leadsq:limits:{key_fingerprint}:"
        super().__init__(key_fingerprint)

    def _make_bucket(self, rates: list[Rate]) -> AbstractBucket:
        from pyrate_limiter import RedisBucket

        bucket: AbstractBucket = RedisBucket.init(rates, self._redis, self._prefix + "window")
        return bucket

    def calls_on(self, day: str) -> int:
        return int(self._redis.get(self._prefix + "day:" + day) or 0)

    def count_call(self, day: str, step: int = 1) -> int:
        key = self._prefix + "day:" + day
        pipe = self._redis.pipeline()
        pipe.incrby(key, step)
        pipe.expire(key, _KEEP_DAYS * 86400)
        calls, _ = pipe.execute()
        return int(calls)

    def cooldown_until(self) -> float:
        return float(self._redis.get(self._prefix + "cooldown") or 0)

    def now(self) -> int:
        seconds, microseconds = self._redis.time()
        return int(seconds) * 1000 + int(microseconds) // 1000

    @contextmanager
    def locked(self) -> Iterator[None]:
        from redis.exceptions import LockError

        lock = self._redis.lock(self._prefix + "lock", timeout=2, sleep=0.001)
        lock.acquire()
        try:
            yield
        finally:
            with suppress(LockError):  # held past its 2 s: it expired, nothing to release
                lock.release()

    def cool_down(self, until: float) -> None:
        left = int(until * 1000) - self.now()
        if left > 0 and until > self.cooldown_until():
            self._redis.set(self._prefix + "cooldown", until, px=left)

    def window_calls(self, since: int) -> int:
        return int(self._redis.zcount(self._prefix + "window", since, "+inf"))

    def capped_on(self) -> str:
        value = self._redis.get(self._prefix + "capped_on")
        return value.decode() if isinstance(value, bytes) else ""

    def cap(self, day: str) -> None:
        self._redis.set(self._prefix + "capped_on", day, ex=2 * 86400)


def check_store(spec: str) -> str:
    """``spec`` if it names a store, else :class:`ConfigurationError`."""
    if not isinstance(spec, str):
        raise ConfigurationError(f"rate_limit_store must be {STORE_KINDS}; got {spec!r}")
    scheme = urlsplit(spec).scheme
    if spec in ("file", "memory") or (scheme == "file" and _directory(spec).is_absolute()):
        return spec
    if scheme in ("redis", "rediss") and "://" in spec:
        return spec
    raise ConfigurationError(f"rate_limit_store must be {STORE_KINDS}; got {_shown(spec)!r}")


def _directory(spec: str) -> Path:
    if spec == "file":
        import platformdirs

        return Path(platformdirs.user_cache_dir("leadsq")) / "limits"
    return Path(urlsplit(spec).path or spec.removeprefix("file:"))


def _shown(spec: str) -> str:
    """``spec`` without a password, for messages."""
    parts = urlsplit(spec)
    if parts.password:
        return spec.replace(f":{parts.password}@", ":***@")
    return spec


_stores: dict[tuple[str, str], Store] = {}
_stores_lock = threading.Lock()


def store_for(spec: str, key_fingerprint: str) -> Store:
    """The process's store for ``spec`` (a ``rate_limit_store`` value) and a fingerprint.

    Raises
    ------
    ConfigurationError
        When the place cannot be used: a directory that cannot be written, a Redis
        server that does not answer.
    """
    spec = check_store(spec)
    with _stores_lock:
        store = _stores.get((spec, key_fingerprint))
        if store is None:
            store = _stores[spec, key_fingerprint] = _open(spec, key_fingerprint)
        return store


def _open(spec: str, key_fingerprint: str) -> Store:
    if spec == "memory":
        return MemoryStore(key_fingerprint)
    if spec == "file" or urlsplit(spec).scheme == "file":
        directory = _directory(spec)
        try:
            return FileStore(key_fingerprint, directory)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigurationError(
                f"rate_limit_store={spec!r} cannot keep the rate limit in {directory}: {exc}. "
                "Choose a directory this process can write (rate_limit_store='file:/path') "
                "or rate_limit_store='memory' (this process only)"
            ) from None
    try:
        return RedisStore(key_fingerprint, spec)
    except ConfigurationError:
        raise
    except Exception as exc:  # redis-py's connection and response errors
        raise ConfigurationError(
            f"rate_limit_store={_shown(spec)!r}: Redis does not answer "
            f"({type(exc).__name__}: {exc})"
        ) from None


def known_stores(spec: str) -> list[Store]:
    """Every key's store in ``spec``'s place: the files of a directory, the keys of a
    Redis database, or this process's memory."""
    spec = check_store(spec)
    if spec == "memory":
        with _stores_lock:
            return [store for (where, _), store in _stores.items() if where == spec]
    if spec == "file" or urlsplit(spec).scheme == "file":
        directory = _directory(spec)
        found = sorted(path.stem for path in directory.glob("*.sqlite"))
    else:
        import redis

        with redis.Redis.from_url(spec) as client:
            names = client.scan_iter(match="leadsq:limits:*", count=1000)
            found = sorted({name.decode().split(":")[2] for name in names})
    return [store_for(spec, name) for name in found]
