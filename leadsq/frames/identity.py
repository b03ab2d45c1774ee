"""What tells one frame's rows and columns from another's: the identity a read records
in its provenance, and how a frame changed since."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["frame_change", "frame_identity"]


def frame_identity(frame: pd.DataFrame) -> dict[str, Any]:
    """What tells a frame's rows and columns apart from another's, for its provenance.

    ``rows`` (the count), ``columns`` (the names) and ``hash``: a sum of the hashes of
    the index labels and ``ProspectID`` values, so order does not matter but which rows
    does. Cheap next to a read: about 30 ms a million rows.
    """
    keys = pd.util.hash_pandas_object(frame.index, index=False).to_numpy()
    if "ProspectID" in frame.columns:
        keys = keys ^ pd.util.hash_pandas_object(frame["ProspectID"], index=False).to_numpy()
    return {
        "rows": len(frame),
        "columns": [str(name) for name in frame.columns],
        "hash": f"{int(keys.sum(dtype='uint64')):016x}",
    }


def frame_change(frame: pd.DataFrame, recorded: Mapping[str, Any]) -> str | None:
    """How ``frame`` differs from the ``recorded`` :func:`frame_identity`, in words;
    ``None`` when it holds the rows and columns recorded."""
    now = frame_identity(frame)
    changes = []
    if now["rows"] != recorded.get("rows"):
        changes.append(f"it has {now['rows']:,} rows where the read gave {recorded.get('rows'):,}")
    elif now["hash"] != recorded.get("hash"):
        changes.append("its rows are not those the read gave")
    columns = set(recorded.get("columns", ()))
    added = [name for name in now["columns"] if name not in columns]
    dropped = [name for name in recorded.get("columns", ()) if name not in now["columns"]]
    if added:
        changes.append(f"columns added since: {', '.join(added)}")
    if dropped:
        changes.append(f"columns dropped since: {', '.join(dropped)}")
    return "; ".join(changes) or None
