"""A read cache on disk, so a re-run cell does not spend the rate limit and daily cap again.

Off unless asked for: ``read_leadsquared(..., cache="1h")`` or
``leadsq.configure(cache="1h")``. A read is identified by its host, a fingerprint of the
account (a hash of the access key, never the key), the endpoint, the canonical request
body (relative windows such as ``"last 30 days"`` already resolved to the dates they
meant, so an answer is never served for another window) and ``max_results``. Within the
time to live, an identical read is answered from disk with no call at all.

Each answer is one Parquet file; a small SQLite index beside them holds the key, sizes,
when the answer was read and its provenance (which never holds a key). The directory is
``leadsq.settings.cache_dir``, else the user's cache directory (``platformdirs``); its
size is bounded by ``leadsq.settings.cache_max_bytes``, the oldest answers going first.
Chunked reads (``chunksize=``) are not cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadsq.client.client import current_settings
from leadsq.client.limits.stores import fingerprint
from leadsq.contract import Report, report_to_body
from leadsq.errors import ConfigurationError

if TYPE_CHECKING:  # config checks its cache setting with parse_ttl, so no import cycle
    from leadsq.client.connection import Connection
    from leadsq.client.settings import Settings

__all__ = [
    "DEFAULT_TTL",
    "CacheInfo",
    "cache_info",
    "cached_read",
    "clear_cache",
    "parse_ttl",
    "remember",
]

DEFAULT_TTL = 3600.0
"""Seconds an answer stays fresh when the cache is asked for with ``True``."""
FORMAT = 1  # bumped when what a cache file holds changes, so old files are not read
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h|d|w)", re.IGNORECASE)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    stored_at REAL NOT NULL,
    index_name TEXT,
    provenance TEXT NOT NULL
)
"""


def parse_ttl(value: Any, *, name: str = "cache") -> float | None:
    """A cache setting as seconds to live, or ``None`` for no cache.

    Parameters
    ----------
    value : bool, int, float, str or None
        ``False`` or ``None``: off. ``True``: :data:`DEFAULT_TTL`. A number: seconds
        (> 0). A string: seconds (``"600"``) or a duration such as ``"90s"``, ``"30m"``,
        ``"1h"``, ``"2d"``, ``"1w"`` or ``"1h30m"``.
    name : str
        The argument's name, for the error message.

    Raises
    ------
    ConfigurationError
        For anything else, naming the forms accepted.
    """
    if value is None or value is False:
        return None
    if value is True:
        return DEFAULT_TTL
    seconds: float | None = None
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        parts = _DURATION.findall(text)
        if re.fullmatch(r"\d+(\.\d+)?", text):
            seconds = float(text)
        elif parts and _DURATION.sub("", text).strip() == "":
            seconds = sum(float(number) * _UNITS[unit.lower()] for number, unit in parts)
    if seconds is None or not seconds > 0 or seconds == float("inf"):
        raise ConfigurationError(
            f"{name} must be False (off), True ({DEFAULT_TTL:g} s), seconds > 0 or a "
            f'duration such as "30m", "1h", "2d"; got {value!r}'
        )
    return seconds


def read_key(connection: Connection, report: Report, max_results: int | None) -> str:
    """The cache key of a read: what would make the service answer differently."""
    identity = {
        "format": FORMAT,
        "host": connection.analytics_url,
        "account": fingerprint(connection.access_key, connection.api_url),
        "endpoint": report.endpoint,
        "body": report_to_body(report),
        "max_results": max_results,
    }
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    """What the read cache holds.

    Attributes
    ----------
    path : Path
        The cache directory.
    entries : int
        Answers stored.
    bytes : int
        Their size on disk.
    max_bytes : int
        The bound (``leadsq.settings.cache_max_bytes``); the oldest answers go first.
    """

    path: Path
    entries: int
    bytes: int
    max_bytes: int


def cache_dir(settings: Settings | None = None) -> Path:
    """``settings.cache_dir`` (default ``leadsq.settings``), else the user's cache
    directory for leadsq."""
    chosen = (settings or current_settings()).cache_dir
    if chosen is None:
        import platformdirs

        chosen = platformdirs.user_cache_dir("leadsq")
    return Path(chosen).expanduser() / "reads"


@contextlib.contextmanager
def _index(directory: Path) -> Iterator[sqlite3.Connection]:
    """The SQLite index of ``directory``, in one transaction (committed on success)."""
    directory.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(directory / "index.sqlite", timeout=30)
    try:
        with connection:
            connection.execute(_SCHEMA)
            yield connection
    finally:
        connection.close()


