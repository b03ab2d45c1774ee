"""The ``where=`` expression tree walked into lead filters, through an allowlist.

:func:`leadsq.query.where.parse_where` parses the text with :mod:`ast`; :class:`Walker`
turns the tree into the contract's lead filters, node shape by node shape, and refuses
any other shape with a :class:`~leadsq.errors.QueryError` that quotes the fragment the
user wrote and says why. Nothing is ever evaluated.
"""

from __future__ import annotations

import ast
from datetime import date, datetime

import pandas as pd

from leadsq.contract import LeadFilter
from leadsq.errors import QueryError
from leadsq.query.values import format_value

__all__ = ["Walker"]

_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Eq: "=",
    ast.NotEq: "<>",
    ast.Gt: ">",
    ast.Lt: "<",
    ast.GtE: ">=",
    ast.LtE: "<=",
}
_FLIPPED = {"=": "=", "<>": "<>", ">": "<", "<": ">", ">=": "<=", "<=": ">="}
_PRESENCE = {"notna": "def", "notnull": "def", "isna": "ndef", "isnull": "ndef"}
_NEGATED = {"def": "ndef", "ndef": "def", "lik": "nlik"}
_OR_ACROSS_FIELDS = (
    "`or` across lead fields cannot be sent: the API joins lead filters with AND; "
    "run two reads and combine them, or filter the frame afterwards"
)
_SUPPORTED_CALLS = (
    "F.notna(), F.isna(), F.str.contains('x'), F.isin([...]) and the values "
    "Timestamp('...'), datetime(...), date(...)"
)


