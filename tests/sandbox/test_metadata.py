"""The metadata endpoints: lead fields, activity types and users."""

from __future__ import annotations

import pandas as pd
import pytest

from leadsq.contract import FIELD_TYPES
from tests.sandbox.helpers import Api, small_sandbox

VENDOR_USER_IDS = [
    "01f131a5-7746-11e6-bcaf-0677ec402fcf",
    "07934579-8551-11e6-88b9-0677ec402fcf",
    "090529bc-862c-11e6-88b9-0677ec402fcf",
    "0ec2b1d5-3d0f-11e5-b982-22000aa68b6f",
    "8e7da340-740a-11e5-8de3-22000aa5088d",
    "ca00fef0-73f7-11e5-8de3-22000aa5088d",
    "dd908e91-c5c9-11e5-8de3-22000aa5088d",
]


def test_lead_fields_describe_every_lead_column(api: Api, leads: pd.DataFrame) -> None:
    response = api.get("lead_fields")

    assert response.status_code == 200
    fields = response.json()
    assert [f["SchemaName"] for f in fields] == list(leads.columns)
    for field in fields:
        assert {"SchemaName", "DisplayName", "DataType", "IsMandatory", "RenderType"} <= set(field)
        assert field["DataType"] in FIELD_TYPES


def test_lead_fields_cover_the_documented_types(api: Api) -> None:
    types = {f["SchemaName"]: f["DataType"] for f in api.get("lead_fields").json()}

    assert types["ProspectID"] == "Text"
    assert types["EmailAddress"] == "Email"
    assert types["Phone"] == "Phone"
    assert types["DoNotCall"] == "Boolean"
    custom = {name: kind for name, kind in types.items() if name.startswith("mx_")}
    assert set(custom.values()) >= {"Text", "Number", "Date", "Select"}


def test_custom_field_names_follow_their_display_names(api: Api) -> None:
    for field in api.get("lead_fields").json():
        if field["SchemaName"].startswith("mx_"):
            assert field["SchemaName"] == "mx_" + field["DisplayName"].replace(" ", "_")


def test_select_fields_list_every_value_in_the_data(api: Api, leads: pd.DataFrame) -> None:
    for field in api.get("lead_fields").json():
        if field["DataType"] == "Select":
            options = {option["Value"] for option in field["Options"]}
            present = set(leads[field["SchemaName"]].dropna()) - {""}
            assert present <= options, field["SchemaName"]
        else:
            assert "Options" not in field


def test_activity_types_include_phone_calls_and_custom_types(
    api: Api, activities: pd.DataFrame
) -> None:
    types = api.get("activity_types").json()

    events = {t["ActivityEvent"]: t for t in types}
    assert events[21]["DisplayName"] == "Inbound Phone Call Activity"
    assert events[22]["DisplayName"] == "Outbound Phone Call Activity"
    assert len([e for e in events if e >= 200]) >= 4
    assert min(e for e in events if e > 100) == 200  # custom types are numbered from 200
    assert set(activities["ActivityEvent"]) <= set(events)
    assert all(set(t) == {"ActivityEvent", "DisplayName", "Category"} for t in types)


DOCUMENTED_USER_KEYS = {
    "ID",
    "FirstName",
    "LastName",
    "EmailAddress",
    "Role",
    "StatusCode",
    "MemberOfGroups",
    "Tag",
    "IsPhoneCallAgent",
}


@pytest.mark.parametrize("names", ["ActivityEventName", "mixed"])
def test_activity_types_can_be_named_by_activity_event_name(names: str) -> None:
    for box in small_sandbox(activity_type_names=names):
        types = Api(box).get("activity_types").json()

    by_event_name = {t["ActivityEvent"] for t in types if "ActivityEventName" in t}
    by_display = {t["ActivityEvent"] for t in types if "DisplayName" in t}
    assert not by_event_name & by_display
    assert all(t["EventType"] in ("System", "Custom") for t in types if "ActivityEventName" in t)
    if names == "mixed":
        assert by_display == {21, 22} and min(by_event_name) == 200
    else:
        assert not by_display
        names_of = {t["ActivityEvent"]: t["ActivityEventName"] for t in types}
        assert names_of[22] == "Outbound Phone Call Activity"


def test_users_start_with_the_vendor_example_users(api: Api, leads: pd.DataFrame) -> None:
    users = api.get("users").json()

    assert [u["ID"] for u in users[:7]] == VENDOR_USER_IDS
    assert all(set(u) == DOCUMENTED_USER_KEYS for u in users)
    assert set(leads["OwnerId"]) <= {u["ID"] for u in users}


def test_a_few_users_are_inactive_and_still_own_leads(api: Api, leads: pd.DataFrame) -> None:
    users = api.get("users").json()

    inactive = {u["ID"] for u in users if u["StatusCode"] == 1}
    assert {u["StatusCode"] for u in users} == {0, 1}
    assert 0 < len(inactive) <= len(users) // 5
    assert inactive & set(leads["OwnerId"])


def test_the_legacy_users_shape_has_user_id_and_team() -> None:
    for box in small_sandbox(users_shape="legacy"):
        users = Api(box).get("users").json()

    assert users[0]["UserID"] == VENDOR_USER_IDS[0]
    assert all(
        set(u) == {"UserID", "FirstName", "LastName", "EmailAddress", "Role", "Team"} for u in users
    )


def test_metadata_answers_need_keys(api: Api) -> None:
    assert api.get("lead_fields", params={}).status_code == 401
