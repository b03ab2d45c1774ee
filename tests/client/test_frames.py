"""Frame building: answers typed by the one table of dtypes, or an error naming the value;
typed frames held as each ``dtype_backend`` says.

Answers are built here as bytes, as the service sends them; the backends are tried on
frames read from the sandbox.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from leadsq import frames
from leadsq.contract import Output
from leadsq.errors import APIError, QueryError
from leadsq.frames.backend import with_dtype_backend

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


def typed(content: bytes, content_type: str) -> pd.DataFrame:
    return frames.parse_page(content, content_type, COLUMNS, dtypes=DTYPES).frame


def answer_of(rows: list[dict], answer: str) -> tuple[bytes, str]:
    return (json_answer(rows), JSON_TYPE) if answer == "json" else (csv_answer(rows), CSV_TYPE)


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
def test_an_answer_gives_the_documented_dtypes_and_values(answer):
    frame = typed(*answer_of(ROWS, answer))
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
def test_a_value_that_does_not_convert_is_named(column, value, named, answer):
    rows = [dict(ROWS[0]), {**ROWS[0], column: value}]
    with pytest.raises(APIError) as caught:
        typed(*answer_of(rows, answer))
    message = str(caught.value)
    assert repr(column) in message and repr(named) in message and "row 2" in message


def test_strings_are_accepted_for_every_type():
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
    frame = typed(json_answer(rows), JSON_TYPE)
    assert frame["Score"].tolist() == [12, pd.NA]
    assert frame["mx_Interest_Rate"].tolist() == [1000.0, pd.NA]
    assert frame["CreatedOn"][0] == pd.Timestamp("2026-10-01 08:30:00", tz="UTC")
    assert frame["DoNotCall"].tolist() == [True, False]


def test_a_column_of_mixed_json_types_is_typed_by_its_text():
    rows = [{**ROWS[0], "Score": 12}, {**ROWS[0], "Score": "13"}]
    assert typed(json_answer(rows), JSON_TYPE)["Score"].tolist() == [12, 13]
    rows = [{**ROWS[0], "Score": "13"}, {**ROWS[0], "Score": 1.5}]
    with pytest.raises(APIError, match=r"'Score' .* in row 2: 1\.5 "):
        typed(json_answer(rows), JSON_TYPE)  # named as the answer held it: a number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" 7 ", 7),
        ("+3", 3),
        ("1e2", 100),
        ("12.0", 12),
        ("0x1F", None),
        ("nan", None),
        ("inf", None),
        ("1e20", None),
    ],
)
def test_whole_numbers_as_text(value, expected):
    rows = [{**ROWS[0], "Score": value}]
    if expected is None:
        with pytest.raises(APIError, match=repr(value)):
            typed(json_answer(rows), JSON_TYPE)
    else:
        assert typed(json_answer(rows), JSON_TYPE)["Score"].tolist() == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" 2026-10-01", "2026-10-01 00:00:00"),
        ("2026-10-01T12:34:56Z ", "2026-10-01 12:34:56"),
        ("2026-10-01 00:00:00+05:30", "2026-09-30 18:30:00"),
        ("2026-10-01T12:34:56-0100", "2026-10-01 13:34:56"),
        ("2026-10-01 01:02", "2026-10-01 01:02:00"),
        ("2026-10-01 00:00:00.5", "2026-10-01 00:00:00.5"),
        ("2026-10-01Z", None),
        ("2026-10-01 ", None),
        ("2026-02-30 00:00:00", None),
    ],
)
@pytest.mark.parametrize("answer", ["json", "csv"])
def test_iso_instants_are_utc(value, expected, answer):
    rows = [ROWS[0], {**ROWS[0], "CreatedOn": value}]
    if expected is None:
        with pytest.raises(APIError, match=f"row 2: {value!r}"):
            typed(*answer_of(rows, answer))
    else:
        got = typed(*answer_of(rows, answer))["CreatedOn"][1]
        assert got == pd.Timestamp(expected, tz="UTC")


@pytest.mark.parametrize("answer", ["json", "csv"])
def test_an_empty_page_has_the_documented_dtypes(answer):
    if answer == "json":
        content, kind = json_answer([], total=0), JSON_TYPE
    else:
        content, kind = (",".join(COLUMNS) + "\r\n").encode(), CSV_TYPE
    empty = typed(content, kind)
    pd.testing.assert_frame_equal(empty, frames.empty_frame(DTYPES))
    assert {name: str(dtype) for name, dtype in empty.dtypes.items()} == DTYPES


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
    untyped = pd.DataFrame({name: frame[name].astype(object) for name in COLUMNS})
    pd.testing.assert_frame_equal(frames.to_typed_frame(untyped, DTYPES), frame)
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


# dtype_backend: frames read from the sandbox, held as nullable or as ArrowDtype columns

BACKEND_COLUMNS = ["ProspectID", "Score", "mx_Interest_Rate", "CreatedOn", "DoNotCall"]


@pytest.fixture(scope="module")
def read_frame(read) -> pd.DataFrame:
    return read("distribution", created=("2026-10-01", "2026-10-31"), columns=BACKEND_COLUMNS)


@pytest.fixture(scope="module")
def aggregate_frame(read) -> pd.DataFrame:
    return read(
        "distribution",
        created=("2026-10-01", "2026-10-31"),
        group_by="ProspectStage",
        aggregate="average",
        aggregate_field="mx_Interest_Rate",
    )


def test_numpy_nullable_is_the_read_as_it_is(read_frame):
    assert len(read_frame) > 0
    assert frames.with_dtype_backend(read_frame) is read_frame
    assert frames.with_dtype_backend(read_frame, "numpy_nullable") is read_frame
    assert [str(dtype) for dtype in read_frame.dtypes] == [
        "string",
        "Int64",
        "Float64",
        "datetime64[ns, UTC]",
        "boolean",
    ]


def test_pyarrow_holds_the_same_values_in_arrow_columns(read_frame):
    arrow = frames.with_dtype_backend(read_frame, "pyarrow")
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in arrow.dtypes)
    kinds = [str(dtype.pyarrow_dtype) for dtype in arrow.dtypes]
    assert kinds == ["large_string", "int64", "double", "timestamp[ns, tz=UTC]", "bool"]
    assert arrow.attrs == read_frame.attrs
    for name in BACKEND_COLUMNS:
        assert arrow[name].isna().tolist() == read_frame[name].isna().tolist(), name
        assert arrow[name].dropna().tolist() == read_frame[name].dropna().tolist(), name
    back = frames.with_dtype_backend(arrow, "numpy_nullable")
    pd.testing.assert_frame_equal(back, read_frame)
    assert frames.with_dtype_backend(arrow, "pyarrow") is arrow


def test_pyarrow_converts_an_aggregate_index_too(aggregate_frame):
    arrow = frames.with_dtype_backend(aggregate_frame, "pyarrow")
    assert isinstance(arrow.index.dtype, pd.ArrowDtype)
    assert arrow.index.name == aggregate_frame.index.name == "ProspectStage"
    assert arrow.index.tolist() == aggregate_frame.index.tolist()
    assert [str(dtype) for dtype in arrow.dtypes] == ["int64[pyarrow]", "double[pyarrow]"]
    pd.testing.assert_frame_equal(
        frames.with_dtype_backend(arrow, "numpy_nullable"), aggregate_frame
    )


@pytest.mark.parametrize("bad", ["arrow", "numpy", None, "PyArrow", 1])
def test_another_dtype_backend_is_refused_naming_the_choices(bad, read_frame):
    with pytest.raises(QueryError, match="dtype_backend") as caught:
        frames.with_dtype_backend(read_frame, bad)
    message = str(caught.value)
    assert "'numpy_nullable'" in message and "'pyarrow'" in message and repr(bad) in message
    with pytest.raises(QueryError):
        frames.check_dtype_backend(bad)
    assert frames.check_dtype_backend("pyarrow") == "pyarrow"


def test_a_read_holds_its_columns_as_dtype_backend_says_and_refresh_keeps_it(
    read, fresh_settings
) -> None:
    nullable = read("distribution", columns=["ProspectAutoId", "FirstName", "CreatedOn"])
    arrow = read(
        "distribution",
        columns=["ProspectAutoId", "FirstName", "CreatedOn"],
        dtype_backend="pyarrow",
    )
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in arrow.dtypes)
    assert str(nullable.dtypes["ProspectAutoId"]) == "Int64"
    pd.testing.assert_frame_equal(with_dtype_backend(arrow, "numpy_nullable"), nullable)
    again = arrow.lsq.refresh()
    assert all(isinstance(dtype, pd.ArrowDtype) for dtype in again.dtypes)
    chunks = list(
        read("distribution", columns=["ProspectAutoId"], chunksize=1000, dtype_backend="pyarrow")
    )
    assert all(isinstance(chunk.dtypes["ProspectAutoId"], pd.ArrowDtype) for chunk in chunks)
    with pytest.raises(QueryError, match=r"dtype_backend.*numpy_nullable.*pyarrow"):
        read("distribution", dtype_backend="arrow")
