"""From answer bytes to typed DataFrames: the one table of field types to dtypes.

=================================================  ==========================
LeadSquared ``DataType`` (``LeadsMetaData.Get``)   pandas dtype
=================================================  ==========================
Number, in :data:`INTEGER_FIELDS`                  ``Int64``
Number, other fields                               ``Float64``
Date                                               ``datetime64[ns, UTC]``
Boolean                                            ``boolean``
Text, Email, Phone, Website, Select, Time, other   ``string``
aggregate ``Count``                                ``Int64``
aggregate ``Average_<field>``                      ``Float64``
aggregate ``Sum_<field>``                          the field's own dtype
=================================================  ==========================

The table applies to empty results too. An empty text is missing (``<NA>``), as the
contract's ``def``/``ndef`` treat it and as CSV answers cannot tell it from null. Values that come as strings (every CSV value,
and JSON values of any type [ours]) are converted by column; a value that does not
convert is an :class:`~leadsq.errors.APIError` naming the column and the value, never a
silent ``NaN``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from leadsq.contract import Output
from leadsq.errors import APIError

try:
    import orjson

    decode_json = orjson.loads
except ImportError:  # pragma: no cover - orjson is in the "fast" extra
    decode_json = json.loads

try:
    import pyarrow as pa
    import pyarrow.csv as pa_csv
except ImportError:  # pragma: no cover - pyarrow is in the "fast" extra
    pa = None

__all__ = [
    "DTYPES",
    "INTEGER_FIELDS",
    "Page",
    "column_dtypes",
    "decode_json",
    "empty_frame",
    "parse_page",
    "to_typed_frame",
]

DTYPES: dict[str, str] = {
    "Number": "Float64",
    "Date": "datetime64[ns, UTC]",
    "Boolean": "boolean",
    "Text": "string",
    "Email": "string",
    "Phone": "string",
    "Website": "string",
    "Select": "string",
    "Time": "string",
}
INTEGER_FIELDS = frozenset({"ProspectAutoId", "Score", "EngagementScore"})
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


class Page:
    """One page of an answer: its rows as an untyped frame and the total, if told."""

    __slots__ = ("frame", "total")

    def __init__(self, frame: pd.DataFrame, total: int | None) -> None:
        self.frame = frame
        self.total = total

    def __len__(self) -> int:
        return len(self.frame)


def field_dtype(field: str, data_type: str | None) -> str:
    """The dtype of a lead field of ``data_type`` (``None``: unknown, kept as text)."""
    if data_type == "Number" and field in INTEGER_FIELDS:
        return "Int64"
    return DTYPES.get(data_type or "Text", "string")


def column_dtypes(output: Output, field_types: Mapping[str, str]) -> dict[str, str]:
    """Every result column of ``output`` with its dtype, in answer order."""
    if output.type == "List":
        return {name: field_dtype(name, field_types.get(name)) for name in output.columns}
    group = output.group_by or ""
    columns = {group: field_dtype(group, field_types.get(group)), "Count": "Int64"}
    if output.metric is not None:
        field = output.field or ""
        own = field_dtype(field, field_types.get(field))
        columns[output.metric] = own if output.function == "Sum" else "Float64"
    return columns


def parse_page(content: bytes, content_type: str, columns: Sequence[str]) -> Page:
    """Decode one answer (JSON or CSV) into an untyped page with exactly ``columns``.

    Raises
    ------
    APIError
        If the answer is not of the documented shape.
    """
    if "csv" in content_type.lower():
        return Page(_read_csv(content, columns), None)
    try:
        payload = decode_json(content)
    except ValueError as exc:
        raise APIError(
            f"the answer is not valid JSON ({exc}); first bytes: {content[:80]!r}"
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("Results"), list):
        raise APIError(f"the answer lacks a Results list; first bytes: {content[:80]!r}")
    total = payload.get("TotalCount")
    try:
        total = None if total is None else int(total)
    except (TypeError, ValueError):
        raise APIError(f"the answer's TotalCount is not a number: {total!r}") from None
    rows = payload["Results"]
    if pa is not None and rows:
        frame = _rows_with_arrow(rows, columns)
    else:
        frame = (
            pd.DataFrame.from_records(rows, columns=list(columns))
            if rows
            else pd.DataFrame(columns=list(columns))
        )
    if rows:
        _check_keys(rows[0], columns)
    return Page(frame, total)


def _rows_with_arrow(rows: list[Any], columns: Sequence[str]) -> pd.DataFrame:
    try:
        table = pa.Table.from_pylist(rows)
    except (pa.ArrowException, TypeError, AttributeError):
        # mixed types within a column (e.g. numbers and strings): let pandas hold them
        return pd.DataFrame.from_records(rows, columns=list(columns))
    missing = [name for name in columns if name not in table.column_names]
    if missing:
        raise APIError(f"the answer's rows lack the column(s) {', '.join(missing)}")
    return table.select(list(columns)).to_pandas(types_mapper=_arrow_types)


def _arrow_types(arrow_type: Any) -> Any:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_floating(arrow_type):
        return pd.Float64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def _check_keys(row: Any, columns: Sequence[str]) -> None:
    if not isinstance(row, dict):
        raise APIError(f"the answer's Results hold {type(row).__name__} values, not objects")
    missing = [name for name in columns if name not in row]
    if missing:
        raise APIError(f"the answer's rows lack the column(s) {', '.join(missing)}")


def _read_csv(content: bytes, columns: Sequence[str]) -> pd.DataFrame:
    if not content.strip():
        raise APIError("the CSV answer is empty: not even a header row")
    if pa is not None:
        try:
            table = pa_csv.read_csv(
                io.BytesIO(content),
                convert_options=pa_csv.ConvertOptions(
                    column_types={name: pa.string() for name in columns},
                    null_values=[""],
                    strings_can_be_null=True,
                ),
            )
        except pa.ArrowInvalid as exc:
            raise APIError(f"the CSV answer cannot be read: {exc}") from None
        frame = table.to_pandas(types_mapper=_arrow_types)
    else:
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, na_values=[""])
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise APIError(f"the CSV answer lacks the column(s) {', '.join(missing)}")
    return frame[list(columns)]


def to_typed_frame(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Convert every column of an untyped frame to its dtype, by column.

    Raises
    ------
    APIError
        Naming the column and an offending value, if a value does not convert.
    """
    return pd.DataFrame(
        {name: _convert(frame[name], name, dtype) for name, dtype in dtypes.items()},
        index=pd.RangeIndex(len(frame)),
    )


