"""Counting a paged read: every page against the page size and the total, every id once.

A broken server or proxy can answer wrongly without any error status: cap pages below
the size asked, answer a short page in the middle, repeat a page, ignore paging, tell an
absurd ``TotalCount``. :class:`Tally` counts what comes, and raises
:class:`~leadsq.errors.IncompleteReadError` where it does not add up:

* a page longer than the page size asked: the server does not page as asked;
* a page shorter than the page size before the last page the total promises: unless
  that page's own total says the rows now end there (the data changed under the read:
  drift, which the reader repairs or warns of), the read ends with the error, so an
  absurd total (10^14 with 250 rows) ends at its first short page instead of paging for
  ever;
* at the end, fewer rows than the total promised, in a read that did not drift;
* an id (``ProspectID``, else ``ProspectAutoId``, when it is a column) twice in a read
  that did not drift: a page repeated. Ids are kept as 8-byte hashes.

A first page shorter than asked while its total says more rows follow is a silent page
cap: :class:`~leadsq.client.paging.PagedRead` reads on in pages of that size.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from leadsq.errors import IncompleteReadError
from leadsq.frames import Page

__all__ = ["ID_COLUMNS", "Tally", "incomplete"]

ID_COLUMNS = ("ProspectID", "ProspectAutoId")


def incomplete(message: str, expected: int | None) -> IncompleteReadError:
    """An :class:`IncompleteReadError` saying ``message``, promising ``expected`` rows."""
    error = IncompleteReadError(message)
    error.expected = expected
    return error


class Tally:
    """The counts of one paged read (see the module's doc).

    Parameters
    ----------
    size : int
        The page size asked.
    dtypes : mapping
        The read's columns (an id column among them is checked for repeats).
    """

    def __init__(self, size: int, dtypes: Mapping[str, str]) -> None:
        self.size = size
        self.id_column = next((name for name in ID_COLUMNS if name in dtypes), None)
        self._hashes: list[np.ndarray] = []

    def page(self, index: int, page: Page, last: int | None, total: int | None) -> bool:
        """Count page ``index`` as answered; ``False`` when the read ends with it (a short
        page whose own total says the rows end there).

        ``last`` is the last page the read's total promises (``None``: no total told).
        """
        rows = len(page)
        if rows > self.size:
            raise incomplete(
                f"page {index} holds {rows} rows, more than the page size of {self.size}: "
                "the server does not page as asked",
                total,
            )
        if last is None or index >= last or rows == self.size:
            return True
        ends_at = (index - 1) * self.size + rows
        if page.total is not None and page.total <= ends_at:
            return False  # fewer rows now: drift, repaired or warned of by the reader
        raise incomplete(
            f"page {index} holds {rows} of {self.size} rows, but the total of "
            f"{page.total if page.total is not None else total} promises more: the server "
            "answered a short page before the end (or a total it cannot deliver)",
            total,
        )

    def ids(self, page: Page) -> None:
        """Remember the ids of rows handed on."""
        if self.id_column is not None and len(page):
            values = page.select([self.id_column]).frame[self.id_column]
            self._hashes.append(pd.util.hash_pandas_object(values, index=False).to_numpy())

    def finish(self, rows: int, wanted: int | None, drifted: bool) -> None:
        """Check the whole read: ``rows`` handed on against ``wanted`` (what the total
        promised, ``None`` if it told none), and no id twice, unless it ``drifted``."""
        if drifted:
            return
        if wanted is not None and rows < wanted:
            raise incomplete(
                f"the read gave {rows} rows where the total promised {wanted}: the server "
                "answered fewer rows than it counted",
                wanted,
            )
        if self._hashes:
            hashes = np.concatenate(self._hashes)
            repeated = len(hashes) - len(np.unique(hashes))
            if repeated:
                raise incomplete(
                    f"{repeated} of {len(hashes)} rows repeat a {self.id_column} already "
                    "read: the server answered some rows twice (a page repeated?)",
                    wanted,
                )
