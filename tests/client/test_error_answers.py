"""Error answers as the real service gives them (contract section 5): a rate limit in any
status is retried, an input error answered 500 is a bad request at once, a daily limit
is raised at once with the time the day renews, a bare 5xx is retried; ``Retry-After``
is honoured as seconds or as an HTTP date."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from werkzeug.wrappers import Request, Response

import leadsq
from leadsq.client.answers import retry_after_seconds
from leadsq.client.client import connection_for
from leadsq.client.learnt import forget
from leadsq.client.transport import transport_for
from leadsq.contract import (
    ENDPOINT_PATHS,
    INPUT_ERROR_TYPES,
    INTERNAL_SERVER,
    RATE_LIMIT_EXCEEDED,
    daily_limit_message,
    rate_limit_message,
)
from leadsq.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    DailyLimitError,
    RateLimitError,
)
from leadsq.sandbox import Sandbox
from tests.client.servers import served_in_front_of
from tests.conftest import connect

DISTRIBUTION = ENDPOINT_PATHS["distribution"][0]


@pytest.fixture(autouse=True)
def quick_retries(fresh_settings) -> Iterator[leadsq.Settings]:
    """Fast retries and a generous client limit; nothing learnt from other tests."""
    forget()
    yield leadsq.configure(max_retries=3, backoff=(0.01, 0.05), rate_limit=(10_000, 1))
    forget()


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(leads=300, seed=3, rate_limit=None) as box:
        yield box


def error_answer(status: int, exception_type: str | None, message: str) -> Response:
    body = {"Status": "Error", "ExceptionType": exception_type, "ExceptionMessage": message}
    if exception_type is None:
        body.pop("ExceptionType")
    return Response(json.dumps(body), status=status, mimetype="application/json")


def first_call_answered(answer: Response):
    """Answer the first distribution call with ``answer``; the sandbox answers the rest."""

    def answerer(request: Request, before: int) -> Response | None:
        return answer if request.path == DISTRIBUTION and before == 0 else None

    return answerer


def read_through(front, box: Sandbox, **arguments):
    return leadsq.read_leadsquared(
        "distribution",
        columns=["ProspectAutoId"],
        **{**connect(box), "host": front.url, **arguments},
    )


RATE_LIMIT_JSON = json.dumps(
    {
        "Status": "Error",
        "ExceptionType": RATE_LIMIT_EXCEEDED,
        "ExceptionMessage": rate_limit_message(25, 5),
    }
)


@pytest.mark.parametrize("status", [200, 403, 429])
@pytest.mark.parametrize(
    ("content", "mimetype"),
    [(RATE_LIMIT_JSON, "application/json"), (rate_limit_message(25, 5), "text/plain")],
    ids=["error body", "message alone"],
)
def test_a_rate_limit_in_any_status_and_either_form_is_retried(box, status, content, mimetype):
    answer = Response(content, status=status, mimetype=mimetype)
    with served_in_front_of(box, first_call_answered(answer)) as front:
        frame = read_through(front, box)
    assert frame.ProspectAutoId.tolist() == list(range(1, 301))
    assert front.paths[DISTRIBUTION] == 2  # the rate-limited call and its retry


def test_a_403_that_is_no_rate_limit_is_an_authentication_error_at_once(box):
    answer = error_answer(403, "MXForbiddenException", "Access denied for this user")
    with (
        served_in_front_of(box, first_call_answered(answer)) as front,
        pytest.raises(AuthenticationError, match="Access denied for this user") as caught,
    ):
        read_through(front, box)
    assert caught.value.status == 403
    assert front.paths[DISTRIBUTION] == 1


@pytest.mark.parametrize("exception_type", INPUT_ERROR_TYPES)
@pytest.mark.parametrize("status", [500, 400])
def test_an_input_error_is_a_bad_request_at_once_with_the_servers_words(
    box, exception_type, status
):
    words = "Invalid Input! Parameter Name: LookUpValue is not valid"
    with (
        served_in_front_of(
            box, first_call_answered(error_answer(status, exception_type, words))
        ) as front,
        pytest.raises(BadRequestError) as caught,
    ):
        read_through(front, box)
    assert front.paths[DISTRIBUTION] == 1  # not retried: retrying repeats a mistake
    assert caught.value.status == status
    assert caught.value.exception_type == exception_type
    assert caught.value.exception_message == words
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        lambda: error_answer(500, INTERNAL_SERVER, "MySQL server has gone away"),
        lambda: error_answer(500, None, "Something went wrong"),
        lambda: Response("<html>Bad Gateway</html>", status=502, mimetype="text/html"),
        lambda: error_answer(200, INTERNAL_SERVER, "MySQL server has gone away"),
    ],
    ids=["internal server 500", "no type 500", "bare 502", "internal server 200"],
)
def test_a_server_fault_is_retried(box, answer):
    with served_in_front_of(box, first_call_answered(answer())) as front:
        frame = read_through(front, box)
    assert len(frame) == 300
    assert front.paths[DISTRIBUTION] == 2


def test_an_error_body_with_status_200_is_an_error_not_an_empty_frame(box):
    answer = error_answer(200, "MXSomeNewException", "Report cannot be generated")
    with (
        served_in_front_of(box, first_call_answered(answer)) as front,
        pytest.raises(APIError, match="Report cannot be generated") as caught,
    ):
        read_through(front, box)
    assert caught.value.exception_type == "MXSomeNewException"
    assert front.paths[DISTRIBUTION] == 1


@pytest.mark.parametrize("status", [429, 403, 200])
def test_a_daily_limit_is_raised_at_once_saying_when_the_day_renews(box, status):
    answer = Response(daily_limit_message(10_000), status=status, mimetype="text/plain")
    with (
        served_in_front_of(box, first_call_answered(answer)) as front,
        pytest.raises(DailyLimitError) as caught,
    ):
        read_through(front, box)
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date()
    assert front.paths[DISTRIBUTION] == 1
    assert isinstance(caught.value, RateLimitError)
    assert caught.value.renews_at == datetime(
        tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=timezone.utc
    )
    assert f"{tomorrow:%Y-%m-%d} 00:00 UTC" in str(caught.value)


@pytest.mark.parametrize("status", [500, 400])
def test_the_sandboxs_input_error_is_one_call_in_either_status(status):
    # a Number field compared with text: the client sends what it is told by body=, and
    # the sandbox answers the real service's input error
    with Sandbox(leads=100, seed=3, rate_limit=None, input_error_status=status) as box:
        transport = transport_for(connection_for(box.url, box.access_key, box.secret_key))
        body = {
            "ReportFilter": {
                "LeadFilters": [{"LookUpName": "Score", "SqlOperator": ">", "LookUpValue": "abc"}]
            },
            "Output": {"Type": "List", "IncludeCSV": "ProspectID"},
            "Paging": {"PageIndex": 1, "PageSize": 10},
        }
        with pytest.raises(BadRequestError) as caught:
            transport.call("distribution", body)
        calls = box.stats()["paths"].get(DISTRIBUTION)
    assert calls == 1
    assert caught.value.status == status
    assert caught.value.exception_type in INPUT_ERROR_TYPES
    assert "Score" in caught.value.exception_message


@pytest.mark.parametrize("rate_limit_status", [429, 403, 200])
def test_a_daily_cap_met_during_a_read_keeps_the_rows_and_asks_no_page_twice(rate_limit_status):
    # a key of its own: the cap met is remembered for the key and host (port) until it
    # renews, and a later sandbox on this port must not inherit it with the demo key
    with Sandbox(
        leads=600,
        seed=3,
        rate_limit=None,
        daily_cap=4,
        rate_limit_status=rate_limit_status,
        access_key=f"u$daily-cap-{rate_limit_status}-access",
        secret_key="daily-cap-secret-key",
    ) as box:
        with pytest.raises(DailyLimitError) as caught:
            leadsq.read_leadsquared(
                "distribution", columns=["ProspectAutoId"], page_size=100, **connect(box)
            )
        calls = box.stats()["paths"]
    error = caught.value
    # the field types and three pages fit in the cap of 4; pages go out together, so the
    # first refused page may come before pages that were answered
    assert error.rows_received in (100, 200, 300)
    assert error.partial.ProspectAutoId.tolist() == list(range(1, error.rows_received + 1))
    assert error.resume_body["Paging"] == {
        "PageIndex": error.rows_received // 100 + 1,
        "PageSize": 100,
    }
    assert calls[DISTRIBUTION] <= 6  # each page of six asked once: none retried
    assert box.access_key not in str(error) and box.secret_key not in str(error)


@pytest.mark.parametrize("rate_limit_body", ["json", "message"])
@pytest.mark.parametrize("rate_limit_status", [429, 200, 403])
def test_the_sandboxs_rate_limit_in_each_form_is_waited_out(rate_limit_status, rate_limit_body):
    leadsq.configure(max_retries=8, backoff=(0.3, 1.0), workers=1)
    with Sandbox(
        leads=300,
        seed=3,
        rate_limit=(3, 1),
        rate_limit_status=rate_limit_status,
        rate_limit_body=rate_limit_body,
    ) as box:
        frame = leadsq.read_leadsquared(
            "distribution", columns=["ProspectAutoId"], page_size=50, **connect(box)
        )
        stats = box.stats()
    assert frame.ProspectAutoId.tolist() == list(range(1, 301))
    # one call at a time at a client limit of 10,000 a second: the sandbox's 3 a second
    # refused some, and each was asked again
    assert stats["paths"][DISTRIBUTION] > 6
    if rate_limit_status != 200:
        assert stats["answers"].get(str(rate_limit_status), 0) >= 1


def refused_until(until: datetime, status: int):
    """Answer every distribution call before ``until`` with ``status`` (a rate limit, or
    a bare server error) and ``Retry-After: until`` as an HTTP date."""
    retry_after = {"Retry-After": format_datetime(until, usegmt=True)}

    def answerer(request: Request, before: int) -> Response | None:
        if request.path != DISTRIBUTION or datetime.now(timezone.utc) >= until:
            return None
        if status == 429:
            return Response(RATE_LIMIT_JSON, status=429, mimetype="application/json")
        return error_answer(status, None, "Service busy")

    def with_date(request: Request, before: int) -> Response | None:
        answer = answerer(request, before)
        if answer is not None:
            answer.headers.update(retry_after)
        return answer

    return with_date


def whole_seconds_from_now(seconds: float) -> datetime:
    """A moment ``seconds`` ahead, to the second (an HTTP date has no fraction)."""
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=seconds)


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_date_is_waited_for_and_the_call_retried_once(box, status):
    # the backoff is 10-50 ms: without the date, the call would be refused again and
    # again (a 503 three times, then raised); with it, retried once, at the date
    leadsq.configure(max_retry_seconds=15)
    until = whole_seconds_from_now(3)
    with served_in_front_of(box, refused_until(until, status)) as front:
        frame = read_through(front, box)
    assert frame.ProspectAutoId.tolist() == list(range(1, 301))
    assert front.paths[DISTRIBUTION] == 2


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_date_past_the_retry_budget_is_raised_at_once_saying_when(box, status):
    leadsq.configure(max_retry_seconds=10)
    until = whole_seconds_from_now(3600)
    with (
        served_in_front_of(box, refused_until(until, status)) as front,
        pytest.raises(APIError) as caught,
    ):
        read_through(front, box)
    message = str(caught.value)
    assert front.paths[DISTRIBUTION] == 1
    assert caught.value.status == status
    assert "past the 10 s left of max_retry_seconds: not waited; try again after" in message
    assert f"{until:%Y-%m-%d %H:%M}" in message


@pytest.mark.parametrize(
    "retry_after",
    [format_datetime(datetime(2020, 1, 1, tzinfo=timezone.utc), usegmt=True), "soon"],
    ids=["a date past", "neither form"],
)
def test_a_retry_after_date_past_or_unreadable_is_retried_at_the_backoff(box, retry_after, caplog):
    leadsq.configure(max_retry_seconds=10)
    answer = Response(
        RATE_LIMIT_JSON,
        status=429,
        mimetype="application/json",
        headers={"Retry-After": retry_after},
    )
    with (
        caplog.at_level(logging.DEBUG, logger="leadsq"),
        served_in_front_of(box, first_call_answered(answer)) as front,
    ):
        frame = read_through(front, box)
    assert len(frame) == 300
    assert front.paths[DISTRIBUTION] == 2
    ignored = [r.getMessage() for r in caplog.records if "neither seconds nor" in r.getMessage()]
    said = f"distribution ({DISTRIBUTION}): Retry-After 'soon' is neither seconds nor an HTTP date"
    assert ignored == ([f"{said}: ignored"] if retry_after == "soon" else [])


NOW = datetime(2026, 10, 21, 7, 27, 57, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", 3.0),  # IMF-fixdate
        ("Wednesday, 21-Oct-26 07:28:00 GMT", 3.0),  # RFC 850, obsolete
        ("Wed Oct 21 07:28:00 2026", 3.0),  # asctime, obsolete
        ("Wed, 21 Oct 2026 07:00:00 GMT", 0.0),  # past: retry now
        ("Wed, 32 Oct 2026 07:28:00 GMT", None),
        ("in a minute", None),
        ("inf", None),
        (None, None),
    ],
)
def test_retry_after_is_read_in_both_forms_of_rfc_9110(value, seconds):
    assert retry_after_seconds(value, now=NOW) == seconds


def test_a_retry_after_of_centuries_is_raised_at_once_not_overflowing(box):
    leadsq.configure(max_retry_seconds=10)
    answer = Response(
        RATE_LIMIT_JSON, status=429, mimetype="application/json", headers={"Retry-After": "1e20"}
    )
    with (
        served_in_front_of(box, first_call_answered(answer)) as front,
        pytest.raises(RateLimitError, match="not waited; try again after") as caught,
    ):
        read_through(front, box)
    assert front.paths[DISTRIBUTION] == 1
    assert "asked to wait 100000000000000000000 s" in str(caught.value)
