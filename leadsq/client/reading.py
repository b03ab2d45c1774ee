"""Reading a report: its pages in, one typed frame (or chunks) out, with provenance.

:func:`read_report` reads every page of a built report through the connection's client:
pages of the endpoint's known cap (:mod:`leadsq.client.learnt`), the exact date window of
a list read (:mod:`leadsq.query.windows`), a progress bar, a keyset repair when the total
drifts, and the rows that had arrived kept on an error or an interrupt
(:func:`last_partial`). Each frame records what was read in ``df.attrs["leadsq"]``,
never the keys.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm.auto import tqdm

from leadsq.client import cache as _cache
from leadsq.client import checks, metadata
from leadsq.client.connection import Connection
from leadsq.client.learnt import learnt
from leadsq.client.paging import PagedRead
from leadsq.client.settings import UNSET
from leadsq.client.transport import transport_for
from leadsq.contract import ContractError, Report, check_fields, report_to_body
from leadsq.errors import APIError, QueryError
from leadsq.frames import Page, column_dtypes, concat_pages, frame_identity
from leadsq.frames.backend import with_dtype_backend
from leadsq.query.build import DEFAULT_PAGE_SIZE, fit_to_fields
from leadsq.query.windows import exact_list_window

if TYPE_CHECKING:
    pass

__all__ = ["DriftWarning", "doing", "held_as", "last_partial", "lead_fields", "read_report"]


class DriftWarning(UserWarning):
    """The total changed while a paged read ran: the data changed under the reader."""


class doing:
    """Prefix a failed call's error with the read it served and what it was doing:
    ``distribution: reading the account's lead fields: ...``."""

    def __init__(self, endpoint: str, what: str) -> None:
        self.prefix = f"{endpoint}: {what}: "

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, _tb: object) -> None:
        if isinstance(error, APIError) and error.args and not str(error).startswith(self.prefix):
            error.args = (self.prefix + str(error.args[0]), *error.args[1:])


def lead_fields(connection: Connection, endpoint: object) -> dict[str, str]:
    """The account's lead fields, for a read of ``endpoint``."""
    with doing(str(endpoint), "reading the account's lead fields"):
        return metadata.field_types(connection)


