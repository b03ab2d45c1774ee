"""Date filters on both endpoints, and the not-contacted semantics of section 3."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.sandbox.helpers import Api, auto_ids, expected_ids, list_body, refusal


def window(field: str, start: str, end: str) -> dict:
    return {"DateField": field, "FromDate": start, "ToDate": end}


@pytest.mark.parametrize(
    ("field", "column"), [("LeadCreatedOn", "CreatedOn"), ("leadmodifiedon", "ModifiedOn")]
)
def test_a_lead_date_filter_is_inclusive_at_both_ends(
    api: Api, leads: pd.DataFrame, field: str, column: str
) -> None:
    start = leads[column].iloc[100].strftime("%Y-%m-%d %H:%M:%S")
    end = leads[column].iloc[900].strftime("%Y-%m-%d %H:%M:%S")
    start, end = min(start, end), max(start, end)

    rows = api.rows(list_body(DateFilter=[window(field, start, end)]))

    mask = leads[column].between(pd.Timestamp(start), pd.Timestamp(end))
    assert auto_ids(rows) == expected_ids(leads, mask)
    assert int(leads["ProspectAutoId"].iloc[100]) in auto_ids(rows)


def test_date_filters_are_joined_by_and(api: Api, leads: pd.DataFrame) -> None:
    filters = [
        window("LeadCreatedOn", "2025-06-01 00:00:00", "2026-06-01 00:00:00"),
        window("LeadModifiedOn", "2026-03-01 00:00:00", "2026-11-01 00:00:00"),
    ]

    rows = api.rows(list_body(DateFilter=filters))

    mask = leads["CreatedOn"].between("2025-06-01", "2026-06-01") & leads["ModifiedOn"].between(
        "2026-03-01", "2026-11-01"
    )
    assert auto_ids(rows) == expected_ids(leads, mask)


def test_activity_created_on_is_refused_by_distribution(api: Api) -> None:
    body = list_body(
        DateFilter=[window("ActivityCreatedOn", "2026-10-01 00:00:00", "2026-11-01 00:00:00")]
    )

    response = api.post(body)

    assert refusal(response).startswith("DateFilter[0].DateField")


def activity_filter(*codes: int) -> dict:
    if len(codes) == 1:
        return {"LookUpName": "ActivityEvent", "SqlOperator": "=", "LookUpValue": str(codes[0])}
    return {
        "LookUpName": "ActivityEvent",
        "SqlOperator": "in",
        "LookUpValues": [str(c) for c in codes],
    }


def not_contacted(
    leads: pd.DataFrame,
    activities: pd.DataFrame,
    filters: list[list[int]],
    start: str | None = None,
    end: str | None = None,
) -> pd.Series:
    contact = pd.Series(True, index=activities.index)
    for codes in filters:
        contact &= activities["ActivityEvent"].isin(codes)
    if start is not None:
        contact &= activities["CreatedOn"].between(pd.Timestamp(start), pd.Timestamp(end))
    return ~leads["ProspectAutoId"].isin(activities.loc[contact, "ProspectAutoId"])


def test_without_filters_not_contacted_means_no_activity_at_all(
    api: Api, leads: pd.DataFrame, activities: pd.DataFrame
) -> None:
    rows = api.rows(list_body(), "not_contacted")

    mask = not_contacted(leads, activities, [])
    assert auto_ids(rows) == expected_ids(leads, mask)
    assert (leads.loc[mask, "ProspectActivityDate_Max"].isna()).all()


def test_phone_calls_in_the_last_30_days(
    api: Api, leads: pd.DataFrame, activities: pd.DataFrame
) -> None:
    start, end = "2026-10-02 00:00:00", "2026-11-01 00:00:00"
    body = list_body(
        ("ProspectAutoId", "ProspectStage"),
        LeadFilters=[
            {
                "LookUpName": "ProspectStage",
                "SqlOperator": "in",
                "LookUpValues": ["Prospect", "Opportunity"],
            }
        ],
        ActivityFilters=[activity_filter(21, 22)],
        DateFilter=[window("ActivityCreatedOn", start, end)],
    )

    rows = api.rows(body, "not_contacted")

    mask = leads["ProspectStage"].isin(["Prospect", "Opportunity"]) & not_contacted(
        leads, activities, [[21, 22]], start, end
    )
    assert auto_ids(rows) == expected_ids(leads, mask)
    # some of them had other activities, or calls before the window
    assert leads.loc[mask, "ProspectActivityDate_Max"].notna().any()


def test_activity_filters_are_joined_by_and(
    api: Api, leads: pd.DataFrame, activities: pd.DataFrame
) -> None:
    body = list_body(ActivityFilters=[activity_filter(21, 22, 201), activity_filter(22)])

    rows = api.rows(body, "not_contacted")

    assert auto_ids(rows) == expected_ids(
        leads, not_contacted(leads, activities, [[21, 22, 201], [22]])
    )


def test_lead_date_and_activity_window_combine(
    api: Api, leads: pd.DataFrame, activities: pd.DataFrame
) -> None:
    body = list_body(
        ActivityFilters=[activity_filter(201)],
        DateFilter=[
            window("LeadCreatedOn", "2025-01-01 00:00:00", "2025-12-31 23:59:59"),
            window("ActivityCreatedOn", "2025-06-01 00:00:00", "2026-11-01 00:00:00"),
        ],
    )

    rows = api.rows(body, "not_contacted")

    mask = leads["CreatedOn"].between("2025-01-01", "2025-12-31 23:59:59") & not_contacted(
        leads, activities, [[201]], "2025-06-01", "2026-11-01"
    )
    assert auto_ids(rows) == expected_ids(leads, mask)


def test_activity_filters_are_refused_by_distribution(api: Api) -> None:
    response = api.post(list_body(ActivityFilters=[activity_filter(21)]))

    assert refusal(response).startswith("ReportFilter.ActivityFilters")


@pytest.mark.parametrize(
    ("dates", "words"),
    [
        (
            window("LeadCreatedOn", "2026-02-01 00:00:00", "2026-01-01 00:00:00"),
            "FromDate must not be after ToDate",
        ),
        (window("LeadCreatedOn", "2026-01-01", "2026-02-01 00:00:00"), "FromDate must be a date"),
        (
            window("LeadCreatedOn", "2026-01-01 00:00:00", "01/02/2026 00:00:00"),
            "ToDate must be a date",
        ),
        ({"DateField": "LeadCreatedOn", "FromDate": "2026-01-01 00:00:00"}, "ToDate is required"),
        (
            window("CreatedOn", "2026-01-01 00:00:00", "2026-02-01 00:00:00"),
            "DateField must be one of",
        ),
    ],
)
def test_a_bad_date_filter_is_refused_naming_it(api: Api, dates: dict, words: str) -> None:
    response = api.post(list_body(DateFilter=[dates]))

    message = refusal(response)
    assert message.startswith("DateFilter[0].")
    assert words in message
