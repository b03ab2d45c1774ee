"""A broken rule said in the user's words: the argument it came from, not the body path.

:func:`~leadsq.query.build.build_report` labels each part of the body with the argument
that made it; a :class:`~leadsq.contract.ContractError` at a path is then reported against
that argument: ``where: unknown field 'EngagmentScore' (did you mean EngagementScore?)``.
"""

from __future__ import annotations

import re

from leadsq.contract import ContractError

__all__ = ["in_user_words"]

_PATH_WORDS = {
    "LookUpName": "field",
    "LookupName": "field",
    "SqlOperator": "operator",
    "Operator": "operator",
    "LookUpValue": "value",
    "LookupValue": "value",
    "LookUpValues": "values",
    "FromDate": "start",
    "ToDate": "end",
}


def in_user_words(error: ContractError, labels: list[tuple[str, str]]) -> str:
    """A contract error as the argument it came from says it: ``where: unknown field
    'EngagmentScore' (did you mean EngagementScore?)``, not the body path."""
    argument = _argument_for(error.path, labels)
    leaf = re.sub(r"\[\d+\]$", "", error.path.rsplit(".", 1)[-1])
    problem = error.problem
    if problem.startswith("names an unknown lead field"):
        return f"{argument}: {problem.replace('names an unknown lead field', 'unknown field', 1)}"
    word = _PATH_WORDS.get(leaf)
    return f"{argument}: {word} {problem}" if word else f"{argument}: {problem}"


def _argument_for(path: str, labels: list[tuple[str, str]]) -> str:
    best = ""
    argument = "query"
    for prefix, name in labels:
        inside = path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))
        if inside and len(prefix) > len(best):
            best, argument = prefix, name
    return argument
