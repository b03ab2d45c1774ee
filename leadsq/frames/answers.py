"""From answer bytes (JSON or CSV) to a typed :class:`~leadsq.frames.page.Page`.

A JSON answer is decoded by orjson when it is installed (else :mod:`json`), and
``pyarrow.Table.from_pylist`` makes columns of its rows; a column mixing JSON types
(numbers and strings) is taken as its text. A CSV answer is read by Arrow's CSV reader,
straight into the column types when it parses them as the dtypes say, else as text. Either
way :func:`leadsq.frames.convert.typed_column` types each column.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from leadsq.errors import APIError, IncompleteReadError
from leadsq.frames.convert import as_arrow, typed_column
from leadsq.frames.dtypes import arrow_type, empty_table
from leadsq.frames.page import Page

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["decode_json", "parse_page"]

decode_json: Callable[[bytes | str], Any]
try:
    import orjson

    decode_json = orjson.loads
except ImportError:  # pragma: no cover - orjson is in the "fast" extra
    decode_json = json.loads


def parse_page(
    content: bytes,
    content_type: str,
    columns: Sequence[str],
    *,
    dtypes: Mapping[str, str],
) -> Page:
    """Decode one answer (JSON or CSV) into a typed page with exactly ``columns``.

    Parameters
    ----------
    content : bytes
        The answer's body.
    content_type : str
        Its ``Content-Type``: CSV when it says ``csv``, else JSON.
    columns : sequence of str
        The result columns, in order.
    dtypes : mapping of str to str
        The dtype of every column (:func:`leadsq.frames.column_dtypes`).

    Raises
    ------
    APIError
        If the answer is not of the documented shape, or a value does not convert.
    """
    dtypes = _only(dtypes, columns)
    if "csv" in content_type.lower():
        return _csv_page(content, columns, dtypes)
    try:
        payload = decode_json(content)
    except ValueError as exc:
        raise APIError(
            f"the answer is not valid JSON ({exc}); first bytes: {content[:80]!r}"
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("Results"), list):
        raise APIError(f"the answer lacks a Results list; first bytes: {content[:80]!r}")
    total = _total(payload.get("TotalCount"))
    rows = payload["Results"]
    if not rows:
        return Page(empty_table(dtypes), total)
    _check_keys(rows, columns)
    arrays, sources = _json_columns(rows, columns)
    return Page(_typed_table(arrays, dtypes, blanks=True, sources=sources), total)


def _only(dtypes: Mapping[str, str], columns: Sequence[str]) -> dict[str, str]:
    try:
        return {name: dtypes[name] for name in columns}
    except KeyError as exc:
        raise ValueError(f"dtypes lacks the column {exc}") from None


def _typed_table(
    columns: Mapping[str, pa.ChunkedArray],
    dtypes: Mapping[str, str],
    *,
    blanks: bool,
    sources: Mapping[str, list[Any]] | None = None,
) -> pa.Table:
    import pyarrow as pa

    sources = sources or {}
    typed = [
        typed_column(columns[name], name, dtype, blanks=blanks, source=sources.get(name))
        for name, dtype in dtypes.items()
    ]
    return pa.Table.from_arrays(typed, names=list(dtypes))


def _total(value: Any) -> int | None:
    """``TotalCount`` as a whole number >= 0 (a JSON number or its digits), or ``None``.

    Raises
    ------
    IncompleteReadError
        For anything else (``-5``, ``true``, ``1.5``, ``"many"``): no count to read by.
    """
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        return text
    if isinstance(text, str) and text.isascii() and text.isdigit():
        return int(text)
    raise IncompleteReadError(
        f"the answer's TotalCount is not a whole number >= 0: {value!r}; the read cannot be counted"
    )


def _check_keys(rows: list[Any], columns: Sequence[str]) -> None:
    """Every row an object holding every column (a row lacking one would read as null)."""
    if not all(isinstance(row, dict) for row in rows):
        bad = next(i for i, row in enumerate(rows) if not isinstance(row, dict))
        raise APIError(
            f"the answer's row {bad + 1} is {type(rows[bad]).__name__} {rows[bad]!r:.80}, "
            "not an object"
        )
    if len(set(map(len, rows))) == 1 and all(name in rows[0] for name in columns):
        return  # every row as wide as the first, which holds every column
    for number, row in enumerate(rows, 1):
        missing = [name for name in columns if name not in row]
        if missing:
            raise APIError(
                f"the answer's row {number} lacks the column(s) {', '.join(missing)} "
                f"(it holds {', '.join(row) or 'nothing'})"
            )


def _json_columns(
    rows: list[dict[str, Any]], columns: Sequence[str]
) -> tuple[dict[str, pa.ChunkedArray], dict[str, list[Any]]]:
    """The rows' ``columns`` as Arrow columns, made one by one when a column mixes JSON
    types (its text then), and the values of such columns as the answer held them."""
    import pyarrow as pa

    try:
        table = pa.Table.from_pylist(rows)
        return {name: table.column(name) for name in columns}, {}
    except (pa.ArrowException, TypeError, ValueError, AttributeError, OverflowError):
        values = {name: [row[name] for row in rows] for name in columns}
        return {name: as_arrow(values[name]) for name in columns}, values


@functools.cache
def _csv_options() -> tuple[Any, Any]:
    import pyarrow.csv as pa_csv

    read = pa_csv.ReadOptions(use_threads=False)  # pages are read by several threads
    parse = pa_csv.ParseOptions(newlines_in_values=True)  # RFC 4180 quoted newlines
    return read, parse


def _csv_types(dtypes: Mapping[str, str]) -> dict[str, Any]:
    """What the CSV reader is asked for: dates without a zone; whole numbers and Booleans
    as text (Arrow reads ``0x1F`` as 31), which the engine then converts."""
    import pyarrow as pa

    asked = {"Int64": pa.large_string(), "boolean": pa.large_string()}
    asked["datetime64[ns, UTC]"] = pa.timestamp("ns")
    return {name: asked.get(dtype) or arrow_type(dtype) for name, dtype in dtypes.items()}


def _csv_page(content: bytes, columns: Sequence[str], dtypes: Mapping[str, str]) -> Page:
    import pyarrow as pa

    if not content or content.isspace():
        raise APIError("the CSV answer is empty: not even a header row")
    # straight into the column types; when a value does not parse there, or does not
    # convert from Arrow's parse, the answer is read again as text, whose error names it
    try:
        table = _read_csv(content, _csv_types(dtypes))
        return Page(_typed_table(_columns_of(table, columns), dtypes, blanks=False), None)
    except (pa.ArrowInvalid, APIError):
        pass
    try:
        table = _read_csv(content, dict.fromkeys(columns, pa.large_string()))
    except pa.ArrowInvalid as exc:
        raise APIError(f"the CSV answer cannot be read: {exc}") from None
    return Page(_typed_table(_columns_of(table, columns), dtypes, blanks=False), None)


def _columns_of(table: pa.Table, columns: Sequence[str]) -> dict[str, pa.ChunkedArray]:
    _check_csv_columns(table.column_names, columns)
    return {name: table.column(name) for name in columns}


def _read_csv(content: bytes, types: dict[str, Any]) -> pa.Table:
    import pyarrow.csv as pa_csv

    read, parse = _csv_options()
    return pa_csv.read_csv(
        io.BytesIO(content),
        read_options=read,
        parse_options=parse,
        convert_options=pa_csv.ConvertOptions(
            column_types=types, null_values=[""], strings_can_be_null=True
        ),
    )


def _check_csv_columns(present: Iterable[str], columns: Sequence[str]) -> None:
    present = set(present)
    missing = [name for name in columns if name not in present]
    if missing:
        raise APIError(f"the CSV answer lacks the column(s) {', '.join(missing)}")
