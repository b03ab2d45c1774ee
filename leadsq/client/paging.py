"""Paging one report: every page, in order, several in flight, complete under churn.

The first page, always asked as JSON, tells the total; the rest are requested in the
chosen format by ``settings.read_workers`` threads at once (a chunked read: about a
chunk's rows) under the shared rate limiter and handed on in page order, so a read runs
at the API's limit when the limit is the bottleneck and hides the round trip when
latency is. An answer without a total (a server that leaves ``TotalCount`` out) is read
ahead until a short page comes.

The workers only fetch. The reading thread makes each answer a typed page as soon as it
comes, in whatever order the answers come (:func:`leadsq.frames.parse_page` with the
dtypes, in one pass), drops its bytes there and then, and hands pages on in page order:
the last answers of a read are not left waiting behind a slower one to be parsed. A
page that failed stops the read when its turn comes, after every page before it.
Building pages on the workers gained nothing (decoding JSON holds the GIL) and cost
much: Arrow's allocator and malloc keep memory per thread, so every worker held its
own, and the threads' contention tripled the CPU time (``benchmarks/client_cost.py``).

A page larger than the endpoint allows is refused in words that name the cap
(:func:`leadsq.contract.parse_page_size_cap`); the first page's refusal makes the read
go on at the cap from the same row (the rows of the first page before it are dropped:
none lost, none twice), and the cap is remembered for the host and endpoint
(:mod:`leadsq.client.learnt`), so later reads ask no page past it.

Every page is counted as it is handed on (:class:`~leadsq.client.tally.Tally`): against the page
size and the total, every id once; what does not add up raises
:class:`~leadsq.errors.IncompleteReadError`. A first page shorter than asked while its total
says more rows follow is a page cap the server did not announce: the read goes on at that
size, as after a refusal. A CSV read asks the total once more, as JSON, at its end.

The calls of a read run under one :class:`~leadsq.client.wire.Guard` (its deadline is
``read_deadline``): however the read ends (done, failed, interrupted, abandoned by a chunk
reader), the pages still in the air are stopped, their sockets shut, and no worker is
waited for.

Leads created or changed during a read shift the rows behind them between pages
(rows are ordered by ``ProspectAutoId`` [ours]). Every JSON answer repeats the total,
so a change shows as *drift*. A list read that drifted is read again by keyset, each
request asking for ``ProspectAutoId`` greater than the last one seen: that read has no
duplicates and misses no lead that matched and stayed unchanged throughout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from queue import SimpleQueue

from leadsq.client.learnt import learnt
from leadsq.client.sending import Answer
from leadsq.client.tally import Tally
from leadsq.client.transport import Transport
from leadsq.client.wire import Guard
from leadsq.contract import LeadFilter, Paging, Report, parse_page_size_cap, report_to_body
from leadsq.errors import APIError, BadRequestError
from leadsq.frames import Page, parse_page

__all__ = ["KEYSET_FIELD", "PagedRead"]

log = logging.getLogger("leadsq")

KEYSET_FIELD = "ProspectAutoId"


class PagedRead:
    """The pages of one report, typed.

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
    ahead : int, optional
        Most pages requested at once, if fewer than ``settings.read_workers``: a
        chunked read asks for about a chunk's rows, so what is in flight stays about
        a chunk, however many workers the limit allows.
    """

    def __init__(
        self,
        report: Report,
        transport: Transport,
        dtypes: dict[str, str],
        max_results: int | None,
        response_format: str,
        *,
        ahead: int | None = None,
    ) -> None:
        self.report = report
        self._asked = report
        self.skip = 0  # rows of the first page before the read's first row (after a cap)
        self.transport = transport
        self.dtypes = dtypes
        self.max_results = max_results
        self.response_format = response_format
        self.ahead = ahead
        deadline = transport.connection.settings.read_deadline
        self.guard = Guard(None if deadline is None else time.monotonic() + deadline)
        self.totals: list[int] = []
        self.repaired_total: int | None = None  # the total when a keyset read began
        self.rows = 0
        self.pages_done = 0
        self.on_total = lambda total: None
        self.on_rows = lambda rows: None
        self.on_cap = lambda cap: None

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
        if not self.pages_done:
            return report_to_body(self._asked)
        paging = self.report.paging
        return report_to_body(
            replace(self.report, paging=Paging(paging.index + self.pages_done, paging.size))
        )

    def _call(
        self, report: Report, response_format: str = "", guard: Guard | None = None
    ) -> Answer:
        return self.transport.call(
            report.endpoint,
            report_to_body(report),
            response_format=response_format or self.response_format,
            guard=guard or self.guard,
        )

    def _call_index(
        self, index: int, response_format: str = "", guard: Guard | None = None
    ) -> Answer:
        report = replace(self.report, paging=Paging(index, self.report.paging.size))
        return self._call(report, response_format, guard)

    def _parse(self, answer: Answer, dtypes: dict[str, str]) -> Page:
        page = parse_page(answer.content, answer.content_type, list(dtypes), dtypes=dtypes)
        if page.total is not None:
            self.totals.append(page.total)
        return page

    def pages(self) -> Iterator[Page]:
        """Typed pages (:func:`leadsq.frames.parse_page` with the dtypes), in order, up to
        ``max_results`` rows, each counted (:class:`~leadsq.client.tally.Tally`).

        Raises
        ------
        IncompleteReadError
            Where the answers do not add up (see :mod:`leadsq.client.tally`).
        """
        head = self._head()
        size = self.report.paging.size
        first = self.report.paging.index
        tally = Tally(size, self.dtypes)
        last = wanted = None
        if head.total is not None:
            available = max(head.total - (first - 1) * size - self.skip, 0)
            wanted = available if self.max_results is None else min(available, self.max_results)
            self.on_total(wanted)
            last = _last_page(first, wanted + self.skip, size)
        elif self.max_results is not None:
            last = _last_page(first, self.max_results + self.skip, size)
        for number, page in enumerate(self._ordered(head, first, last)):
            goes_on = tally.page(
                first + number, page, last if wanted is not None else None, head.total
            )
            page = self._take(page.slice(self.skip) if number == 0 and self.skip else page)
            tally.ids(page)
            self.pages_done += 1
            if len(page):
                yield page
            if not goes_on:
                break
        if self.response_format == "csv" and head.total is not None:
            self._total_now()  # CSV pages tell none: drift shows between two JSON totals
        tally.finish(self.rows, wanted, self.drifted)

    def _total_now(self) -> None:
        """Ask the total again (one row, as JSON), so a change during the read shows."""
        report = replace(self.report, paging=Paging(1, 1))
        self._parse(self._call(report, "json"), self.dtypes)

    def _head(self) -> Page:
        """The first page, asked as JSON (CSV tells no total); at the cap, if refused
        for its size or capped silently (fewer rows than asked while more follow)."""
        index = self.report.paging.index
        try:
            head = self._parse(self._call_index(index, "json"), self.dtypes)
        except BadRequestError as refusal:
            cap = parse_page_size_cap(refusal.exception_message or "")
            if cap is None or not 0 < cap < self.report.paging.size:
                raise
        else:
            cap = len(head)
            size = self.report.paging.size
            offset = (index - 1) * size + cap
            if head.total is None or not 0 < cap < size or head.total <= offset:
                return head
            log.info(
                "%s answered %d of %d rows with more to come: a page cap",
                self.report.endpoint,
                cap,
                size,
            )
        endpoint = self.report.endpoint
        learnt.set_page_cap(self.transport.base(endpoint), endpoint, cap)
        self.on_cap(cap)
        self.resize(cap)
        return self._parse(self._call_index(self.report.paging.index, "json"), self.dtypes)

    def resize(self, size: int) -> None:
        """Read in pages of ``size`` rows from the same first row (before any page).

        The first row of the asked paging need not start a page of ``size``: the first
        page then starts earlier, and its rows before it are dropped.
        """
        paging = self.report.paging
        offset = (paging.index - 1) * paging.size + self.skip
        self.report = replace(self.report, paging=Paging(offset // size + 1, size))
        self.skip = offset % size

    def _take(self, page: Page) -> Page:
        if self.max_results is not None:
            page = page.slice(0, self.max_results - self.rows)
        self.rows += len(page)
        self.on_rows(len(page))
        return page

    def _ordered(self, first_page: Page, first: int, last: int | None) -> Iterator[Page]:
        """Pages ``first..last`` in order; ``last=None``: until a short page (CSV)."""
        size = self.report.paging.size
        yield first_page
        if len(first_page) < size or (last is not None and last <= first):
            return
        workers = self.transport.connection.settings.read_workers
        workers = workers if self.ahead is None else min(workers, self.ahead)
        in_flight: dict[Future[Answer], int] = {}
        finished: SimpleQueue[Future[Answer]] = SimpleQueue()
        ready: dict[int, Page | Exception] = {}
        next_index = expected = first + 1
        open_ended = last is None  # no total: the first short page is the last
        failed = False  # a page failed: ask for no more, hand on the pages before it
        # the day's budget: pages past it are not asked for, and the first of them fails
        # in its turn, so a read stops at the budget's call in page order (none dropped)
        left = self.transport.limit.calls_left()
        over_budget = None  # the first page the budget leaves out
        started = threading.Event()
        guard = self.guard.child()  # the pages in flight: stopped when this ends
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="leadsq-page")
        try:
            while True:
                while (
                    not failed
                    and len(in_flight) + len(ready) < workers
                    and (last is None or next_index <= last)
                ):
                    if left is not None and left <= 0:
                        over_budget = next_index
                        failed = True
                        break
                    left = None if left is None else left - 1
                    future = pool.submit(self._call_started, started, next_index, guard)
                    future.add_done_callback(finished.put)
                    in_flight[future] = next_index
                    next_index += 1
                started.set()
                if expected in ready:
                    item = ready.pop(expected)
                    expected += 1
                    if isinstance(item, Exception):
                        raise item
                    yield item
                    if last is not None and expected > last:
                        return
                    continue
                if expected == over_budget:
                    raise self.transport.limit.over_budget()
                if not in_flight:
                    return
                future = finished.get()
                index = in_flight.pop(future)
                item = self._settle(future, index)
                del future  # its answer's bytes go now, not at the next answer
                failed = failed or isinstance(item, Exception)
                if open_ended and isinstance(item, Page) and len(item) < size:
                    last = index if last is None else min(last, index)
                ready[index] = item
        finally:
            # however this ends (done, failed, interrupted, abandoned): no worker waits
            # for a batch, none still in the air sends or reads on, none is waited for
            started.set()
            if in_flight:
                guard.cancel()
            pool.shutdown(wait=False, cancel_futures=True)

    def _call_started(self, started: threading.Event, index: int, guard: Guard) -> Answer:
        # the first calls wait until all their workers exist: a thread started while
        # others send waits its turn with them, spreading the calls over many milliseconds
        started.wait()
        return self._call_index(index, guard=guard)

    def _settle(self, future: Future[Answer], index: int) -> Page | Exception:
        """The answer's page, or the error that stops the read when its turn comes
        (pages before it are still handed on)."""
        try:
            answer = future.result()
        except Exception as error:  # raised in page order by _ordered
            return error
        try:
            return self._parse(answer, self.dtypes)
        except APIError as error:  # the answer's own fault: say which page
            error.args = (f"page {index}: {error.args[0]}", *error.args[1:])
            return error

    def keyset_pages(self) -> Iterator[Page]:
        """Every row again, as typed pages, each request asking for ``ProspectAutoId``
        above the last seen.

        Sequential, so slower than :meth:`pages`, but complete while the data changes.
        Its answers' totals count the rows left past each keyset, not drift: the first
        (asked as JSON) is the repaired read's total, :attr:`repaired_total`.
        """
        self.rows = 0
        self.pages_done = 0
        wanted = list(self.dtypes)
        dtypes = {**self.dtypes, KEYSET_FIELD: "Int64"}
        output = replace(self.report.output, columns=tuple(dtypes))
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
            answer = self._call(report, "json" if after is None else "")
            page = parse_page(answer.content, answer.content_type, list(dtypes), dtypes=dtypes)
            if self.repaired_total is None:
                # the rows from the first on, at the time: later totals count what is left
                self.repaired_total = page.total
            if len(page):
                after = int(page.select([KEYSET_FIELD]).frame[KEYSET_FIELD].max())
                yield self._take(page.select(wanted))
            if len(page) < size:
                return


def _last_page(first: int, rows: int, size: int) -> int:
    """The index of the page that ends ``rows`` rows read from page ``first`` in pages
    of ``size`` (``first`` itself when there are none: the first page is always asked)."""
    return first + max(-(-rows // size), 1) - 1
