"""``read_leadsquared``: filters in, a typed DataFrame out, every page fetched.

It checks every argument and builds the report (:mod:`leadsq.query`) before any call,
then reads it with a client (:mod:`leadsq.client.reading`): the first page tells the total;
the rest are fetched by several workers at once under the shared rate limiter and put
back in order, so a read runs at the API's limit when the limit is the bottleneck and
hides the round trip when latency is. This module loads light: the HTTP stack loads with
the first read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from leadsq.client import cache as _cache
from leadsq.client.client import Client, client_for
from leadsq.client.connection import masked_arguments
from leadsq.client.settings import UNSET
from leadsq.errors import LeadsqError, QueryError
from leadsq.frames.backend import check_dtype_backend
from leadsq.query.build import DEFAULT_PAGE_SIZE, build_report

if TYPE_CHECKING:
    import pandas as pd
    from typing_extensions import Unpack

    from leadsq.client.connection import ConnectionArguments
    from leadsq.query.arguments import FilterLike, UserFilterLike
    from leadsq.query.dates import DateRangeLike

__all__ = ["FORMATS", "read_leadsquared"]

FORMATS = ("json", "csv")


def read_leadsquared(
    endpoint: str,
    where: str | None = None,
    *,
    filters: Sequence[FilterLike] | None = None,
    users: str | Sequence[str] | None = None,
    user_filter: UserFilterLike | None = None,
    activities: int | str | Sequence[int | str] | None = None,
    created: DateRangeLike | None = None,
    modified: DateRangeLike | None = None,
    activity_window: DateRangeLike | None = None,
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
    dtype_backend: str = "numpy_nullable",
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
    dtype_backend : {"numpy_nullable", "pyarrow"}, default "numpy_nullable"
        How the frame holds its columns, as pandas' readers take it: pandas' nullable
        dtypes (``Int64``, ``Float64``, ``boolean``, ``string``, ``datetime64[ns, UTC]``),
        or ``ArrowDtype`` columns. ``df.lsq.refresh()`` keeps it.
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
    check_dtype_backend(dtype_backend)
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
    from leadsq.client import checks, metadata
    from leadsq.client.reading import doing, held_as, lead_fields, read_report

    try:  # the traceback ends here, at the user's call: leadsq's insides add nothing
        connected = None  # resolved once, when first needed
        if activities is not None and checks.names_in(activities):
            connected = reading.connection
            with doing(endpoint, "reading the account's activity types"):
                query["activities"] = checks.activity_codes(activities, connected)
        if body is None and any(v is not None for v in (created, modified, activity_window)):
            connected = connected or reading.connection
            with doing(endpoint, "reading the account's time zone"):
                query["zone"] = metadata.time_zone(connected)
        build_report(endpoint, where, **query)  # every argument checked before any request
        connected = connected or reading.connection
        report = build_report(endpoint, where, **query, fields=lead_fields(connected, endpoint))
        read = read_report(
            report,
            connected,
            max_results=max_results,
            chunksize=chunksize,
            progress=progress,
            response_format=response_format,
            size_given=size_given,
            cache=cache,
        )
        return held_as(read, dtype_backend)
    except LeadsqError as error:
        raise error.with_traceback(None) from None


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
