"""leadsq.Client: settings that stay current, one account per frame, nothing left open."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator

import pandas as pd
import pytest
import requests
from werkzeug.wrappers import Request, Response

import leadsq
from leadsq.client.transport import Transport
from leadsq.sandbox import Sandbox
from tests.client.servers import served_in_front_of
from tests.conftest import SANDBOX_ANCHOR


def keys_of(box: Sandbox) -> dict[str, str]:
    return {"host": box.url, "access_key": box.access_key, "secret_key": box.secret_key}


COLUMNS = ["ProspectAutoId", "ProspectID", "FirstName"]
OTHER_KEYS = {"access_key": "u$rother-account-access", "secret_key": "other-account-secret"}


def test_leadsq_settings_are_always_the_current_ones(fresh_settings) -> None:
    leadsq.configure(page_size=123)
    assert leadsq.settings.page_size == 123
    leadsq.configure(page_size=456)
    assert leadsq.settings.page_size == 456


def test_settings_cannot_be_assigned_only_configured(fresh_settings) -> None:
    with pytest.raises(leadsq.ConfigurationError, match=r"read-only.*leadsq\.configure"):
        leadsq.settings = dataclasses.replace(leadsq.settings, page_size=7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        leadsq.settings.page_size = 7  # type: ignore[misc]
    with pytest.raises(TypeError):
        leadsq.settings.paths["distribution"] = "/elsewhere"  # type: ignore[index]
    assert leadsq.settings.page_size is None


def test_configure_puts_saved_settings_back(fresh_settings) -> None:
    saved = leadsq.settings
    leadsq.configure(page_size=9, paths={"not_contacted": "/Leads/NotContacted"})
    assert leadsq.settings.paths["distribution"] == saved.paths["distribution"]  # merged
    assert leadsq.configure(saved) == saved
    with pytest.raises(leadsq.ConfigurationError, match="by name"):
        leadsq.configure({"page_size": 9})  # type: ignore[arg-type]


def _open_transports() -> int:
    gc.collect()
    return sum(isinstance(thing, Transport) for thing in gc.get_objects())


def test_configure_closes_what_it_replaces(sandbox: Sandbox, fresh_settings) -> None:
    before = _open_transports()
    for size in range(20):
        leadsq.configure(page_size=100 + size, **keys_of(sandbox))
        leadsq.read_leadsquared("distribution", columns=COLUMNS, max_results=5, progress=False)
    assert _open_transports() - before == 1  # the last settings' client's, not 20


def test_a_closed_client_makes_no_call(sandbox: Sandbox) -> None:
    with leadsq.Client(**keys_of(sandbox), rate_limit=(10_000, 1)) as client:
        frame = client.read("distribution", columns=COLUMNS, max_results=3, progress=False)
    assert len(frame) == 3
    calls = sum(sandbox.stats()["paths"].values())
    with pytest.raises(leadsq.ConfigurationError, match="closed"):
        client.read("distribution", columns=COLUMNS, max_results=3, progress=False)
    assert sum(sandbox.stats()["paths"].values()) == calls


def test_a_clients_settings_are_its_own(sandbox: Sandbox, fresh_settings) -> None:
    client = leadsq.Client(**keys_of(sandbox), page_size=40, rate_limit=(10_000, 1))
    assert client.settings.page_size == 40 and leadsq.settings.page_size is None
    frame = client.read("distribution", columns=COLUMNS, max_results=100, progress=False)
    assert frame.attrs["leadsq"]["body"]["Paging"]["PageSize"] == 40
    with pytest.raises(leadsq.ConfigurationError, match=r"unknown setting.*page_sise"):
        leadsq.Client(page_sise=3)
    with pytest.raises(leadsq.QueryError, match="either client= or host="):
        leadsq.read_leadsquared("distribution", client=client, host=sandbox.url)
    client.close()


def test_a_session_of_ones_own_carries_the_calls(sandbox: Sandbox) -> None:
    seen: list[str | None] = []

    def note(request: Request, _before: int) -> Response | None:
        seen.append(request.headers.get("X-Team"))
        return None

    session = requests.Session()
    session.headers["X-Team"] = "analytics"
    with (
        served_in_front_of(sandbox, note) as front,
        leadsq.Client(
            front.url,
            sandbox.access_key,
            sandbox.secret_key,
            session=session,
            rate_limit=(10_000, 1),
        ) as client,
    ):
        client.read("distribution", columns=COLUMNS, max_results=3, progress=False)
    assert seen and set(seen) == {"analytics"}


@pytest.fixture
def two_accounts() -> Iterator[tuple[Sandbox, Sandbox, str]]:
    """Two accounts behind one host, as real accounts share a regional host: calls with
    the second account's keys go to its own sandbox."""
    with (
        Sandbox(leads=200, seed=3, anchor=SANDBOX_ANCHOR, rate_limit=(10_000, 1)) as first,
        Sandbox(
            leads=300, seed=4, anchor=SANDBOX_ANCHOR, rate_limit=(10_000, 1), **OTHER_KEYS
        ) as second,
    ):
        assert second.app is not None

        def route(request: Request, _before: int) -> Response | None:
            keys = {**request.args, **request.headers}
            wanted = OTHER_KEYS["access_key"]
            if wanted in (keys.get("accessKey"), keys.get("X-Lsq-Accesskey")):
                return Response.from_app(second.app, request.environ)
            return None

        with served_in_front_of(first, route) as front:
            yield first, second, front.url


