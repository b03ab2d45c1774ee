"""The sandbox's database: generated tables in an in-memory DuckDB, queried and changed.

:class:`Store` generates the data (:mod:`leadsq.sandbox.generator`), answers reports
compiled by :mod:`leadsq.sandbox.sql`, serves the metadata lists, hands raw tables to
tests as DataFrames and applies churn. It is safe to share between threads: every read
runs on its own cursor inside one transaction (a consistent snapshot for the total and the
page), and writes are serialised by a lock.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import duckdb

from leadsq.contract import Report, check_fields
from leadsq.sandbox.catalog import (
    ACTIVITY_TYPES,
    LEAD_FIELDS,
    activity_type_item,
    lead_field_metadata,
    new_lead_values,
    user_item,
)
from leadsq.sandbox.generator import generate
from leadsq.sandbox.settings import SandboxSettings
from leadsq.sandbox.sql import compile_report

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Answer", "ChurnResult", "Store"]

TABLES = {
    "leads": '"ProspectAutoId"',
    "activities": '"ActivityId"',
    "users": "rowid",
    "activity_types": '"ActivityEvent"',
}
_ORG_SHORT_CODE = "61011"  # the sandbox's made-up account number


@dataclass(frozen=True)
class Answer:
    """One page of a report's answer.

    Attributes
    ----------
    total : int
        Rows (List) or groups (Aggregate) in the whole answer, not just the page.
    columns : tuple of str
        Result keys, in order.
    rows : list of tuple
        The page; values are ``str``, ``int``, ``float`` or ``None`` (dates as text).
        Empty when ``results_json`` holds the page instead.
    results_json : str or None
        The page as JSON text (an array of ``{column: value}``), when asked for.
    """

    total: int
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    results_json: str | None = None

    def records(self) -> list[dict[str, Any]]:
        """The page's ``rows`` as a list of ``{column: value}``."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class ChurnResult:
    """What one churn step did: the ``ProspectAutoId`` of created and modified leads."""

    created: tuple[int, ...]
    modified: tuple[int, ...]


