"""Hosts: the Middle East region, the account's host found from the keys
(``UserByAccessKey.Get``, ``host="auto"``), and a wrong host's 401 naming the right one."""

from __future__ import annotations

import pytest

import leadsq
from leadsq.client.hosts import base_url
from leadsq.contract import METADATA_PATHS
from leadsq.errors import AuthenticationError, WrongHostError
from leadsq.sandbox import Sandbox
from tests.conftest import connect

ACCOUNT = METADATA_PATHS["account"]


pytestmark = pytest.mark.usefixtures("nothing_learnt")


def keys(box: Sandbox) -> dict[str, str]:
    return {"access_key": box.access_key, "secret_key": box.secret_key}


def test_the_middle_east_region_is_known():
    assert base_url("me61") == "https://api-me61.leadsquared.com"


@pytest.mark.parametrize(
    "named",
    [
        "api-in21.leadsquared.com",
        "https://api-in21.leadsquared.com",
        "https://api-in21.leadsquared.com/v2/",
    ],
)
def test_discover_host_tells_the_accounts_api_url_and_time_zone(named):
    with Sandbox(
        leads=50, seed=3, rate_limit=None, account_url=named, time_zone="Asia/Dubai"
    ) as box:
        account = leadsq.discover_host(**keys(box), host=box.url)
        calls = box.stats()["paths"]
    assert account == leadsq.Account("https://api-in21.leadsquared.com", "Asia/Dubai")
    assert calls == {ACCOUNT: 1}


def test_discover_host_with_unknown_keys_is_an_authentication_error():
    with Sandbox(leads=50, seed=3, rate_limit=None) as box, pytest.raises(AuthenticationError):
        leadsq.discover_host(access_key=box.access_key, secret_key="wrong-secret", host=box.url)


@pytest.mark.parametrize("where", ["argument", "configure"])
def test_host_auto_asks_once_per_key_pair_and_reads_at_the_accounts_host(where):
    with (
        Sandbox(leads=200, seed=3, rate_limit=None) as account_box,
        Sandbox(leads=50, seed=4, rate_limit=None, account_url=account_box.url) as asked,
    ):
        leadsq.configure(discovery_host=asked.url)
        if where == "configure":
            leadsq.configure(host="auto")
            arguments = {**connect(account_box), "host": None}
        else:
            arguments = {**connect(account_box), "host": "auto"}
        first = leadsq.read_leadsquared("distribution", columns=["ProspectID"], **arguments)
        second = leadsq.read_leadsquared("distribution", columns=["ProspectID"], **arguments)
        asked_calls = asked.stats()["paths"]
        account_url = account_box.url
    assert len(first) == len(second) == 200  # the account's data, not the asked host's
    assert asked_calls == {ACCOUNT: 1}
    assert first.attrs["leadsq"]["host"] == account_url


def test_a_wrong_hosts_401_names_the_right_host_and_how_to_use_it():
    right = "api-in21.leadsquared.com"
    with Sandbox(leads=50, seed=3, rate_limit=None, wrong_host=True, account_url=right) as box:
        with pytest.raises(WrongHostError) as caught:
            leadsq.read_leadsquared("distribution", columns=["ProspectID"], **connect(box))
        answers = box.stats()["answers"]
    error = caught.value
    assert isinstance(error, AuthenticationError)
    assert error.status == 401
    assert error.right_host == right
    assert f'host="{right}"' in str(error)
    assert answers == {"401": 1}  # a wrong host is no reason to try the query string
    assert box.access_key not in str(error) and box.secret_key not in str(error)


def test_host_auto_finds_the_right_host_where_the_wrong_one_refuses():
    with (
        Sandbox(leads=120, seed=3, rate_limit=None) as right,
        Sandbox(leads=50, seed=4, rate_limit=None, wrong_host=True, account_url=right.url) as wrong,
    ):
        leadsq.configure(discovery_host=wrong.url)
        frame = leadsq.read_leadsquared(
            "distribution", columns=["ProspectID"], **{**connect(right), "host": "auto"}
        )
    assert len(frame) == 120
