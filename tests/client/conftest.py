"""Helpers of the client tests (fixtures are in tests/conftest.py)."""

from __future__ import annotations

import pandas as pd


def ids(frame: pd.DataFrame) -> set[str]:
    """The ProspectIDs of a frame."""
    return set(frame["ProspectID"].astype(str))
