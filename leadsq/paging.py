"""Paging one report: every page, in order, several in flight, complete under churn.

The first page, always asked as JSON, tells the total; the rest are requested in the
chosen format by ``settings.read_workers`` threads at once under the shared rate
limiter and handed on in page order, so a read runs at the API's limit when the limit
is the bottleneck and hides the round trip when latency is. An answer without a total
(a server that leaves ``TotalCount`` out) is read ahead until a short page comes.

Leads created or changed during a read shift the rows behind them between pages
(rows are ordered by ``ProspectAutoId`` [ours]). Every JSON answer repeats the total,
so a change shows as *drift*. A list read that drifted is read again by keyset, each
request asking for ``ProspectAutoId`` greater than the last one seen: that read has no
duplicates and misses no lead that matched and stayed unchanged throughout.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import pandas as pd

from leadsq.contract import LeadFilter, Paging, Report, report_to_body
from leadsq.frames import Page, parse_page, to_typed_frame
from leadsq.transport import Transport

__all__ = ["KEYSET_FIELD", "PagedRead"]

KEYSET_FIELD = "ProspectAutoId"


class PagedRead:
    """The pages of one report, as typed frames.

    Parameters
    ----------
    report : Report
        What to read; its ``Paging`` gives the first page and the page size.
    transport : Transport
        Where to read it from.
    dtypes : dict
        Result column to dtype (:func:`leadsq.frames.column_dtypes`).
    max_results : int, optional
        Stop after this many rows.
    response_format : {"json", "csv"}
    """

    def __init__(
        self,
        report: Report,
        transport: Transport,
        dtypes: dict[str, str],
        max_results: int | None,
        response_format: str,
    ) -> None:
        self.report = report
        self.transport = transport
        self.dtypes = dtypes
        self.max_results = max_results
        self.response_format = response_format
        self.totals: list[int] = []
        self.rows = 0
        self.pages_done = 0
        self.on_total = lambda total: None
        self.on_rows = lambda rows: None

    @property
    def drifted(self) -> bool:
        """Whether the answers told different totals."""
        return len(set(self.totals)) > 1

    @property
    def can_repair(self) -> bool:
        """Whether a drifted read can be read again by keyset."""
        output = self.report.output
        return output.type == "List" and self.transport.connection.settings.repair_drift

    def resume_body(self) -> dict:
        """The body that reads on from the first page not yet handed on."""
        paging = self.report.paging
        return report_to_body(
            replace(self.report, paging=Paging(paging.index + self.pages_done, paging.size))
        )

    def _fetch(self, report: Report, columns: list[str], response_format: str = "") -> Page:
        answer = self.transport.call(
            report.endpoint,
            report_to_body(report),
            response_format=(response_format or self.response_format).upper(),
        )
        page = parse_page(answer.content, answer.content_type, columns)
        if page.total is not None:
            self.totals.append(page.total)
        return page

    def _fetch_index(self, index: int, response_format: str = "") -> Page:
        report = replace(self.report, paging=Paging(index, self.report.paging.size))
        return self._fetch(report, list(self.dtypes), response_format)

    def frames(self) -> Iterator[pd.DataFrame]:
        """Typed frames, one per page, in order, up to ``max_results`` rows."""
        size = self.report.paging.size
        first = self.report.paging.index
        head = self._fetch_index(first, "json")  # CSV tells no total; JSON does
        last = None
        if head.total is not None:
            available = max(head.total - (first - 1) * size, 0)
            wanted = available if self.max_results is None else min(available, self.max_results)
            self.on_total(wanted)
            last = first + max(-(-wanted // size), 1) - 1
        elif self.max_results is not None:
            last = first + -(-self.max_results // size) - 1
        for page in self._ordered(head, first, last):
            frame = self._take(page.frame)
            self.pages_done += 1
            if len(frame):
                yield to_typed_frame(frame, self.dtypes)

    def _take(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.max_results is not None and self.rows + len(frame) > self.max_results:
            frame = frame.iloc[: self.max_results - self.rows]
        self.rows += len(frame)
        self.on_rows(len(frame))
        return frame

    def _ordered(self, first_page: Page, first: int, last: int | None) -> Iterator[Page]:
        """Pages ``first..last`` in order; ``last=None``: until a short page (CSV)."""
        size = self.report.paging.size
        yield first_page
        if len(first_page) < size or (last is not None and last <= first):
            return
        workers = self.transport.connection.settings.read_workers
        pending: deque[Future[Page]] = deque()
        next_index = first + 1
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="leadsq-page") as pool:
            try:
                while True:
                    while len(pending) < workers and (last is None or next_index <= last):
                        pending.append(pool.submit(self._fetch_index, next_index))
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

    def keyset_frames(self) -> Iterator[pd.DataFrame]:
        """Every row again, each request asking for ``ProspectAutoId`` above the last seen.

        Sequential, so slower than :meth:`frames`, but complete while the data changes.
        """
        self.rows = 0
        self.pages_done = 0
        wanted = list(self.dtypes)
        extra = KEYSET_FIELD not in wanted
        columns = [*wanted, KEYSET_FIELD] if extra else wanted
        dtypes = {**self.dtypes, KEYSET_FIELD: "Int64"}
        output = replace(self.report.output, columns=tuple(columns))
        size = self.report.paging.size
        after: int | None = None
        while self.max_results is None or self.rows < self.max_results:
            keyset = (LeadFilter(KEYSET_FIELD, ">", str(after)),) if after is not None else ()
            report = replace(
                self.report,
                output=output,
                lead_filters=self.report.lead_filters + keyset,
                paging=Paging(1, size),
            )
            page = self._fetch(report, columns)
            frame = to_typed_frame(page.frame, dtypes)
            if len(frame):
                after = int(frame[KEYSET_FIELD].max())
                frame = self._take(frame[wanted] if extra else frame)
                yield frame.reset_index(drop=True)
            if len(page) < size:
                return
