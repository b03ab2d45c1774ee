"""A loopback server in front of a sandbox, answering some calls its own way.

For answers the sandbox never gives (a 403 that is no rate limit, a bare 502, an error
body with 200): the test says which calls to answer and how, the sandbox answers the
rest. Every request is counted by path.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from leadsq.sandbox import Sandbox

Answerer = Callable[[Request, int], Response | None]
"""Given a request and how many requests its path had before it: an answer, or None
to let the sandbox answer."""


class Front:
    """The URL of a running front server and the requests it saw per path."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.paths: Counter[str] = Counter()


@contextmanager
def served_in_front_of(box: Sandbox, answer: Answerer) -> Iterator[Front]:
    """Run a front server before ``box``; yield it."""
    assert box.app is not None
    lock = threading.Lock()
    front: Front

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with lock:
            before = front.paths[request.path]
            front.paths[request.path] += 1
        own = answer(request, before)
        if own is None:
            own = Response.from_app(box.app, environ)
        return own(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    front = Front(f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield front
    finally:
        server.shutdown()
        thread.join()
