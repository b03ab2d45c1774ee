"""Each failure raises its class, carrying the server's ExceptionType and message."""

from __future__ import annotations

import contextlib
import socket
import threading
import traceback
from collections.abc import Iterator

import pytest

import leadsq
from leadsq import (
    AuthenticationError,
    NotFoundError,
    QueryError,
    RateLimitError,
    ServerError,
    TransportError,
)
from leadsq.sandbox import Faults, Sandbox
from tests.conftest import connect


@pytest.fixture
def quick_retries(fresh_settings) -> leadsq.Settings:
    """Two fast retries, and rate-limit answers retried for half a second, so that
    failing for good takes well under a second."""
    return leadsq.configure(
        max_retries=2, max_retry_seconds=0.5, backoff=(0.01, 0.02), rate_limit=(10_000, 1)
    )


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_an_unknown_field_is_refused_naming_the_argument_and_its_close_match(read, sandbox):
    cases = [
        ({"where": "EngagmentScore >= 20"}, "where: unknown field 'EngagmentScore' "),
        ({"filters": [("NoSuchField", "=", 1)]}, "filters[0]: unknown field 'NoSuchField'"),
        ({"group_by": "Owner"}, "group_by: unknown field 'Owner' (did you mean OwnerId?)"),
        ({"columns": ["ProspectID", "Sorce"]}, "columns: unknown field 'Sorce' (did you mean "),
        (
            {"group_by": "Source", "aggregate": "sum", "aggregate_field": "EngagmentScore"},
            "aggregate_field: unknown field 'EngagmentScore' (did you mean EngagementScore",
        ),
    ]
    for arguments, message in cases:
        with pytest.raises(QueryError) as caught:
            read("distribution", **arguments)
        assert str(caught.value).startswith(message)
        assert "EngagementScore" in str(caught.value) or "Engagment" not in message


def test_an_aggregate_name_gets_its_close_match(read):
    with pytest.raises(QueryError) as caught:
        read("distribution", group_by="Source", aggregate="averge", aggregate_field="Score")
    assert str(caught.value) == (
        "aggregate: must be one of count, average (or mean), sum; got 'averge' "
        "(did you mean average?)"
    )


def test_a_value_that_does_not_parse_for_its_field_is_refused_before_the_report(read):
    with pytest.raises(QueryError, match="must be a number for Number field Score"):
        read("distribution", "Score > 'abc'", columns=["ProspectID"])


def test_a_wrong_secret_key_is_an_authentication_error(sandbox):
    with pytest.raises(AuthenticationError) as caught:
        leadsq.read_leadsquared(
            "distribution",
            host=sandbox.url,
            access_key=sandbox.access_key,
            secret_key="wrong-secret",
            progress=False,
        )
    assert caught.value.status == 401
    assert caught.value.exception_type == "MXUnAuthorizedAccessException"


def test_a_wrong_path_is_not_found(read, fresh_settings):
    leadsq.configure(paths={**fresh_settings.paths, "distribution": "/Leads/NoSuchReport"})
    with pytest.raises(NotFoundError) as caught:
        read("distribution", columns=["ProspectID"])
    assert caught.value.status == 404
    assert "/Leads/NoSuchReport" in str(caught.value)


@pytest.fixture(scope="module")
def strict_sandbox() -> Iterator[Sandbox]:
    with Sandbox(leads=200, seed=3, rate_limit=(2, 60)) as box:
        yield box


@pytest.fixture(scope="module")
def strict_sandbox_answering_200() -> Iterator[Sandbox]:
    with Sandbox(leads=200, seed=3, rate_limit=(2, 60), rate_limit_status=200) as box:
        yield box


@pytest.mark.parametrize("box", ["strict_sandbox", "strict_sandbox_answering_200"])
def test_the_rate_limit_answer_is_a_rate_limit_error_after_the_retries(request, box, quick_retries):
    box = request.getfixturevalue(box)
    with pytest.raises(RateLimitError) as caught:
        for _ in range(4):
            leadsq.read_leadsquared("distribution", columns=["ProspectID"], **connect(box))
    assert caught.value.exception_type == "MXAPIRateLimitExceededException"
    assert caught.value.exception_message == "API calls exceeded the limit of 2 in 60 second(s)"


def test_a_server_failing_for_good_is_a_server_error_after_bounded_retries(quick_retries):
    with Sandbox(leads=200, seed=3, faults=Faults(server_error=1.0)) as box:
        with pytest.raises(ServerError) as caught:
            leadsq.read_leadsquared("distribution", columns=["ProspectID"], **connect(box))
        answers = box.stats()["answers"]
    assert caught.value.status == 500
    assert caught.value.exception_type == "MXInternalServerException"
    assert answers == {"500": 3}  # the first attempt and two retries


