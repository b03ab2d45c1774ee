"""The concise lead-filter syntax of ``where=``, for people who think in pandas.

``where="ProspectStage in ['Prospect', 'Opportunity'] and EngagementScore >= 20"`` becomes
the contract's lead filters. The text is parsed with :mod:`ast` and only an allowlist of
node shapes is walked; nothing is ever evaluated.

=========================================================  ==================================
where                                                      lead filter(s)
=========================================================  ==================================
``F == v``                                                 ``F = v``
``F != v``                                                 ``F <> v``
``F > v``, ``<``, ``>=``, ``<=`` (either side)             the same, flipped when ``v`` is
                                                           on the left
``10 <= F < 20``                                           ``F >= 10`` and ``F < 20``
``F in [a, b]``, ``F.isin([a, b])``                        ``F in (a, b)``
``F == a or F == b`` (one field only)                      ``F in (a, b)``
``F not in [a, b]``, ``~F.isin([a, b])``                   ``F <> a`` and ``F <> b``
``F.notna()``, ``F.notnull()``                             ``F def``
``F.isna()``, ``F.isnull()``                               ``F ndef``
``F.str.contains('x')``                                    ``F lik x`` (case-insensitive)
``~F.str.contains('x')``, ``not F.str.contains('x')``      ``F nlik x``
``A and B``, ``A & B``, ``(A)``                            both
=========================================================  ==================================

``~`` and ``not`` also flip ``.isna()``/``.notna()``. ``F`` is a lead field name, plain
(``mx_City``) or in backticks (```mx_City```). Values are literals: strings, numbers
(``-5`` included), ``True``/``False``, lists, tuples and sets of those, and the instants
``Timestamp('2024-01-01')`` (or ``pd.Timestamp``, with an optional ``tz='...'``),
``datetime(2024, 1, 1[, h, m, s])`` and ``date(2024, 1, 1)``, which are sent as UTC
``yyyy-MM-dd HH:mm:ss``. Values are sent as text by :func:`leadsq.query.values.format_value`.

Everything else is a :class:`~leadsq.errors.QueryError` that quotes the fragment and says
why: ``or`` across lead fields (the API joins lead filters with AND), ``not`` on a
comparison, comparing two fields, arithmetic, other calls and attributes.
"""

from __future__ import annotations

import ast
import keyword
import re

from leadsq.contract import LeadFilter
from leadsq.errors import QueryError
from leadsq.query.where_tree import Walker

__all__ = ["field_text", "parse_where"]


def field_text(name: str) -> str | None:
    """How a field is written in ``where``: plain when an ASCII identifier, else in backticks.

    (Python folds non-ASCII identifiers to NFKC, so ``µ`` would read back as ``μ``.)

    Parameters
    ----------
    name : str
        A lead field name.

    Returns
    -------
    str or None
        ``None`` when the name cannot be written at all (it holds a backtick or a line break).
    """
    if name.isascii() and name.isidentifier() and not keyword.iskeyword(name):
        return name
    if "`" in name or "\n" in name or "\r" in name:
        return None
    return f"`{name}`"


def parse_where(text: str) -> list[LeadFilter]:
    """Parse the concise filter syntax into lead filters, joined by AND.

    Parameters
    ----------
    text : str
        For example ``"ProspectStage in ['Prospect', 'Opportunity'] and mx_City.notna()"``;
        see the module docstring for the whole syntax.

    Returns
    -------
    list of LeadFilter
        In the order written; values are text, not yet checked against the contract.

    Raises
    ------
    QueryError
        Naming ``where``: for a syntax error (with its position), or for anything the API
        cannot express, quoting the fragment and saying why.
    """
    if not isinstance(text, str):
        raise QueryError(f"where: expected a string; got {type(text).__name__}")
    if not text.strip():
        raise QueryError("where: is empty; leave it out (None) to filter nothing")
    source, origin, names = _rewrite(text)
    shown = " ".join(text.splitlines()).replace("\t", " ")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        at = error.offset if error.lineno == 1 and error.offset else len(source) + 1
        column = origin[min(at, len(source) + 1) - 1] + 1
        why = error.msg if error.offset else f"{error.msg}; the text ends too early"
        why += _hint(shown, column)
        caret = " " * (column - 1) + "^"
        raise QueryError(
            f"where: invalid syntax at position {column} ({why}):\n    {shown}\n    {caret}"
        ) from None
    return Walker(source, shown, origin, names).conditions(tree.body)


_REVERSED = {"=>": ">=", "=<": "<=", "=!": "!="}
_LIKE = re.compile(r"(\w+)?\s*\b(not\s+)?(like)\b", re.IGNORECASE)


def _hint(shown: str, column: int) -> str:
    """What to write instead, for the usual slips of SQL and ``df.query`` habits."""
    pair = shown[column - 1 : column + 1]
    if pair in _REVERSED:
        return f"; write {_REVERSED[pair]}"
    if shown[column - 1 : column] == "=" and shown[column : column + 1] != "=":
        return "; write == to compare"
    like = _LIKE.search(shown)
    if like:
        field, negated = like.group(1) or "Field", like.group(2)
        sql = f"{'NOT ' if negated else ''}LIKE"
        return f"; for {sql} write {'~' if negated else ''}{field}.str.contains('text')"
    if "@" in shown:
        return (
            "; @name (df.query's local variables) is not read here: put the value in the "
            'text, e.g. f"City == {city!r}"'
        )
    return ""


def _rewrite(text: str) -> tuple[str, list[int], dict[str, str]]:
    """Prepare ``text`` for :func:`ast.parse`, remembering where each character came from.

    Outside string literals: line breaks and tabs become spaces, ``&``/``|`` become
    ``and``/``or`` (so they bind as loosely as in ``DataFrame.query``), and each
    ```name``` becomes a placeholder identifier. ``origin[i]`` is the position in ``text``
    of ``source[i]``; one extra entry maps the end.
    """
    out: list[str] = []
    origin: list[int] = []
    names: dict[str, str] = {}

    def emit(chunk: str, at: int) -> None:
        out.append(chunk)
        origin.extend([at] * len(chunk))

    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    i = 0
    quote: str | None = None
    while i < len(flat):
        char = flat[i]
        if quote is not None:
            emit(char, i)
            if char == "\\" and i + 1 < len(flat):
                emit(flat[i + 1], i + 1)
                i += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            emit(char, i)
        elif char in "&|":
            emit(" and " if char == "&" else " or ", i)
        elif char == "`":
            end = flat.find("`", i + 1)
            if end == -1:
                raise QueryError(
                    f"where: a backtick at position {i + 1} is not closed:\n    {flat}\n"
                    f"    {' ' * i}^"
                )
            name = text[i + 1 : end]
            if not name.strip():
                raise QueryError(f"where: empty field name in backticks at position {i + 1}")
            placeholder = f"_leadsq_field_{len(names)}_"
            names[placeholder] = name
            out.append(placeholder)
            origin.extend([i] * (len(placeholder) - 1) + [end])
            i = end
        else:
            emit(char, i)
        i += 1
    origin.append(len(flat))
    source = "".join(out)
    indent = len(source) - len(source.lstrip())
    return source[indent:], origin[indent:], names
