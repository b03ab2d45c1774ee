"""``read_leadsquared``: filters in, a typed DataFrame out, every page fetched.

The first page tells the total; the rest are fetched by several workers at once under
the shared rate limiter and put back in order, so a read runs at the API's limit when
the limit is the bottleneck and hides the round trip when latency is.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm.auto import tqdm

from leadsq.client import cache as _cache
from leadsq.client import checks, metadata
from leadsq.client.client import Client, client_for, clients_of_account
from leadsq.client.connection import Connection, masked_arguments
from leadsq.client.learnt import learnt
from leadsq.client.paging import PagedRead
from leadsq.client.settings import UNSET
from leadsq.client.transport import transport_for
from leadsq.contract import ContractError, Report, check_fields, parse_report, report_to_body
from leadsq.errors import APIError, ConfigurationError, LeadsqError, QueryError
from leadsq.frames import Page, column_dtypes, concat_pages, frame_identity
from leadsq.query.build import DEFAULT_PAGE_SIZE, build_report, fit_to_fields
from leadsq.query.windows import exact_list_window

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from leadsq.client.connection import ConnectionArguments

__all__ = [
    "DriftWarning",
    "connection_of",
    "last_partial",
    "read_again",
    "read_leadsquared",
    "read_report",
]

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
    cache: bool | float | str | None = UNSET,
    client: Client | None = None,
    **connection: Unpack[ConnectionArguments],
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
        Advanced user condition groups (see :func:`leadsq.query.build.build_report`).
    activities : int, str or sequence of them, optional
        ``not_contacted`` only: the activity types that count as contact, by event
        code (21 inbound and 22 outbound phone calls, custom types from 201) or by
        name (``"Phone Call Inbound"``, case ignored), names resolved through the
        account's types (``leadsq.activity_types()``).
    created, modified, activity_window : optional
        Date ranges: ``(start, end)`` of strings, dates or timestamps, or a relative
        form such as ``"last 30 days"``. ``activity_window`` (``not_contacted`` only)
        is when an activity counts as contact. Relative forms are of two kinds:

        - rolling, ``"last <N> <unit>"``: from N units before now until now
          (``"last 30 days"``, ``"last 1 month"``, ``"last 2 weeks"``);
        - calendar: ``"today"``, ``"this week"``, ``"this month"``, ``"this year"`` run
          from the start of the day, week (Monday), month or year until now;
          ``"yesterday"``, ``"last week"``, ``"last month"``, ``"last year"`` are the
          whole previous day, week (Monday to Sunday), month or year.

        So on 15 March at 10:00, ``"last month"`` is 1 February 00:00:00 to
        28 February 23:59:59, and ``"last 1 month"`` is 15 February 10:00 until now.
        They are resolved when the read starts; ``df.lsq.code`` shows the dates they
        became. All forms: :mod:`leadsq.query.dates`. Relative forms and date-only bounds
        follow the calendar of ``leadsq.settings.time_zone`` (UTC, an IANA name, or
        ``"account"``: the account's zone). A list read gets its ``created`` and
        ``modified`` windows exactly, to the millisecond
        (:mod:`leadsq.query.windows`); an aggregate sends the end second
        as it is and so leaves out leads stamped within it (after ``23:59:59.000``),
        which ``df.lsq.code`` notes.
    columns : str or sequence of str, optional
        Lead fields of a list read.
    group_by, aggregate, aggregate_field : optional
        An aggregate read: one row per ``group_by`` value with ``Count``, plus the
        ``average`` or ``sum`` of ``aggregate_field``.
    body : dict or str, optional
        A documented JSON body taken as is, instead of the arguments above, but for its
        ``Paging``: that says where to start, not how to page, so the read asks pages of
        the size below from the row it starts at (``df.lsq.code`` shows the size). Its
        ``Sorting`` (``{"ColumnName": ..., "Direction": "0"|"1"}``, ascending or
        descending) orders the rows; pages are still read by index, and a sorted read
        whose total changes meanwhile is warned of, not read again by ``ProspectAutoId``.
    page_size : int, optional
        Rows per request, also for a ``body``; default ``leadsq.settings.page_size``,
        and when that is not set either, the endpoint's page cap where a refusal has told
        it, else 10,000. A size over a known cap is lowered to the cap, with a warning; a
        size the service refuses for its cap is read at the cap (no row lost or
        repeated), and the cap remembered for the host.
    max_results : int, optional
        Stop after this many rows (groups, for an aggregate); a list read then drops
        the rows past its exact window's end, so it may give fewer.
    chunksize : int, optional
        Return an iterator of frames of this many rows instead of one frame. Pages
        are then requested about a chunk's rows ahead (at least two pages), not
        ``settings.read_workers`` pages, so memory stays about two chunks, whatever
        the read's size.
    progress : bool, default True
        Show a ``tqdm`` progress bar.
    response_format : {"json", "csv"}
        Answer format asked of the service for every page but the first, which is
        always JSON because only JSON tells the total; both give equal frames.
    cache : bool, float or str, optional
        Answer an identical read from the disk cache when it is younger than this
        (``"1h"``, ``"30m"``, seconds, ``True`` for an hour), with no call; ``False``
        goes to the service. Default the client's ``settings.cache`` (off). Not for
        chunked reads. See :mod:`leadsq.client.cache`.
    client : Client, optional
        The :class:`~leadsq.Client` to read with (its settings, connection, transport
        and metadata); default the default client, whose settings are ``leadsq.settings``.
    **connection
        ``host``, ``access_key``, ``secret_key``, ``analytics_url``: the connection, instead
        of ``client`` (see :mod:`leadsq.client.connection`); ``host="sandbox"`` uses the
        built-in sandbox.

    Returns
    -------
    DataFrame or iterator of DataFrame
        Typed by :data:`leadsq.frames.DTYPES`; an aggregate is indexed by its group
        field. ``df.attrs["leadsq"]`` holds the provenance (never the keys).

    Warns
    -----
    UnknownValueWarning
        For a filter value the account does not know (a Select field's option, an
        activity code, a user), with close matches; the read goes on.

    Raises
    ------
    QueryError
        For a bad argument, before any request is sent (but activity names and field
        names, which are checked against the account).
    APIError
        A subclass per failure; a read that fails part-way keeps the rows that had
        arrived in the error's ``partial``.
    """
    connection = masked_arguments(connection)  # no plain key in locals
    _check_reader_arguments(max_results, chunksize, response_format, progress)
    reading = client_for(client, **connection)
    _cache.parse_ttl(reading.settings.cache if cache is UNSET else cache)  # before any call
    if page_size is None:
        page_size = reading.settings.page_size
    size_given = page_size is not None  # a body's Paging says where to start, not how to page
    query: dict[str, Any] = {
        "filters": filters,
        "users": users,
        "user_filter": user_filter,
        "activities": activities,
        "created": created,
        "modified": modified,
        "activity_window": activity_window,
        "columns": columns,
        "group_by": group_by,
        "aggregate": aggregate,
        "aggregate_field": aggregate_field,
        "body": body,
        "page_size": DEFAULT_PAGE_SIZE if page_size is None and body is None else page_size,
        "now": datetime.now(timezone.utc),
    }
    try:  # the traceback ends here, at the user's call: leadsq's insides add nothing
        if activities is not None and checks.names_in(activities):
            with _doing(endpoint, "reading the account's activity types"):
                query["activities"] = checks.activity_codes(activities, reading.connection)
        if body is None and any(v is not None for v in (created, modified, activity_window)):
            with _doing(endpoint, "reading the account's time zone"):
                query["zone"] = metadata.time_zone(reading.connection)
        build_report(endpoint, where, **query)  # every argument checked before any request
        fields = _lead_fields(reading.connection, endpoint)
        report = build_report(endpoint, where, **query, fields=fields)
        return read_report(
            report,
            reading.connection,
            max_results=max_results,
            chunksize=chunksize,
            progress=progress,
            response_format=response_format,
            size_given=size_given,
            cache=cache,
        )
    except LeadsqError as error:
        raise error.with_traceback(None) from None