def empty_frame(dtypes: Mapping[str, str]) -> pd.DataFrame:
    """A frame with no rows and the documented dtype per column."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})


def _convert(series: pd.Series, name: str, dtype: str) -> pd.Series:
    series = series.reset_index(drop=True)
    if str(series.dtype) == dtype and dtype != "string":
        return series
    try:
        return _cast(series, dtype)
    except (ValueError, TypeError) as exc:
        raise APIError(
            f"column {name!r} holds a value that is not {dtype}: {_first_bad(series, dtype)!r} ({exc})"
        ) from None


def _cast(series: pd.Series, dtype: str) -> pd.Series:
    if dtype in ("Int64", "Float64"):
        return _to_number(series).astype(dtype)
    if dtype.startswith("datetime64"):
        return pd.to_datetime(series.astype("string"), format="ISO8601", utc=True).astype(dtype)
    if dtype == "boolean":
        return _to_boolean(series)
    text = series.astype("string")
    return text.mask(text == "")


def _to_number(series: pd.Series) -> pd.Series:
    if series.dtype == object or isinstance(series.dtype, pd.StringDtype):
        series = series.replace("", None)
    return pd.to_numeric(series, errors="raise")


def _to_boolean(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean")
    text = series.astype("string").str.strip().str.lower()
    bad = text.notna() & ~text.isin(_TRUE | _FALSE)
    if bad.any():
        raise ValueError("expected true/false")
    return text.isin(_TRUE).astype("boolean").mask(text.isna())


def _first_bad(series: pd.Series, dtype: str) -> object:
    for value in series.dropna():
        try:
            _cast(pd.Series([value], dtype=object), dtype)
        except (ValueError, TypeError):
            return value
    return None
