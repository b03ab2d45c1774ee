"""``read_leadsquared``: filters in, a typed DataFrame out, every page fetched.

The first page tells the total; the rest are fetched by several workers at once under
the shared rate limiter and put back in order, so a read runs at the API's limit when
the limit is the bottleneck and hides the round trip when latency is.
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from leadsq import config, metadata
from leadsq.config import Connection, resolve_connection
from leadsq.contract import ContractError, Paging, Report, parse_report, report_to_body
from leadsq.errors import APIError, QueryError
from leadsq.frames import Page, column_dtypes, empty_frame, parse_page, to_typed_frame
from leadsq.query import build_report
from leadsq.transport import Transport, transport_for

__all__ = ["DriftWarning", "connection_for", "read_again", "read_leadsquared", "read_report"]

FORMATS = ("json", "csv")


class DriftWarning(UserWarning):
    """The total changed while a paged read ran: the data changed under the reader."""


def read_leadsquared(
    endpoint: str,
    where: str | None = None,
    *,
    filters: Sequence[Any] | None = None,
    users: str | Sequence[str] | None = None,
    user_filter: Any = None,
    activities: int | str | Sequence[int | str] | None = None,
    created: Any = None,
    modified: Any = None,
    activity_window: Any = None,
    columns: str | Sequence[str] | None = None,
    group_by: str | None = None,
    aggregate: str = "count",
    aggregate_field: str | None = None,
    body: Mapping[str, Any] | str | None = None,
    page_size: int | None = None,
    max_results: int | None = None,
    chunksize: int | None = None,
    progress: bool = True,
    response_format: str = "json",
    host: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    analytics_url: str | None = None,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read leads from a LeadSquared analytics endpoint into a typed DataFrame.

    Parameters
    ----------
    endpoint : {"distribution", "not_contacted"}
        Lead Distribution Analytics, or Leads Not Contacted.
    where : str, optional
        Lead filters in a pandas-like syntax, e.g.
        ``"ProspectStage in ['Prospect', 'Opportunity'] and EngagementScore >= 20"``.
    filters : sequence of tuples, optional
        Lead filters as ``(field, operator, value)`` with the API's operators.
    users : str or sequence of str, optional
        Owner user ids or email addresses.
    user_filter : optional
        Advanced user condition groups (see :func:`leadsq.query.build_report`).
    activities : int or sequence of int, optional
        ``not_contacted`` only: activity event codes that count as contact
        (21 inbound and 22 outbound phone calls, custom types from 201).
    created, modified, activity_window : optional
        Date ranges: ``(start, end)`` of strings, dates or timestamps, or a relative
        form such as ``"last 30 days"``. ``activity_window`` (``not_contacted`` only)
        is when an activity counts as contact.
    columns : str or sequence of str, optional
        Lead fields of a list read.
    group_by, aggregate, aggregate_field : optional
        An aggregate read: one row per ``group_by`` value with ``Count``, plus the
        ``average`` or ``sum`` of ``aggregate_field``.
    body : dict or str, optional
        A documented JSON body taken as is, instead of the arguments above.
    page_size : int, optional
        Rows per request; default ``leadsq.settings.page_size``.
    max_results : int, optional
        Stop after this many rows (groups, for an aggregate).
    chunksize : int, optional
        Return an iterator of frames of this many rows instead of one frame.
    progress : bool, default True
        Show a ``tqdm`` progress bar.
    response_format : {"json", "csv"}
        Answer format asked of the service; both give equal frames.
    host, access_key, secret_key, analytics_url : str, optional
        Override the configured connection (see :mod:`leadsq.config`);
        ``host="sandbox"`` uses the built-in sandbox.

    Returns
    -------
    DataFrame or iterator of DataFrame
        Typed by :data:`leadsq.frames.DTYPES`; an aggregate is indexed by its group
        field. ``df.attrs["leadsq"]`` holds the provenance (never the keys).

    Raises
    ------
    QueryError
        For a bad argument, before any request is sent.
    APIError
        A subclass per failure; a read that fails part-way keeps the rows that had
        arrived in the error's ``partial``.
    """
    _check_reader_arguments(max_results, chunksize, response_format, progress)
    if body is None and page_size is None:
        page_size = config.settings.page_size
    report = build_report(
        endpoint,
        where,
        filters=filters,
        users=users,
        user_filter=user_filter,
        activities=activities,
        created=created,
        modified=modified,
        activity_window=activity_window,
        columns=columns,
        group_by=group_by,
        aggregate=aggregate,
        aggregate_field=aggregate_field,
        body=body,
        **({"page_size": page_size} if page_size is not None else {}),
    )
    connection = resolve_connection(host, access_key, secret_key, analytics_url)
    return read_report(
        report,
        connection,
        max_results=max_results,
        chunksize=chunksize,
        progress=progress,
        response_format=response_format,
    )


