"""``did you mean`` hints: the closest valid names to a misspelt one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean X?)`` naming the choices closest to ``word``, or ``""`` if none is close.

    Case is ignored; a choice that differs only in case comes first, then one with the
    same characters in another order (``=>`` for ``>=``), then difflib's close matches.
    """
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.lower(), choice)
    folded = word.strip().lower()
    if folded in by_folded:
        return f" (did you mean {by_folded[folded]}?)"
    close = [c for c in by_folded if sorted(c) == sorted(folded)][:1]
    close = close or difflib.get_close_matches(folded, list(by_folded), n=3, cutoff=0.8)
    if not close:
        return ""
    return f" (did you mean {' or '.join(by_folded[c] for c in close)}?)"