def test_a_refresh_reads_the_frames_own_account(two_accounts, fresh_settings) -> None:
    first, _, host = two_accounts
    leadsq.configure(rate_limit=(10_000, 1))
    mine = leadsq.read_leadsquared(
        "distribution", columns=COLUMNS, progress=False, **{**keys_of(first), "host": host}
    )
    theirs = leadsq.read_leadsquared(
        "distribution", columns=COLUMNS, progress=False, host=host, **OTHER_KEYS
    )
    assert len(mine) == 200 and len(theirs) == 300  # one host, two accounts
    assert mine.attrs["leadsq"]["account"] != theirs.attrs["leadsq"]["account"]
    again = mine.lsq.refresh()
    pd.testing.assert_frame_equal(again, mine)


def test_a_frame_never_refreshes_from_another_account(two_accounts, fresh_settings) -> None:
    first, second, host = two_accounts
    with leadsq.Client(host, first.access_key, first.secret_key, rate_limit=(10_000, 1)) as own:
        mine = own.read("distribution", columns=COLUMNS, progress=False)
    leadsq.configure(host=host, rate_limit=(10_000, 1), **OTHER_KEYS)  # the other account's
    calls = sum(second.stats()["paths"].values())
    with pytest.raises(leadsq.ConfigurationError, match="another account") as raised:
        mine.lsq.refresh()
    with leadsq.Client(host, **OTHER_KEYS) as other, pytest.raises(leadsq.ConfigurationError):
        mine.lsq.refresh(client=other)
    assert OTHER_KEYS["access_key"] not in str(raised.value)
    assert first.access_key not in str(raised.value)
    assert sum(second.stats()["paths"].values()) == calls  # not one call with its keys
    with leadsq.Client(host, first.access_key, first.secret_key) as client:
        pd.testing.assert_frame_equal(mine.lsq.refresh(client=client), mine)


def test_a_refresh_finds_the_account_when_analytics_has_a_host_of_its_own(
    sandbox: Sandbox, fresh_settings
) -> None:
    with served_in_front_of(sandbox, lambda request, before: None) as analytics:
        where = {"host": sandbox.url, "analytics_url": analytics.url}
        with leadsq.Client(**where, **_keys(sandbox), rate_limit=(10_000, 1)) as own:
            frame = own.read("distribution", columns=COLUMNS, max_results=50, progress=False)
        # later, as in a new session: the keys configured, the frame's own client gone
        leadsq.configure(**where, **_keys(sandbox), rate_limit=(10_000, 1))
        again = frame.lsq.refresh()
    assert frame.attrs["leadsq"]["host"] == analytics.url
    pd.testing.assert_frame_equal(again, frame)


def _keys(box: Sandbox) -> dict[str, str]:
    return {"access_key": box.access_key, "secret_key": box.secret_key}
