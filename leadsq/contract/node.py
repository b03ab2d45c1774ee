"""A JSON object read through the contract's rules: case-insensitive names, typed values.

Private to :mod:`leadsq.contract.parse`: every refusal is a :class:`ContractError` naming
the path of the offending attribute.
"""

from __future__ import annotations

import math
import re
from typing import Literal, overload

from leadsq.contract.errors import (
    INVALID_DATA_TYPE,
    MANDATORY_ATTRIBUTE_MISSING,
    ContractError,
)
from leadsq.contract.hints import did_you_mean

__all__ = ["Node", "check_unicode", "choose", "join_path", "kind", "missing"]


class Node:
    """A JSON object seen through case-insensitive keys, remembering its path."""

    def __init__(self, value: object, path: str, known: tuple[str, ...]) -> None:
        if not isinstance(value, dict):
            raise ContractError(path, f"must be a JSON object, got {kind(value)}", structural=True)
        self.path = path
        self._items: dict[str, tuple[str, object]] = {}
        canonical = {name.lower(): name for name in known}
        for key, item in value.items():
            name = canonical.get(str(key).lower())
            if name is None:
                raise ContractError(
                    join_path(path, str(key)),
                    f"is not a known attribute; expected one of {', '.join(known)}",
                    structural=True,
                )
            if name in self._items:
                raise ContractError(
                    join_path(path, name), "is given more than once", structural=True
                )
            self._items[name] = (str(key), item)

    def get(self, name: str) -> object:
        return self._items.get(name, (name, None))[1]

    def at(self, name: str) -> str:
        return join_path(self.path, name)

    @overload
    def text(self, name: str, *, required: Literal[True], blank: bool = True) -> str: ...
    @overload
    def text(self, name: str, *, required: bool = False, blank: bool = True) -> str | None: ...
    def text(self, name: str, *, required: bool = False, blank: bool = True) -> str | None:
        value = self.get(name)
        if value is None:
            if required:
                raise missing(self.at(name))
            return None
        if not isinstance(value, str):
            raise ContractError(
                self.at(name), f"must be a string, got {kind(value)}", structural=True
            )
        check_unicode(self.at(name), value)
        if not blank and not value.strip():
            raise ContractError(self.at(name), "must not be empty")
        return value

    @overload
    def choice(
        self, name: str, choices: tuple[str, ...], *, required: Literal[True] = True
    ) -> str: ...
    @overload
    def choice(self, name: str, choices: tuple[str, ...], *, required: bool) -> str | None: ...
    def choice(self, name: str, choices: tuple[str, ...], *, required: bool = True) -> str | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        return choose(self.at(name), value, choices)

    def items(self, name: str) -> list[object]:
        value = self.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ContractError(
                self.at(name), f"must be a list, got {kind(value)}", structural=True
            )
        return value

    def integer(self, name: str) -> int:
        value = self.get(name)
        if value is None:
            raise missing(self.at(name))
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ContractError(
                self.at(name), f"must be an integer, got {kind(value)}", structural=True
            )
        try:
            number = float(value)
        except (ValueError, OverflowError):  # OverflowError: an int too large for a float
            raise ContractError(
                self.at(name),
                f"must be an integer, got {value!r}",
                exception_type=INVALID_DATA_TYPE,
            ) from None
        if not math.isfinite(number) or number != int(number):
            raise ContractError(
                self.at(name),
                f"must be an integer, got {value!r}",
                exception_type=INVALID_DATA_TYPE,
            )
        return int(number)


def missing(path: str) -> ContractError:
    return ContractError(path, "is required", exception_type=MANDATORY_ATTRIBUTE_MISSING)


def join_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else "a value")


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_unicode(path: str, value: str) -> None:
    # JSON can carry a lone surrogate ("\ud800"), which is no character: no stored text
    # can hold it, and neither UTF-8 nor a database can take it
    if _SURROGATE.search(value):
        raise ContractError(
            path, f"must be valid Unicode text, without lone surrogates; got {value!r}"
        )


def choose(path: str, value: str, choices: tuple[str, ...]) -> str:
    for choice in choices:
        if value.strip().lower() == choice.lower():
            return choice
    raise ContractError(
        path,
        f"must be one of {', '.join(choices)}; got {value!r}{did_you_mean(value, choices)}",
    )