def _check_reader_arguments(
    max_results: int | None, chunksize: int | None, response_format: str, progress: bool
) -> None:
    for name, value in (("max_results", max_results), ("chunksize", chunksize)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise QueryError(f"{name} must be a whole number >= 1 or None; got {value!r}")
    if not isinstance(response_format, str) or response_format.lower() not in FORMATS:
        raise QueryError(
            f"response_format must be one of {', '.join(FORMATS)}; got {response_format!r}"
        )
    if not isinstance(progress, bool):
        raise QueryError(f"progress must be True or False; got {progress!r}")


def read_report(
    report: Report,
    connection: Connection,
    *,
    max_results: int | None = None,
    chunksize: int | None = None,
    progress: bool = True,
    response_format: str = "json",
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read every page of ``report`` (see :func:`read_leadsquared`)."""
    _connections[connection.analytics_url] = connection
    transport = transport_for(connection)
    dtypes = column_dtypes(report.output, metadata.field_types(connection))
    read = _Read(report, transport, dtypes, max_results, response_format.lower(), progress)
    if chunksize is not None:
        return _rechunk(read.frames(), chunksize, read.finish)
    frames: list[pd.DataFrame] = []
    try:
        frames.extend(read.frames())
    except APIError as error:
        error.partial = read.finish(_concat(frames, dtypes))
        error.rows_received = len(error.partial)
        if error.rows_received:
            error.args = (
                f"{error.args[0]} ({error.rows_received} rows had arrived; see .partial)",
            )
        raise
    return read.finish(_concat(frames, dtypes))


def read_again(provenance: Mapping[str, Any], *, progress: bool = False) -> pd.DataFrame:
    """Run the read recorded in ``df.attrs["leadsq"]`` again.

    The keys come from the connection this process last used for that host (kept in
    memory only, never in the provenance), else from the configured places.
    """
    try:
        report = parse_report(provenance["body"], provenance["endpoint"])
        host = provenance["host"]
    except (KeyError, TypeError) as exc:
        raise QueryError(f"the provenance lacks {exc}; it is not from read_leadsquared") from None
    except ContractError as exc:
        raise QueryError(f"the provenance body is not valid: {exc}") from None
    frame = read_report(
        report,
        connection_for(host),
        max_results=provenance.get("max_results"),
        progress=progress,
        response_format=provenance.get("response_format", "json"),
    )
    assert isinstance(frame, pd.DataFrame)
    return frame


_connections: dict[str, Connection] = {}


def connection_for(host: str) -> Connection:
    """The connection this process last read ``host`` with, else the configured one.

    Keys are kept in process memory only, never in a frame's provenance.
    """
    return _connections.get(host) or resolve_connection(host=host)


def _concat(frames: list[pd.DataFrame], dtypes: Mapping[str, str]) -> pd.DataFrame:
    if not frames:
        return empty_frame(dtypes)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


class _Read:
    """One paged read: fetches pages in order, several at a time."""

    def __init__(
        self,
        report: Report,
        transport: Transport,
        dtypes: dict[str, str],
        max_results: int | None,
        response_format: str,
        progress: bool,
    ) -> None:
        self.report = report
        self.transport = transport
        self.dtypes = dtypes
        self.max_results = max_results
        self.response_format = response_format
        self.progress = progress
        self.totals: list[int] = []
        self.rows = 0
        self.started = datetime.now(timezone.utc)

    def _fetch(self, index: int) -> Page:
        report = replace(self.report, paging=Paging(index, self.report.paging.size))
        answer = self.transport.call(
            self.report.endpoint,
            report_to_body(report),
            response_format=self.response_format.upper(),
        )
        page = parse_page(answer.content, answer.content_type, list(self.dtypes))
        if page.total is not None:
            self.totals.append(page.total)
        return page

    def frames(self) -> Iterator[pd.DataFrame]:
        size = self.report.paging.size
        first = self.report.paging.index
        limit = self.max_results
        bar = tqdm(
            total=None,
            unit="rows",
            desc=self.report.endpoint,
            disable=not self.progress,
            leave=False,
        )
        try:
            head = self._fetch(first)
            last = None
            if head.total is not None:
                available = max(head.total - (first - 1) * size, 0)
                wanted = available if limit is None else min(available, limit)
                bar.total = wanted
                bar.refresh()
                last = first + max(-(-wanted // size), 1) - 1
            elif limit is not None:
                last = first + -(-limit // size) - 1
            for page in self._ordered(head, first, last):
                frame = page.frame
                if limit is not None and self.rows + len(frame) > limit:
                    frame = frame.iloc[: limit - self.rows]
                if len(frame):
                    self.rows += len(frame)
                    bar.update(len(frame))
                    yield to_typed_frame(frame, self.dtypes)
        finally:
            bar.close()

    def _ordered(self, first_page: Page, first: int, last: int | None) -> Iterator[Page]:
        """Pages ``first..last`` in order; ``last=None``: until a short page (CSV)."""
        size = self.report.paging.size
        yield first_page
        if len(first_page) < size or (last is not None and last <= first):
            return
        workers = self.transport.connection.settings.workers
        pending: deque[Future[Page]] = deque()
        next_index = first + 1
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="leadsq-page") as pool:
            try:
                while True:
                    while len(pending) < workers and (last is None or next_index <= last):
                        pending.append(pool.submit(self._fetch, next_index))
                        next_index += 1
                    if not pending:
                        return
                    page = pending.popleft().result()
                    yield page
                    if len(page) < size and last is None:
                        return
            finally:
                for future in pending:
                    future.cancel()

    def finish(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Index an aggregate by its group field and attach the provenance."""
        output = self.report.output
        if output.type == "Aggregate" and output.group_by in frame.columns:
            frame = frame.set_index(output.group_by)
        totals = sorted(set(self.totals))
        frame.attrs["leadsq"] = {
            "endpoint": self.report.endpoint,
            "body": report_to_body(self.report),
            "host": self.transport.connection.analytics_url,
            "total_count": self.totals[0] if self.totals else None,
            "rows": self.rows,
            "response_format": self.response_format,
            "max_results": self.max_results,
            "read_at": self.started.isoformat(timespec="seconds"),
            "drift": totals if len(totals) > 1 else None,
        }
        if len(totals) > 1:
            warnings.warn(
                f"the total changed during the read ({' -> '.join(map(str, totals))}): "
                "leads were created or changed while paging",
                DriftWarning,
                stacklevel=3,
            )
        return frame


def _rechunk(
    frames: Iterator[pd.DataFrame], chunksize: int, finish: Callable[[pd.DataFrame], pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    """Frames of exactly ``chunksize`` rows (the last may be shorter)."""
    buffer: list[pd.DataFrame] = []
    buffered = 0
    for frame in frames:
        buffer.append(frame)
        buffered += len(frame)
        while buffered >= chunksize:
            joined = pd.concat(buffer, ignore_index=True) if len(buffer) > 1 else buffer[0]
            yield finish(joined.iloc[:chunksize].reset_index(drop=True))
            rest = joined.iloc[chunksize:]
            buffer, buffered = ([rest], len(rest)) if len(rest) else ([], 0)
    if buffered:
        yield finish(pd.concat(buffer, ignore_index=True))