def _now() -> float:
    return datetime.now(timezone.utc).timestamp()


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def _lookup(directory: Path, key: str, ttl: float) -> pd.DataFrame | None:
    """The stored answer of ``key`` if younger than ``ttl``; an expired one is dropped."""
    with _index(directory) as index:
        row = index.execute(
            "SELECT file, stored_at, index_name, provenance FROM entries WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        file, stored_at, index_name, provenance = row
        if _now() - stored_at >= ttl or not (directory / file).is_file():
            index.execute("DELETE FROM entries WHERE key = ?", (key,))
            (directory / file).unlink(missing_ok=True)
            return None
    frame = pd.read_parquet(directory / file)
    if index_name is not None:
        frame = frame.set_index(index_name)
    frame.attrs["leadsq"] = {
        **json.loads(provenance),
        "cache": {"hit": True, "stored_at": _stamp(stored_at), "key": key},
    }
    return frame


def _store(directory: Path, key: str, frame: pd.DataFrame, max_bytes: int) -> None:
    """Write ``frame`` under ``key``, then drop the oldest answers past the size bound."""
    directory.mkdir(parents=True, exist_ok=True)
    file = f"{key[:32]}-{uuid.uuid4().hex[:8]}.parquet"
    index_name = frame.index.name if not isinstance(frame.index, pd.RangeIndex) else None
    table = frame.reset_index() if index_name is not None else frame
    table = table.copy(deep=False)
    table.attrs = {}
    temporary = directory / f".{file}.tmp"
    table.to_parquet(temporary, index=False)
    os.replace(temporary, directory / file)
    provenance = {  # how this read held it is the next read's to say
        k: v
        for k, v in frame.attrs.get("leadsq", {}).items()
        if k not in ("cache", "dtype_backend")
    }
    size = (directory / file).stat().st_size
    with _index(directory) as index:
        old = index.execute("SELECT file FROM entries WHERE key = ?", (key,)).fetchone()
        index.execute(
            "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, file, size, len(frame), _now(), index_name, json.dumps(provenance)),
        )
        dropped = [old[0]] if old else []
        dropped += _evict(index, max_bytes)
    for name in dropped:
        (directory / name).unlink(missing_ok=True)


def _evict(index: sqlite3.Connection, max_bytes: int) -> list[str]:
    """Keep the newest entries that fit in ``max_bytes`` together, drop the rest; their files."""
    rows = index.execute("SELECT key, file, bytes FROM entries ORDER BY stored_at DESC").fetchall()
    kept = 0
    dropped = []
    for key, file, size in rows:
        kept += size
        if kept > max_bytes:  # this one and every older one
            index.execute("DELETE FROM entries WHERE key = ?", (key,))
            dropped.append(file)
    return dropped


def cached_read(
    connection: Connection,
    report: Report,
    max_results: int | None,
    ttl: float,
    read: Callable[[], pd.DataFrame],
) -> pd.DataFrame:
    """The stored answer of this read if fresh, else ``read()``'s, stored on the way.

    The frame's ``attrs["leadsq"]["cache"]`` says whether it came from the cache
    (``hit``), when the answer was stored and under which key; ``read_at`` stays when
    the service was read.
    """
    directory = cache_dir(connection.settings)
    key = read_key(connection, report, max_results)
    frame = _lookup(directory, key, ttl)
    if frame is None:
        frame = remember(read(), key, connection.settings)
    return frame


def remember(frame: pd.DataFrame, key: str, settings: Settings) -> pd.DataFrame:
    """Store a frame just read from the service under ``key``, in ``settings``' cache;
    mark its provenance."""
    _store(cache_dir(settings), key, frame, settings.cache_max_bytes)
    frame.attrs["leadsq"] = {
        **frame.attrs.get("leadsq", {}),
        "cache": {"hit": False, "stored_at": _stamp(_now()), "key": key},
    }
    return frame


def cache_info() -> CacheInfo:
    """How many answers the read cache holds, their size and where.

    Returns
    -------
    CacheInfo
    """
    settings = current_settings()
    directory = cache_dir(settings)
    with _index(directory) as index:
        entries, size = index.execute(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM entries"
        ).fetchone()
    return CacheInfo(directory, int(entries), int(size), settings.cache_max_bytes)


def clear_cache() -> CacheInfo:
    """Remove every stored answer; the next reads go to the service.

    Returns
    -------
    CacheInfo
        What was removed.
    """
    settings = current_settings()
    directory = cache_dir(settings)
    with _index(directory) as index:
        rows = index.execute("SELECT file, bytes FROM entries").fetchall()
        index.execute("DELETE FROM entries")
    for file, _ in rows:
        (directory / file).unlink(missing_ok=True)
    for stray in directory.glob(".*.parquet.tmp"):
        stray.unlink(missing_ok=True)
    return CacheInfo(directory, len(rows), sum(size for _, size in rows), settings.cache_max_bytes)
