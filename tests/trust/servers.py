"""Loopback servers that misbehave on purpose (issue 18): not our code, so fair to fake.

Each wraps a running :class:`~leadsq.sandbox.Sandbox`'s WSGI app and answers as it does,
but broken in one way, the ways a proxy or a buggy service was seen to be:
:func:`paging_broken` changes the paging of reports (caps pages silently, answers a short
or a repeated page, ignores paging, tells an absurd total, leaves a column out, sends a
bad value); :func:`hostile` answers reports as a function says (redirects elsewhere,
trickles, gzip bombs, endless answers, HTML pages, ``Retry-After: 3600``, no answer at
all), and :func:`recording` notes what reaches it.
"""

from __future__ import annotations

import gzip
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from leadsq.sandbox import Sandbox

__all__ = [
    "PAGING_MODES",
    "Recorded",
    "endless",
    "gzip_bomb",
    "hostile",
    "paging_broken",
    "recording",
    "serving",
    "stuck",
    "trickle",
]

PAGING_MODES = (
    "silent_cap",
    "short_page",
    "repeated_page",
    "ignores_paging",
    "huge_total",
    "negative_total",
    "boolean_total",
    "column_missing",
    "bad_value",
)
"""What :func:`paging_broken` can do; each is one defect the issue lists."""

CAP = 300  # silent_cap's page size
BROKEN_PAGE = 3  # the page short_page cuts and repeated_page repeats


@contextmanager
def serving(app: Callable[..., Any], tls: tuple[str, str] | None = None) -> Iterator[str]:
    """Serve a WSGI ``app`` on a loopback port in a thread; yields its base URL.

    ``tls``: a certificate and key file, to serve https. Leaving waits (10 s at most)
    for the requests still being answered: they may use a sandbox about to close."""
    busy = threading.Condition()
    answering = [0]

    def counted(environ: dict[str, Any], start_response: Any) -> Any:
        with busy:
            answering[0] += 1
        try:
            return app(environ, start_response)  # the work is done in the call
        finally:
            with busy:
                answering[0] -= 1
                busy.notify_all()

    server = make_server("127.0.0.1", 0, counted, threaded=True, ssl_context=tls)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        with busy:
            busy.wait_for(lambda: answering[0] == 0, timeout=10)


def _paging(body: dict[str, Any]) -> dict[str, Any]:
    for name, value in body.items():
        if name.lower() == "paging" and isinstance(value, dict):
            return value
    return {}


def _rewrite_request(environ: dict[str, Any], mode: str) -> int:
    """Change the report's paging as ``mode`` asks; the page index asked, or 0."""
    request = Request(environ)
    if request.method != "POST":
        return 0
    body = json.loads(request.get_data() or b"{}")
    paging = _paging(body)
    index = int(paging.get("PageIndex", 0) or 0)
    if mode == "silent_cap":
        paging["PageSize"] = min(int(paging["PageSize"]), CAP)
    elif mode == "repeated_page" and index == BROKEN_PAGE:
        paging["PageIndex"] = index - 1
    elif mode == "ignores_paging":
        paging.update(PageIndex=1, PageSize=10_000)
    data = json.dumps(body).encode()
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    return index


def _rewrite_answer(payload: dict[str, Any], mode: str, index: int) -> None:
    rows = payload.get("Results")
    if not isinstance(rows, list):
        return
    if mode == "short_page" and index == BROKEN_PAGE:
        del rows[len(rows) // 2 :]
    elif mode == "huge_total":
        payload["TotalCount"] = str(10**14)
    elif mode == "negative_total":
        payload["TotalCount"] = "-5"
    elif mode == "boolean_total":
        payload["TotalCount"] = True
    elif mode == "column_missing" and index == BROKEN_PAGE:
        rows[-1].pop(next(iter(rows[-1])))
    elif mode == "bad_value" and index == BROKEN_PAGE:
        rows[-1]["ProspectAutoId"] = "12abc"


@contextmanager
def paging_broken(box: Sandbox, mode: str) -> Iterator[str]:
    """A server answering as ``box`` does, with its paging broken as ``mode`` says (one of
    :data:`PAGING_MODES`); yields its URL."""
    assert box.app is not None and mode in PAGING_MODES, mode

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        index = _rewrite_request(environ, mode)
        answer = Response.from_app(box.app, environ)
        if answer.mimetype == "application/json" and index:
            payload = json.loads(answer.get_data())
            if isinstance(payload, dict):
                _rewrite_answer(payload, mode, index)
                answer.set_data(json.dumps(payload))
        return answer(environ, start_response)

    with serving(app) as url:
        yield url


Answerer = Callable[[Request, int], "Response | None"]


@contextmanager
def hostile(box: Sandbox, answer: Answerer, tls: tuple[str, str] | None = None) -> Iterator[str]:
    """A server answering as ``box`` does but reports (POSTs), which ``answer(request,
    number)`` answers (``number`` counts the reports from 1); ``None`` passes one on.
    ``tls``: served over https with that certificate and key (:func:`serving`)."""
    assert box.app is not None
    lock = threading.Lock()
    reports = [0]

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.method == "POST":
            with lock:
                reports[0] += 1
                number = reports[0]
            body = request.get_data()  # read now: the sandbox may need it after
            environ["wsgi.input"] = io.BytesIO(body)
            own = answer(request, number)
            if own is not None:
                return own(environ, start_response)
        return box.app(environ, start_response)

    with serving(app, tls) as url:
        yield url


class Recorded:
    """What reached a :func:`recording` server: each request's headers and query."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], str]] = []

    @property
    def text(self) -> str:
        return repr(self.requests)


@contextmanager
def recording() -> Iterator[tuple[str, Recorded]]:
    """A server noting every request's headers and query string, answering 200 ``{}``."""
    recorded = Recorded()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        recorded.requests.append((dict(request.headers), environ.get("QUERY_STRING", "")))
        return Response("{}", content_type="application/json")(environ, start_response)

    with serving(app) as url:
        yield url, recorded


def trickle(body: bytes, every: float) -> Response:
    """A 200 JSON answer sending ``body`` a byte at a time, ``every`` seconds apart."""

    def drip() -> Iterator[bytes]:
        for byte in body:
            time.sleep(every)
            yield bytes([byte])

    return Response(drip(), content_type="application/json", direct_passthrough=True)


def gzip_bomb(megabytes: int) -> Response:
    """A 200 JSON answer of ``megabytes`` MB of spaces after ``{``, sent gzipped (about
    1 KB a MB on the wire; made a megabyte at a time)."""
    wire = io.BytesIO()
    with gzip.GzipFile(fileobj=wire, mode="wb", compresslevel=9) as packed:
        packed.write(b"{")
        spaces = b" " * (1 << 20)
        for _ in range(megabytes):
            packed.write(spaces)
        packed.write(b"}")
    return Response(
        wire.getvalue(), content_type="application/json", headers={"Content-Encoding": "gzip"}
    )


def endless() -> Response:
    """A 200 JSON answer that never ends (chunks of 64 KiB until the client goes)."""

    def forever() -> Iterator[bytes]:
        yield b'{"TotalCount": "1", "Results": ["'
        while True:
            yield b"x" * 65536

    return Response(forever(), content_type="application/json", direct_passthrough=True)


def stuck(release: threading.Event) -> Response | None:
    """No answer until ``release`` is set (then the call passes on to the sandbox)."""
    release.wait()
    return None
