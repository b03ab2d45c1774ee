"""User condition chains combine with AND binding tighter than OR, in linear time."""

from __future__ import annotations

import operator

import pytest

from leadsq.contract import fold_chain


def fold(*items):
    return fold_chain(items, operator.and_, operator.or_)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (((True, "AND"),), True),
        (((True, "OR"), (False, "AND"), (False, "AND")), True),  # T or (F and F)
        (((False, "OR"), (True, "AND"), (False, "AND")), False),  # F or (T and F)
        (((False, "AND"), (True, "OR"), (True, "AND")), True),  # (F and T) or T
        (((True, "AND"), (False, "OR"), (False, "OR")), False),  # (T and F) or F, trailing OR
    ],
)
def test_and_binds_tighter_than_or(items, expected):
    assert fold(*items) is expected


def test_an_empty_chain_is_none():
    assert fold() is None


def test_a_long_alternating_chain_folds_without_expanding():
    # 2 ** 200 clauses if expanded into disjunctive normal form
    # F or (T and F) or (T and F) or ... or (T and F) or T
    items = [(bit, "OR" if i % 2 == 0 else "AND") for i, bit in enumerate([False, True] * 200)]
    assert fold(*items) is True
    assert fold(*items[:-1], (False, "AND")) is False
