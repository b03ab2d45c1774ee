"""The sandbox's HTTP face: a WSGI app speaking ``../shared/API.md``, and its server.

:class:`SandboxApp` is a plain WSGI callable (werkzeug request and response objects);
:func:`make_server` serves it with :class:`~leadsq.sandbox.serving.PooledServer` (a
bounded pool of workers, bounded connections, deadlines on a request's head and body)
and a request handler that never logs a query string (the keys may be in it). One call
goes through, in order:

1. routing: an unknown path is 404, a known path with another method 405 (every request
   that reaches this step is counted per path, :meth:`SandboxApp.stats`);
2-4. the gate (:mod:`~leadsq.sandbox.gate`): the keys (401 when missing or wrong), the
   rate limit per access key (a call counts when it arrives), the injected fault;
5. the endpoint: metadata lists, the caller's account (``UserByAccessKey.Get``), or a
   report (body at most ``max_body_bytes``, else 413) answered as JSON or CSV;
6. latency (fixed plus jitter): the answer leaves that long after the call arrived, or
   when its work is done if that takes longer, as a remote service's round trip
   includes its own work; it does not move the call's arrival in the rate-limit window.

A refused report is answered as the real service does (section 5 of the contract): a
body that is not JSON or not of the documented structure 400 ``MXInvalidInputException``;
any other input error (a bad value, an unknown field, a page over the cap)
``input_error_status`` (500 by default) with the error's own ``MX...Exception`` type.

Reports are worked out one at a time per lane (DuckDB spreads each over the cores
itself): calls answered at once would otherwise take the CPU from the thread still
reading the next calls, and those would be counted against the rate limit late (a call
counts when its head arrived: ``leadsq.arrived`` in the environ, stamped by the
server's accepting thread). A heavy report, of more than :data:`HEAVY_CONDITIONS`
conditions (an 890 KB body of ``nlik`` filters takes seconds), goes in a lane of its
own, so it never holds up a light one behind it.

Besides those input errors and injected faults, a 500 is a bug: it is logged and counted
(``crashed``). :func:`~leadsq.sandbox.routing.routes` lists
every route; :mod:`~leadsq.sandbox.openapi` describes them, and the app serves that
description at ``GET /openapi.json`` before any of the steps above but the latency (no
keys needed, never limited or faulted).
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wrappers import Request, Response

from leadsq.contract import (
    ContractError,
    Report,
    decode_body,
    parse_report,
)
from leadsq.sandbox.gate import Gate, Stats
from leadsq.sandbox.openapi import OPENAPI_PATH, openapi_document
from leadsq.sandbox.responses import (
    JSON_CONTENT_TYPE,
    contract_error_response,
    csv_response,
    error_response,
    json_response,
)
from leadsq.sandbox.routing import Route, routes
from leadsq.sandbox.serving import PooledHandler, PooledServer
from leadsq.sandbox.settings import SandboxSettings
from leadsq.sandbox.store import Store

__all__ = ["HEAVY_CONDITIONS", "SandboxApp", "make_server"]

HEAVY_CONDITIONS = 64
"""A report with more filter conditions than this is worked out in the heavy lane."""

logger = logging.getLogger("leadsq.sandbox")

_RATE_LIMIT_FAULTS = {"rate_limit": 429, "rate_limit_200": 200, "rate_limit_403": 403}


class _Dropped(ConnectionAbortedError):
    """Raised to make werkzeug's server drop the connection silently."""


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
        served = routes(settings.not_contacted_path)
        self._routes = {route.path: route for route in served}
        self._allowed: dict[str, list[str]] = {}
        for route in self._routes.values():
            self._allowed.setdefault(route.path, []).append(route.method)
        self._stats = Stats(settings.rate_limit[1] if settings.rate_limit else None)
        self._gate = Gate(settings, self._stats)
        # its own generator, so the sequence of faults does not depend on the jitter
        self._jitter = random.Random(f"leadsq-sandbox-jitter-{settings.seed}")
        self._jitter_lock = threading.Lock()
        self._light_lane = threading.Lock()  # one report at a time per lane (module's doc)
        self._heavy_lane = threading.Lock()
        self._description = openapi_document(served, fields=store.fields, settings=settings)

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        arrived = environ.get("leadsq.arrived") or time.monotonic()
        request = Request(environ)
        truncate = False
        try:
            response, truncate = self._respond(request, arrived)
        except _Dropped:  # werkzeug's server drops the connection silently
            raise
        except Exception:  # a bug: never a bad request
            logger.exception("sandbox error on %s %s", request.method, request.path)
            self._stats.answered("crashed")
            response = error_response(
                500, "The sandbox failed on this request (a bug: see its log)."
            )
        finally:
            self._wait_latency(arrived)
        self._stats.answered("truncated" if truncate else str(response.status_code))
        if truncate:
            return self._truncated(response, start_response)
        return response(environ, start_response)

    def stats(self) -> dict[str, Any]:
        """What the sandbox answered so far.

        Returns
        -------
        dict
            ``answers``: answers by status (plus ``dropped``/``truncated``, and
            ``crashed`` for a request that failed the sandbox: a bug); ``paths``: requests
            that reached routing, by path, whatever their answer; ``peak_window_calls``:
            the most calls let through in any rate-limit window.
        """
        return self._stats.snapshot()

    # ------------------------------------------------------------------ steps

    def _respond(self, request: Request, arrived: float) -> tuple[Response, bool]:
        if request.path == OPENAPI_PATH:  # documentation: no keys, limits or faults
            return self._openapi(request), False
        self._stats.routed(request.path)
        route = self._routes.get(request.path)
        if route is None:
            return error_response(404, f"The API could not be found: {request.path}"), False
        if request.method != route.method:
            allowed = ", ".join(self._allowed[route.path])
            message = f"{request.method} is not allowed on {route.path}; use {allowed}"
            return error_response(405, message, {"Allow": allowed}), False
        query = self._query(request)
        stopped = (
            self._gate.authenticate(request, query)
            or self._gate.misdirected(route.kind)
            or self._gate.limit(request, query, arrived)
        )
        if stopped is not None:
            return stopped, False
        fault = self._gate.draw_fault()
        if fault == "server_error":
            return error_response(500, "Injected fault: the API call failed."), False
        if fault in _RATE_LIMIT_FAULTS:
            return self._gate.rate_limit_answer(_RATE_LIMIT_FAULTS[fault]), False
        if fault == "dropped":
            self._drop(request)
        if route.kind == "metadata":
            response = json_response(200, getattr(self.store, route.name)())
        elif route.kind == "account":
            response = json_response(200, self.store.account(request.host_url.rstrip("/")))
        else:
            response = self._report(request, query, route)
        return response, fault == "truncated"

    def _openapi(self, request: Request) -> Response:
        if request.method != "GET":
            message = f"{request.method} is not allowed on {OPENAPI_PATH}; use GET"
            return error_response(405, message, {"Allow": "GET"})
        return json_response(200, self._description)

    def _wait_latency(self, arrived: float) -> None:
        delay = self.settings.latency
        if self.settings.jitter:
            with self._jitter_lock:
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
            return error_response(400, "responseformat must be JSON or CSV")
        try:
            body = self._body(request)
            if isinstance(body, Response):
                return body
            report = parse_report(body, route.name, max_page_size=self.settings.max_page_size)
            with self._lane(report):
                answer = self.store.run(report, as_json=response_format == "json")
        except ContractError as exc:
            return contract_error_response(exc, self.settings.input_error_status)
        if response_format == "csv":
            return csv_response(answer.columns, answer.rows, route.name)
        if answer.results_json is not None:  # the database wrote the page's JSON
            text = f'{{"TotalCount":"{answer.total}","Results":{answer.results_json}}}'
            return Response(text.encode("utf-8"), content_type=JSON_CONTENT_TYPE)
        return json_response(200, {"TotalCount": str(answer.total), "Results": answer.records()})

    def _lane(self, report: Report) -> threading.Lock:
        conditions = (
            len(report.lead_filters)
            + len(report.activity_filters)
            + len(report.date_filters)
            + sum(len(group.conditions) for group in report.user_groups)
        )
        return self._heavy_lane if conditions > HEAVY_CONDITIONS else self._light_lane

    def _body(self, request: Request) -> object:
        """The decoded JSON body, or the 413 of a body that is too large.

        Raises
        ------
        ContractError
            (structural) For a body that ends early or is not JSON.
        """
        limit = self.settings.max_body_bytes
        too_large = f"The request body is larger than {limit} bytes."
        length = request.content_length
        if length is not None and length > limit:
            return error_response(413, too_large)
        try:
            raw = request.stream.read(limit + 1)
        except ClientDisconnected:
            message = "The request body ended before its Content-Length."
            raise ContractError("", message, structural=True) from None
        if len(raw) > limit:
            return error_response(413, too_large)
        return decode_body(raw)


class _QuietHandler(PooledHandler):
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


def make_server(app: SandboxApp, host: str, port: int) -> PooledServer:
    """A server for ``app`` with the pool, cap and deadlines of its settings (not yet
    serving: call ``serve_forever``)."""
    s = app.settings
    return PooledServer(
        host,
        port,
        app,
        _QuietHandler,
        workers=s.workers,
        max_connections=s.max_connections,
        header_timeout=s.header_timeout,
        body_timeout=s.body_timeout,
    )
