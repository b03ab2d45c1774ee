"""``dtype_backend``: which arrays hold a typed frame's columns, as pandas' readers say it.

============================  ==========================================================
``"numpy_nullable"``          pandas' nullable dtypes (``Int64``, ``Float64``, ``boolean``,
(the default)                 ``string``, ``datetime64[ns, UTC]``): the table of
                              :mod:`leadsq.frames`
``"pyarrow"``                 :class:`pandas.ArrowDtype` columns (``int64[pyarrow]``, ...)
============================  ==========================================================

The values are the same either way; only the arrays that hold them differ. A read's
columns are Arrow arrays already, so neither choice copies text.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from leadsq.errors import QueryError
from leadsq.frames.convert import as_arrow
from leadsq.frames.dtypes import pandas_column

__all__ = ["DTYPE_BACKENDS", "check_dtype_backend", "with_dtype_backend"]

DTYPE_BACKENDS = ("numpy_nullable", "pyarrow")
"""The ``dtype_backend`` values, as :func:`pandas.read_csv` takes them; the first is the default."""


def check_dtype_backend(dtype_backend: Any) -> str:
    """``dtype_backend`` itself, checked.

    Raises
    ------
    QueryError
        If it is not one of :data:`DTYPE_BACKENDS`.
    """
    if not isinstance(dtype_backend, str) or dtype_backend not in DTYPE_BACKENDS:
        raise QueryError(
            f"dtype_backend: must be 'numpy_nullable' (the default: Int64, Float64, boolean, "
            f"string, datetime64[ns, UTC]) or 'pyarrow' (ArrowDtype columns); got {dtype_backend!r}"
        )
    return dtype_backend


def with_dtype_backend(frame: pd.DataFrame, dtype_backend: str = "numpy_nullable") -> pd.DataFrame:
    """``frame`` with its columns (and index levels) held as ``dtype_backend`` says.

    Parameters
    ----------
    frame : DataFrame
        A typed frame, as :func:`leadsq.read_leadsquared` makes it (either backend).
    dtype_backend : {"numpy_nullable", "pyarrow"}, default "numpy_nullable"
        ``"numpy_nullable"``: pandas' nullable dtypes; ``"pyarrow"``: ``ArrowDtype``.

    Returns
    -------
    DataFrame
        A new frame with the same values, index and ``attrs``; ``frame`` itself when
        it is held so already.

    Raises
    ------
    QueryError
        If ``dtype_backend`` is not one of :data:`DTYPE_BACKENDS`.
    """
    check_dtype_backend(dtype_backend)
    convert = _to_arrow if dtype_backend == "pyarrow" else _to_nullable
    columns = [convert(frame.iloc[:, position]) for position in range(frame.shape[1])]
    levels = _index_levels(frame.index)
    index = [convert(level) for level in levels]
    if all(new is None for new in [*columns, *index]):
        return frame
    result = frame.copy(deep=False)
    for position, new in enumerate(columns):
        if new is not None:
            result.isetitem(position, new)
    if levels:
        arrays = [old if new is None else new for old, new in zip(levels, index, strict=True)]
        result.index = pd.MultiIndex.from_arrays(arrays, names=frame.index.names)
        if len(arrays) == 1:
            result.index = pd.Index(arrays[0], name=frame.index.name)
    result.attrs = frame.attrs
    return result


def _index_levels(index: pd.Index) -> list[pd.Series]:
    if isinstance(index, pd.RangeIndex):
        return []
    return [
        pd.Series(index.get_level_values(level), name=name)
        for level, name in enumerate(index.names)
    ]


def _is_arrow(dtype: Any) -> bool:
    return isinstance(dtype, pd.ArrowDtype)


def _to_arrow(series: pd.Series) -> Any:
    """The column as an ``ArrowDtype`` array; ``None`` when it is one already."""
    if _is_arrow(series.dtype):
        return None
    return pd.arrays.ArrowExtensionArray(as_arrow(series.reset_index(drop=True)))


def _to_nullable(series: pd.Series) -> Any:
    """An ``ArrowDtype`` column as the nullable dtype of its type; ``None`` for others."""
    if not _is_arrow(series.dtype):
        return None
    return pandas_column(as_arrow(series.reset_index(drop=True)))