class _doing:
    """Prefix a failed call's error with the read it served and what it was doing:
    ``distribution: reading the account's lead fields: ...``."""

    def __init__(self, endpoint: str, what: str) -> None:
        self.prefix = f"{endpoint}: {what}: "

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, _tb: object) -> None:
        if isinstance(error, APIError) and error.args and not str(error).startswith(self.prefix):
            error.args = (self.prefix + str(error.args[0]), *error.args[1:])


def _lead_fields(connection: Connection, endpoint: object) -> dict[str, str]:
    """The account's lead fields, for a read of ``endpoint``."""
    with _doing(str(endpoint), "reading the account's lead fields"):
        return metadata.field_types(connection)


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
    field_types = _lead_fields(connection, report.endpoint)
    report = fit_to_fields(report, field_types)
    try:
        check_fields(report, field_types)
    except ContractError as exc:
        raise QueryError(f"{exc} (checked against the account's lead fields)") from None
    with _doing(report.endpoint, "reading the account's options, activity types and users"):
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


def read_again(
    provenance: Mapping[str, Any], *, client: Client | None = None, progress: bool = False
) -> pd.DataFrame:
    """Run the read recorded in ``df.attrs["leadsq"]`` again, from the service.

    The read goes to the account that gave the frame (its fingerprint is in the
    provenance, never its keys): ``client`` when it reads that account, else an open client
    of this process that does, else the configured keys when they are that account's. A
    frame that went through the read cache has its cached answer replaced.

    Raises
    ------
    ConfigurationError
        When no client at hand reads the frame's account (or ``client`` reads another):
        another account's keys never answer for it.
    """
    try:
        report = parse_report(provenance["body"], provenance["endpoint"])
        host = provenance["host"]
    except (KeyError, TypeError) as exc:
        raise QueryError(f"the provenance lacks {exc}; it is not from read_leadsquared") from None
    except ContractError as exc:
        raise QueryError(f"the provenance body is not valid: {exc}") from None
    reading = _client_of(provenance, host, client)
    frame = read_report(
        report,
        reading.connection,
        max_results=provenance.get("max_results"),
        progress=progress,
        response_format=provenance.get("response_format", "json"),
        cache=False,
    )
    assert isinstance(frame, pd.DataFrame)
    if provenance.get("cache"):  # the key the read was stored under, as it was asked
        frame = _cache.remember(frame, provenance["cache"]["key"], reading.settings)
    return frame


def connection_of(provenance: Mapping[str, Any], client: Client | None = None) -> Connection:
    """The connection to the account a frame was read from (see :func:`read_again`): for
    its owner names, its fields, a refresh."""
    host = provenance.get("host")
    if not isinstance(host, str):
        raise QueryError("the provenance names no host; it is not from read_leadsquared")
    return _client_of(provenance, host, client).connection


def _client_of(provenance: Mapping[str, Any], host: str, client: Client | None) -> Client:
    """The client that reads the frame's account (see :func:`read_again`)."""
    account = provenance.get("account")
    if client is not None:
        candidates = [client]
    else:
        candidates = [*clients_of_account(account)] if account else []
        configured = client_for(host=host)
        candidates.append(configured)  # its connection resolves without a call (but "auto")
    for candidate in candidates:
        if account is None or candidate.account == account:
            return candidate
    raise ConfigurationError(
        f"this frame was read from another account at {host} than "
        f"{'the client given' if client is not None else 'the keys configured here'} "
        "(its provenance names the account by a fingerprint, never its keys): pass "
        "client=leadsq.Client(host=..., access_key=..., secret_key=...) with that account's keys"
    )


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
