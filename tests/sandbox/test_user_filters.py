"""Every user-filter form: ids, emails, operators, condition chains and groups."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.sandbox.helpers import Api, auto_ids, expected_ids, list_body, refusal


def condition(field: str, op: str, value: str, link: str | None = None) -> dict:
    item = {"LookupName": field, "Operator": op, "LookupValue": value}
    if link is not None:
        item["ConditionOperator"] = link
    return item


def user_filter(*groups: list[dict], links: tuple[str, ...] = ()) -> dict:
    result = []
    for i, conditions in enumerate(groups):
        group: dict = {"Condition": conditions}
        if i < len(links):
            group["GroupOperator"] = links[i]
        result.append(group)
    return {"GroupConditions": result}


def matches(users: pd.DataFrame, field: str, op: str, value: str) -> pd.Series:
    column = users[field].str.lower()
    if op in ("eq", "neq"):
        hit = column.isin([v.strip().lower() for v in value.split(",")])
    else:
        hit = column.str.contains(value.lower(), regex=False)
    hit = hit.fillna(False).astype(bool)
    return ~hit if op in ("neq", "nlik") else hit


def owned_by(leads: pd.DataFrame, users: pd.DataFrame, chosen: pd.Series) -> list[int]:
    return expected_ids(leads, leads["OwnerId"].isin(users.loc[chosen, "UserID"]))


@pytest.mark.parametrize(
    ("field", "op", "value"),
    [
        ("UserID", "eq", "07934579-8551-11e6-88b9-0677ec402fcf"),
        (
            "UserID",
            "eq",
            "090529BC-862C-11E6-88B9-0677EC402FCF, 8e7da340-740a-11e5-8de3-22000aa5088d",
        ),
        ("EmailAddress", "eq", "vikram.rao@sandbox.example.com,deepa.iyer@sandbox.example.com"),
        ("FirstName", "neq", "Vikram"),
        ("Team", "lik", "ort"),
        ("Role", "nlik", "manager"),
        ("LastName", "eq", "nobody-at-all"),
    ],
)
def test_a_user_condition_selects_the_leads_of_the_users_it_matches(
    api: Api, leads: pd.DataFrame, users: pd.DataFrame, field: str, op: str, value: str
) -> None:
    body = list_body(UserFilter=user_filter([condition(field, op, value)]))

    rows = api.rows(body)

    assert auto_ids(rows) == owned_by(leads, users, matches(users, field, op, value))


def test_and_binds_tighter_than_or_in_a_condition_chain(
    api: Api, leads: pd.DataFrame, users: pd.DataFrame
) -> None:
    # Team = North  OR  Team = South AND Role = Sales Manager
    chain = [
        condition("Team", "eq", "North", "OR"),
        condition("Team", "eq", "South", "AND"),
        condition("Role", "eq", "Sales Manager"),
    ]

    rows = api.rows(list_body(UserFilter=user_filter(chain)))

    chosen = matches(users, "Team", "eq", "North") | (
        matches(users, "Team", "eq", "South") & matches(users, "Role", "eq", "Sales Manager")
    )
    assert auto_ids(rows) == owned_by(leads, users, chosen)


def test_the_default_condition_link_is_and(
    api: Api, leads: pd.DataFrame, users: pd.DataFrame
) -> None:
    chain = [condition("Team", "eq", "West"), condition("Role", "eq", "Sales Executive")]

    rows = api.rows(list_body(UserFilter=user_filter(chain)))

    chosen = matches(users, "Team", "eq", "West") & matches(users, "Role", "eq", "Sales Executive")
    assert auto_ids(rows) == owned_by(leads, users, chosen)


@pytest.mark.parametrize("link", ["OR", "or", "AND"])
def test_groups_are_joined_by_their_group_operator(
    api: Api, leads: pd.DataFrame, users: pd.DataFrame, link: str
) -> None:
    first = [condition("Team", "eq", "North")]
    second = [condition("Role", "eq", "Sales Executive")]

    rows = api.rows(list_body(UserFilter=user_filter(first, second, links=(link,))))

    north = matches(users, "Team", "eq", "North")
    executives = matches(users, "Role", "eq", "Sales Executive")
    chosen = (north | executives) if link.upper() == "OR" else (north & executives)
    assert auto_ids(rows) == owned_by(leads, users, chosen)


def test_three_groups_mix_and_and_or(api: Api, leads: pd.DataFrame, users: pd.DataFrame) -> None:
    # (Team = North) AND (Role = Sales Manager) OR (FirstName lik "a" AND Team = West)
    groups = (
        [condition("Team", "eq", "North")],
        [condition("Role", "eq", "Sales Manager")],
        [condition("FirstName", "lik", "a"), condition("Team", "eq", "West")],
    )

    rows = api.rows(list_body(UserFilter=user_filter(*groups, links=("AND", "OR"))))

    chosen = (
        matches(users, "Team", "eq", "North") & matches(users, "Role", "eq", "Sales Manager")
    ) | (matches(users, "FirstName", "lik", "a") & matches(users, "Team", "eq", "West"))
    assert auto_ids(rows) == owned_by(leads, users, chosen)


def test_many_or_groups_are_answered_without_blowing_up(api: Api, leads: pd.DataFrame) -> None:
    # 40 groups of two OR-ed conditions: 2**40 clauses if expanded into normal form
    groups = [
        [condition("Team", "eq", "North", "OR"), condition("Team", "eq", "South")]
        for _ in range(40)
    ]

    response = api.post(list_body(UserFilter=user_filter(*groups, links=("AND",) * 39)))

    assert response.status_code == 200


def test_an_unknown_user_field_is_refused_naming_its_path(api: Api) -> None:
    body = list_body(UserFilter=user_filter([condition("Salary", "eq", "1")]))

    response = api.post(body)

    message = refusal(response)
    assert message.startswith("ReportFilter.UserFilter.GroupConditions[0].Condition[0].LookupName")