class Store:
    """Generated CRM data in DuckDB.

    Parameters
    ----------
    settings : SandboxSettings
        Seed, sizes and anchor of the data (other settings are ignored here).

    Attributes
    ----------
    fields : dict of str to str
        Lead ``SchemaName`` to ``DataType``: the whitelist every query is checked against.
    anchor : datetime
        The data's "today" (naive UTC).
    """

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.anchor: datetime = settings.anchor  # type: ignore[assignment]
        self.fields: dict[str, str] = {f.schema_name: f.data_type for f in LEAD_FIELDS}
        self._con = duckdb.connect(":memory:")
        self._write_lock = threading.Lock()
        self._team = generate(
            self._con,
            seed=settings.seed,
            leads=settings.leads,
            users=settings.users,
            anchor=self.anchor,
            activity_scale=settings.activity_scale,
            subsecond=settings.subsecond_times,
        )
        self._churn_rng = random.Random(f"leadsq-sandbox-churn-{settings.seed}")
        self._started = time.monotonic()
        self._users = [user_item(user, settings.users_shape) for user in self._team]

    # ------------------------------------------------------------------ reads

    def run(self, report: Report, *, as_json: bool = False) -> Answer:
        """Answer one page of ``report``; ``as_json``: a list page as JSON text
        (``Answer.results_json``), built by the database.

        Raises
        ------
        ContractError
            If the report names fields or values the schema does not accept.
        """
        check_fields(report, self.fields)
        compiled = compile_report(
            report, self.fields, now=self.now(), milliseconds=self.settings.subsecond_times
        )
        offset = (report.paging.index - 1) * report.paging.size
        cursor = self._con.cursor()
        try:
            cursor.begin()
            row = cursor.execute(compiled.count_sql, compiled.count_params).fetchone()
            total = int(row[0]) if row else 0
            rows: list[tuple[Any, ...]] = []
            json_sql = compiled.page_json_sql if as_json else None
            results_json = "[]" if json_sql is not None else None
            page_params = (*compiled.page_params, report.paging.size, offset)
            # past the end the page is empty (and the offset may not fit the database)
            if offset < total and json_sql is not None:
                (results_json,) = cursor.execute(json_sql, page_params).fetchone() or ("[]",)
            elif offset < total:
                rows = cursor.execute(compiled.page_sql, page_params).fetchall()
            cursor.commit()
        finally:
            cursor.close()
        return Answer(total, compiled.columns, rows, results_json)

    def lead_fields(self) -> list[dict[str, Any]]:
        """The ``LeadsMetaData.Get`` list of field descriptors."""
        return lead_field_metadata()

    def activity_types(self) -> list[dict[str, Any]]:
        """The ``ActivityTypes.Get`` list, named as ``settings.activity_type_names`` says."""
        names = self.settings.activity_type_names
        return [activity_type_item(t, names) for t in ACTIVITY_TYPES]

    def users(self) -> list[dict[str, Any]]:
        """The ``Users.Get`` list, in the shape of ``settings.users_shape``."""
        return [dict(user) for user in self._users]

    def account(self, own_url: str) -> dict[str, Any]:
        """The ``UserByAccessKey.Get`` answer: the caller (the account's first user, its
        admin), the account's API host (``settings.account_url``, else ``own_url``) and
        its time zone."""
        user = self._team[0]
        return {
            "ID": user["UserID"],
            "FirstName": user["FirstName"],
            "LastName": user["LastName"],
            "EmailAddress": user["EmailAddress"],
            "OrgShortCode": _ORG_SHORT_CODE,
            "TimeZone": self.settings.time_zone,
            "LSQCommonServiceURLs": {
                "api": self.settings.account_url or own_url,
                "app": own_url,
            },
        }

    def table(self, name: str) -> pd.DataFrame:
        """A raw table as a DataFrame, for tests to compute expectations independently.

        Parameters
        ----------
        name : {"leads", "activities", "users", "activity_types"}
            ``leads`` in ``ProspectAutoId`` order; dates are naive UTC ``datetime64``.
        """
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
        cursor = self._con.cursor()
        try:
            return cursor.execute(f"SELECT * FROM {name} ORDER BY {TABLES[name]}").df()
        finally:
            cursor.close()

    def count(self, name: str) -> int:
        """Number of rows in a raw table."""
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
        cursor = self._con.cursor()
        try:
            row = cursor.execute(f"SELECT count(*) FROM {name}").fetchone()
            return int(row[0]) if row else 0
        finally:
            cursor.close()

    # ------------------------------------------------------------------ writes

    def now(self) -> datetime:
        """The sandbox clock: real UTC time, but never before the anchor plus uptime; to
        the millisecond with ``subsecond_times``, else to the second."""
        real = datetime.now(timezone.utc).replace(tzinfo=None)
        running = self.anchor + timedelta(seconds=time.monotonic() - self._started)
        return self._stamp(max(real, running))

    def _stamp(self, moment: datetime) -> datetime:
        """``moment`` as a stored time: to the millisecond or, without
        ``subsecond_times``, to the second."""
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        if self.settings.subsecond_times:
            return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        return moment.replace(microsecond=0)

    def churn(
        self, created: int = 0, modified: int = 0, *, at: datetime | None = None
    ) -> ChurnResult:
        """Create and modify leads now, as a busy sales team would.

        Parameters
        ----------
        created : int
            New Prospects, with the next ``ProspectAutoId`` values and no activity.
        modified : int
            Existing leads (drawn at random) that get an outbound call (event 22) posted
            now: ``ModifiedOn`` and ``ProspectActivityDate_Max`` become now,
            ``EngagementScore`` grows by 2 and ``Score`` by 1.
        at : datetime, optional
            The time stamped instead of now (naive UTC; to the millisecond with
            ``subsecond_times``, else to the second), e.g. a lead created at
            ``23:59:59.400`` to test a date window's edge.
        """
        if created < 0 or modified < 0:
            raise ValueError("churn counts must not be negative")
        if not created and not modified:
            return ChurnResult((), ())
        now = self.now() if at is None else self._stamp(at)
        with self._write_lock:
            cursor = self._con.cursor()
            try:
                cursor.begin()
                made = self._create(cursor, created, now)
                changed = self._modify(cursor, modified, now)
                cursor.commit()
            except BaseException:
                cursor.rollback()
                raise
            finally:
                cursor.close()
        return ChurnResult(tuple(made), tuple(changed))

    def _create(self, cursor: duckdb.DuckDBPyConnection, count: int, now: datetime) -> list[int]:
        if not count:
            return []
        row = cursor.execute('SELECT coalesce(max("ProspectAutoId"), 0) FROM leads').fetchone()
        next_id = int(row[0]) + 1 if row else 1
        owners = [user["UserID"] for user in self._team]
        weights = [user["_recent"] for user in self._team]
        names = [spec.schema_name for spec in LEAD_FIELDS]
        made = []
        rows = []
        for auto_id in range(next_id, next_id + count):
            owner = self._churn_rng.choices(owners, weights=weights)[0]
            values = new_lead_values(self._churn_rng, auto_id, owner, now)
            rows.append([values[name] for name in names])
            made.append(auto_id)
        columns = ", ".join(f'"{name}"' for name in names)
        placeholders = ", ".join("?" for _ in names)
        cursor.executemany(f"INSERT INTO leads ({columns}) VALUES ({placeholders})", rows)
        return made

    def _modify(self, cursor: duckdb.DuckDBPyConnection, count: int, now: datetime) -> list[int]:
        if not count:
            return []
        row = cursor.execute('SELECT max("ProspectAutoId") FROM leads').fetchone()
        if not row or row[0] is None:
            return []
        largest = int(row[0])
        chosen = sorted({self._churn_rng.randrange(1, largest + 1) for _ in range(count)})
        row = cursor.execute('SELECT coalesce(max("ActivityId"), 0) FROM activities').fetchone()
        next_activity = int(row[0]) + 1 if row else 1
        for offset, auto_id in enumerate(chosen):
            owner = cursor.execute(
                'SELECT "OwnerId" FROM leads WHERE "ProspectAutoId" = ?', [auto_id]
            ).fetchone()
            if owner is None:
                continue
            cursor.execute(
                "INSERT INTO activities VALUES (?, ?, 22, ?, ?)",
                [next_activity + offset, auto_id, now, owner[0]],
            )
            cursor.execute(
                'UPDATE leads SET "ModifiedOn" = ?, "ProspectActivityDate_Max" = ?, '
                '"EngagementScore" = coalesce("EngagementScore", 0) + 2, '
                '"Score" = coalesce("Score", 0) + 1 WHERE "ProspectAutoId" = ?',
                [now, now, auto_id],
            )
        return chosen

    def close(self) -> None:
        """Release the database."""
        self._con.close()