class Walker:
    """Walks an allowlisted expression tree into lead filters."""

    def __init__(self, source: str, text: str, origin: list[int], names: dict[str, str]) -> None:
        self.shown = text
        self.origin = origin
        self.encoded = source.encode("utf-8")
        self.names = names

    # ------------------------------------------------------------------ helpers

    def fragment(self, node: ast.AST) -> str:
        """The text the user wrote for ``node``."""
        start = getattr(node, "col_offset", None)
        end = getattr(node, "end_col_offset", None)
        if start is None or end is None:  # pragma: no cover - every walked node has both
            return ast.unparse(node)
        start, end = self.character(start), self.character(end)
        return self.shown[self.origin[start] : self.origin[end - 1] + 1].strip()

    def character(self, offset: int) -> int:
        """The character index of a UTF-8 byte ``offset`` in the parsed source."""
        return len(self.encoded[:offset].decode("utf-8", errors="ignore"))

    def fail(self, node: ast.AST, why: str) -> QueryError:
        fragment = self.fragment(node)
        quoted = f'"{fragment}"' if "`" in fragment else f"`{fragment}`"
        return QueryError(f"where: {quoted}: {why}")

    def field(self, node: ast.AST) -> str | None:
        """The field a node names, or None when it is not a bare name."""
        if isinstance(node, ast.Name):
            return self.names.get(node.id, node.id)
        return None

    # ------------------------------------------------------------------ conditions

    def conditions(self, node: ast.AST) -> list[LeadFilter]:
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            return [f for value in node.values for f in self.conditions(value)]
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return [self.any_of(node, list(node.values))]
        if isinstance(node, ast.Compare):
            return self.comparison(node)
        if isinstance(node, ast.Call):
            return self.method(node, negated=False)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
            return self.negation(node)
        if isinstance(node, ast.Name):
            raise self.fail(node, "a field alone is not a condition; compare it with a value")
        if isinstance(node, (ast.Constant, ast.List, ast.Tuple, ast.Set)):
            raise self.fail(node, "a value alone is not a condition; compare a field with it")
        if isinstance(node, ast.BinOp):
            raise self.fail(
                node, "arithmetic is not supported: the API compares a field with a value as given"
            )
        raise self.fail(
            node,
            f"{type(node).__name__} is not supported here; write comparisons such as "
            "F == 'x', F >= 20, F in ['a', 'b'], joined by `and`",
        )

    def any_of(self, node: ast.AST, parts: list[ast.AST]) -> LeadFilter:
        """``F == a or F == b`` -> ``F in (a, b)``; any other ``or`` is refused."""
        flat: list[ast.AST] = []
        for part in parts:
            if isinstance(part, ast.BoolOp) and isinstance(part.op, ast.Or):
                flat.extend(part.values)
            else:
                flat.append(part)
        if len(flat) > len(parts):
            return self.any_of(node, flat)
        field: str | None = None
        values: list[str] = []
        for part in flat:
            found = self.comparison(part) if isinstance(part, ast.Compare) else None
            if not found or len(found) != 1 or found[0].operator not in ("=", "in"):
                raise self.fail(node, _OR_ACROSS_FIELDS)
            if field is not None and found[0].field != field:
                raise self.fail(node, _OR_ACROSS_FIELDS)
            field = found[0].field
            values.extend(found[0].values or (found[0].value or "",))
        assert field is not None
        return LeadFilter(field=field, operator="in", values=tuple(values))

    def comparison(self, node: ast.Compare) -> list[LeadFilter]:
        result = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            result.extend(self.pair(node, left, op, right))
            left = right
        return result

    def pair(
        self, node: ast.Compare, left: ast.AST, op: ast.cmpop, right: ast.AST
    ) -> list[LeadFilter]:
        left_field, right_field = self.field(left), self.field(right)
        if left_field is not None and right_field is not None:
            raise self.fail(
                node,
                "comparing two fields is not supported: the API compares a field with a value "
                "(quote text values: F == 'x')",
            )
        if left_field is None and right_field is None:
            self.literal(left)
            self.literal(right)
            raise self.fail(node, "a comparison needs a lead field on one side")
        if isinstance(op, (ast.In, ast.NotIn)):
            if left_field is None:
                raise self.fail(node, "write the field on the left of `in`: F in ['a', 'b']")
            return self.membership(node, left_field, right, negated=isinstance(op, ast.NotIn))
        if isinstance(op, (ast.Is, ast.IsNot)):
            raise self.fail(node, "`is` is not supported; use F.isna() or F.notna()")
        operator = _COMPARISONS[type(op)]
        if left_field is None:
            field, operator, value_node = right_field, _FLIPPED[operator], left
        else:
            field, value_node = left_field, right
        assert field is not None
        value = self.literal(value_node)
        if isinstance(value, list):
            raise self.fail(
                node, "a list of values needs `in` (F in ['a', 'b']); other operators take one"
            )
        if value is None:
            raise self.fail(node, "compare with None is not supported; use F.isna() or F.notna()")
        return [LeadFilter(field=field, operator=operator, value=self.text(value_node, value))]

    def membership(
        self, node: ast.AST, field: str, values_node: ast.AST, *, negated: bool
    ) -> list[LeadFilter]:
        values = self.literal(values_node)
        if not isinstance(values, list):
            raise self.fail(node, "`in` needs a list of values: F in ['a', 'b']")
        texts = tuple(self.text(values_node, value) for value in values)
        if negated:
            if not texts:
                raise self.fail(node, "`not in` needs at least one value")
            return [LeadFilter(field=field, operator="<>", value=text) for text in texts]
        return [LeadFilter(field=field, operator="in", values=texts)]

    def negation(self, node: ast.UnaryOp) -> list[LeadFilter]:
        operand = node.operand
        if isinstance(operand, ast.Call):
            return self.method(operand, negated=True, whole=node)
        if isinstance(operand, ast.UnaryOp) and isinstance(operand.op, (ast.Not, ast.Invert)):
            inner = operand.operand
            if isinstance(inner, ast.Call):
                return self.method(inner, negated=False)
        raise self.fail(
            node,
            "`not`/`~` applies only to .str.contains(...), .isin(...), .isna() and .notna(); "
            "for a comparison write the opposite operator (`!=` for `==`, `<` for `>=`)",
        )

    def method(
        self, call: ast.Call, *, negated: bool, whole: ast.AST | None = None
    ) -> list[LeadFilter]:
        func = call.func
        shown = whole or call
        if not isinstance(func, ast.Attribute):
            raise self.fail(shown, f"calls are not supported; only {_SUPPORTED_CALLS}")
        field = self.field(func.value)
        if field is not None and func.attr in _PRESENCE:
            self.no_arguments(call)
            operator = _PRESENCE[func.attr]
            return [LeadFilter(field=field, operator=_NEGATED[operator] if negated else operator)]
        if field is not None and func.attr == "isin":
            if len(call.args) != 1 or call.keywords:
                raise self.fail(shown, "isin takes one list: F.isin(['a', 'b'])")
            return self.membership(shown, field, call.args[0], negated=negated)
        accessor = func.value
        if (
            func.attr == "contains"
            and isinstance(accessor, ast.Attribute)
            and accessor.attr == "str"
            and self.field(accessor.value) is not None
        ):
            return [self.contains(call, self.field(accessor.value) or "", negated, shown)]
        raise self.fail(shown, f"this call is not supported; only {_SUPPORTED_CALLS}")

    def contains(self, call: ast.Call, field: str, negated: bool, shown: ast.AST) -> LeadFilter:
        if len(call.args) != 1:
            raise self.fail(shown, "str.contains takes one string: F.str.contains('x')")
        for item in call.keywords:
            value = self.literal(item.value) if item.arg in ("case", "regex") else None
            if item.arg == "case" and value is False:
                continue
            if item.arg == "regex" and value is False:
                continue
            raise self.fail(
                shown,
                f"str.contains({item.arg}=...) is not supported: the API matches a plain "
                "substring, case-insensitively (case=False and regex=False are accepted)",
            )
        value = self.literal(call.args[0])
        if not isinstance(value, str):
            raise self.fail(shown, "str.contains needs a string: F.str.contains('x')")
        return LeadFilter(field=field, operator="nlik" if negated else "lik", value=value)

    def no_arguments(self, call: ast.Call) -> None:
        if call.args or call.keywords:
            raise self.fail(call, "takes no arguments")

    # ------------------------------------------------------------------ literals

    def text(self, node: ast.AST, value: object) -> str:
        try:
            return format_value(value, argument="where")
        except QueryError as error:
            raise self.fail(node, str(error).removeprefix("where: ")) from None

    def literal(self, node: ast.AST) -> object:
        """The value of a literal node (lists for list/tuple/set); refuse anything else."""
        if isinstance(node, ast.Constant) and (
            node.value is None or isinstance(node.value, (str, int, float, bool))
        ):
            return node.value
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, (ast.USub, ast.UAdd))
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
            and not isinstance(node.operand.value, bool)
        ):
            number = node.operand.value
            return -number if isinstance(node.op, ast.USub) else number
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = [self.literal(item) for item in node.elts]
            if any(isinstance(value, list) for value in values):
                raise self.fail(node, "lists inside lists are not supported")
            return values
        if isinstance(node, ast.Call):
            return self.instant(node)
        if isinstance(node, ast.Name):
            raise self.fail(
                node, "a value must be a literal; quote text ('...') and write numbers plainly"
            )
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            raise self.fail(
                node, "arithmetic is not supported: the API compares a field with a value as given"
            )
        if isinstance(node, ast.Attribute):
            raise self.fail(
                node,
                f"attributes are not supported; only {_SUPPORTED_CALLS}",
            )
        raise self.fail(
            node,
            "a value must be a literal (a string, number, True/False, a list of those, or "
            "Timestamp('...')); expressions are not evaluated",
        )

    def instant(self, call: ast.Call) -> object:
        name = _dotted(call.func)
        if name in ("Timestamp", "pd.Timestamp", "pandas.Timestamp"):
            if len(call.args) != 1 or any(k.arg != "tz" for k in call.keywords):
                raise self.fail(call, "Timestamp takes one string and an optional tz='...'")
            text = self.literal(call.args[0])
            zone = self.literal(call.keywords[0].value) if call.keywords else None
            if not isinstance(text, str) or not isinstance(zone, (str, type(None))):
                raise self.fail(call, "Timestamp takes one string and an optional tz='...'")
            try:
                return pd.Timestamp(text, tz=zone)
            except (ValueError, TypeError) as error:
                raise self.fail(call, f"not a valid Timestamp ({error})") from None
        if name in ("datetime", "datetime.datetime", "date", "datetime.date"):
            args = [self.literal(arg) for arg in call.args]
            if call.keywords or not all(type(arg) is int for arg in args):
                raise self.fail(call, f"{name} takes whole numbers only, e.g. {name}(2024, 1, 31)")
            try:
                return date(*args) if name.endswith("date") else datetime(*args)  # type: ignore[arg-type]
            except (ValueError, TypeError) as error:
                raise self.fail(call, f"not a valid {name} ({error})") from None
        raise self.fail(call, f"calls are not supported; only {_SUPPORTED_CALLS}")


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None
