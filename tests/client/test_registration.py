"""import leadsq registers pd.read_leadsquared, unless the name is taken."""

from __future__ import annotations

import pandas as pd
import pytest

import leadsq


def test_import_registers_the_reader_on_pandas():
    assert pd.read_leadsquared is leadsq.read_leadsquared


def test_a_taken_name_is_left_alone_with_a_warning(monkeypatch):
    def other_reader():
        return None

    monkeypatch.setattr(pd, "read_leadsquared", other_reader, raising=False)
    with pytest.warns(UserWarning, match="already taken"):
        leadsq._register_reader()
    assert pd.read_leadsquared is other_reader


def test_the_public_names_are_sorted_and_importable():
    assert leadsq.__all__ == sorted(leadsq.__all__)
    for name in leadsq.__all__:
        assert hasattr(leadsq, name), name
