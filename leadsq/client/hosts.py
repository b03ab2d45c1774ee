"""Where an account lives: the regional API hosts and how a ``host`` setting names one.

``host`` takes a region code (``us11``, ``in21``, ``in22``, ``ir31``, ``ca12``, ``me61``,
``sg``), a host name (``api-us11.leadsquared.com``) or a base URL (``https://...``,
``http://127.0.0.1:8765``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from leadsq.contract import did_you_mean
from leadsq.errors import ConfigurationError

__all__ = ["DEFAULT_HOST", "REGIONS", "base_url"]

REGIONS: dict[str, str] = {
    "sg": "api.leadsquared.com",
    "us11": "api-us11.leadsquared.com",
    "in21": "api-in21.leadsquared.com",
    "in22": "api-in22.leadsquared.com",
    "ir31": "api-ir31.leadsquared.com",
    "ca12": "api-ca12.leadsquared.com",
    "me61": "api-me61.leadsquared.com",
}
DEFAULT_HOST = REGIONS["sg"]


def base_url(host: str) -> str:
    """Turn a region code, host name or base URL into a base URL without a trailing slash.

    Raises
    ------
    ConfigurationError
        If ``host`` is none of those.
    """
    text = host.strip()
    if text.lower() in REGIONS:
        return f"https://{REGIONS[text.lower()]}"
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(f"host {host!r} is not an http(s) URL")
        return text.rstrip("/")
    hint = did_you_mean(text, REGIONS) if "." not in text else ""
    if hint:  # a bare name close to a region code is a typo, not a host of the network
        raise ConfigurationError(f"host {host!r} is not a region code ({', '.join(REGIONS)}){hint}")
    if text and all(part and part.replace("-", "").isalnum() for part in text.split(".")):
        return f"https://{text}"
    raise ConfigurationError(
        f"host {host!r} is not a region code ({', '.join(REGIONS)}), a host name or a base URL"
    )
