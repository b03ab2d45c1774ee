"""The conversion engine: an Arrow column, as decoded, to its dtype's Arrow type.

Values come as the answer holds them: JSON numbers, Booleans and text, CSV text, or
Arrow's own parse of a CSV column. Every kernel is an Arrow compute kernel over the whole
column; only a column that does not convert is walked, value by value, to name the first
value that does not (row from 1), never a silent ``NaN``.

===================  =============================================================
dtype                text accepted (surrounding blanks ignored; ``""`` is missing)
===================  =============================================================
``string``           any; ``""`` is ``<NA>``
``Int64``            whole numbers, also written ``12.0``, ``1e2`` or ``+3``; no hex
``Float64``          decimal numbers, ``inf``; not ``nan`` (a number that is none)
``boolean``          the words of :mod:`leadsq.query.booleans` (``1``, ``yes``, ...)
``datetime64``       ISO 8601 dates and times; naive ones are UTC, offsets converted
===================  =============================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadsq.errors import APIError
from leadsq.frames.dtypes import arrow_type, pandas_column
from leadsq.query.booleans import FALSE_WORDS, TRUE_WORDS

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["as_arrow", "to_typed_frame", "typed_column"]

_WHY = {
    "string": "not text",
    "Int64": "not a whole number",
    "Float64": "not a number",
    "boolean": "expected 1/0 or true/false",
    "datetime64[ns, UTC]": "not an ISO 8601 date and time",
}
_DATE_AND_TIME = r"^\d{4}-\d{2}-\d{2}[T ]\d"
_ZONE = r"\d(Z|[+-]\d{2}:?\d{2})$"


def typed_column(
    values: pa.ChunkedArray,
    name: str,
    dtype: str,
    *,
    blanks: bool = True,
    source: Sequence[Any] | None = None,
) -> pa.ChunkedArray:
    """``values`` converted to ``dtype``'s Arrow type.

    ``blanks=False`` says the text holds no empty strings (a CSV read makes them null);
    ``source``, the values as the answer held them, names a bad one as it came (``1.5``,
    not ``'1.5'``) when ``values`` is their text.

    Raises
    ------
    APIError
        Naming the column, the row and the first value that does not convert.
    """
    import pyarrow as pa

    try:
        return _convert(values, dtype, blanks)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, TypeError):
        row, value = _first_bad(values, dtype)
        if source is not None and row is not None:
            value = source[row - 1]
        raise APIError(
            f"column {name!r} holds a value that is not {dtype} in row {row}: {value!r} "
            f"({_WHY.get(dtype, 'does not convert')})"
        ) from None


def _convert(values: pa.ChunkedArray, dtype: str, blanks: bool) -> pa.ChunkedArray:
    import pyarrow as pa

    target = arrow_type(dtype)
    kind = values.type
    if pa.types.is_null(kind):
        return values.cast(target)
    if dtype == "string":
        text = _blank_to_null(_text(values)) if blanks or not _is_text(kind) else values
        return text if text.type == target else text.cast(target)
    if dtype in ("Int64", "Float64"):
        return _number(values, dtype)
    if dtype == "boolean":
        return _boolean(values)
    return _instant(values)


def _first_bad(values: pa.ChunkedArray, dtype: str) -> tuple[int | None, object]:
    """The first value of ``values`` that does not convert alone, and its row (from 1)."""
    import pyarrow as pa

    for index in range(len(values)):
        one = values.slice(index, 1)
        if one.null_count:
            continue
        try:
            _convert(one, dtype, True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, TypeError):
            return index + 1, one[0].as_py()
    return None, None


def _is_text(kind: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text as it is; other values as Python writes them (``12``, ``7.5``, ``True``)."""
    import pyarrow as pa

    if _is_text(values.type):
        return values
    texts = [None if value is None else str(value) for value in values.to_pylist()]
    return pa.chunked_array([pa.array(texts, pa.large_string())])


