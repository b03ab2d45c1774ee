"""Every user value reaches the body as text through one function, format_value."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadsq.errors import QueryError
from leadsq.query.booleans import boolean_text
from leadsq.query.build import build_report, fit_to_fields
from leadsq.query.instants import to_utc
from leadsq.query.values import format_value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Prospect", "Prospect"),
        ("", ""),
        (" padded ", " padded "),
        (20, "20"),
        (-5, "-5"),
        (20.0, "20"),
        (2.5, "2.5"),
        (-0.25, "-0.25"),
        (1e-7, "0.0000001"),
        (1e20, "100000000000000000000"),
        (123456789.125, "123456789.125"),
        (Decimal("3.1400"), "3.14"),
        (Decimal("1E+3"), "1000"),
        (np.int64(7), "7"),
        (np.int8(-3), "-3"),
        (np.uint32(4), "4"),
        (np.float64(20.0), "20"),
        (np.float32(0.1), "0.1"),
        (True, "1"),
        (False, "0"),
        (np.bool_(True), "1"),
    ],
)
def test_numbers_bools_and_strings_are_sent_as_plain_text(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2024, 1, 31, 10, 5, 9), "2024-01-31 10:05:09"),
        (datetime(2024, 1, 31, 10, 5, 9, 999_999), "2024-01-31 10:05:09"),
        (date(2024, 1, 31), "2024-01-31 00:00:00"),
        (pd.Timestamp("2024-01-31 10:00"), "2024-01-31 10:00:00"),
        (pd.Timestamp("2024-01-31 10:00", tz="Asia/Kolkata"), "2024-01-31 04:30:00"),
        (pd.Timestamp("2024-01-31 23:00", tz="America/New_York"), "2024-02-01 04:00:00"),
        (datetime(2024, 1, 31, 10, tzinfo=timezone(timedelta(hours=-2))), "2024-01-31 12:00:00"),
        (np.datetime64("2024-01-31T10:00:00"), "2024-01-31 10:00:00"),
        (np.datetime64("2024-01-31T10:00:00.123456789"), "2024-01-31 10:00:00"),
    ],
)
def test_instants_are_sent_as_utc_text(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NA, pd.NaT, Decimal("NaN")])
def test_a_missing_value_is_refused_pointing_at_ndef(value):
    with pytest.raises(QueryError, match=r"filters: a missing value .* 'ndef'"):
        format_value(value, argument="filters")


@pytest.mark.parametrize("value", [float("inf"), -np.inf])
def test_an_infinite_number_is_refused(value):
    with pytest.raises(QueryError, match="created: an infinite number"):
        format_value(value, argument="created")


@pytest.mark.parametrize("value", [object(), b"bytes", 1j, pd.Timedelta("1D"), {"a": 1}])
def test_a_value_of_another_type_is_refused_naming_the_type(value):
    with pytest.raises(
        QueryError, match=f"where: cannot send a value of type {type(value).__name__}"
    ):
        format_value(value, argument="where")


def test_query_error_is_also_a_value_error():
    with pytest.raises(ValueError):
        format_value(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31", datetime(2024, 1, 31)),
        ("2024-01-31 10:05", datetime(2024, 1, 31, 10, 5)),
        ("2024-01-31 10:05:09", datetime(2024, 1, 31, 10, 5, 9)),
        ("2024-01-31T10:05:09.5", datetime(2024, 1, 31, 10, 5, 9, 500_000)),
        ("2024-01-31T10:05:09.123456789", datetime(2024, 1, 31, 10, 5, 9, 123_456)),
        ("2024-01-31T10:05:09Z", datetime(2024, 1, 31, 10, 5, 9)),
        ("2024-01-31 10:05:09 UTC", datetime(2024, 1, 31, 10, 5, 9)),
        ("2024-01-31T10:05:09+05:30", datetime(2024, 1, 31, 4, 35, 9)),
        ("2024-01-31T01:00-0200", datetime(2024, 1, 31, 3, 0)),
        ("  2024-01-31  ", datetime(2024, 1, 31)),
    ],
)
def test_to_utc_reads_iso_like_strings(text, expected):
    assert to_utc(text) == expected


def test_to_utc_gives_naive_utc_datetimes():
    aware = pd.Timestamp("2024-06-01 12:00", tz="Europe/Berlin")
    result = to_utc(aware)
    assert type(result) is datetime
    assert result.tzinfo is None
    assert result == datetime(2024, 6, 1, 10, 0)


@pytest.mark.parametrize("text", ["31/01/2024", "yesterday", "2024-1-31", "2024-01-31 25:00", ""])
def test_to_utc_refuses_other_strings_naming_the_argument(text):
    with pytest.raises(QueryError, match="created: "):
        to_utc(text, argument="created")


@pytest.mark.parametrize("value", [None, pd.NaT, np.datetime64("NaT"), 20240131])
def test_to_utc_refuses_missing_or_non_dates(value):
    with pytest.raises(QueryError, match="modified: "):
        to_utc(value, argument="modified")


@settings(max_examples=300, deadline=None, database=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_finite_float_is_sent_as_plain_decimal_text_that_reads_back_exactly(number):
    text = format_value(number)
    assert "e" not in text.lower()
    assert float(text) == number


@settings(max_examples=100, deadline=None, database=None)
@given(st.integers())
def test_any_integer_is_sent_as_its_digits(number):
    assert format_value(number) == str(number)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "1"),
        (np.bool_(False), "0"),
        (1, "1"),
        (0, "0"),
        ("true", "1"),
        (" Yes ", "1"),
        ("FALSE", "0"),
        ("no", "0"),
        ("1", "1"),
    ],
)
def test_boolean_values_are_sent_as_one_and_zero(value, text):
    assert boolean_text(value) == text


@pytest.mark.parametrize("value", ["maybe", 2, 1.0, None, ""])
def test_a_value_that_is_not_boolean_is_refused_naming_the_argument(value):
    with pytest.raises(QueryError, match=r"^flag: .* is not a Boolean value"):
        boolean_text(value, argument="flag")


def test_boolean_field_filters_are_fitted_to_one_and_zero_whatever_the_spelling():
    report = build_report(
        "distribution",
        "mx_Flag == 'true' and mx_Other in ['no', True] and Source == 'true'",
    )
    fitted = fit_to_fields(report, {"mx_Flag": "Boolean", "mx_Other": "Boolean"})
    assert [(c.value, c.values) for c in fitted.lead_filters] == [
        ("1", None),
        (None, ("0", "1")),
        ("true", None),
    ]


def test_a_boolean_field_filter_with_another_word_is_refused_naming_the_field():
    report = build_report("distribution", "mx_Flag == 'maybe'")
    with pytest.raises(QueryError, match="the filter on mx_Flag: 'maybe' is not a Boolean"):
        fit_to_fields(report, {"mx_Flag": "Boolean"})
