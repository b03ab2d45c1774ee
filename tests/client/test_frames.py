"""Frame building: the Arrow path and the pandas path give equal frames, or the same error.

Answers are built here as bytes, as the service sends them; the pandas path is the one
taken without pyarrow (``frames.pa`` set to ``None``).
"""

from __future__ import annotations

import csv
import io
import json

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from leadsq import frames
from leadsq.contract import Output
from leadsq.errors import APIError

DTYPES = {
    "ProspectID": "string",
    "Score": "Int64",
    "mx_Interest_Rate": "Float64",
    "CreatedOn": "datetime64[ns, UTC]",
    "DoNotCall": "boolean",
}
COLUMNS = list(DTYPES)
JSON_TYPE = "application/json; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"


def json_answer(rows: list[dict], total: int | None = None) -> bytes:
    return json.dumps(
        {"TotalCount": str(len(rows) if total is None else total), "Results": rows}
    ).encode()


def csv_answer(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([[_csv_text(row[name]) for name in COLUMNS] for row in rows])
    return out.getvalue().encode()


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def every_way(content: bytes, content_type: str) -> dict[str, pd.DataFrame | str]:
    """The frame (or the error message) of each way to type an answer."""
    ways = {
        "typed page": lambda: (
            frames.parse_page(content, content_type, COLUMNS, dtypes=DTYPES).frame
        ),
        "to_typed_frame": lambda: frames.to_typed_frame(
            frames.parse_page(content, content_type, COLUMNS).frame, DTYPES
        ),
        "concat_pages": lambda: frames.concat_pages(
            [frames.parse_page(content, content_type, COLUMNS, dtypes=DTYPES)], DTYPES
        ),
    }
    results: dict[str, pd.DataFrame | str] = {}
    for name, way in ways.items():
        try:
            results[name] = way()
        except APIError as exc:
            results[name] = str(exc)
    return results


def assert_all_equal(results: dict[str, pd.DataFrame | str]) -> None:
    names = list(results)
    first = results[names[0]]
    for name in names[1:]:
        other = results[name]
        if isinstance(first, str) or isinstance(other, str):
            assert isinstance(first, str) and isinstance(other, str), (names[0], name, results)
            assert first == other, f"{names[0]} vs {name}"
        else:
            pd.testing.assert_frame_equal(other, first, obj=f"{name} vs {names[0]}")


def with_and_without_arrow(content: bytes, content_type: str, monkeypatch) -> dict:
    results = {f"arrow, {k}": v for k, v in every_way(content, content_type).items()}
    with monkeypatch.context() as patch:
        patch.setattr(frames, "pa", None)
        results.update({f"pandas, {k}": v for k, v in every_way(content, content_type).items()})
    return results


ROWS = [
    {
        "ProspectID": "a",
        "Score": 12,
        "mx_Interest_Rate": 7.5,
        "CreatedOn": "2026-10-01 08:30:00",
        "DoNotCall": True,
    },
    {
        "ProspectID": "",
        "Score": None,
        "mx_Interest_Rate": 8,
        "CreatedOn": "2026-10-02 09:00:00.000",
        "DoNotCall": None,
    },
    {
        "ProspectID": None,
        "Score": 0,
        "mx_Interest_Rate": None,
        "CreatedOn": None,
        "DoNotCall": False,
    },
]


@pytest.mark.parametrize("answer", ["json", "csv"])
def test_every_way_gives_the_documented_dtypes_and_values(answer, monkeypatch):
    content, kind = (
        (json_answer(ROWS), JSON_TYPE) if answer == "json" else (csv_answer(ROWS), CSV_TYPE)
    )
    results = with_and_without_arrow(content, kind, monkeypatch)
    assert_all_equal(results)
    frame = results["arrow, typed page"]
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == DTYPES
    assert frame["ProspectID"].isna().tolist() == [False, True, True]
    assert frame["Score"].tolist() == [12, pd.NA, 0]
    assert frame["CreatedOn"][1] == pd.Timestamp("2026-10-02 09:00:00", tz="UTC")
    assert frame["DoNotCall"].tolist() == [True, pd.NA, False]


def test_json_and_csv_answers_give_equal_frames():
    as_json = frames.parse_page(json_answer(ROWS), JSON_TYPE, COLUMNS, dtypes=DTYPES).frame
    as_csv = frames.parse_page(csv_answer(ROWS), CSV_TYPE, COLUMNS, dtypes=DTYPES).frame
    pd.testing.assert_frame_equal(as_json, as_csv)


@pytest.mark.parametrize(
    ("column", "value", "named"),
    [
        ("Score", "12.5", "12.5"),
        ("Score", "abc", "abc"),
        ("mx_Interest_Rate", "nan", "nan"),
        ("CreatedOn", "yesterday", "yesterday"),
        ("DoNotCall", "maybe", "maybe"),
    ],
)
@pytest.mark.parametrize("answer", ["json", "csv"])
def test_a_value_that_does_not_convert_is_named_on_every_path(
    column, value, named, answer, monkeypatch
):
    rows = [dict(ROWS[0]), {**ROWS[0], column: value}]
    content, kind = (
        (json_answer(rows), JSON_TYPE) if answer == "json" else (csv_answer(rows), CSV_TYPE)
    )
    results = with_and_without_arrow(content, kind, monkeypatch)
    assert_all_equal(results)
    message = results["arrow, typed page"]
    assert isinstance(message, str) and repr(column) in message and repr(named) in message


def test_strings_are_accepted_for_every_type(monkeypatch):
    rows = [
        {
            "ProspectID": "x",
            "Score": "12",
            "mx_Interest_Rate": "1e3",
            "CreatedOn": "2026-10-01T08:30:00Z",
            "DoNotCall": " Yes ",
        },
        {
            "ProspectID": "y",
            "Score": "",
            "mx_Interest_Rate": "",
            "CreatedOn": "",
            "DoNotCall": "0",
        },
    ]
    results = with_and_without_arrow(json_answer(rows), JSON_TYPE, monkeypatch)
    assert_all_equal(results)
    frame = results["arrow, typed page"]
    assert frame["Score"].tolist() == [12, pd.NA]
    assert frame["mx_Interest_Rate"].tolist() == [1000.0, pd.NA]
    assert frame["CreatedOn"][0] == pd.Timestamp("2026-10-01 08:30:00", tz="UTC")
    assert frame["DoNotCall"].tolist() == [True, False]


def test_a_column_of_mixed_json_types_is_typed_by_pandas(monkeypatch):
    rows = [{**ROWS[0], "Score": 12}, {**ROWS[0], "Score": "13"}]
    results = with_and_without_arrow(json_answer(rows), JSON_TYPE, monkeypatch)
    assert_all_equal(results)
    assert results["arrow, typed page"]["Score"].tolist() == [12, 13]


@pytest.mark.parametrize("answer", ["json", "csv"])
def test_an_empty_page_has_the_documented_dtypes(answer, monkeypatch):
    if answer == "json":
        content, kind = json_answer([], total=0), JSON_TYPE
    else:
        content, kind = (",".join(COLUMNS) + "\r\n").encode(), CSV_TYPE
    results = with_and_without_arrow(content, kind, monkeypatch)
    assert_all_equal(results)
    pd.testing.assert_frame_equal(results["arrow, typed page"], frames.empty_frame(DTYPES))


def test_quoted_newlines_and_commas_in_csv_values_stay_in_their_field():
    rows = [{**ROWS[0], "ProspectID": 'line one\r\nline two, "quoted"'}, ROWS[2]]
    frame = frames.parse_page(csv_answer(rows), CSV_TYPE, COLUMNS, dtypes=DTYPES).frame
    assert frame["ProspectID"][0] == 'line one\r\nline two, "quoted"'
    assert len(frame) == 2


def test_pages_join_in_order_and_slices_share_their_rows():
    pages = [
        frames.parse_page(json_answer([row]), JSON_TYPE, COLUMNS, dtypes=DTYPES) for row in ROWS
    ]
    joined = frames.concat_pages(pages, DTYPES)
    one_by_one = pd.concat([page.frame for page in pages], ignore_index=True)
    pd.testing.assert_frame_equal(joined, one_by_one)
    whole = frames.parse_page(json_answer(ROWS), JSON_TYPE, COLUMNS, dtypes=DTYPES)
    parts = [whole.slice(0, 1), whole.slice(1)]
    assert [len(part) for part in parts] == [1, 2]
    pd.testing.assert_frame_equal(frames.concat_pages(parts, DTYPES), whole.frame)
    assert whole.slice(0) is whole
    pd.testing.assert_frame_equal(frames.concat_pages([], DTYPES), frames.empty_frame(DTYPES))


def test_a_typed_frame_comes_back_as_it_is():
    frame = frames.parse_page(json_answer(ROWS), JSON_TYPE, COLUMNS, dtypes=DTYPES).frame
    assert frames.to_typed_frame(frame, DTYPES) is frame
    blanks = frame.assign(ProspectID=pd.Series(["", "b", None], dtype="string"))
    assert frames.to_typed_frame(blanks, DTYPES)["ProspectID"].isna().tolist() == [
        True,
        False,
        True,
    ]


def test_a_missing_column_is_an_error():
    rows = [{name: value for name, value in ROWS[0].items() if name != "Score"}]
    with pytest.raises(APIError, match="row 1 lacks the column"):
        frames.parse_page(json_answer(rows), JSON_TYPE, COLUMNS, dtypes=DTYPES)
    with pytest.raises(APIError, match="lacks the column"):
        frames.parse_page(b"ProspectID\r\nx\r\n", CSV_TYPE, COLUMNS, dtypes=DTYPES)


# Values as the service may send them: the natural JSON type, text for any type [ours],
# blanks, nulls and values that do not convert.
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
_dates = st.builds(
    lambda head, day, time, tail: f"{head}{day:%Y-%m-%d}{time}{tail}",
    st.sampled_from(["", "", " "]),
    st.dates(
        min_value=pd.Timestamp("1700-01-01").date(), max_value=pd.Timestamp("2250-12-31").date()
    ),
    st.sampled_from(["", " 00:00:00", "T12:34:56", " 23:59:59.000", " 01:02"]),
    st.sampled_from(["", "", "Z", ".5", " "]),
)
VALUES = {
    "ProspectID": st.one_of(st.none(), _text),
    "Score": st.one_of(
        st.none(),
        st.integers(-(2**40), 2**40),
        st.floats(-1e6, 1e6).map(lambda x: round(x, 1)),
        st.integers(-999, 999).map(str),
        st.sampled_from(["", " 7", "+3", "1e2", "12.0", "0x1", "0X1F", "-0", "nan", "x"]),
    ),
    "mx_Interest_Rate": st.one_of(
        st.none(),
        st.floats(-1e9, 1e9, allow_nan=False),
        st.integers(-(2**40), 2**40),
        st.sampled_from(
            ["", "1.5", " 2.5", "1e-3", "inf", "-inf", "nan", "NaN", ".5", "5.", "1,5", "-0", "0x1"]
        ),
    ),
    "CreatedOn": st.one_of(st.none(), _dates, st.sampled_from(["", "2026-02-30 00:00:00", "x"])),
    "DoNotCall": st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(["", "true", "False", " yes ", "NO", "1", "0", "maybe"]),
    ),
}
ROWS_STRATEGY = st.lists(st.fixed_dictionaries(VALUES), min_size=1, max_size=6)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS_STRATEGY, answer=st.sampled_from(["json", "csv"]))
def test_the_arrow_path_agrees_with_the_pandas_path(rows, answer, monkeypatch):
    content, kind = (
        (json_answer(rows), JSON_TYPE) if answer == "json" else (csv_answer(rows), CSV_TYPE)
    )
    assert_all_equal(with_and_without_arrow(content, kind, monkeypatch))


def test_derived_columns_the_metadata_does_not_list_are_typed_by_the_contract():
    output = Output(
        type="List",
        columns=(
            "ProspectID",
            "OwnerIdName",
            "OwnerIdEmailAddress",
            "LeadAge",
            "ProspectActivityDate_Min",
            "ProspectActivityName_Max",
            "LeadLastModifiedOn",
        ),
    )
    assert frames.column_dtypes(output, {"ProspectID": "Text"}) == {
        "ProspectID": "string",
        "OwnerIdName": "string",
        "OwnerIdEmailAddress": "string",
        "LeadAge": "Float64",
        "ProspectActivityDate_Min": "datetime64[ns, UTC]",
        "ProspectActivityName_Max": "string",
        "LeadLastModifiedOn": "datetime64[ns, UTC]",
    }
