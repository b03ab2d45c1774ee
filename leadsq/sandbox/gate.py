"""What a call passes before its endpoint: keys, host, the rate limit, injected faults.

:class:`Gate` holds the steps 2-4 of :mod:`~leadsq.sandbox.server`: it reads the keys
(compared in constant time; from headers too unless ``header_auth`` is off), plays a wrong
regional host (``wrong_host``), counts the call against the sliding-window rate limit per
access key (a call counts when it arrived: its head was read, however long it then waited
for a worker) and against the daily cap (:mod:`~leadsq.sandbox.ratelimit`), and draws the
injected fault. Each step answers ``None`` to let the call through, or the response that
stops it. :class:`Stats` counts what the sandbox answered.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
import threading
from collections import Counter, deque
from typing import Any

from werkzeug.wrappers import Request, Response

from leadsq.contract import (
    RATE_LIMIT_EXCEEDED,
    daily_limit_message,
    rate_limit_message,
    wrong_host_message,
)
from leadsq.sandbox.ratelimit import RateLimit
from leadsq.sandbox.responses import error_response
from leadsq.sandbox.settings import SandboxSettings

__all__ = ["FAULTS", "Gate", "Stats"]

FAULTS = ("server_error", "rate_limit", "rate_limit_200", "dropped", "truncated", "rate_limit_403")
"""The injected faults, in the order their shares are laid out for a draw."""


class Stats:
    """Counts of answers and of calls per path, and the most calls let through in any
    rate-limit window."""

    def __init__(self, window: float | None) -> None:
        self._lock = threading.Lock()
        self._window = window
        self._calls: dict[str, deque[float]] = {}
        self.answers: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self.peak_window_calls = 0

    def answered(self, what: str) -> None:
        with self._lock:
            self.answers[what] += 1

    def routed(self, path: str) -> None:
        with self._lock:
            self.paths[path] += 1

    def admitted(self, key_id: str, now: float) -> None:
        if self._window is None:
            return
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
                "paths": dict(self.paths),
                "peak_window_calls": self.peak_window_calls,
            }


class Gate:
    """Keys, rate limit and faults of one sandbox (see the module's doc).

    Parameters
    ----------
    settings : SandboxSettings
        Keys, rate limit and fault shares; the seed seeds the fault draws.
    stats : Stats
        Where admitted calls are counted.
    """

    def __init__(self, settings: SandboxSettings, stats: Stats) -> None:
        self.settings = settings
        self._stats = stats
        self._access = settings.access_key.encode("utf-8")
        self._secret = settings.secret_key.encode("utf-8")
        self._limit = RateLimit(settings.rate_limit, settings.daily_cap)
        self._faults = random.Random(f"leadsq-sandbox-faults-{settings.seed}")
        self._faults_lock = threading.Lock()

    def keys(self, request: Request, query: dict[str, str]) -> tuple[str | None, str | None]:
        """The access and secret key a call brings, from the query string or (when
        ``header_auth``) the headers."""
        access = query.get("accesskey") or None
        secret = query.get("secretkey") or None
        if self.settings.header_auth:
            access = access or request.headers.get("x-LSQ-AccessKey") or None
            secret = secret or request.headers.get("x-LSQ-SecretKey") or None
        return access, secret

    def authenticate(self, request: Request, query: dict[str, str]) -> Response | None:
        """``None`` for the right keys, else the 401."""
        access, secret = self.keys(request, query)
        if not access or not secret:
            if not self.settings.header_auth:
                return error_response(
                    401,
                    "Access key and secret key are required in the query string (accessKey "
                    "and secretKey); keys in headers are not accepted here.",
                )
            return error_response(
                401,
                "Access key and secret key are required: pass accessKey and secretKey in the "
                "query string or the x-LSQ-AccessKey and x-LSQ-SecretKey headers.",
            )
        # compare both, in constant time, before deciding
        access_ok = hmac.compare_digest(access.encode("utf-8", "replace"), self._access)
        secret_ok = hmac.compare_digest(secret.encode("utf-8", "replace"), self._secret)
        if not (access_ok and secret_ok):
            return error_response(
                401, "Invalid access key or secret key. Check your AccessKey and SecretKey."
            )
        return None

    def misdirected(self, kind: str) -> Response | None:
        """The wrong-host 401 (``wrong_host``) for any call but ``UserByAccessKey.Get``
        (route ``kind`` ``"account"``), else ``None``."""
        if not self.settings.wrong_host or kind == "account":
            return None
        return error_response(401, wrong_host_message(self.settings.account_url or ""))

    def limit(self, request: Request, query: dict[str, str], arrived: float) -> Response | None:
        """``None`` for a call within the rate limit and the daily cap (counted), else the
        over-limit answer; ``arrived`` is when the call came (``time.monotonic()``)."""
        access, _ = self.keys(request, query)
        key_id = hashlib.sha256((access or "").encode("utf-8", "replace")).hexdigest()
        wait = self._limit.window_wait(key_id, arrived)
        if wait is not None:
            answer = self.rate_limit_answer(self.settings.rate_limit_status)
            if self.settings.retry_after:
                answer.headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return answer
        cap = self.settings.daily_cap
        if cap is not None and not self._limit.within_cap(key_id):
            return self.rate_limit_answer(self.settings.rate_limit_status, daily_limit_message(cap))
        self._stats.admitted(key_id, arrived)
        return None

    def rate_limit_answer(self, status: int, message: str | None = None) -> Response:
        """The over-limit answer with ``status``: the rate-limit body, or its message
        alone as text (``rate_limit_body``); ``message`` defaults to the window's."""
        if message is None:
            calls, window = self.settings.rate_limit or (25, 5)
            message = rate_limit_message(calls, window)
        if self.settings.rate_limit_body == "message":
            return Response(message, status=status, content_type="text/plain; charset=utf-8")
        return error_response(status, message, exception_type=RATE_LIMIT_EXCEEDED)

    def draw_fault(self) -> str | None:
        """The injected fault this call gets (one of :data:`FAULTS`), or ``None``."""
        faults = self.settings.faults
        if not faults:
            return None
        with self._faults_lock:
            draw = self._faults.random()
        cumulative = 0.0
        for name in FAULTS:
            cumulative += getattr(faults, name)
            if draw < cumulative:
                return name
        return None
