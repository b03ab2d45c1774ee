"""Which host serves an account, and its time zone: ``UserByAccessKey.Get``.

Any regional host answers ``UserByAccessKey.Get`` with the caller's user, the account's
API host (``LSQCommonServiceURLs.api``) and its ``TimeZone`` (contract section 6), so
the keys alone tell where to read. :func:`discover_host` asks; ``host="auto"`` (a read's
argument or ``leadsq.configure(host="auto")``) asks once per key pair
(:func:`account_for`) and reads there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from leadsq.client.hosts import base_url
from leadsq.client.learnt import key_digest, learnt
from leadsq.client.settings import Settings
from leadsq.errors import APIError

__all__ = ["Account", "account_for", "discover_host"]

_V2_SUFFIX = re.compile(r"/v2/?$", re.IGNORECASE)


@dataclass(frozen=True)
class Account:
    """Where an account is served, and its time zone.

    Attributes
    ----------
    api_url : str
        The account's API base URL, e.g. ``https://api-in21.leadsquared.com``.
    time_zone : str or None
        The account's time zone (an IANA name such as ``Asia/Kolkata``), if told.
    """

    api_url: str
    time_zone: str | None


def discover_host(
    *,
    access_key: str,
    secret_key: str,
    host: str | None = None,
    settings: Settings | None = None,
) -> Account:
    """Ask ``UserByAccessKey.Get`` which host serves the account of these keys.

    Parameters
    ----------
    access_key, secret_key : str
        The account's keys (never kept, logged or shown).
    host : str, optional
        Where to ask: a region code, host name or base URL; any regional host answers.
        Default ``settings.discovery_host`` (``api.leadsquared.com``).
    settings : Settings, optional
        The settings to call by; default ``leadsq.settings``.

    Returns
    -------
    Account
        The API base URL to read with (``host=account.api_url``) and the time zone.

    Raises
    ------
    AuthenticationError
        For keys the service does not know.
    APIError
        When the answer names no host.

    Examples
    --------
    >>> account = leadsq.discover_host(access_key="u$r...", secret_key="...")  # doctest: +SKIP
    >>> leadsq.read_leadsquared("distribution", host=account.api_url)  # doctest: +SKIP
    """
    from leadsq.client.client import Client, current_settings  # a client asks

    settings = settings or current_settings()
    base = base_url(host or settings.discovery_host)
    with Client(base, access_key, secret_key, settings=settings) as asking:
        answer = asking.transport().call("account")
    try:
        user = json.loads(answer.content)
    except ValueError:
        user = None
    urls = user.get("LSQCommonServiceURLs") if isinstance(user, dict) else None
    api = urls.get("api") if isinstance(urls, dict) else None
    if not isinstance(api, str) or not api.strip():
        raise APIError(
            f"account ({settings.paths['account']}) at {base}: the answer names no API host "
            "(LSQCommonServiceURLs.api); pass host= yourself"
        )
    zone = user.get("TimeZone")
    account = Account(_V2_SUFFIX.sub("", base_url(api)), zone if isinstance(zone, str) else None)
    learnt.set_account(base, key_digest(access_key, secret_key), account)
    return account


def account_for(access_key: str, secret_key: str, settings: Settings) -> Account:
    """The account of these keys: as found before in this process, else
    :func:`discover_host` at ``settings.discovery_host``."""
    base = base_url(settings.discovery_host)
    known = learnt.account(base, key_digest(access_key, secret_key))
    if known is not None:
        return known
    return discover_host(access_key=access_key, secret_key=secret_key, host=base, settings=settings)
