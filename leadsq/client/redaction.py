"""Keys out of every message and log line.

A connection's keys travel in headers or, with ``auth="query"``, in the query string,
where urllib3's debug lines and an exception's URL would show them. :func:`redact` masks
a connection's keys in any text (whole keys only, also percent-encoded) and any
``accessKey=``/``secretKey=`` query value; importing this module puts
:class:`RedactKeysInURLs` on urllib3's connection-pool logger, so its lines are masked
before any handler sees them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote

__all__ = ["KEY_PARAMETER", "RedactKeysInURLs", "redact"]

KEY_PARAMETER = re.compile(r"((?:access|secret)Key=)[^&\s\"']+", re.IGNORECASE)
"""A key in a query string: its name and ``=`` (kept), its value (masked)."""

MASK = "***"


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets`` masked (also percent-encoded), as whole keys
    only, never a part of another word, and any key parameter's value masked."""
    for secret in secrets:
        for form in (secret, quote(secret, safe="")):
            text = re.sub(rf"(?<![\w$%-]){re.escape(form)}(?![\w$%-])", MASK, text)
    return _mask_parameters(text)


def _mask_parameters(text: str) -> str:
    return KEY_PARAMETER.sub(rf"\1{MASK}", text)


class RedactKeysInURLs(logging.Filter):
    """Masks ``accessKey=``/``secretKey=`` query values in urllib3's debug lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = _mask_parameters(str(record.msg))
        return True


logging.getLogger("urllib3.connectionpool").addFilter(RedactKeysInURLs())
