"""``leadsq.usage()``: calls per access key, in the current window and today, from the store."""

from __future__ import annotations

import pandas as pd

from leadsq.client.client import current_settings
from leadsq.client.hosts import base_url
from leadsq.client.limits.stores import fingerprint, known_stores, store_for, utc_day
from leadsq.errors import ConfigurationError

__all__ = ["usage"]

COLUMNS = ("window_calls", "window_limit", "today_calls", "daily_budget", "cooldown_until")


def usage(
    access_key: str | None = None, *, host: str | None = None, store: str | None = None
) -> pd.DataFrame:
    """Calls counted per account (access key and host), by every process sharing the store.

    Parameters
    ----------
    access_key, host : str, optional
        Only this key's row on this host (a region code, host name or base URL, as
        ``read_leadsquared`` takes it), zeros when it made no call yet; default every
        account the store has seen. Rows are named by fingerprint, never by key.
    store : str, optional
        A ``rate_limit_store`` value; default ``leadsq.settings.rate_limit_store``.

    Returns
    -------
    DataFrame
        Indexed by ``fingerprint``: ``window_calls`` (calls in the last
        ``rate_limit`` window), ``window_limit``, ``today_calls`` (this UTC day),
        ``daily_budget`` (``<NA>`` when none is set) and ``cooldown_until`` (UTC
        timestamp until which the limit runs slower after a rate-limit answer, or
        ``NaT``).

    Examples
    --------
    >>> import leadsq
    >>> leadsq.usage()  # doctest: +SKIP
                      window_calls  window_limit  today_calls  daily_budget cooldown_until
    fingerprint
    3f9a0c2e71d4b8a5            25            25         1412          <NA>            NaT
    """
    current = current_settings()
    spec = store or current.rate_limit_store
    calls, window = current.rate_limit
    if access_key is not None:
        if host is None:
            raise ConfigurationError(
                "usage(access_key=...) needs host=: limits are kept per key and host"
            )
        stores = [store_for(spec, fingerprint(access_key, base_url(host)))]
    else:
        stores = known_stores(spec)
    rows = []
    for each in stores:
        now = each.now()
        since = now - round(window * 1000)
        day = utc_day(now / 1000)
        cooldown = each.cooldown_until()
        rows.append(
            {
                "fingerprint": each.fingerprint,
                "window_calls": each.window_calls(since),
                "window_limit": int(calls),
                "today_calls": each.calls_on(day),
                "daily_budget": current.daily_budget,
                "cooldown_until": cooldown if cooldown > now / 1000 else None,
            }
        )
    frame = pd.DataFrame(rows, columns=["fingerprint", *COLUMNS]).set_index("fingerprint")
    frame["cooldown_until"] = pd.to_datetime(frame["cooldown_until"], unit="s", utc=True)
    return frame.astype(
        {"window_calls": "int64", "window_limit": "int64", "today_calls": "int64"}
    ).astype({"daily_budget": "Int64"})
