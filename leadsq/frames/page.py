"""A page of an answer as typed Arrow columns, and the pages of a read as one frame."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from leadsq.frames.dtypes import empty_frame, table_to_frame

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Page", "concat_pages"]


class Page:
    """One page of an answer: its typed rows and the total, if told.

    Parameters
    ----------
    table : pyarrow.Table
        The rows, with exactly the asked columns, each of its dtype's Arrow type
        (:func:`leadsq.frames.parse_page` makes them).
    total : int or None
        ``TotalCount`` of a JSON answer.
    """

    __slots__ = ("_frame", "table", "total")

    def __init__(self, table: pa.Table, total: int | None) -> None:
        self.table = table
        self.total = total
        self._frame: pd.DataFrame | None = None

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (made on first use)."""
        if self._frame is None:
            self._frame = table_to_frame(self.table)
        return self._frame

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def slice(self, start: int, stop: int | None = None) -> Page:
        """Rows ``start:stop`` as a page (an Arrow slice shares the memory)."""
        stop = len(self) if stop is None else min(stop, len(self))
        if start <= 0 and stop >= len(self):
            return self
        return Page(self.table.slice(start, max(stop - start, 0)), self.total)

    def before(self, column: str, instant: datetime) -> Page:
        """The rows whose date ``column`` is before ``instant`` (naive UTC), or null."""
        import pyarrow as pa
        import pyarrow.compute as pc

        values = self.table[column]
        cut = pd.Timestamp(instant, tz="UTC").as_unit(values.type.unit)
        early = pc.less(values, pa.scalar(cut, type=values.type))
        return Page(self.table.filter(pc.fill_null(early, True)), self.total)

    def select(self, columns: Sequence[str]) -> Page:
        """Only ``columns``, in that order, as a page (sharing the memory)."""
        return Page(self.table.select(list(columns)), self.total)


def concat_pages(pages: Iterable[Page], dtypes: Mapping[str, str]) -> pd.DataFrame:
    """The rows of ``pages``, in order, as one frame typed by ``dtypes``.

    The pages' tables are joined and handed to pandas once (text columns without a copy).
    """
    import pyarrow as pa

    tables = [page.table for page in pages]
    if not tables:
        return empty_frame(dtypes)
    return table_to_frame(tables[0] if len(tables) == 1 else pa.concat_tables(tables))
