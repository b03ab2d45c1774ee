"""The process's shared sandbox, behind ``host="sandbox"``: started on first use, stopped
when the interpreter exits."""

from __future__ import annotations

import atexit
import threading
from typing import Any

__all__ = ["shared_sandbox_connection"]

_lock = threading.Lock()
_shared: list[Any] = []


def shared_sandbox_connection() -> tuple[str, str, str]:
    """The shared sandbox's base URL and keys, starting it on first use."""
    with _lock:
        if not _shared:
            from leadsq.sandbox.runtime import Sandbox

            box = Sandbox()
            box.start()
            _shared.append(box)
            atexit.register(_stop)
        box = _shared[0]
        return box.url, box.access_key, box.secret_key


def _stop() -> None:
    """Stop the shared sandbox and close its database before the interpreter goes."""
    with _lock:
        for box in _shared:
            box.stop()
            box.store.close()
        _shared.clear()
