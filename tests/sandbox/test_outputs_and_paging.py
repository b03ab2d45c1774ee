"""List and Aggregate outputs, the three functions, and every paging edge."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.sandbox.helpers import TEXT_TYPES, Api, fmt, list_body, refusal

COLUMNS = (
    "ProspectID",
    "ProspectAutoId",
    "EmailAddress",
    "Score",
    "mx_Interest_Rate",
    "CreatedOn",
    "ProspectActivityDate_Max",
    "DoNotCall",
    "mx_Remarks",
)


def aggregate_body(group_by: str, function: str, field: str | None = None, **page: int) -> dict:
    output = {"Type": "Aggregate", "GroupBy": group_by, "AggregateFunction": function}
    if field is not None:
        output["AggregateField"] = field
    paging = {"PageIndex": page.get("index", 1), "PageSize": page.get("size", 5000)}
    return {"Output": output, "Paging": paging}


def as_answered(value: object, data_type: str) -> object:
    if pd.isna(value):
        return None
    if data_type == "Date":
        return fmt(value)
    if data_type == "Boolean":
        return "1" if value else "0"
    if data_type == "Number":
        return float(value) if isinstance(value, float) else int(value)
    return value


def test_a_list_row_has_exactly_the_included_fields_in_order(
    api: Api, leads: pd.DataFrame, field_types: dict
) -> None:
    rows = api.rows(list_body(COLUMNS))

    assert len(rows) == len(leads)
    assert all(list(row) == list(COLUMNS) for row in rows)
    for row, lead in zip(rows[:500], leads.head(500).to_dict("records"), strict=True):
        assert row == {c: as_answered(lead[c], field_types[c]) for c in COLUMNS}


def test_values_have_the_documented_json_types(api: Api) -> None:
    rows = api.rows(list_body(COLUMNS))

    assert all(isinstance(row["Score"], int) for row in rows)
    assert all(
        row["mx_Interest_Rate"] is None or isinstance(row["mx_Interest_Rate"], float)
        for row in rows
    )
    assert all(isinstance(row["CreatedOn"], str) and len(row["CreatedOn"]) == 23 for row in rows)
    assert {row["DoNotCall"] for row in rows} == {"1", "0", None}
    assert {row["mx_Remarks"] for row in rows} >= {None, ""}


def expected_groups(
    leads: pd.DataFrame, group_by: str, function: str, field: str | None, data_type: str
) -> list[dict]:
    if data_type in TEXT_TYPES:  # an empty text is no value: it groups with null
        leads = leads.assign(**{group_by: leads[group_by].replace("", None)})
    grouped = leads.groupby(group_by, dropna=False, sort=False)
    frame = grouped.size().rename("Count").reset_index()
    metric = None
    if function != "Count":
        metric = f"{function}_{field}"
        how = "mean" if function == "Average" else "sum"
        values = grouped[field].agg(how) if how == "mean" else grouped[field].sum(min_count=1)
        frame[metric] = values.to_numpy()
    frame["_missing"] = frame[group_by].isna()
    frame = frame.sort_values(["Count", "_missing", group_by], ascending=[False, True, True])
    rows = []
    for record in frame.to_dict("records"):
        row = {group_by: as_answered(record[group_by], data_type), "Count": record["Count"]}
        if metric is not None:
            row[metric] = None if pd.isna(record[metric]) else record[metric]
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    ("group_by", "function", "field"),
    [
        ("ProspectStage", "Count", None),
        ("OwnerId", "average", "EngagementScore"),
        ("mx_City", "Sum", "mx_Loan_Amount"),
        ("Source", "AVERAGE", "mx_Interest_Rate"),
        ("DoNotCall", "sum", "Score"),
        ("mx_Follow_Up_Date", "Count", None),
        ("Score", "Average", "mx_Loan_Amount"),
    ],
)
def test_an_aggregate_matches_a_pandas_groupby(
    api: Api,
    leads: pd.DataFrame,
    field_types: dict,
    group_by: str,
    function: str,
    field: str | None,
) -> None:
    answer = api.answer(aggregate_body(group_by, function, field))

    canonical = function.capitalize()
    expected = expected_groups(leads, group_by, canonical, field, field_types[group_by])
    assert answer["TotalCount"] == str(len(expected))
    got = answer["Results"]
    assert [list(row) for row in got] == [list(row) for row in expected]
    for mine, theirs in zip(got, expected, strict=True):
        for key, value in theirs.items():
            if isinstance(value, float):
                assert math.isclose(mine[key], value, rel_tol=1e-9), (key, mine, theirs)
            else:
                assert mine[key] == value, (key, mine, theirs)


def test_count_ignores_the_aggregate_field(api: Api) -> None:
    body = aggregate_body("ProspectStage", "Count", "NotEvenAField")

    assert api.post(body).status_code == 200


def test_an_owner_group_by_with_a_user_filter_lists_every_named_user(api: Api) -> None:
    named = ["01f131a5-7746-11e6-bcaf-0677ec402fcf", "0ec2b1d5-3d0f-11e5-b982-22000aa68b6f"]
    body = aggregate_body("OwnerId", "Sum", "Score")
    body["ReportFilter"] = {
        "UserFilter": {
            "GroupConditions": [
                {
                    "Condition": [
                        {"LookupName": "UserID", "Operator": "eq", "LookupValue": ",".join(named)}
                    ]
                }
            ]
        },
        "LeadFilters": [
            {"LookUpName": "ProspectStage", "SqlOperator": "=", "LookUpValue": "Customer"}
        ],
    }

    rows = api.answer(body)["Results"]

    assert sorted(row["OwnerId"] for row in rows) == sorted(named)
    admin = next(row for row in rows if row["OwnerId"] == named[0])
    assert admin == {"OwnerId": named[0], "Count": 0, "Sum_Score": None}


@pytest.mark.parametrize(
    ("output", "words"),
    [
        (
            {"Type": "Aggregate", "GroupBy": "OwnerId", "AggregateFunction": "Average"},
            "Output.AggregateField is required when AggregateFunction is Average",
        ),
        (
            {
                "Type": "Aggregate",
                "GroupBy": "OwnerId",
                "AggregateFunction": "Sum",
                "AggregateField": "mx_City",
            },
            "Output.AggregateField must be a Number field",
        ),
        ({"Type": "Aggregate", "AggregateFunction": "Count"}, "Output.GroupBy is required"),
        (
            {"Type": "Aggregate", "GroupBy": "Nope", "AggregateFunction": "Count"},
            "Output.GroupBy names an unknown lead field",
        ),
        (
            {"Type": "Aggregate", "GroupBy": "OwnerId", "AggregateFunction": "Median"},
            "Output.AggregateFunction must be one of",
        ),
        ({"Type": "List", "IncludeCSV": ""}, "Output.IncludeCSV must be a non-empty"),
        (
            {"Type": "List", "IncludeCSV": "ProspectID,Nope"},
            "Output.IncludeCSV names an unknown lead field 'Nope'",
        ),
        (
            {"Type": "Table", "IncludeCSV": "ProspectID"},
            "Output.Type must be one of List, Aggregate",
        ),
    ],
)
def test_a_bad_output_is_refused_naming_it(api: Api, output: dict, words: str) -> None:
    response = api.post({"Output": output, "Paging": {"PageIndex": 1, "PageSize": 10}})

    assert words in refusal(response)


def page(api: Api, index: int, size: int, body: dict | None = None) -> dict:
    body = dict(body or list_body())
    body["Paging"] = {"PageIndex": index, "PageSize": size}
    return api.answer(body)


def test_pages_concatenate_to_the_whole_list(api: Api, leads: pd.DataFrame) -> None:
    ids = []
    for index in range(1, 8):
        answer = page(api, index, 450)
        assert answer["TotalCount"] == str(len(leads))
        ids += [row["ProspectAutoId"] for row in answer["Results"]]

    assert ids == sorted(leads["ProspectAutoId"].tolist())


def test_the_last_page_is_partial(api: Api, leads: pd.DataFrame) -> None:
    answer = page(api, 7, 450)

    assert len(answer["Results"]) == len(leads) - 6 * 450


def test_a_page_past_the_end_is_empty(api: Api, leads: pd.DataFrame) -> None:
    answer = page(api, 1000, 450)

    assert answer == {"TotalCount": str(len(leads)), "Results": []}


def test_a_huge_page_index_is_empty_too(api: Api) -> None:
    assert page(api, 10**15, 5000)["Results"] == []


def test_aggregate_pages_split_the_groups(api: Api) -> None:
    whole = api.answer(aggregate_body("OwnerId", "Count"))["Results"]

    first = api.answer(aggregate_body("OwnerId", "Count", size=10))
    second = api.answer(aggregate_body("OwnerId", "Count", size=10, index=2))

    assert first["TotalCount"] == str(len(whole))
    assert first["Results"] + second["Results"] == whole[:20]


def test_page_size_may_be_the_maximum(api: Api, sandbox) -> None:
    answer = page(api, 1, sandbox.settings.max_page_size)

    assert len(answer["Results"]) == len(sandbox.store.table("leads"))


@pytest.mark.parametrize(
    ("paging", "words"),
    [
        ({"PageIndex": 1, "PageSize": 0}, "Paging.PageSize must be at least 1"),
        (
            {"PageIndex": 1, "PageSize": 10001},
            "Invalid Input! Parameter Name: PageSize can not be more than 10000",
        ),
        ({"PageIndex": 0, "PageSize": 10}, "Paging.PageIndex must be at least 1"),
        ({"PageIndex": 1.5, "PageSize": 10}, "Paging.PageIndex must be an integer"),
        ({"PageIndex": "one", "PageSize": 10}, "Paging.PageIndex must be an integer"),
        ({"PageIndex": 10**400, "PageSize": 10}, "Paging.PageIndex must be an integer"),
        ({"PageSize": 10}, "Paging.PageIndex is required"),
        ({"PageIndex": 1, "PageSize": True}, "Paging.PageSize must be an integer"),
    ],
)
def test_a_bad_paging_is_refused_naming_it(api: Api, paging: dict, words: str) -> None:
    body = list_body()
    body["Paging"] = paging

    response = api.post(body)

    assert refusal(response).startswith(words)


def test_attribute_names_and_enum_values_match_case_insensitively(
    api: Api, leads: pd.DataFrame
) -> None:
    body = {
        "reportfilter": {
            "leadfilters": [
                {"LOOKUPNAME": "ProspectStage", "sqloperator": "IN", "lookupvalues": ["customer"]}
            ]
        },
        "OUTPUT": {"type": "LIST", "includecsv": "ProspectAutoId"},
        "paging": {"pageindex": 1, "PAGESIZE": 5000},
    }

    rows = api.answer(body)["Results"]

    expected = leads.loc[leads["ProspectStage"] == "Customer", "ProspectAutoId"].tolist()
    assert [row["ProspectAutoId"] for row in rows] == expected