def read_report(
    report: Report,
    connection: Connection,
    *,
    max_results: int | None = None,
    chunksize: int | None = None,
    progress: bool = True,
    response_format: str = "json",
    size_given: bool = True,
    cache: bool | float | str | None = UNSET,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read every page of ``report`` (see :func:`read_leadsquared`).

    ``size_given=False``: the report's page size is no one's choice, so a known page
    cap replaces it.
    """
    ttl = _cache.parse_ttl(connection.settings.cache if cache is UNSET else cache)
    if ttl is not None and chunksize is None:
        return _cache.cached_read(
            connection,
            report,
            max_results,
            ttl,
            lambda: read_report(
                report,
                connection,
                max_results=max_results,
                progress=progress,
                response_format=response_format,
                size_given=size_given,
                cache=False,
            ),
        )
    transport = transport_for(connection)
    field_types = lead_fields(connection, report.endpoint)
    report = fit_to_fields(report, field_types)
    try:
        check_fields(report, field_types)
    except ContractError as exc:
        raise QueryError(f"{exc} (checked against the account's lead fields)") from None
    with doing(report.endpoint, "reading the account's options, activity types and users"):
        checks.warn_unknown_values(report, connection)
    dtypes = column_dtypes(report.output, field_types)
    sent, cuts = exact_list_window(report)
    paged = PagedRead(
        sent,
        transport,
        column_dtypes(sent.output, field_types),
        max_results,
        response_format.lower(),
    )
    _fit_page_size(paged, size_given)
    if chunksize is not None:
        paged.ahead = max(-(-chunksize // paged.report.paging.size), 2)
    read = _Read(report, paged, dtypes, cuts)
    if chunksize is not None:
        return _chunks(read, chunksize, progress)
    pages: list[Page] = []
    _stopped[0] = None
    with _progress_bar(paged, progress):
        try:
            pages.extend(read.trimmed(paged.pages()))
            if paged.drifted and paged.can_repair and report.sorting is None:
                _warn_drift(paged, "reading it again by ProspectAutoId")
                pages.clear()
                pages.extend(read.trimmed(paged.keyset_pages()))
            elif paged.drifted:  # a keyset by ProspectAutoId would undo a body's Sorting
                _warn_drift(paged, "the rows may hold duplicates or miss leads")
        except APIError as error:
            error = _with_partial(error, read, concat_pages(pages, dtypes))
            _stopped[0] = error.partial
            raise error from None
        except BaseException:  # Ctrl-C, a Jupyter interrupt: keep what had arrived
            paged.guard.cancel()
            _stopped[0] = read.finish(concat_pages(pages, dtypes))
            raise
        finally:
            paged.guard.cancel()  # no call of this read goes on after it
    return read.finish(concat_pages(pages, dtypes))


def held_as(
    read: pd.DataFrame | Iterator[pd.DataFrame], dtype_backend: str
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """The read's frame (or each chunk) held as ``dtype_backend`` says, recorded in its
    provenance so a refresh holds it so too."""

    def held(frame: pd.DataFrame) -> pd.DataFrame:
        frame = with_dtype_backend(frame, dtype_backend)
        frame.attrs["leadsq"] = {**frame.attrs["leadsq"], "dtype_backend": dtype_backend}
        return frame

    if isinstance(read, pd.DataFrame):
        return held(read)
    return (held(chunk) for chunk in read)


_stopped: list[pd.DataFrame | None] = [None]


def last_partial() -> pd.DataFrame | None:
    """The rows that had arrived when this process's last read stopped part-way.

    A read interrupted (Ctrl-C, a Jupyter interrupt) or failed keeps the rows it had,
    with their provenance (``df.attrs["leadsq"]``); ``None`` when the last read
    completed. A failed read's error carries the same frame as ``partial``.
    """
    return _stopped[0]


def _fit_page_size(paged: PagedRead, size_given: bool) -> None:
    """Pages as large as the endpoint's known cap (else 10,000), unless a size was
    given; a given size over the cap (known now, or told by a refusal during the read)
    lowered to it, with a warning."""
    endpoint = paged.report.endpoint
    base = paged.transport.base(endpoint)
    size = paged.report.paging.size
    cap = learnt.page_cap(base, endpoint)
    if size_given:
        paged.on_cap = functools.partial(_warn_cap, size, base)
        if cap is not None and size > cap:
            _warn_cap(size, base, cap)
            paged.resize(cap)
        return
    chosen = cap or DEFAULT_PAGE_SIZE  # a body's own PageSize is no one's choice either
    if size != chosen:
        paged.resize(chosen)


def _warn_cap(size: int, base: str, cap: int) -> None:
    warnings.warn(
        f"page_size {size} is over {base}'s page cap of {cap}; reading pages of {cap}",
        stacklevel=4,
    )


class _Read:
    """A report being read: what was asked (``report``, ``dtypes``) beside what is sent.

    ``paged`` sends :func:`~leadsq.query.windows.exact_list_window`'s report; ``trimmed`` drops
    the rows past each cut and the columns asked only for it, so every frame handed on
    has the report's own columns.
    """

    def __init__(
        self,
        report: Report,
        paged: PagedRead,
        dtypes: Mapping[str, str],
        cuts: Mapping[str, datetime],
    ) -> None:
        self.report = report
        self.paged = paged
        self.dtypes = dtypes
        self.cuts = cuts
        self.started = datetime.now(timezone.utc)

    def trimmed(self, pages: Iterable[Page]) -> Iterator[Page]:
        """Each page without the rows at or past a cut, in the report's columns."""
        for page in pages:
            if self.cuts:
                for column, cut in self.cuts.items():
                    page = page.before(column, cut)
                page = page.select(list(self.dtypes))
            yield page

    def finish(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Index an aggregate by its group field and attach the provenance (never keys)."""
        return _finish(frame, self.report, self.paged, self.started)


def _with_partial(error: APIError, read: _Read, arrived: pd.DataFrame) -> APIError:
    """Attach the rows that had arrived, and how to read on, to a failed read's error."""
    paged = read.paged
    error.partial = read.finish(arrived)
    error.rows_received = len(error.partial)
    # what was asked, from the first page not handed on (not the exact window sent for it)
    error.resume_body = {**report_to_body(read.report), "Paging": paged.resume_body()["Paging"]}
    if error.rows_received:
        error.args = (
            f"{error.args[0]} ({error.rows_received} rows had arrived: they are in .partial; "
            f"read_leadsquared({paged.report.endpoint!r}, body=error.resume_body) reads on)",
        )
    return error


def _warn_drift(paged: PagedRead, action: str) -> None:
    totals = " -> ".join(str(total) for total in dict.fromkeys(paged.totals))
    warnings.warn(
        f"the total changed during the read ({totals}): leads were created or changed "
        f"while paging; {action}",
        DriftWarning,
        stacklevel=4,
    )


class _progress_bar:
    """A ``tqdm.auto`` bar fed by a paged read.

    It shows from the start, "waiting for the first page", so a slow or silent host is
    seen to be waited on; the first page's total then sets its length (without a total,
    as for CSV answers, it counts rows). At the end it is closed, and in a notebook its
    widgets too, so a saved notebook keeps no dead bar per read.
    """

    def __init__(self, paged: PagedRead, enabled: bool) -> None:
        self.bar: tqdm | None = None
        self.description = paged.report.endpoint
        if enabled:
            self.bar = tqdm(
                total=None,
                unit="rows",
                desc=f"{self.description}: waiting for the first page",
                leave=False,
            )
            paged.on_total = self._open
            paged.on_rows = self._update

    def _open(self, total: int | None) -> None:
        assert self.bar is not None
        self.bar.reset(total=total)
        self.bar.set_description(self.description)

    def _update(self, rows: int) -> None:
        assert self.bar is not None
        if self.bar.desc != self.description:  # an answer without a total has come
            self.bar.set_description(self.description)
        self.bar.update(rows)

    def __enter__(self) -> _progress_bar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is None:
            return
        self.bar.close()
        _close_widgets(getattr(self.bar, "container", None))  # tqdm.notebook's


def _close_widgets(widget: Any) -> None:
    """Close a widget, its children and their layouts and styles: each is a model a
    saved notebook would keep."""
    if widget is None:
        return
    for part in (*getattr(widget, "children", ()), getattr(widget, "layout", None)):
        _close_widgets(part)
    style = getattr(widget, "style", None)
    if style is not None and hasattr(style, "close"):
        style.close()
    widget.close()


def _chunks(read: _Read, chunksize: int, progress: bool) -> Iterator[pd.DataFrame]:
    """Frames of exactly ``chunksize`` rows (the last may be shorter), each made once
    from the typed pages it spans: no more than a chunk and a page are held.

    Chunks already handed on cannot be read again: drift is recorded and warned of.
    """
    paged = read.paged
    buffer: list[Page] = []
    buffered = 0
    with _progress_bar(paged, progress):
        for page in read.trimmed(paged.pages()):
            buffer.append(page)
            buffered += len(page)
            while buffered >= chunksize:
                cut = len(page) - (buffered - chunksize)
                buffer[-1] = page.slice(0, cut)
                yield read.finish(concat_pages(buffer, read.dtypes))
                page = page.slice(cut)
                buffer, buffered = ([page], len(page)) if len(page) else ([], 0)
        if paged.drifted:
            _warn_drift(paged, "chunks already handed on may hold duplicates or miss leads")
        if buffered:
            yield read.finish(concat_pages(buffer, read.dtypes))


def _finish(
    frame: pd.DataFrame, report: Report, paged: PagedRead, started: datetime
) -> pd.DataFrame:
    """Index an aggregate by its group field and attach the provenance (never keys).

    The provenance holds ``report``, what was asked, not the exact window sent for it,
    with the page size the read used (a page cap may have lowered it).
    """
    if not paged.skip:  # else the pages read start before the asked row: keep the ask
        report = dataclasses.replace(report, paging=paged.report.paging)
    output = report.output
    if output.type == "Aggregate" and output.group_by in frame.columns:
        frame = frame.set_index(output.group_by)
    totals = list(dict.fromkeys(paged.totals))
    repaired = paged.repaired_total is not None
    frame.attrs["leadsq"] = {
        "endpoint": report.endpoint,
        "body": report_to_body(report),
        "host": paged.transport.connection.analytics_url,
        "api_url": paged.transport.connection.api_url,
        "account": paged.transport.connection.account,  # a fingerprint, never the key
        # after a keyset repair, the total of the read that gave the rows
        "total_count": paged.repaired_total if repaired else (totals[0] if totals else None),
        "frame": frame_identity(frame),
        "response_format": paged.response_format,
        "max_results": paged.max_results,
        "read_at": started.isoformat(timespec="seconds"),
        "drift": totals if len(totals) > 1 else None,  # the totals the paged read saw
        "repaired": repaired,
    }
    return frame
