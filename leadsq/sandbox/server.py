"""The sandbox's HTTP face: a WSGI app speaking ``../shared/API.md``, and its server.

:class:`SandboxApp` is a plain WSGI callable (werkzeug request and response objects);
:func:`make_server` serves it threaded with werkzeug's server and a request handler that
never logs a query string (the keys may be in it). One call goes through, in order:

1. routing: an unknown path is 404, a known path with another method 405;
2. authentication: keys from the query string (``accessKey``/``secretKey``, names matched
   case-insensitively) or the ``x-LSQ-AccessKey``/``x-LSQ-SecretKey`` headers, compared in
   constant time; missing or wrong keys are 401;
3. the sliding-window rate limit per access key (``limits``' moving window), answered 429
   or 200 with the rate-limit body as the settings say; a call counts when it arrives;
4. injected faults: a 500, a rate-limit answer, a dropped connection or (after the work)
   a truncated body;
5. the endpoint: metadata lists, or a report (body at most ``max_body_bytes``, else 413;
   bad JSON or a body that breaks the contract 400) answered as JSON or CSV;
6. latency (fixed plus jitter): the answer leaves that long after the call arrived, or
   when its work is done if that takes longer, as a remote service's round trip
   includes its own work; it does not move the call's arrival in the rate-limit window.

Reports are worked out one at a time (DuckDB spreads each over the cores itself): calls
answered at once would otherwise take the CPU from the threads still reading the next
calls, and those calls would reach the rate limit many milliseconds after they arrived.

A bad request is never a 500: only a bug is, and it is logged. :func:`routes` lists
every route; :mod:`~leadsq.sandbox.openapi` describes them, and the app serves that
description at ``GET /openapi.json`` before any of the steps above but the latency (no
keys needed, never limited or faulted).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import hmac
import io
import json
import logging
import math
import random
import re
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import ClientDisconnected
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.serving import make_server as _werkzeug_server
from werkzeug.wrappers import Request, Response

from leadsq.contract import (
    ENDPOINT_PATHS,
    METADATA_PATHS,
    ContractError,
    decode_body,
    error_body,
    parse_report,
    rate_limit_message,
)
from leadsq.sandbox.openapi import OPENAPI_PATH, openapi_document
from leadsq.sandbox.settings import SandboxSettings
from leadsq.sandbox.store import Answer, Store

__all__ = ["Route", "SandboxApp", "make_server", "routes"]

logger = logging.getLogger("leadsq.sandbox")

_METADATA_SUMMARIES = {
    "lead_fields": "Lead field descriptors (SchemaName, DisplayName, DataType, ...)",
    "activity_types": "Activity types (ActivityEvent, DisplayName, Category)",
    "users": "Users (UserID, FirstName, LastName, EmailAddress, Role, Team)",
}
_ENDPOINT_SUMMARIES = {
    "distribution": "Lead Distribution Analytics: leads passing every filter",
    "not_contacted": "Leads Not Contacted: leads with no matching activity",
}


@dataclass(frozen=True)
class Route:
    """One route: the ``name`` of what it serves, its ``method`` and ``path``.

    ``kind`` is ``"report"`` (a JSON body, answered as JSON or CSV) or ``"metadata"``
    (a JSON list); ``alias`` marks the extra paths the sandbox also answers.
    """

    name: str
    method: str
    path: str
    kind: str
    summary: str
    alias: bool = False


def routes() -> list[Route]:
    """Every route the sandbox answers, in a stable order."""
    result = []
    for name, paths in ENDPOINT_PATHS.items():
        for i, path in enumerate(paths):
            result.append(Route(name, "POST", path, "report", _ENDPOINT_SUMMARIES[name], i > 0))
    for name, path in METADATA_PATHS.items():
        result.append(Route(name, "GET", path, "metadata", _METADATA_SUMMARIES[name]))
    return result


JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class _Dropped(ConnectionAbortedError):
    """Raised to make werkzeug's server drop the connection silently."""


class _Stats:
    """Counts of answers, and the most calls let through in any rate-limit window."""

    def __init__(self, window: float | None) -> None:
        self._lock = threading.Lock()
        self._window = window
        self._calls: dict[str, deque[float]] = {}
        self.answers: Counter[str] = Counter()
        self.peak_window_calls = 0

    def answered(self, what: str) -> None:
        with self._lock:
            self.answers[what] += 1

    def admitted(self, key_id: str) -> None:
        if self._window is None:
            return
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(key_id, deque())
            calls.append(now)
            while calls and calls[0] <= now - self._window:
                calls.popleft()
            self.peak_window_calls = max(self.peak_window_calls, len(calls))

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "answers": dict(self.answers),
                "peak_window_calls": self.peak_window_calls,
            }


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    try:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed from the request: escape it
        body = json.dumps(payload, separators=(",", ":")).encode("ascii")
    return Response(body, status=status, headers=headers, content_type=JSON_CONTENT_TYPE)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return _json(status, error_body(status, message), headers)