def _blank_to_null(values: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    blank = pc.equal(values, "")
    if not pc.any(blank).as_py():
        return values
    return pc.if_else(blank, pa.scalar(None, values.type), values)


def _trimmed(values: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow.compute as pc

    return _blank_to_null(pc.utf8_trim_whitespace(_text(values)))


def _number(values: pa.ChunkedArray, dtype: str) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    target = arrow_type(dtype)
    kind = values.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        if pa.types.is_floating(kind) and pc.any(pc.is_nan(values)).as_py():
            raise ValueError("NaN is no number")
        return values.cast(target, safe=dtype == "Int64")
    text = _trimmed(values)
    if pc.any(pc.match_substring_regex(text, "[xX]|[nN][aA][nN]")).as_py():
        raise ValueError("hex and nan are not numbers here")
    if dtype == "Float64":
        return text.cast(target)
    text = pc.replace_substring_regex(text, r"^\+(\d)", r"\1")
    try:
        return text.cast(target)
    except pa.ArrowInvalid:  # 12.0, 1e2: whole numbers written as decimals
        return text.cast(pa.float64()).cast(target)


def _boolean(values: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_boolean(values.type):
        return values
    text = pc.utf8_lower(pc.utf8_trim_whitespace(_text(values)))
    true = pc.is_in(text, value_set=pa.array(sorted(TRUE_WORDS)))
    known = pc.or_(true, pc.is_in(text, value_set=pa.array(sorted(FALSE_WORDS))))
    if pc.any(pc.and_(pc.invert(known), pc.is_valid(text))).as_py():
        raise ValueError("expected 1/0 or true/false")
    return pc.if_else(pc.is_null(text), pa.scalar(None, pa.bool_()), true)


def _instant(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO 8601 text (or Arrow's parse of it) as UTC instants: leading blanks are
    ignored, trailing ones after a time; a date alone takes no zone."""
    import pyarrow as pa
    import pyarrow.compute as pc

    target = arrow_type("datetime64[ns, UTC]")
    if pa.types.is_timestamp(values.type):
        naive = values.type.tz is None
        return values.cast(pa.timestamp("ns")).cast(target) if naive else values.cast(target)
    text = _blank_to_null(pc.utf8_ltrim_whitespace(_text(values)))
    timed = pc.fill_null(pc.match_substring_regex(text, _DATE_AND_TIME), False)
    text = pc.if_else(timed, pc.utf8_rtrim_whitespace(text), text)
    zoned = pc.and_(timed, pc.fill_null(pc.match_substring_regex(text, _ZONE), False))
    if not pc.any(zoned).as_py():
        return text.cast(pa.timestamp("ns")).cast(target)
    none = pa.scalar(None, text.type)
    local = pc.if_else(zoned, none, text).cast(pa.timestamp("ns")).cast(target)
    return pc.coalesce(local, pc.if_else(zoned, text, none).cast(target))


def as_arrow(values: Any) -> pa.ChunkedArray:
    """Python values or a pandas column as one Arrow column: Arrow's own type when the
    values share one, else their text (a JSON column mixing numbers and strings)."""
    import pyarrow as pa

    try:
        if isinstance(values, pd.Series):
            array = pa.array(values.array, from_pandas=True)
        else:
            array = pa.array(values)
        return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        texts = [None if _missing(value) else str(value) for value in values]
        return pa.chunked_array([pa.array(texts, pa.large_string())])


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def to_typed_frame(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Convert every column of an untyped frame to its dtype, by column.

    A frame that is typed already (say a page's) comes back as it is.

    Raises
    ------
    APIError
        Naming the column and an offending value, if a value does not convert.
    """
    if _is_typed(frame, dtypes):
        return frame
    columns = {
        name: pandas_column(typed_column(as_arrow(frame[name]), name, dtype))
        for name, dtype in dtypes.items()
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)), copy=False)


def _is_typed(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> bool:
    """Whether ``frame`` is exactly what :func:`to_typed_frame` would make of it."""
    import pyarrow.compute as pc

    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        return False
    if list(frame.columns) != list(dtypes):
        return False
    if [str(dtype) for dtype in frame.dtypes] != list(dtypes.values()):
        return False
    return not any(
        pc.any(pc.equal(as_arrow(frame[name]), "")).as_py()
        for name, dtype in dtypes.items()
        if dtype == "string"
    )
