"""The IPython extension: ``%load_ext leadsq`` adds ``%%leadsquared`` and ``%leadsquared_builder``.

``%%leadsquared`` reads a query written in a cell (BigQuery's ``%%bigquery`` habit)::

    %%leadsquared neglected -e not_contacted --activities 21,22 --activity-window "last 30 days"
    ProspectStage in ['Prospect', 'Opportunity'] and mx_City == {city}

The cell body is a lead filter in the ``where=`` syntax of :mod:`leadsq.query.where` (lines are
joined; lines starting with ``#`` are comments), or, when it starts with ``{``, a JSON
request body taken as is. IPython refuses an empty cell: write a comment for "no filter".

``{name}`` in the cell is replaced by the value of the notebook variable ``name``, written
as a literal: a Python literal in a filter (strings quoted and escaped, lists as lists,
timestamps as ``Timestamp('...')``), a JSON value in a body. A placeholder in quotes,
``"{name}"``, is replaced with the quotes by a string of the value's text (a list joined
by commas), which is what a body's ``LookUpValue`` and ``IncludeCSV`` need. Nothing is
evaluated: only plain names are looked up. The options line is expanded by IPython as
usual (``--created "{window}"``) and split with a shell's quoting rules.

With a name first (``%%leadsquared neglected``) the frame is stored in that variable and
nothing is shown; without one the frame is the cell's result. A failed query prints one
line, e.g. ``QueryError: filters[0]: ...``, and fails the cell, without a traceback.
The options are :func:`leadsq.read_leadsquared`'s arguments, named as it names them with
``-`` for ``_`` (``--aggregate-field``, ``--response-format``, ``--no-progress``), except
those the cell holds (``where``, ``filters``, ``body``, ``user_filter``: write them in the
cell), ``chunksize`` (a cell's result is one frame) and the keys. Keys are never options:
they come from ``leadsq.configure``, the ``LSQ_*`` environment or the config file (see
:mod:`leadsq.client.connection`).

``%%leadsquared --help`` (or ``%leadsquared --help``) prints the options.
``%leadsquared_builder [-e ENDPOINT] [--host HOST]`` shows a
:class:`leadsq.notebook.widget.QueryBuilder`.

This module imports IPython only when the extension is loaded, so ``import leadsq``
stays light.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import shlex
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from leadsq.contract import format_date
from leadsq.errors import LeadsqError, QueryError
from leadsq.query.booleans import boolean_text
from leadsq.query.instants import to_utc
from leadsq.query.source import python_source

__all__ = [
    "BUILDER_MAGIC",
    "CELL_MAGIC",
    "cell_query",
    "load_ipython_extension",
    "python_literal",
    "substitute",
    "unload_ipython_extension",
]

CELL_MAGIC = "leadsquared"
BUILDER_MAGIC = "leadsquared_builder"

# {name}, or a quoted "{name}": the value as a literal, or its text inside the quotes
_WHERE_PLACEHOLDER = re.compile(
    r"""(?P<quote>["'])\{\s*(?P<quoted>[A-Za-z_]\w*)\s*\}(?P=quote)|\{\s*(?P<bare>[A-Za-z_]\w*)\s*\}""",
    re.ASCII,
)
_JSON_PLACEHOLDER = re.compile(
    r""""\{\s*(?P<quoted>[A-Za-z_]\w*)\s*\}"|\{\s*(?P<bare>[A-Za-z_]\w*)\s*\}""", re.ASCII
)

_ArgumentSpec = tuple[tuple[str, ...], dict[str, Any]]

_CONNECTION_ARGUMENTS: tuple[_ArgumentSpec, ...] = (
    (("--host",), {"help": 'Region code, host name, base URL or "sandbox".'}),
    (("--analytics-url",), {"help": "Base URL of the analytics endpoints, if not the host's."}),
)
_CELL_ARGUMENTS: tuple[_ArgumentSpec, ...] = (
    (
        ("target",),
        {"nargs": "?", "help": "Store the frame in this variable and show nothing."},
    ),
    (
        ("-e", "--endpoint"),
        {
            "default": "distribution",
            "help": "distribution (default: leads by any field) or not_contacted.",
        },
    ),
    (("--columns",), {"help": "Comma-separated lead fields of a list read."}),
    (("--group-by",), {"help": "An aggregate read: one row per value of this field."}),
    (("--aggregate",), {"default": "count", "help": "count (default), average or sum."}),
    (("--aggregate-field",), {"help": "The Number field that average or sum is of."}),
    (("--users",), {"help": "Comma-separated owner user ids or email addresses."}),
    (("--activities",), {"help": "not_contacted: comma-separated activity codes or type names."}),
    (("--created",), {"help": 'Created in this range, e.g. "last 30 days".'}),
    (("--modified",), {"help": 'Modified in this range, e.g. "2026-01-01..2026-03-31".'}),
    (("--activity-window",), {"help": "not_contacted: when an activity counts as contact."}),
    (
        ("--response-format",),
        {"default": "json", "help": "Response format asked for: json (default) or csv."},
    ),
    (
        ("--dtype-backend",),
        {
            "default": "numpy_nullable",
            "help": "How the frame holds its columns: numpy_nullable (default) or pyarrow.",
        },
    ),
    (("--page-size",), {"type": int, "help": "Rows per request (default: as configured)."}),
    (("--max-results",), {"type": int, "help": "Read at most this many rows."}),
    (
        ("--progress",),
        {
            "action": argparse.BooleanOptionalAction,
            "default": True,
            "help": "Show a progress bar (default); --no-progress hides it.",
        },
    ),
    (
        ("--cache",),
        {
            "help": 'Answer from the disk cache when younger than this, e.g. "1h"; "off": the service.'
        },
    ),
    *_CONNECTION_ARGUMENTS,
    (("-h", "--help"), {"action": "store_true", "help": "Print these options; read nothing."}),
)
_BUILDER_ARGUMENTS: tuple[_ArgumentSpec, ...] = (
    (("-e", "--endpoint"), {"default": "distribution", "help": "The endpoint chosen at first."}),
    *_CONNECTION_ARGUMENTS,
    (("-h", "--help"), {"action": "store_true", "help": "Print these options; show no form."}),
)


# --------------------------------------------------------------------------- values


def python_literal(value: object, *, name: str = "value") -> str:
    """``value`` written as a literal of the ``where=`` syntax.

    Strings, numbers, booleans and ``None`` as ``repr`` writes them (so strings are
    quoted and escaped); NumPy scalars as their Python value; ``datetime`` and
    ``pd.Timestamp`` as ``Timestamp('yyyy-mm-dd HH:MM:SS')`` in UTC; ``date`` as
    ``date(y, m, d)``; lists, tuples, sets, arrays, Series and Index as lists.

    Raises
    ------
    QueryError
        For any other type, or a NaN or infinite number, naming ``name``.
    """
    plain = _plain(value, name)
    return python_source(plain, quote="'")


def _plain(value: object, name: str) -> object:
    """``value`` as str, int, float, bool, None, naive UTC datetime, date, or a list of those."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not np.isfinite(value):
            raise QueryError(f"{{{name}}}: {value!r} cannot be put in a query")
        return value
    if isinstance(value, (pd.Timestamp, datetime)):
        if value is pd.NaT:
            raise QueryError(f"{{{name}}}: NaT cannot be put in a query")
        return to_utc(value).replace(microsecond=0)
    if isinstance(value, date):
        return value
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(item, name) for item in value), key=repr)
    if isinstance(value, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        return [_plain(item, name) for item in value]
    raise QueryError(
        f"{{{name}}} is a {type(value).__name__}; a query can take strings, numbers, "
        "booleans, dates and lists of them"
    )


def _text(value: object) -> str:
    """A plain value as the text the contract sends (dates ``yyyy-MM-dd HH:mm:ss``)."""
    if isinstance(value, list):
        return ",".join(_text(item) for item in value)
    if isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, bool):
        return boolean_text(value)
    return "" if value is None else str(value)


def _json_default(item: object) -> object:
    if isinstance(item, date):
        return _text(item)
    raise TypeError(type(item).__name__)


def substitute(text: str, namespace: Mapping[str, Any], *, as_json: bool = False) -> str:
    """Replace each ``{name}`` in ``text`` by the value of ``name`` in ``namespace``.

    Parameters
    ----------
    text : str
        A filter or a JSON body. Only ``{identifier}`` is a placeholder; other braces
        (JSON objects, set literals) are left alone. A quoted placeholder (``"{name}"``,
        or ``'{name}'`` in a filter) becomes a string of the value's text.
    namespace : Mapping
        Where names are looked up (the notebook's variables); nothing is evaluated.
    as_json : bool, default False
        Write values as JSON (for a body) instead of Python literals (for a filter).

    Raises
    ------
    QueryError
        For a name that is not defined, or a value that cannot be written.
    """

    def replace(match: re.Match[str]) -> str:
        quoted = match.group("quoted")
        name = quoted or match.group("bare")
        if name not in namespace:
            raise QueryError(f"{{{name}}}: no variable {name!r} is defined in the notebook")
        value = _plain(namespace[name], name)
        if as_json:
            return json.dumps(_text(value) if quoted else value, default=_json_default)
        return repr(_text(value)) if quoted else python_source(value, quote="'")

    return (_JSON_PLACEHOLDER if as_json else _WHERE_PLACEHOLDER).sub(replace, text)


def cell_query(cell: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The ``where=`` or ``body=`` argument that a ``%%leadsquared`` cell holds.

    Returns
    -------
    dict
        ``{"body": dict}`` when the cell starts with ``{``, ``{"where": str}`` for a
        filter, ``{}`` for an empty cell (or only comments).

    Raises
    ------
    QueryError
        For a body that is not valid JSON, or a placeholder that cannot be filled.
    """
    text = cell.strip()
    if text.startswith("{"):
        filled = substitute(text, namespace, as_json=True)
        try:
            body = json.loads(filled)
        except json.JSONDecodeError as exc:
            raise QueryError(
                f"the cell starts with '{{' but is not a valid JSON body: {exc.msg} "
                f"(line {exc.lineno}, column {exc.colno})"
            ) from None
        return {"body": body}
    lines = [line.strip() for line in text.splitlines()]
    where = " ".join(line for line in lines if line and not line.startswith("#"))
    return {"where": substitute(where, namespace)} if where else {}


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def _read_arguments(args: Any, cell: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`leadsq.read_leadsquared` for a parsed cell."""
    query = cell_query(cell, namespace)
    options = {
        "columns": args.columns,
        "group_by": args.group_by,
        "aggregate_field": args.aggregate_field,
        "users": args.users,
        "activities": _split(args.activities),
        "created": args.created,
        "modified": args.modified,
        "activity_window": args.activity_window,
        "page_size": args.page_size,
        "max_results": args.max_results,
        "host": args.host,
        "analytics_url": args.analytics_url,
    }
    arguments = {name: value for name, value in options.items() if value is not None}
    if args.aggregate.strip().lower() != "count":
        arguments["aggregate"] = args.aggregate
    if args.cache is not None:
        arguments["cache"] = {"off": False, "on": True}.get(args.cache.strip().lower(), args.cache)
    return {
        "endpoint": args.endpoint,
        **query,
        **arguments,
        "response_format": args.response_format,
        "dtype_backend": args.dtype_backend,
        "progress": args.progress,
    }


# --------------------------------------------------------------------------- IPython


class MagicError(Exception):
    """A failed ``%%leadsquared``: IPython shows its one line instead of a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def _with_arguments(
    function: Callable[..., Any], specs: tuple[_ArgumentSpec, ...], *, cell: bool = False
) -> Any:
    """Decorate ``function`` with IPython's magic_arguments: its parser and its help."""
    from IPython.core import magic_arguments

    for flags, options in reversed(specs):
        function = magic_arguments.argument(*flags, **options)(function)
    # the usage line is "%" + name: one more "%" for a cell magic
    name = f"%{function.__name__}" if cell else function.__name__
    return magic_arguments.magic_arguments(name=name)(function)


def _parse(function: Any, line: str) -> Any:
    """Parse the options line with a shell's quoting (``--created "last 30 days"``)."""
    from IPython.core.error import UsageError

    try:
        return function.parser.parse_args(shlex.split(line))
    except UsageError as exc:
        raise MagicError(f"UsageError: {exc}") from None
    except ValueError as exc:  # shlex: an unclosed quote
        raise MagicError(f"UsageError: {exc} in the options line") from None


def _help(function: Any) -> str:
    """A magic's usage and options as plain text (IPython writes them for reST)."""
    return function.parser.format_help().removeprefix("::").strip()


def _cell_magic(shell: Any) -> Callable[[str, str | None], Any]:
    def leadsquared(line: str, cell: str | None = None) -> Any:
        """Read LeadSquared leads: the cell is a filter (``where`` syntax) or a JSON body.

        ``{name}`` in the cell is the value of a notebook variable. With TARGET the frame
        is stored in that variable and nothing is shown; without, it is the cell's result.
        ``--help`` prints the options (also as a line: ``%leadsquared --help``).
        """
        args = _parse(leadsquared, line)
        if args.help:
            print(_help(leadsquared))
            return None
        if cell is None:
            raise MagicError(
                "UsageError: write the query in a cell: %%leadsquared [options], then the "
                "filter or JSON body on the lines below (%leadsquared --help lists the options)"
            )
        if args.target is not None and (
            not args.target.isidentifier() or keyword.iskeyword(args.target)
        ):
            raise MagicError(f"UsageError: {args.target!r} is not a valid variable name")
        from leadsq.client.reader import read_leadsquared

        try:
            frame = read_leadsquared(**_read_arguments(args, cell, shell.user_ns))
        except LeadsqError as exc:
            raise MagicError(f"{type(exc).__name__}: {exc}") from None
        if args.target is None:
            return frame
        shell.user_ns[args.target] = frame
        return None

    return _with_arguments(leadsquared, _CELL_ARGUMENTS, cell=True)


def _builder_magic() -> Callable[[str], Any]:
    def leadsquared_builder(line: str) -> Any:
        """Show a LeadSquared query builder: pick filters and output, run, copy the code."""
        args = _parse(leadsquared_builder, line)
        if args.help:
            print(_help(leadsquared_builder))
            return None
        from leadsq.notebook.widget import QueryBuilder

        try:
            return QueryBuilder(
                host=args.host, analytics_url=args.analytics_url, endpoint=args.endpoint
            )
        except LeadsqError as exc:
            raise MagicError(f"{type(exc).__name__}: {exc}") from None

    return _with_arguments(leadsquared_builder, _BUILDER_ARGUMENTS)


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%leadsquared`` and ``%leadsquared_builder`` (``%load_ext leadsq``)."""
    ipython.register_magic_function(_cell_magic(ipython), "line_cell", CELL_MAGIC)
    ipython.register_magic_function(_builder_magic(), "line", BUILDER_MAGIC)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the magics again (``%unload_ext leadsq``)."""
    manager = ipython.magics_manager
    for kind, name in (("cell", CELL_MAGIC), ("line", CELL_MAGIC), ("line", BUILDER_MAGIC)):
        manager.magics[kind].pop(name, None)
        if hasattr(manager.user_magics, name):
            delattr(manager.user_magics, name)
