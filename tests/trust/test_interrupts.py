"""Ctrl-C (a SIGINT, as a terminal or a Jupyter interrupt sends) stops a read in any
state (issue 18): the interrupt reaches the caller, no page thread of the read is left
sending, and the rows that had arrived are in ``leadsq.last_partial()``."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator

import pytest
from werkzeug.wrappers import Request, Response

import leadsq
from leadsq.contract import RATE_LIMIT_EXCEEDED, rate_limit_message
from leadsq.sandbox import Sandbox
from tests.conftest import connect
from tests.trust.servers import hostile, stuck

PAGE = 100


def page_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("leadsq-page")]


def interrupt_when(ready: Callable[[], bool]) -> threading.Thread:
    """Send SIGINT to the main thread once ``ready()`` (polled) holds."""
    main = threading.main_thread().ident
    assert main is not None

    def watch() -> None:
        while not ready():
            threading.Event().wait(0.02)
        threading.Event().wait(0.2)  # the read settles into its wait
        signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def interrupted_read(box: Sandbox, url: str, reports: Callable[[], int]) -> BaseException:
    interrupt_when(lambda: reports() >= 3)  # the first page, then pages in flight
    with pytest.raises(KeyboardInterrupt) as caught:
        leadsq.read_leadsquared(
            "distribution",
            columns=["ProspectAutoId"],
            page_size=PAGE,
            **{**connect(box), "host": url},
        )
    return caught.value


@pytest.fixture
def released() -> Iterator[threading.Event]:
    release = threading.Event()
    yield release
    release.set()


def test_an_interrupt_while_pages_never_answer_stops_the_read(box, released):
    seen = [0]

    def never_after_the_first(request: Request, number: int) -> Response | None:
        seen[0] = number
        return None if number == 1 else stuck(released)

    with hostile(box, never_after_the_first) as url:
        interrupted_read(box, url, lambda: seen[0])
        for thread in page_threads():
            thread.join(timeout=10)

        assert page_threads() == []
        partial = leadsq.last_partial()
        assert partial is not None
        assert partial.ProspectAutoId.tolist() == list(range(1, PAGE + 1))
        assert partial.attrs["leadsq"]["endpoint"] == "distribution"


def test_an_interrupt_during_a_retry_wait_stops_the_read(box):
    leadsq.configure(max_retries=5, max_retry_seconds=600)
    seen = [0]
    body = (
        f'{{"Status": "Error", "ExceptionType": "{RATE_LIMIT_EXCEEDED}", '
        f'"ExceptionMessage": "{rate_limit_message(25, 5)}"}}'
    )

    def limited_after_the_first(request: Request, number: int) -> Response | None:
        seen[0] = number
        if number == 1:
            return None
        return Response(
            body, status=429, content_type="application/json", headers={"Retry-After": "300"}
        )

    with hostile(box, limited_after_the_first) as url:
        interrupted_read(box, url, lambda: seen[0])
        calls = seen[0]
        for thread in page_threads():
            thread.join(timeout=10)

        assert page_threads() == []
        assert seen[0] == calls  # nothing sent after the interrupt
        assert len(leadsq.last_partial()) == PAGE


def test_a_completed_read_leaves_no_partial(box):
    leadsq.read_leadsquared(
        "distribution", columns=["ProspectAutoId"], max_results=10, **connect(box)
    )

    assert leadsq.last_partial() is None


def test_an_interrupt_while_workers_wait_for_the_rate_limit_stops_them(box):
    leadsq.configure(rate_limit=(3, 60), rate_limit_margin=0.0)
    seen = [0]

    def count(request: Request, number: int) -> None:
        seen[0] = number

    with hostile(box, count) as url:
        interrupted_read(box, url, lambda: seen[0] + 1)  # the field types' call, two pages
        for thread in page_threads():
            thread.join(timeout=10)

        assert page_threads() == []  # none left asleep in the limiter for a minute
        kept = len(leadsq.last_partial())
        assert kept >= PAGE and kept % PAGE == 0