def _csv(answer: Answer, name: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(answer.columns)
    writer.writerows(answer.rows)  # None is written as an empty field
    return Response(
        buffer.getvalue().encode("utf-8"),
        status=200,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


class SandboxApp:
    """The WSGI application of the sandbox.

    Parameters
    ----------
    settings : SandboxSettings
        Keys, limits, latency and faults (the data settings are the store's).
    store : Store
        The database answering reports and metadata.
    """

    def __init__(self, settings: SandboxSettings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._routes = {route.path: route for route in routes()}
        self._allowed: dict[str, list[str]] = {}
        for route in self._routes.values():
            self._allowed.setdefault(route.path, []).append(route.method)
        self._access = settings.access_key.encode("utf-8")
        self._secret = settings.secret_key.encode("utf-8")
        self._limiter: MovingWindowRateLimiter | None = None
        self._limit_item: RateLimitItemPerSecond | None = None
        window = None
        if settings.rate_limit is not None:
            calls, window = settings.rate_limit
            self._limiter = MovingWindowRateLimiter(MemoryStorage())
            self._limit_item = RateLimitItemPerSecond(calls, window, namespace="leadsq-sandbox")
        # separate generators, so the sequence of faults does not depend on the jitter
        self._faults = random.Random(f"leadsq-sandbox-faults-{settings.seed}")
        self._jitter = random.Random(f"leadsq-sandbox-jitter-{settings.seed}")
        self._random_lock = threading.Lock()
        self._work_lock = threading.Lock()  # one report at a time (see the module's doc)
        self._stats = _Stats(window)
        self._description = openapi_document(routes(), fields=store.fields, settings=settings)

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        arrived = time.monotonic()
        request = Request(environ)
        truncate = False
        try:
            response, truncate = self._respond(request)
        except _Dropped:  # werkzeug's server drops the connection silently
            raise
        except Exception:  # a bug: never a bad request
            logger.exception("sandbox error on %s %s", request.method, request.path)
            response = _error(500, "The sandbox failed on this request (a bug: see its log).")
        finally:
            self._wait_latency(arrived)
        self._stats.answered("truncated" if truncate else str(response.status_code))
        if truncate:
            return self._truncated(response, start_response)
        return response(environ, start_response)

    def stats(self) -> dict[str, Any]:
        """Answers given so far by status (plus ``dropped``/``truncated``), and
        ``peak_window_calls``: the most calls let through in any rate-limit window."""
        return self._stats.snapshot()

    # ------------------------------------------------------------------ steps

    def _respond(self, request: Request) -> tuple[Response, bool]:
        if request.path == OPENAPI_PATH:  # documentation: no keys, limits or faults
            return self._openapi(request), False
        route = self._routes.get(request.path)
        if route is None:
            return _error(404, f"The API could not be found: {request.path}"), False
        if request.method != route.method:
            allowed = ", ".join(self._allowed[route.path])
            return (
                _error(
                    405,
                    f"{request.method} is not allowed on {route.path}; use {allowed}",
                    {"Allow": allowed},
                ),
                False,
            )
        query = self._query(request)
        denied = self._authenticate(request, query)
        if denied is not None:
            return denied, False
        limited = self._rate_limit(request, query)
        if limited is not None:
            return limited, False
        fault = self._draw_fault()
        if fault == "server_error":
            return _error(500, "Injected fault: the API call failed."), False
        if fault in ("rate_limit", "rate_limit_200"):
            status = 429 if fault == "rate_limit" else 200
            return self._rate_limit_answer(status), False
        if fault == "dropped":
            self._drop(request)
        if route.kind == "metadata":
            response = _json(200, getattr(self.store, route.name)())
        else:
            response = self._report(request, query, route)
        return response, fault == "truncated"

    def _openapi(self, request: Request) -> Response:
        if request.method != "GET":
            message = f"{request.method} is not allowed on {OPENAPI_PATH}; use GET"
            return _error(405, message, {"Allow": "GET"})
        return _json(200, self._description)

    def _wait_latency(self, arrived: float) -> None:
        delay = self.settings.latency
        if self.settings.jitter:
            with self._random_lock:
                delay += self._jitter.uniform(0.0, self.settings.jitter)
        left = arrived + delay - time.monotonic()
        if left > 0:
            time.sleep(left)

    @staticmethod
    def _query(request: Request) -> dict[str, str]:
        text = request.environ.get("QUERY_STRING", "")
        query: dict[str, str] = {}
        for name, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
            query.setdefault(name.lower(), value)
        return query

    def _keys(self, request: Request, query: dict[str, str]) -> tuple[str | None, str | None]:
        access = query.get("accesskey") or request.headers.get("x-LSQ-AccessKey") or None
        secret = query.get("secretkey") or request.headers.get("x-LSQ-SecretKey") or None
        return access, secret

    def _authenticate(self, request: Request, query: dict[str, str]) -> Response | None:
        access, secret = self._keys(request, query)
        if not access or not secret:
            return _error(
                401,
                "Access key and secret key are required: pass accessKey and secretKey in the "
                "query string or the x-LSQ-AccessKey and x-LSQ-SecretKey headers.",
            )
        # compare both, in constant time, before deciding
        access_ok = hmac.compare_digest(access.encode("utf-8", "replace"), self._access)
        secret_ok = hmac.compare_digest(secret.encode("utf-8", "replace"), self._secret)
        if not (access_ok and secret_ok):
            return _error(
                401, "Invalid access key or secret key. Check your AccessKey and SecretKey."
            )
        return None

    def _rate_limit(self, request: Request, query: dict[str, str]) -> Response | None:
        if self._limiter is None or self._limit_item is None:
            return None
        access, _ = self._keys(request, query)
        key_id = hashlib.sha256((access or "").encode("utf-8", "replace")).hexdigest()
        if not self._limiter.hit(self._limit_item, key_id):
            answer = self._rate_limit_answer(self.settings.rate_limit_status)
            if self.settings.retry_after:
                reset = self._limiter.get_window_stats(self._limit_item, key_id).reset_time
                answer.headers["Retry-After"] = str(max(1, math.ceil(reset - time.time())))
            return answer
        self._stats.admitted(key_id)
        return None

    def _rate_limit_answer(self, status: int) -> Response:
        calls, window = self.settings.rate_limit or (25, 5)
        body = error_body(429, rate_limit_message(calls, window))
        return _json(status, body)

    def _draw_fault(self) -> str | None:
        faults = self.settings.faults
        if not faults:
            return None
        with self._random_lock:
            draw = self._faults.random()
        cumulative = 0.0
        for name in ("server_error", "rate_limit", "rate_limit_200", "dropped", "truncated"):
            cumulative += getattr(faults, name)
            if draw < cumulative:
                return name
        return None

    def _drop(self, request: Request) -> None:
        self._stats.answered("dropped")
        connection = request.environ.get("werkzeug.socket")
        if connection is not None:
            with contextlib.suppress(OSError):  # already gone
                connection.shutdown(socket.SHUT_RDWR)
        raise _Dropped("injected fault: connection dropped")

    @staticmethod
    def _truncated(response: Response, start_response: Any) -> Iterator[bytes]:
        body = response.get_data()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body) + 1)))
        start_response(response.status, headers)
        yield body[: len(body) // 2]

    def _report(self, request: Request, query: dict[str, str], route: Route) -> Response:
        response_format = (query.get("responseformat") or "json").strip().lower()
        if response_format not in ("json", "csv"):
            return _error(400, "responseformat must be JSON or CSV")
        body = self._body(request)
        if isinstance(body, Response):
            return body
        try:
            report = parse_report(body, route.name, max_page_size=self.settings.max_page_size)
            with self._work_lock:
                answer = self.store.run(report, as_json=response_format == "json")
        except ContractError as exc:
            return _error(400, exc.message)
        if response_format == "csv":
            return _csv(answer, route.name)
        if answer.results_json is not None:  # the database wrote the page's JSON
            body = f'{{"TotalCount":"{answer.total}","Results":{answer.results_json}}}'
            return Response(body.encode("utf-8"), content_type=JSON_CONTENT_TYPE)
        return _json(200, {"TotalCount": str(answer.total), "Results": answer.records()})

    def _body(self, request: Request) -> object:
        limit = self.settings.max_body_bytes
        too_large = f"The request body is larger than {limit} bytes."
        length = request.content_length
        if length is not None and length > limit:
            return _error(413, too_large)
        try:
            raw = request.stream.read(limit + 1)
        except ClientDisconnected:
            return _error(400, "The request body ended before its Content-Length.")
        if len(raw) > limit:
            return _error(413, too_large)
        try:
            return decode_body(raw)
        except ContractError as exc:
            return _error(400, exc.message)


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's handler, logging to ``leadsq.sandbox`` at DEBUG without query strings.

    The keys may be in the query string, so no log line quotes a request line: a request
    is logged as method, path and status, and an error of ``http.server`` (whose message
    may quote a malformed request line) by its words before the quote.
    """

    _query = re.compile(r"\?.*")
    _control = re.compile(r"[\x00-\x1f\x7f-\x9f]")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = str(getattr(self, "path", "") or "-").partition("?")[0]
        path = self._control.sub(lambda m: f"\\x{ord(m.group()):02x}", path)  # no fake lines
        method = getattr(self, "command", None) or "-"
        logger.debug('%s "%s %s" %s %s', self.address_string(), method, path, code, size)

    def log_error(self, format: str, *args: Any) -> None:
        # e.g. "code 400, message Bad request syntax ('GET /x?accessKey=... extra')"
        text = (format % args if args else format).partition(" (")[0]
        self.log("error", "%s", text)

    def log(self, type: str, message: str, *args: Any) -> None:
        text = self._query.sub("?…", message % args if args else message)
        logger.debug("%s %s", self.address_string(), text)


def make_server(app: SandboxApp, host: str, port: int) -> BaseWSGIServer:
    """A threaded werkzeug server for ``app`` (not yet serving: call ``serve_forever``)."""
    return _werkzeug_server(host, port, app, threaded=True, request_handler=_QuietHandler)
