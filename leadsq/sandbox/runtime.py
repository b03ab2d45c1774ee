"""A running sandbox: data, server thread and churn thread behind one object."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from leadsq.sandbox.server import SandboxApp, make_server
from leadsq.sandbox.settings import Churn, SandboxSettings
from leadsq.sandbox.store import Store

__all__ = ["Sandbox", "frozen_heap"]

logger = logging.getLogger("leadsq.sandbox")


class _ChurnThread(threading.Thread):
    """Applies :class:`Churn` rates to the store until stopped."""

    def __init__(self, store: Store, churn: Churn, tick: float = 0.1) -> None:
        super().__init__(name="leadsq-sandbox-churn", daemon=True)
        self._store = store
        self._churn = churn
        self._tick = tick
        self._stopping = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        created = modified = 0
        while not self._stopping.wait(self._tick):
            elapsed = time.monotonic() - started
            due_created = int(elapsed * self._churn.created_per_second) - created
            due_modified = int(elapsed * self._churn.modified_per_second) - modified
            if due_created <= 0 and due_modified <= 0:
                continue
            try:
                self._store.churn(max(due_created, 0), max(due_modified, 0))
            except Exception:  # pragma: no cover - keep serving if one step fails
                logger.exception("sandbox churn step failed")
            created += max(due_created, 0)
            modified += max(due_modified, 0)

    def stop(self) -> None:
        self._stopping.set()
        self.join()


class Sandbox:
    """A LeadSquared analytics server over generated data, on a local port.

    Use it as a context manager (leaving the block stops it and releases the database),
    or call :meth:`start` and :meth:`stop` (or :meth:`close`)::

        with Sandbox(leads=20_000, seed=7) as sb:
            requests.post(f"{sb.url}/Leads/LeadDistribution/FilterByLeadField", ...)

    Parameters
    ----------
    settings : SandboxSettings, optional
        All settings at once; keyword arguments override single ones.
    **options
        Any field of :class:`~leadsq.sandbox.settings.SandboxSettings`: ``seed``,
        ``leads``, ``users``, ``anchor``, ``activity_scale``, ``access_key``,
        ``secret_key``, ``host``, ``port``, ``rate_limit``, ``rate_limit_status``,
        ``max_page_size``, ``latency``, ``jitter``, ``faults``, ``churn``,
        ``max_body_bytes``, ``workers``, ``max_connections``, ``header_timeout``,
        ``body_timeout``, and the real service's uncertain ways: ``input_error_status``,
        ``rate_limit_body``, ``header_auth``, ``not_contacted_path``, ``daily_cap``,
        ``users_shape``, ``activity_type_names``, ``account_url``, ``wrong_host``,
        ``time_zone``, ``subsecond_times``.

    Attributes
    ----------
    settings : SandboxSettings
        The settings in force (the anchor resolved to a datetime).
    store : Store or None
        The database, once started: ``sb.store.table("leads")`` gives a raw table as a
        DataFrame and ``sb.store.churn(created=..., modified=...)`` changes data now.
    """

    def __init__(self, settings: SandboxSettings | None = None, **options: Any) -> None:
        if settings is None:
            self.settings = SandboxSettings(**options)
        else:
            self.settings = settings.replace(**options) if options else settings
        self.store: Store | None = None
        self.app: SandboxApp | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._churn: _ChurnThread | None = None
        self._lock = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Sandbox:
        """Generate the data (first time only) and start serving in a background thread.

        Returns
        -------
        Sandbox
            ``self``, serving.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("this sandbox is closed; make a new one")
            if self._server is not None:
                return self
            if self.store is None:
                self.store = Store(self.settings)
            self.app = SandboxApp(self.settings, self.store)
            self._server = make_server(self.app, self.settings.host, self.settings.port)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="leadsq-sandbox-server",
                daemon=True,
            )
            self._thread.start()
            if self.settings.churn:
                self._churn = _ChurnThread(self.store, self.settings.churn)
                self._churn.start()
            logger.info("sandbox serving at %s", self.url)
            return self

    def stop(self) -> None:
        """Stop serving; the data stays in :attr:`store` and :meth:`start` serves it again.
        Leaving a ``with`` block calls :meth:`close` instead."""
        with self._lock:
            if self._churn is not None:
                self._churn.stop()
                self._churn = None
            if self._server is not None:
                self._server.shutdown()
                self._server.server_close()
                self._server = None
            if self._thread is not None:
                self._thread.join()
                self._thread = None

    def close(self) -> None:
        """Stop serving and release the database (the sandbox cannot start again)."""
        self.stop()
        with self._lock:
            if self.store is not None:
                self.store.close()
                self._closed = True

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def serve_forever(self) -> None:
        """Start if needed and block until interrupted (Ctrl-C), then stop.

        For a process that only serves: what was built until now is kept out of the
        garbage collector's full passes (:func:`frozen_heap`) while it serves.
        """
        self.start()
        try:
            with frozen_heap():
                while True:
                    time.sleep(3600)
        finally:
            self.stop()

    # ------------------------------------------------------------------ facts

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The TCP port served (the chosen one when ``port=0``)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL of both the analytics and the ``/v2`` paths, e.g.
        ``http://127.0.0.1:8765``."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.settings.host, self.settings.host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def access_key(self) -> str:
        """The access key the sandbox accepts."""
        return self.settings.access_key

    @property
    def secret_key(self) -> str:
        """The secret key the sandbox accepts (never shown by ``repr``)."""
        return self.settings.secret_key

    def stats(self) -> dict[str, Any]:
        """Answers by status, requests by path, and the peak calls let through in a
        rate-limit window, so far (see :meth:`SandboxApp.stats`)."""
        if self.app is None:
            return {"answers": {}, "paths": {}, "peak_window_calls": 0}
        return self.app.stats()

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        s = self.settings
        return f"Sandbox({where}, leads={s.leads}, seed={s.seed}, anchor={s.anchor:%Y-%m-%d})"


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep every object alive now out of the garbage collector's passes, until the end.

    For a process that from now on only serves. A full pass over what a sandbox's
    startup leaves (about 120,000 objects: modules, data, the server) took 60-90 ms and
    stops every thread: calls arriving meanwhile were counted that much late against
    the rate limit, and the next window's calls came back 429.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # collectable again, so the interpreter's exit frees them
