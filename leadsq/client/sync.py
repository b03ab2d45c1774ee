"""Incremental sync: a local table of leads kept up to date by reading only what changed.

``leadsq.sync("leads.duckdb", where=...)`` reads every lead that matches the first time,
and from then on only the leads modified since the last run's high-water mark; it
upserts them by ``ProspectID`` and saves its state in the store itself (see
:mod:`leadsq.client.sync_store`). ``python -m leadsq sync STORE ...`` does the same for cron.

How a run reads
---------------
Each run reads the query with a ``LeadModifiedOn`` window from the previous run's
high-water mark (the first run: from 1900) to ``end`` = now minus ``lag`` (whole
seconds, UTC), and ``end`` becomes the next high-water mark. The window's end is in the
past when the read starts, so a lead changed while the run pages gets a later
``ModifiedOn`` and falls in the next run's window; the boundary second is in both windows
(the contract's whole-second bounds, section 2), and the upsert by ``ProspectID`` removes
the duplicate. ``lag`` allows for what makes "now" too late: a change is stamped when it
is made but seen only once its transaction commits, and the service's clock may be
behind this machine's. A lead changed within ``lag`` of a run waits for the next one.

When the query has filters, a lead modified so that it no longer matches leaves the
local table: each later run also reads the ids of every lead modified in the window
(``distribution``, no filters) and removes those the query did not return.

Deleted leads cannot be seen through this API: no answer lists them. They stay in the
local table until a full re-sync (``full=True``); ``reconcile=True`` compares the
server's total with the local count and warns (:class:`ReconcileWarning`) on a
difference. For ``not_contacted``, a lead leaves when it is contacted only if the
activity also changes its ``ModifiedOn`` (it does in the sandbox; on the real service
this is not documented).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from leadsq.client.connection import ConnectionArguments

from leadsq.client.client import Client, client_for
from leadsq.client.connection import Connection, masked_arguments
from leadsq.client.reading import DriftWarning, read_report
from leadsq.client.sync_store import FORMATS, KEY, open_store
from leadsq.contract import (
    DateFilter,
    Output,
    Paging,
    Report,
    format_date,
    parse_date,
    report_to_body,
)
from leadsq.errors import LeadsqError, QueryError
from leadsq.query.build import DEFAULT_COLUMNS, DEFAULT_PAGE_SIZE, build_report

__all__ = ["ReconcileWarning", "main", "sync", "sync_runs"]

MODIFIED = "ModifiedOn"
REQUIRED_COLUMNS = (KEY, MODIFIED)
FIRST_START = datetime(1900, 1, 1)
DEFAULT_LAG = 60.0


def _utc_now() -> datetime:
    """Now as a naive UTC datetime in whole seconds (rounded down: a window's end)."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


class ReconcileWarning(UserWarning):
    """The server's total and the local table's count differ: leads were deleted on the
    server (which this API cannot show), or created since the run's window ended."""


def sync(
    store: str | os.PathLike[str],
    endpoint: str = "distribution",
    where: str | None = None,
    *,
    filters: Sequence[Any] | None = None,
    users: str | Sequence[str] | None = None,
    activities: int | str | Sequence[int | str] | None = None,
    columns: str | Sequence[str] | None = None,
    table: str = "leads",
    format: str = "duckdb",
    page_size: int | None = None,
    lag: float = DEFAULT_LAG,
    full: bool = False,
    reconcile: bool = False,
    progress: bool = False,
    client: Client | None = None,
    **connection: Unpack[ConnectionArguments],
) -> pd.DataFrame:
    """Bring a local table of leads up to date, reading only what changed since last time.

    Parameters
    ----------
    store : str or path
        A DuckDB file (created if missing), or a directory for ``format="parquet"``.
    endpoint, where, filters, users, activities, columns
        The query, as for :func:`leadsq.read_leadsquared` (a list read; ``columns``
        default to a read's). ``ProspectID`` and ``ModifiedOn`` are added when missing. A store's table holds
        one query: another query (or account, or host) is refused; use another ``table``.
    table : str, default "leads"
        The table's name in the store.
    format : {"duckdb", "parquet"}
        The store's kind.
    page_size : int, optional
        Rows per request; default ``leadsq.settings.page_size``.
    lag : float, default 60
        Seconds the window stops short of this machine's clock, for changes committed
        after they were stamped and a service clock behind this one; leads modified in
        the last ``lag`` seconds wait for the next run.
    full : bool, default False
        Read everything again and replace the table: drops leads deleted on the server
        or no longer matching (except those modified after the window, which the next
        run settles).
    reconcile : bool, default False
        After the run, read the query's total (one row, one call) and warn with
        :class:`ReconcileWarning` when it differs from the local count.
    progress : bool, default False
        Show progress bars while reading.
    client : Client, optional
        The client to read with; default the default client (``leadsq.settings``).
    **connection
        ``host``, ``access_key``, ``secret_key``, ``analytics_url``, as for
        :func:`leadsq.read_leadsquared`, instead of ``client``.

    Returns
    -------
    DataFrame
        The whole local table, typed as a read is, ordered by ``ProspectAutoId`` when it
        is a column, else by ``ProspectID``. ``df.attrs["leadsq_sync"]`` holds the run
        (``new``, ``changed``, ``unchanged``, ``removed`` rows, the window).

    Raises
    ------
    QueryError
        For a bad argument or a store that holds another query, before any request.
    APIError
        When a read fails; the store is left as the previous run left it, and the next
        run reads the same window again.

    Notes
    -----
    Deleted leads cannot be seen through this API, so they stay in the local table
    until ``full=True``; ``reconcile=True`` says when the counts differ.
    """
    if not isinstance(lag, (int, float)) or isinstance(lag, bool) or not lag >= 0:
        raise QueryError(f"lag must be seconds >= 0; got {lag!r}")
    connection = masked_arguments(connection)  # no plain key in locals
    reading = client_for(client, **connection)
    settings = reading.settings
    query = build_report(
        endpoint,
        where,
        filters=filters,
        users=users,
        activities=activities,
        columns=_with_required(endpoint, columns),
        page_size=page_size or settings.page_size or DEFAULT_PAGE_SIZE,
    )
    connected = reading.connection
    identity = {
        "endpoint": query.endpoint,
        "host": connected.analytics_url,
        "account": connected.account,
        "query": report_to_body(replace(query, paging=Paging())),
    }
    started = datetime.now(timezone.utc)
    backend = open_store(store, format, table)
    try:
        state = backend.state()
        if state is not None and state["identity"] != identity:
            raise QueryError(
                f"table {table!r} of {os.fspath(store)} holds a sync of another query, account "
                f"or host; sync into another table (table=...) or another store"
            )
        current = None if state is None else backend.table()
        start = FIRST_START if full or state is None else parse_date(state["high_water"])
        end = max(_utc_now() - timedelta(seconds=lag), start)
        read = functools.partial(
            _read_window,
            connection=connected,
            progress=progress,
            size_given=bool(page_size or settings.page_size),
        )
        fresh = read(query, start, end)
        removed = _gone(read, query, current, fresh, (start, end), full)
        new, changed = _differences(current, fresh)
        run: dict[str, Any] = {
            "run": len(backend.runs()) + 1,
            "started_at": started,
            "finished_at": datetime.now(timezone.utc),
            "window_start": start,
            "window_end": end,
            "new": int(new.sum()),
            "changed": int(changed.sum()),
            "unchanged": int(len(fresh) - new.sum() - changed.sum()),
            "removed": len(removed),
            "rows": (0 if current is None else len(current)) + int(new.sum()) - len(removed),
        }
        dtypes = {name: str(dtype) for name, dtype in fresh.dtypes.items()}
        saved = {"identity": identity, "high_water": format_date(end), "dtypes": dtypes}
        backend.commit(fresh[new | changed], removed, saved, run)
        result = backend.table()
    finally:
        backend.close()
    result = _ordered(result)
    result.attrs["leadsq_sync"] = {"store": os.fspath(store), "table": table, **run}
    if reconcile:
        _reconcile(query, connected, len(result))
    return result


def sync_runs(
    store: str | os.PathLike[str], *, table: str = "leads", format: str = "duckdb"
) -> pd.DataFrame:
    """The runs recorded in a store: one row each, with ``new``, ``changed``,
    ``unchanged``, ``removed``, ``rows`` and the window read."""
    backend = open_store(store, format, table)
    try:
        return backend.runs()
    finally:
        backend.close()


def _with_required(endpoint: str, columns: str | Sequence[str] | None) -> list[str]:
    """The columns (``None``: the endpoint's defaults) with ``ProspectID`` and
    ``ModifiedOn`` added."""
    if columns is None:
        chosen = list(DEFAULT_COLUMNS.get(endpoint, ()))
    elif isinstance(columns, str):
        chosen = [c.strip() for c in columns.split(",")]
    else:
        chosen = list(columns)
    return chosen + [name for name in REQUIRED_COLUMNS if name not in chosen]


def _read_window(
    query: Report,
    start: datetime,
    end: datetime,
    *,
    connection: Connection,
    progress: bool,
    size_given: bool,
) -> pd.DataFrame:
    """The leads of ``query`` modified from ``start`` to ``end``, one row per lead; pages
    of the endpoint's known cap unless a page size was given (``size_given``).

    A window only loses leads while it is read (a change moves a lead past ``end``), so
    the reader's drift repair (a keyset re-read) makes the answer complete: its warning
    says nothing the sync does not handle.
    """
    window = DateFilter("LeadModifiedOn", start, end)
    report = replace(query, date_filters=(*query.date_filters, window))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        frame = read_report(
            report, connection, progress=progress, size_given=size_given, cache=False
        )
    assert isinstance(frame, pd.DataFrame)
    return frame.drop_duplicates(KEY, keep="last").reset_index(drop=True)


def _gone(
    read: Callable[[Report, datetime, datetime], pd.DataFrame],
    query: Report,
    current: pd.DataFrame | None,
    fresh: pd.DataFrame,
    window: tuple[datetime, datetime],
    full: bool,
) -> list[str]:
    """The local leads to remove: those the query no longer returns.

    A later run reads the ids of every lead modified in its window: one there but not in
    ``fresh`` was modified so that it no longer matches. Only leads modified before the
    window's last second count: a lead can join the window during the read only by a
    change stamped in that second, which the next run's window holds again. A full run
    removes every local lead it did not read, except those modified after its window
    (the next run settles them).
    """
    if current is None or not (full or _has_filters(query)):
        return []
    start, end = window
    if full:
        beyond = _utc_now() + timedelta(days=1)  # past any ModifiedOn the service has
        later = read(_every_lead(query), end, beyond)
        return sorted(set(current[KEY]) - set(fresh[KEY]) - set(later[KEY]))
    modified = read(_every_lead(query), start, end)
    settled = modified[modified[MODIFIED] < pd.Timestamp(end, tz="UTC")]
    return sorted((set(settled[KEY]) - set(fresh[KEY])) & set(current[KEY]))


def _has_filters(query: Report) -> bool:
    return bool(query.lead_filters or query.user_groups or query.endpoint != "distribution")


def _every_lead(query: Report) -> Report:
    """The ids and ``ModifiedOn`` of every lead, whatever the query's filters."""
    return Report("distribution", Output("List", columns=REQUIRED_COLUMNS), paging=query.paging)


def _differences(local: pd.DataFrame | None, fresh: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Which fresh rows are new, and which differ from the local row of the same lead."""
    if local is None or local.empty:
        return pd.Series(True, index=fresh.index), pd.Series(False, index=fresh.index)
    known = local.set_index(KEY)
    new = pd.Series(known.index.get_indexer(fresh[KEY]) < 0, index=fresh.index)
    before = known.reindex(fresh[KEY]).reset_index(drop=True)
    after = fresh.drop(columns=KEY).reset_index(drop=True)[before.columns]
    same = ((before == after).fillna(False) | (before.isna() & after.isna())).all(axis=1)
    changed = ~new & ~same.set_axis(fresh.index)
    return new, changed


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    by = "ProspectAutoId" if "ProspectAutoId" in frame.columns else KEY
    return frame.sort_values(by, kind="stable").reset_index(drop=True)


def _reconcile(query: Report, connection: Connection, local: int) -> None:
    probe = replace(query, output=replace(query.output, columns=(KEY,)), paging=Paging(1, 1))
    frame = read_report(probe, connection, max_results=1, progress=False, cache=False)
    assert isinstance(frame, pd.DataFrame)
    total = frame.attrs["leadsq"]["total_count"]
    if total is not None and total != local:
        warnings.warn(
            f"the server counts {total} leads for this query, the local table {local}: "
            f"leads deleted on the server stay here (this API cannot show deletions; "
            f"sync(..., full=True) reads everything again), and leads created since the "
            f"run's window ended arrive with the next run",
            ReconcileWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m leadsq sync",
        description="Bring a local table of leads up to date, reading only what changed. "
        "Keys come from the environment (LSQ_ACCESS_KEY, LSQ_SECRET_KEY) or the config "
        "file, never from the command line.",
    )
    parser.add_argument("store", help="A DuckDB file, or a directory with --format parquet.")
    parser.add_argument(
        "-e", "--endpoint", default="distribution", help="distribution (default) or not_contacted."
    )
    parser.add_argument("--where", help="Lead filters, e.g. \"ProspectStage == 'Prospect'\".")
    parser.add_argument("--columns", help="Comma-separated lead fields.")
    parser.add_argument("--users", help="Comma-separated owner user ids or email addresses.")
    parser.add_argument("--activities", help="not_contacted: comma-separated event codes.")
    parser.add_argument("--table", default="leads", help="The table's name in the store.")
    parser.add_argument("--format", choices=FORMATS, default="duckdb")
    parser.add_argument("--page-size", type=int, help="Rows per request.")
    parser.add_argument(
        "--lag", type=float, default=DEFAULT_LAG, help="Seconds the window stops short of now."
    )
    parser.add_argument("--full", action="store_true", help="Read everything again.")
    parser.add_argument(
        "--reconcile", action="store_true", help="Warn when the server counts other leads."
    )
    parser.add_argument("--host", help='Region code, host name, base URL or "sandbox".')
    parser.add_argument("--analytics-url")
    return parser


def _split(text: str | None) -> list[str] | None:
    return [part.strip() for part in text.split(",")] if text else None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m leadsq sync``: one run; prints what it did; 1 on an error."""
    args = _parser().parse_args(argv)
    try:
        frame = sync(
            args.store,
            args.endpoint,
            args.where,
            users=_split(args.users),
            activities=_split(args.activities),
            columns=args.columns,
            table=args.table,
            format=args.format,
            page_size=args.page_size,
            lag=args.lag,
            full=args.full,
            reconcile=args.reconcile,
            host=args.host,
            analytics_url=args.analytics_url,
        )
    except LeadsqError as exc:
        print(f"sync failed: {exc}", file=sys.stderr)
        return 1
    run = frame.attrs["leadsq_sync"]
    print(
        f"run {run['run']}: {run['new']} new, {run['changed']} changed, "
        f"{run['unchanged']} unchanged, {run['removed']} removed; {len(frame)} rows in "
        f"{run['store']} ({run['table']}); modified up to {run['window_end']} UTC"
    )
    return 0
