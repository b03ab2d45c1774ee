"""A frame read again: from the account it came from, never from another.

A frame's provenance names its account by a fingerprint (never its keys); the read goes
to a client of that account (:func:`leadsq.client.client.clients_of_account`), or to the
configured keys when they are that account's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from leadsq.client import cache as _cache
from leadsq.client.client import Client, client_for, clients_of_account
from leadsq.client.connection import Connection
from leadsq.client.reading import held_as, read_report
from leadsq.contract import ContractError, parse_report
from leadsq.errors import ConfigurationError, QueryError

__all__ = ["connection_of", "read_again"]


def read_again(
    provenance: Mapping[str, Any], *, client: Client | None = None, progress: bool = False
) -> pd.DataFrame:
    """Run the read recorded in ``df.attrs["leadsq"]`` again, from the service.

    The read goes to the account that gave the frame (its fingerprint is in the
    provenance, never its keys): ``client`` when it reads that account, else an open client
    of this process that does, else the configured keys when they are that account's. A
    frame that went through the read cache has its cached answer replaced.

    Raises
    ------
    ConfigurationError
        When no client at hand reads the frame's account (or ``client`` reads another):
        another account's keys never answer for it.
    """
    try:
        report = parse_report(provenance["body"], provenance["endpoint"])
        host = provenance["host"]
    except (KeyError, TypeError) as exc:
        raise QueryError(f"the provenance lacks {exc}; it is not from read_leadsquared") from None
    except ContractError as exc:
        raise QueryError(f"the provenance body is not valid: {exc}") from None
    reading = _client_of(provenance, host, client)
    frame = read_report(
        report,
        reading.connection,
        max_results=provenance.get("max_results"),
        progress=progress,
        response_format=provenance.get("response_format", "json"),
        cache=False,
    )
    assert isinstance(frame, pd.DataFrame)
    if provenance.get("cache"):  # the key the read was stored under, as it was asked
        frame = _cache.remember(frame, provenance["cache"]["key"], reading.settings)
    frame = held_as(frame, provenance.get("dtype_backend", "numpy_nullable"))  # not cached
    return frame


def connection_of(provenance: Mapping[str, Any], client: Client | None = None) -> Connection:
    """The connection to the account a frame was read from (see :func:`read_again`): for
    its owner names, its fields, a refresh."""
    host = provenance.get("host")
    if not isinstance(host, str):
        raise QueryError("the provenance names no host; it is not from read_leadsquared")
    return _client_of(provenance, host, client).connection


def _client_of(provenance: Mapping[str, Any], host: str, client: Client | None) -> Client:
    """The client that reads the frame's account (see :func:`read_again`)."""
    account = provenance.get("account")
    api_url = provenance.get("api_url") or host
    if client is not None:
        candidates = [client]
    else:  # connections resolve without a call (but host="auto", asked once per key pair)
        candidates = [*clients_of_account(account)] if account else []
        candidates.append(client_for())  # the configured keys, as the default client has them
        candidates.append(client_for(host=api_url, analytics_url=None if api_url == host else host))
    for candidate in candidates:
        try:
            if account is None or candidate.account == account:
                return candidate
        except ConfigurationError:  # keys not configured for it: not this account's client
            continue
    raise ConfigurationError(
        f"this frame was read from another account at {host} than "
        f"{'the client given' if client is not None else 'the keys configured here'} "
        "(its provenance names the account by a fingerprint, never its keys): pass "
        "client=leadsq.Client(host=..., access_key=..., secret_key=...) with that account's keys"
    )