def test_a_closed_port_is_a_transport_error_naming_the_host_and_what_to_check(quick_retries):
    url = closed_port_url()
    with pytest.raises(TransportError) as caught:
        leadsq.read_leadsquared(
            "distribution", host=url, access_key="access-key", secret_key="secret-key"
        )
    assert str(caught.value) == (
        "distribution: reading the account's lead fields: lead_fields "
        f"({leadsq.settings.paths['lead_fields']}): {url} could not be reached (connection "
        "refused, or no such host); it has not answered in this process. Check the host "
        "(host=, LSQ_HOST, or a region code such as us11), the network and any proxy or "
        "firewall between"
    )


@contextlib.contextmanager
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """A port that accepts connections and never answers; the connections it accepted."""
    accepted: list[socket.socket] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    finally:
        done.set()
        thread.join()
        for connection in [*accepted, listener]:
            connection.close()


def test_a_host_that_never_answered_gets_one_retry_however_many_are_set(fresh_settings):
    leadsq.configure(max_retries=6, backoff=(0.01, 0.02), timeout=(1.0, 1.0))
    with silent_server() as (url, accepted), pytest.raises(TransportError) as caught:
        leadsq.read_leadsquared(
            "distribution", host=url, access_key="access-key", secret_key="secret-key"
        )
    assert len(accepted) == 2  # the call and one retry, not seven
    assert f"{url} accepted the connection but sent nothing within 1 s" in str(caught.value)


def test_a_host_that_has_answered_gets_every_retry(fresh_settings):
    leadsq.configure(max_retries=3, backoff=(0.01, 0.02), rate_limit=(10_000, 1))
    with Sandbox(leads=50, seed=3, rate_limit=None, faults=Faults(server_error=1.0)) as faulty:
        with pytest.raises(ServerError):  # a new host, but one that answers (with 500s)
            leadsq.read_leadsquared("distribution", **connect(faulty))
        assert faulty.stats()["answers"] == {"500": 1 + 3}


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"where": "Score =! 3"}, "where"),
        (
            {"filters": [("Score", "like", "3")]},
            r"filters\[0\]: operator .* \(did you mean lik\?\)",
        ),
        ({"filters": [("Source", "in", "Referral")]}, r"filters\[0\]"),
        ({"group_by": "OwnerId", "aggregate": "average"}, "aggregate_field"),
        ({"created": ("2024-03-01", "2024-01-01")}, "created"),
        ({"activities": [21]}, "activities"),
        ({"max_results": 0}, "max_results"),
        ({"chunksize": -5}, "chunksize"),
        ({"response_format": "xml"}, "response_format"),
        ({"page_size": 0}, "page_size"),
    ],
)
def test_bad_arguments_fail_before_any_request(arguments, named, quick_retries):
    # the host refuses connections: any request would be a TransportError instead
    with pytest.raises(QueryError, match=named) as caught:
        leadsq.read_leadsquared(
            "distribution",
            host=closed_port_url(),
            access_key="access-key",
            secret_key="secret-key",
            **arguments,
        )
    assert isinstance(caught.value, ValueError)


def test_a_failed_read_keeps_the_rows_that_had_arrived(quick_retries):
    with (
        Sandbox(leads=500, seed=3, rate_limit=(5, 60)) as box,
        pytest.raises(RateLimitError) as caught,
    ):
        leadsq.read_leadsquared(
            "distribution", columns=["ProspectAutoId"], page_size=100, **connect(box)
        )
    error = caught.value
    # one metadata call and four pages fit in the limit; pages arrive concurrently, so the
    # first page that failed for good may come before pages that had arrived after it
    assert error.rows_received in (100, 200, 300, 400)
    assert error.partial.ProspectAutoId.tolist() == list(range(1, error.rows_received + 1))
    assert f"{error.rows_received} rows had arrived" in str(error)


def test_retry_after_is_honoured_so_one_429_is_enough(quick_retries):
    # the client's own limit is generous and its backoff tiny: without Retry-After it would
    # spend its two retries inside the server's window and fail; the budget must cover the
    # wait asked (a longer one is not waited: test_a_retry_after_past_the_retry_budget_...)
    leadsq.configure(max_retry_seconds=5)
    with Sandbox(leads=300, seed=3, rate_limit=(2, 2), retry_after=True) as box:
        frame = leadsq.read_leadsquared(
            "distribution", columns=["ProspectAutoId"], page_size=100, **connect(box)
        )
        answers = box.stats()["answers"]
    assert frame.ProspectAutoId.tolist() == list(range(1, 301))
    assert answers.get("429", 0) >= 1
    assert answers.get("429", 0) <= 2


def test_a_failed_read_names_the_read_and_ends_at_the_user_s_call(sandbox):
    with pytest.raises(AuthenticationError) as caught:
        leadsq.read_leadsquared(
            "distribution",
            host=sandbox.url,
            access_key="wrong-access-key",
            secret_key="wrong-secret-key",
            progress=False,
        )
    assert str(caught.value).startswith("distribution: reading the account's lead fields: ")
    error = caught.value
    assert error.__cause__ is None and error.__suppress_context__
    frames = [frame.name for frame in traceback.extract_tb(error.__traceback__)]
    assert frames[-1] == "read_leadsquared"  # nothing of leadsq's insides below the call
