"""What the client has learnt about each host from its answers, for the whole process.

The real service leaves some points open (contract sections 1, 2 and 5): which path
answers Leads Not Contacted, whether keys in headers are accepted, how large a page may
be, which host serves an account. The transport finds each out on first use and
records it here, so later calls go straight to what worked:

- ``not_contacted_path(base)``: the Not Contacted path that answered at a base URL;
- ``auth(base)``: ``"headers"`` or ``"query"``, the key form that worked there;
- ``page_cap(base, endpoint)``: the largest page the endpoint accepts there;
- ``account(host, keys)``: the :class:`~leadsq.client.account.Account` that ``host="auto"``
  found for a key pair (held under a hash of the keys, never the keys).

One :data:`learnt` per process, safe to use from several threads. :func:`forget`
clears it (after an account moves host, or between tests).
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leadsq.client.account import Account

__all__ = ["Learnt", "forget", "key_digest", "learnt"]


def key_digest(access_key: str, secret_key: str) -> str:
    """A hash that names a key pair without holding it."""
    return hashlib.sha256(f"{access_key}\0{secret_key}".encode()).hexdigest()


class Learnt:
    """Facts learnt per host; every method is thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._facts: dict[tuple[str, ...], Any] = {}

    def _get(self, *key: str) -> Any:
        with self._lock:
            return self._facts.get(key)

    def _set(self, value: Any, *key: str) -> None:
        with self._lock:
            self._facts[key] = value

    def not_contacted_path(self, base: str) -> str | None:
        """The Not Contacted path that answered at ``base``, if one has."""
        return self._get("not_contacted", base)

    def set_not_contacted_path(self, base: str, path: str) -> None:
        """Record that ``path`` answers Not Contacted at ``base``."""
        self._set(path, "not_contacted", base)

    def auth(self, base: str) -> str | None:
        """``"headers"`` or ``"query"``: the key form that worked at ``base``, if known."""
        return self._get("auth", base)

    def set_auth(self, base: str, form: str) -> None:
        """Record that keys in ``form`` (``"headers"`` or ``"query"``) work at ``base``."""
        self._set(form, "auth", base)

    def answered(self, base: str) -> bool:
        """Whether ``base`` has answered a call in this process (any status)."""
        return bool(self._get("answered", base))

    def set_answered(self, base: str) -> None:
        """Record that ``base`` answered: it is reachable, so full timeouts and retries."""
        self._set(True, "answered", base)

    def page_cap(self, base: str, endpoint: str) -> int | None:
        """The largest page ``endpoint`` accepts at ``base``, if a refusal told it."""
        return self._get("page_cap", base, endpoint)

    def set_page_cap(self, base: str, endpoint: str, cap: int) -> None:
        """Record the page cap a refusal named for ``endpoint`` at ``base``."""
        self._set(cap, "page_cap", base, endpoint)

    def account(self, host: str, digest: str) -> Account | None:
        """The account found at ``host`` for the key pair of ``digest``, if looked up."""
        return self._get("account", host, digest)

    def set_account(self, host: str, digest: str, account: Account) -> None:
        """Record the account found at ``host`` for the key pair of ``digest``."""
        self._set(account, "account", host, digest)

    def forget(self) -> None:
        """Forget everything learnt."""
        with self._lock:
            self._facts.clear()


learnt = Learnt()


def forget() -> None:
    """Forget what this process has learnt about every host (:data:`learnt`)."""
    learnt.forget()
