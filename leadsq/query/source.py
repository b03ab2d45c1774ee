"""Values as Python source: the one owner of how leadsq writes a value as code.

``df.lsq.code`` writes its call and its steps' arguments with :func:`python_source`
(strings in double quotes where possible, as ruff formats them); the ``%%leadsquared``
magic writes notebook values into a ``where=`` text with it too, in ``repr``'s single
quotes (``quote="'"``). Instants are written as the ``where=`` syntax reads them:
``Timestamp('yyyy-MM-dd HH:mm:ss')`` (naive UTC) and ``date(y, m, d)``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from leadsq.contract import format_date

__all__ = ["python_source", "python_string"]

Quote = Literal['"', "'"]


def python_string(text: str, *, quote: Quote = '"') -> str:
    """``text`` as a Python string literal.

    Parameters
    ----------
    text : str
    quote : {'"', "'"}, default '"'
        ``'"'``: double quotes unless the text holds one (ruff's style); ``"'"``: as
        ``repr`` writes it.
    """
    quoted = repr(text)
    if quote == '"' and quoted.startswith("'") and '"' not in text:
        return f'"{quoted[1:-1]}"'
    return quoted


def python_source(value: object, *, quote: Quote = '"') -> str:
    """``value`` as Python source on one line.

    Strings by :func:`python_string`; lists, tuples and dicts item by item; a plain
    ``datetime`` (naive UTC) as ``Timestamp('yyyy-MM-dd HH:mm:ss')``, a plain ``date`` as
    ``date(y, m, d)``; anything else as ``repr`` writes it.

    Examples
    --------
    >>> python_source(["a", 1, ("b",)])
    '["a", 1, ("b",)]'
    >>> python_source(["a", date(2026, 1, 2)], quote="'")
    "['a', date(2026, 1, 2)]"
    """

    def source(item: object) -> str:
        return python_source(item, quote=quote)

    if isinstance(value, str):
        return python_string(value, quote=quote)
    if isinstance(value, list):
        return f"[{', '.join(map(source, value))}]"
    if isinstance(value, tuple):
        return f"({source(value[0])},)" if len(value) == 1 else f"({', '.join(map(source, value))})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{source(k)}: {source(v)}" for k, v in value.items()) + "}"
    if type(value) is datetime:  # a pd.Timestamp (a subclass) keeps its own repr
        return f"Timestamp({python_string(format_date(value), quote=quote)})"
    if type(value) is date:
        return f"date({value.year}, {value.month}, {value.day})"
    return repr(value)
