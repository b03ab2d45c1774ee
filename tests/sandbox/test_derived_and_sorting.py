"""Booleans as "1"/"0", the derived IncludeCSV columns, Sorting, and sub-second times with
whole-second date bounds: each seen over HTTP, expectations computed with pandas."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from datetime import datetime

import pandas as pd
import pytest

from leadsq.contract import DERIVED_COLUMNS
from leadsq.sandbox import Sandbox
from tests.sandbox.helpers import Api, auto_ids, fmt, list_body, small_sandbox


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    yield from small_sandbox(leads=400)


def sorted_body(columns: tuple[str, ...], column: str, direction: str, size: int = 5000) -> dict:
    body = list_body(columns)
    body["Sorting"] = {"ColumnName": column, "Direction": direction}
    body["Paging"] = {"PageIndex": 1, "PageSize": size}
    return body


# ------------------------------------------------------------------ Booleans


def test_a_true_boolean_filter_is_an_input_error_as_on_the_real_service(box: Sandbox) -> None:
    body = list_body(
        LeadFilters=[{"LookUpName": "DoNotCall", "SqlOperator": "=", "LookUpValue": "true"}]
    )

    response = Api(box).post(body)

    assert response.status_code == 500
    assert response.json()["ExceptionType"] == "MXInvalidDataTypeException"
    assert "must be 1 or 0 for Boolean field DoNotCall" in response.json()["ExceptionMessage"]


def test_booleans_are_answered_and_filtered_as_1_and_0(box: Sandbox) -> None:
    leads = box.store.table("leads")
    api = Api(box)
    body = list_body(("ProspectAutoId", "DoNotCall"))
    body["ReportFilter"] = {
        "LeadFilters": [{"LookUpName": "DoNotCall", "SqlOperator": "=", "LookUpValue": "1"}]
    }

    rows = api.rows(body)

    expected = leads.loc[leads["DoNotCall"].fillna(False).astype(bool), "ProspectAutoId"]
    assert auto_ids(rows) == sorted(int(i) for i in expected)
    assert {row["DoNotCall"] for row in rows} == {"1"}


# ------------------------------------------------------------------ derived columns


def expected_derived(box: Sandbox) -> pd.DataFrame:
    """The derived columns per lead, from the raw tables (LeadAge apart)."""
    leads = box.store.table("leads")
    activities = box.store.table("activities")
    users = box.store.table("users").set_index("UserID")
    names = box.store.table("activity_types").set_index("ActivityEvent")["DisplayName"]
    latest = activities.loc[activities.groupby("ProspectAutoId")["ActivityId"].idxmax()]
    latest = latest.set_index("ProspectAutoId")
    first = activities.groupby("ProspectAutoId")["CreatedOn"].min()
    frame = leads.set_index("ProspectAutoId")
    owners = users.loc[frame["OwnerId"]]
    return pd.DataFrame(
        {
            "OwnerIdName": (owners["FirstName"] + " " + owners["LastName"]).to_numpy(),
            "OwnerIdEmailAddress": owners["EmailAddress"].to_numpy(),
            "ProspectActivityName_Max": latest["ActivityEvent"].map(names),
            "ProspectActivityDate_Min": first.map(fmt),
            "ProspectActivityId_Max": latest["ActivityId"].map(str),
            "LeadLastModifiedOn": frame["ModifiedOn"].map(fmt),
            "CreatedOn": frame["CreatedOn"],
        },
        index=frame.index,
    )


@pytest.mark.parametrize("response_format", ["JSON", "CSV"])
def test_derived_columns_are_served_as_the_raw_tables_say(
    box: Sandbox, response_format: str
) -> None:
    columns = ("ProspectAutoId", *DERIVED_COLUMNS)
    expected = expected_derived(box)
    api = Api(box)
    before = box.store.now()
    response = api.post(list_body(columns), params={**api.keys, "responseformat": response_format})
    after = box.store.now()

    assert response.status_code == 200
    if response_format == "JSON":
        rows = response.json()["Results"]
    else:
        rows = [
            {k: (v if v != "" else None) for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(response.text))
        ]
    assert len(rows) == len(expected)
    for row in rows:
        lead = expected.loc[int(row["ProspectAutoId"])]
        for name in DERIVED_COLUMNS:
            if name == "LeadAge":
                youngest = math.floor((before - lead["CreatedOn"]) / pd.Timedelta(days=1))
                oldest = math.floor((after - lead["CreatedOn"]) / pd.Timedelta(days=1))
                assert youngest <= int(row[name]) <= oldest
            else:
                want = None if pd.isna(lead[name]) else lead[name]
                assert row[name] == want, (name, row)
    assert any(row["ProspectActivityName_Max"] is None for row in rows)  # leads never touched
    if response_format == "JSON":
        assert all(isinstance(row["LeadAge"], int) for row in rows)


def test_a_derived_column_is_no_group_or_filter_field(box: Sandbox) -> None:
    body = {
        "Output": {"Type": "Aggregate", "GroupBy": "OwnerIdName", "AggregateFunction": "Count"},
        "Paging": {"PageIndex": 1, "PageSize": 10},
    }

    response = Api(box).post(body)

    assert response.status_code == 500
    assert response.json()["ExceptionType"] == "MXUnknownAttributeException"


# ------------------------------------------------------------------ Sorting


@pytest.mark.parametrize(("direction", "descending"), [("0", False), ("1", True)])
def test_sorting_orders_rows_by_its_column_then_prospect_auto_id(
    box: Sandbox, direction: str, descending: bool
) -> None:
    leads = box.store.table("leads")
    expected = leads.sort_values(
        ["Score", "ProspectAutoId"], ascending=[not descending, True], na_position="last"
    )

    rows = Api(box).answer(sorted_body(("ProspectAutoId", "Score"), "Score", direction))["Results"]

    assert auto_ids(rows) == [int(i) for i in expected["ProspectAutoId"]]


def test_sorted_pages_join_into_the_whole_sorted_list(box: Sandbox) -> None:
    api = Api(box)
    whole = auto_ids(api.answer(sorted_body(("ProspectAutoId",), "mx_City", "1"))["Results"])
    pages = []
    for index in range(1, 100):
        body = sorted_body(("ProspectAutoId",), "mx_City", "1", size=37)
        body["Paging"]["PageIndex"] = index
        page = auto_ids(api.answer(body)["Results"])
        pages.extend(page)
        if len(page) < 37:
            break

    assert pages == whole
    assert whole != sorted(whole)


def test_sorting_by_a_derived_column_keeps_ties_in_prospect_auto_id_order(box: Sandbox) -> None:
    rows = Api(box).answer(sorted_body(("ProspectAutoId", "OwnerIdName"), "OwnerIdName", "0"))

    keys = [(row["OwnerIdName"], row["ProspectAutoId"]) for row in rows["Results"]]
    assert keys == sorted(keys)


def test_sorting_by_an_unknown_column_is_an_input_error_naming_it(box: Sandbox) -> None:
    response = Api(box).post(sorted_body(("ProspectAutoId",), "Salary", "0"))

    assert response.status_code == 500
    assert response.json()["ExceptionType"] == "MXUnknownAttributeException"
    assert response.json()["ExceptionMessage"].startswith("Sorting.ColumnName")


# ------------------------------------------------------------------ sub-second times


def window(start: str, end: str) -> list[dict]:
    return [{"DateField": "LeadCreatedOn", "FromDate": start, "ToDate": end}]


def test_a_whole_second_to_date_misses_a_lead_stamped_later_in_that_second() -> None:
    for box in small_sandbox():
        made = box.store.churn(created=1, at=datetime(2026, 10, 20, 23, 59, 59, 400_000))
        api = Api(box)
        columns = ("ProspectAutoId", "CreatedOn")
        to_last_second = api.rows(
            list_body(columns, DateFilter=window("2026-10-20 00:00:00", "2026-10-20 23:59:59"))
        )
        to_midnight = api.rows(
            list_body(columns, DateFilter=window("2026-10-20 00:00:00", "2026-10-21 00:00:00"))
        )

    (lead,) = made.created
    assert lead not in auto_ids(to_last_second)
    assert lead in auto_ids(to_midnight)
    assert {"ProspectAutoId": lead, "CreatedOn": "2026-10-20 23:59:59.400"} in to_midnight


def test_without_subsecond_times_times_are_whole_seconds() -> None:
    for box in small_sandbox(subsecond_times=False):
        made = box.store.churn(created=1, at=datetime(2026, 10, 20, 23, 59, 59, 400_000))
        leads = box.store.table("leads")
        api = Api(box)
        rows = api.rows(
            list_body(
                ("ProspectAutoId", "CreatedOn"),
                DateFilter=window("2026-10-20 00:00:00", "2026-10-20 23:59:59"),
            )
        )
        activities = box.store.table("activities")

    assert (leads["CreatedOn"].dt.microsecond == 0).all()
    assert (activities["CreatedOn"].dt.microsecond == 0).all()
    assert {"ProspectAutoId": made.created[0], "CreatedOn": "2026-10-20 23:59:59"} in rows


def test_subsecond_times_are_the_default_and_stay_before_the_anchor(box: Sandbox) -> None:
    leads = box.store.table("leads")
    activities = box.store.table("activities")

    assert (leads["CreatedOn"].dt.microsecond > 0).mean() > 0.9
    assert (activities["CreatedOn"].dt.microsecond % 1000 == 0).all()
    assert leads["CreatedOn"].max() < box.settings.anchor
    assert activities["CreatedOn"].max() < box.settings.anchor
