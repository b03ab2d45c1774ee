"""Users, activity types and the account are read into one shape, whatever the account sends.

Each shape gets a small sandbox of its own; expectations come from its raw ``users`` table
(``UserID`` and ``StatusCode`` whatever the shape served).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import leadsq
from leadsq.analysis.regroup import matching_users
from leadsq.client import metadata
from leadsq.client.client import connection_for
from leadsq.notebook.form_fields import activity_options, user_options
from leadsq.query.build import build_report
from leadsq.sandbox import Sandbox
from tests.conftest import connect

ANCHOR = datetime(2026, 11, 1)


@pytest.fixture(scope="module", params=["documented", "legacy"])
def box(request) -> Iterator[Sandbox]:
    """A sandbox answering Users.Get in one shape."""
    with Sandbox(leads=600, seed=5, anchor=ANCHOR, users_shape=request.param) as sandbox:
        yield sandbox


@pytest.fixture
def connection(box, fresh_settings):
    leadsq.configure(rate_limit=(10_000, 1))
    yield connection_for(box.url, box.access_key, box.secret_key)


def raw_users(box: Sandbox) -> pd.DataFrame:
    return box.store.table("users")


def test_users_have_one_id_column_and_inactive_ones_are_kept_and_marked(box, connection):
    users = metadata.users(connection)
    raw = raw_users(box)
    assert list(users["UserID"]) == list(raw["UserID"])
    served_status = box.settings.users_shape == "documented"
    expected_active = (
        (raw["StatusCode"] == 0) if served_status else pd.Series(True, index=raw.index)
    )
    assert users["Active"].dtype == "boolean"
    assert users["Active"].tolist() == expected_active.tolist()
    if served_status:
        assert not users["Active"].all()  # the documented shape has a few inactive users


def test_owner_names_resolve_every_owner_inactive_ones_included(box, connection):
    frame = leadsq.read_leadsquared(
        "distribution", columns=["ProspectID", "OwnerId"], **connect(box)
    ).lsq.with_owner_names()
    assert frame["OwnerName"].notna().all()
    raw = raw_users(box)
    names = dict(zip(raw["UserID"], raw["FirstName"] + " " + raw["LastName"], strict=True))
    assert frame["OwnerName"].tolist() == [names[owner] for owner in frame["OwnerId"]]
    inactive = set(raw.loc[raw["StatusCode"] != 0, "UserID"])
    if box.settings.users_shape == "documented":
        assert inactive & set(frame["OwnerId"])  # leads owned by inactive users are named


def test_the_form_offers_every_user_and_marks_the_inactive_ones(box, connection):
    options = dict((user_id, name) for name, user_id in user_options(metadata.users(connection)))
    raw = raw_users(box)
    assert set(options) == set(raw["UserID"])
    marked = {user_id for user_id, name in options.items() if name.endswith(" (inactive)")}
    if box.settings.users_shape == "documented":
        assert marked == set(raw.loc[raw["StatusCode"] != 0, "UserID"])
    else:
        assert marked == set()


@pytest.mark.parametrize(
    "user_filter",
    [
        [("Role", "eq", "Sales Executive")],
        [("UserID", "eq", "07934579-8551-11e6-88b9-0677ec402fcf")],
    ],
)
def test_regroup_matches_the_users_the_server_matches(box, connection, user_filter):
    report = build_report("distribution", group_by="OwnerId", user_filter=user_filter)
    matched = matching_users(metadata.users(connection), report)
    raw = raw_users(box)
    field, _, value = user_filter[0]
    assert matched == raw.loc[raw[field] == value, "UserID"].tolist()
    counts = leadsq.read_leadsquared(
        "distribution", group_by="OwnerId", user_filter=user_filter, **connect(box)
    )
    assert set(counts.index) <= set(matched) and len(counts)


def test_the_account_time_zone_is_asked_once_per_connection(box, connection):
    leadsq.configure(time_zone="account", rate_limit=(10_000, 1))
    account = connection_for(box.url, box.access_key, box.secret_key)
    path = "/v2/Authentication.svc/UserByAccessKey.Get"
    before = box.stats()["paths"].get(path, 0)
    first = leadsq.read_leadsquared(
        "distribution", created="yesterday", group_by="Source", **connect(box)
    )
    leadsq.read_leadsquared("distribution", created="last month", group_by="Source", **connect(box))
    assert box.stats()["paths"].get(path, 0) - before == 1
    assert str(metadata.time_zone(account)) == box.settings.time_zone == "Asia/Kolkata"
    start = first.lsq.report.date_filters[0].start
    assert (start.hour, start.minute) == (18, 30)  # Kolkata's midnight in UTC


def test_the_account_zone_is_the_one_the_account_tells(fresh_settings):
    leadsq.configure(time_zone="account", rate_limit=(10_000, 1))
    with Sandbox(leads=50, seed=2, anchor=ANCHOR, time_zone="UTC") as box:
        connection = connection_for(box.url, box.access_key, box.secret_key)
        assert str(metadata.time_zone(connection)) == "UTC"


@pytest.fixture(scope="module", params=["DisplayName", "ActivityEventName", "mixed"])
def named_box(request) -> Iterator[Sandbox]:
    """A sandbox answering ActivityTypes.Get with names under one key, the other or both."""
    with Sandbox(leads=300, seed=5, anchor=ANCHOR, activity_type_names=request.param) as sandbox:
        yield sandbox


@pytest.fixture
def named_connection(named_box, fresh_settings):
    leadsq.configure(rate_limit=(10_000, 1))
    yield connection_for(named_box.url, named_box.access_key, named_box.secret_key)


def test_activity_types_have_one_name_column_whatever_the_key(named_box, named_connection):
    types = metadata.activity_types(named_connection)
    raw = named_box.store.table("activity_types")
    assert "DisplayName" not in types.columns and "ActivityEventName" not in types.columns
    assert dict(zip(types["ActivityEvent"], types["Name"], strict=True)) == dict(
        zip(raw["ActivityEvent"], raw["DisplayName"], strict=True)
    )
    assert min(code for code in types["ActivityEvent"] if code >= 100) == 200  # custom types
    options = dict((code, label) for label, code in activity_options(types))
    assert options[21] == "Inbound Phone Call Activity (21)"


def test_a_not_contacted_plot_names_its_activities_whatever_the_key(named_box, named_connection):
    frame = leadsq.read_leadsquared(
        "not_contacted",
        activities=[21, 22],
        activity_window=("2026-10-02", "2026-11-01"),
        **connect(named_box),
    )
    ax = frame.lsq.plot(now="2026-11-01")
    subtitle = next(t.get_text() for t in ax.texts if t.get_gid() == "leadsq-subtitle")
    assert (
        "no Inbound Phone Call or Outbound Phone Call in 2026-10-02 \u2013 2026-11-01" in subtitle
    )
    plt.close(ax.figure)
