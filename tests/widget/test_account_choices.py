"""The form's look-ups of the account: one attempt each, and what failed shown in the form."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator

import pytest

from leadsq.notebook.widget import QueryBuilder
from leadsq.sandbox import Faults, Sandbox

FIELDS_PATH = "/v2/LeadManagement.svc/LeadsMetaData.Get"


def _keys() -> dict[str, str]:
    """Keys of the test's own: the client's rate limits and day counts are per key."""
    tag = uuid.uuid4().hex[:12]
    return {"access_key": f"form-access-{tag}", "secret_key": f"form-secret-{tag}"}


@pytest.fixture
def closing_server() -> Iterator[tuple[str, list[int]]]:
    """A loopback server that accepts each connection and closes it without a word:
    its URL, and the count of connections it took."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    taken = [0]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            taken[0] += 1
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", taken
    stop.set()
    thread.join()
    listener.close()


def test_a_host_that_answers_only_errors_is_asked_once_with_the_default_retries() -> None:
    keys = _keys()
    with Sandbox(leads=200, seed=4, faults=Faults(server_error=1.0), **keys) as box:
        url, builder = box.url, QueryBuilder(host=box.url, **keys)
        asked = box.stats()["paths"]
    assert asked == {FIELDS_PATH: 1}
    assert builder.error.startswith("Could not load the account's fields: ServerError: ")
    assert url in builder.error and url in builder._error.value
    assert builder.query == {} and builder._columns.options == ()


def test_a_host_that_drops_every_connection_gets_one_and_is_named(closing_server) -> None:
    url, taken = closing_server
    builder = QueryBuilder(host=url, **_keys())
    assert taken[0] == 1
    assert builder.error.startswith("Could not load the account's fields: TransportError: ")
    assert url in builder.error
    builder.add_filter()  # still a form: it says why it cannot add a row
    assert builder._filters.children == () and url in builder.error


def test_a_stopped_host_is_named_in_the_form() -> None:
    keys = _keys()
    box = Sandbox(leads=200, seed=5, **keys).start()
    url = box.url
    box.stop()
    builder = QueryBuilder(host=url, **keys)
    assert builder.error.startswith("Could not load the account's fields: TransportError: ")
    assert url in builder.error


def test_without_owners_and_activity_types_the_form_still_makes_a_query() -> None:
    keys = _keys()
    # one call a day: the fields are answered, the users and activity types are not
    with Sandbox(leads=200, seed=6, daily_cap=1, rate_limit=None, **keys) as box:
        url, builder = box.url, QueryBuilder(host=box.url, endpoint="not_contacted", **keys)
        asked = box.stats()["paths"]
    assert asked[FIELDS_PATH] == 1 and sum(asked.values()) == 2  # activity types: not sent
    assert builder.error == "" and builder.query["endpoint"] == "not_contacted"
    assert builder._users.options == () and builder._activities.options == ()
    lines = builder.notice.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Could not load the account's users",
        "Could not load the account's activity types",
    ]
    assert all("DailyLimitError" in line and url in line for line in lines)
    assert "the picker is empty" in builder._notice.value
