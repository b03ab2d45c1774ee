"""Values the account does not know warn (never block), and activity types may be named."""

from __future__ import annotations

import warnings

import pytest

import leadsq
from leadsq import UnknownValueWarning
from leadsq.client import metadata
from leadsq.client.client import connection_for


def test_a_select_value_outside_the_options_warns_with_its_close_match(read) -> None:
    with pytest.warns(UnknownValueWarning) as caught:
        frame = read("distribution", "ProspectStage == 'Opportunities'")
    assert frame.empty
    message = str(caught[0].message)
    assert message.startswith(
        "ProspectStage: 'Opportunities' is not one of its options (did you mean Opportunity?); "
        "leads holding it are read if any (options: "
    )
    assert caught[0].filename == __file__  # points at the user's line, not leadsq's


def test_values_in_the_options_do_not_warn(read) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownValueWarning)
        frame = read("distribution", "ProspectStage in ['Prospect', 'Opportunity']")
    assert set(frame["ProspectStage"]) == {"Prospect", "Opportunity"}


def test_an_unknown_activity_code_warns(read) -> None:
    with pytest.warns(UnknownValueWarning) as caught:
        read("not_contacted", activities=[21, 999], max_results=5)
    assert str(caught[0].message) == (
        "activities: 999 is not an activity type of this account, so no activity of that "
        "kind can count as contact; leadsq.activity_types() lists the account's types"
    )


def test_an_unknown_user_warns_with_its_close_match(read, users) -> None:
    email = users["EmailAddress"].iloc[0]
    typo = email.replace("@", "x@", 1)
    with pytest.warns(UnknownValueWarning) as caught:
        frame = read("distribution", users=["nobody@example.com", typo])
    assert frame.empty
    first, second = (str(w.message) for w in caught)
    assert first == (
        "users: 'nobody@example.com' is not a user of this account; no lead is owned by it"
    )
    assert second.startswith(f"users: {typo!r} is not a user of this account (did you mean {email}")
    assert second.endswith("?); no lead is owned by it")


def test_activity_types_may_be_named(read, sandbox) -> None:
    connection = connection_for(sandbox.url, sandbox.access_key, sandbox.secret_key)
    types = metadata.activity_types(connection)
    code = dict(zip(types["Name"], types["ActivityEvent"].astype(int), strict=True))
    by_name = read("not_contacted", activities=["meeting", "Field Visit", 21])
    by_code = read("not_contacted", activities=[code["Meeting"], code["Field Visit"], 21])
    assert by_name.attrs["leadsq"]["body"] == by_code.attrs["leadsq"]["body"]
    assert len(by_name) == len(by_code)


def test_an_unknown_activity_name_is_refused_with_its_close_match(read) -> None:
    with pytest.raises(leadsq.QueryError) as caught:
        read("not_contacted", activities=["Meetng"])
    assert str(caught.value) == (
        "activities: the account has no activity type named 'Meetng' (did you mean Meeting?); "
        "leadsq.activity_types() lists them"
    )
