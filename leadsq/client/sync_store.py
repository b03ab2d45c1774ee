"""Where :func:`leadsq.sync` keeps its table and its state: a DuckDB file or a Parquet dataset.

Both keep the rows, the sync's state (what query, the high-water mark, the dtypes) and one
line per run in the store itself, and change all three at once: a run that stops part-way
leaves the store as the previous run left it.

- DuckDB (default): the table, ``leadsq_sync_state`` and ``leadsq_sync_runs`` in one file,
  each run's changes in one transaction.
- Parquet: a directory per table holding ``part-<id>.parquet`` (the whole table) and
  ``state.json`` (state, runs and the name of the current part), replaced atomically;
  the previous part is removed only after the new state is in place.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from leadsq.errors import QueryError

__all__ = ["FORMATS", "RUN_COLUMNS", "SyncStore", "open_store"]

FORMATS = ("duckdb", "parquet")
RUN_COLUMNS = (
    "run",
    "started_at",
    "finished_at",
    "window_start",
    "window_end",
    "new",
    "changed",
    "unchanged",
    "removed",
    "rows",
)
KEY = "ProspectID"


class SyncStore(Protocol):
    """What :func:`leadsq.sync` needs of a store."""

    def state(self) -> dict[str, Any] | None:
        """The saved state, or ``None`` before the first run."""

    def table(self) -> pd.DataFrame | None:
        """Every row, typed by the state's dtypes; ``None`` before the first run."""

    def runs(self) -> pd.DataFrame:
        """One row per finished run, oldest first (:data:`RUN_COLUMNS`)."""

    def commit(
        self, rows: pd.DataFrame, removed: Sequence[str], state: dict[str, Any], run: dict
    ) -> None:
        """Upsert ``rows`` by ``ProspectID``, delete ``removed``, save state and run, at once."""

    def close(self) -> None:
        """Release the store."""


def open_store(path: str | os.PathLike[str], format: str, table: str) -> SyncStore:
    """The store at ``path`` in ``format`` (``"duckdb"`` or ``"parquet"``), for ``table``."""
    if format not in FORMATS:
        raise QueryError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")
    if not table.isidentifier() or table.lower().startswith("leadsq_sync"):
        raise QueryError(f"table must be a plain name (letters, digits, _); got {table!r}")
    if format == "duckdb":
        return DuckDBStore(Path(path), table)
    return ParquetStore(Path(path), table)


def _typed(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    return frame[list(dtypes)].astype(dtypes).reset_index(drop=True)


class DuckDBStore:
    """A sync's table and state in one DuckDB file."""

    def __init__(self, path: Path, table: str) -> None:
        import duckdb

        path.parent.mkdir(parents=True, exist_ok=True)
        self.name = table
        self._con = duckdb.connect(str(path))
        self._con.execute("SET TimeZone = 'UTC'")
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS leadsq_sync_state (name VARCHAR PRIMARY KEY, state JSON)"
        )
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS leadsq_sync_runs (name VARCHAR, run INTEGER, "
            "started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, window_start TIMESTAMP, "
            "window_end TIMESTAMP, new BIGINT, changed BIGINT, unchanged BIGINT, "
            "removed BIGINT, rows BIGINT)"
        )

    def state(self) -> dict[str, Any] | None:
        row = self._con.execute(
            "SELECT state FROM leadsq_sync_state WHERE name = ?", [self.name]
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def table(self) -> pd.DataFrame | None:
        state = self.state()
        if state is None:
            return None
        return _typed(self._con.execute(f'SELECT * FROM "{self.name}"').df(), state["dtypes"])

    def runs(self) -> pd.DataFrame:
        columns = ", ".join(RUN_COLUMNS)
        return self._con.execute(
            f"SELECT {columns} FROM leadsq_sync_runs WHERE name = ? ORDER BY run", [self.name]
        ).df()

    def commit(
        self, rows: pd.DataFrame, removed: Sequence[str], state: dict[str, Any], run: dict
    ) -> None:
        con = self._con
        con.begin()
        try:
            con.register("leadsq_delta", rows)
            con.register("leadsq_removed", pd.DataFrame({KEY: list(removed)}, dtype="string"))
            table = f'"{self.name}"'
            con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM leadsq_delta LIMIT 0")
            con.execute(
                f"DELETE FROM {table} WHERE {KEY} IN (SELECT {KEY} FROM leadsq_delta) "
                f"OR {KEY} IN (SELECT {KEY} FROM leadsq_removed)"
            )
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM leadsq_delta")
            con.execute(
                "INSERT OR REPLACE INTO leadsq_sync_state VALUES (?, ?)",
                [self.name, json.dumps(state)],
            )
            con.execute(
                f"INSERT INTO leadsq_sync_runs VALUES (?, {', '.join('?' for _ in RUN_COLUMNS)})",
                [self.name, *(run[column] for column in RUN_COLUMNS)],
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            con.unregister("leadsq_delta")
            con.unregister("leadsq_removed")

    def close(self) -> None:
        self._con.close()


class ParquetStore:
    """A sync's table as a Parquet file in a directory, with its state beside it."""

    def __init__(self, path: Path, table: str) -> None:
        self.directory = path / table
        self.directory.mkdir(parents=True, exist_ok=True)
        self._manifest = self.directory / "state.json"
        self._saved: dict[str, Any] | None = (
            json.loads(self._manifest.read_text()) if self._manifest.is_file() else None
        )
        current = self._saved["part"] if self._saved else None
        for stray in self.directory.glob("part-*.parquet"):
            if stray.name != current:  # left by a run that stopped before its state was saved
                stray.unlink()

    def state(self) -> dict[str, Any] | None:
        return None if self._saved is None else self._saved["state"]

    def table(self) -> pd.DataFrame | None:
        if self._saved is None:
            return None
        frame = pd.read_parquet(self.directory / self._saved["part"])
        return _typed(frame, self._saved["state"]["dtypes"])

    def runs(self) -> pd.DataFrame:
        runs = self._saved["runs"] if self._saved else []
        frame = pd.DataFrame(runs, columns=list(RUN_COLUMNS))
        for column in ("started_at", "finished_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
        for column in ("window_start", "window_end"):
            frame[column] = pd.to_datetime(frame[column])
        return frame

    def commit(
        self, rows: pd.DataFrame, removed: Sequence[str], state: dict[str, Any], run: dict
    ) -> None:
        current = self.table()
        if current is not None:
            gone = current[KEY].isin(rows[KEY]) | current[KEY].isin(list(removed))
            rows = pd.concat([current[~gone], rows], ignore_index=True)
        part = f"part-{uuid.uuid4().hex}.parquet"
        rows.to_parquet(self.directory / part, index=False)
        saved = {
            "state": state,
            "part": part,
            "runs": [*(self._saved or {}).get("runs", []), _jsonable(run)],
        }
        temporary = self.directory / "state.json.tmp"
        temporary.write_text(json.dumps(saved))
        os.replace(temporary, self._manifest)
        previous, self._saved = self._saved, saved
        if previous is not None:
            (self.directory / previous["part"]).unlink(missing_ok=True)

    def close(self) -> None:
        """Nothing is held open between runs."""


def _jsonable(run: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in run.items()}
