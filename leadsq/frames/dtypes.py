"""The one table of field types to dtypes, and each dtype's Arrow type.

A frame's columns are Arrow arrays while a read converts them (:mod:`leadsq.frames.convert`)
and pandas' nullable dtypes once handed over (:func:`table_to_frame`); this module owns
both names of every dtype.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadsq.contract import DERIVED_COLUMNS, Output

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "DTYPES",
    "INTEGER_FIELDS",
    "arrow_type",
    "column_dtypes",
    "empty_frame",
    "field_dtype",
    "pandas_column",
    "table_to_frame",
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
"""LeadSquared ``DataType`` to pandas dtype (whole-number fields: :data:`INTEGER_FIELDS`)."""
INTEGER_FIELDS = frozenset({"ProspectAutoId", "Score", "EngagementScore"})
"""Number fields that hold whole numbers: ``Int64``."""


def field_dtype(field: str, data_type: str | None) -> str:
    """The dtype of a lead field of ``data_type`` (``None``: unknown, kept as text)."""
    if data_type == "Number" and field in INTEGER_FIELDS:
        return "Int64"
    return DTYPES.get(data_type or "Text", "string")


def column_dtypes(output: Output, field_types: Mapping[str, str]) -> dict[str, str]:
    """Every result column of ``output`` with its dtype, in answer order.

    ``field_types`` is the account's lead fields (``SchemaName`` to ``DataType``); the
    derived columns of :data:`leadsq.contract.DERIVED_COLUMNS` are known besides.
    """
    field_types = {**DERIVED_COLUMNS, **field_types}
    if output.type == "List":
        return {name: field_dtype(name, field_types.get(name)) for name in output.columns}
    group = output.group_by or ""
    columns = {group: field_dtype(group, field_types.get(group)), "Count": "Int64"}
    if output.metric is not None:
        field = output.field or ""
        own = field_dtype(field, field_types.get(field))
        columns[output.metric] = own if output.function == "Sum" else "Float64"
    return columns


@functools.cache
def _arrow_types() -> dict[str, pa.DataType]:
    import pyarrow as pa

    # text is large_string, what pandas' Arrow string arrays hold
    return {
        "string": pa.large_string(),
        "Int64": pa.int64(),
        "Float64": pa.float64(),
        "boolean": pa.bool_(),
        "datetime64[ns, UTC]": pa.timestamp("ns", tz="UTC"),
    }


def arrow_type(dtype: str) -> pa.DataType:
    """The Arrow type that holds the values of ``dtype`` (one of :data:`DTYPES`' values)."""
    try:
        return _arrow_types()[dtype]
    except KeyError:
        raise ValueError(f"no Arrow type for the dtype {dtype!r}") from None


def pandas_column(values: pa.ChunkedArray) -> Any:
    """A typed Arrow column as pandas holds it: the nullable dtype of its Arrow type."""
    import pyarrow as pa

    kind = values.type
    if pa.types.is_large_string(kind) or pa.types.is_string(kind):
        return pd.StringDtype().__from_arrow__(values)
    if pa.types.is_integer(kind):
        return pd.Int64Dtype().__from_arrow__(values)
    if pa.types.is_floating(kind):
        return pd.Float64Dtype().__from_arrow__(values)
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype().__from_arrow__(values)
    if pa.types.is_timestamp(kind):
        return pd.DatetimeTZDtype(kind.unit, kind.tz or "UTC").__from_arrow__(values)
    return values.to_pandas()


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """A typed Arrow table as a frame (text columns without a copy)."""
    columns = {name: pandas_column(table.column(name)) for name in table.column_names}
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False)


def empty_table(dtypes: Mapping[str, str]) -> pa.Table:
    """A table with no rows and the Arrow type of each column's dtype."""
    import pyarrow as pa

    return pa.table({name: pa.array([], type=arrow_type(dtype)) for name, dtype in dtypes.items()})


def empty_frame(dtypes: Mapping[str, str]) -> pd.DataFrame:
    """A frame with no rows and the documented dtype per column."""
    return table_to_frame(empty_table(dtypes))
