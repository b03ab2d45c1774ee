"""What the sandbox answers: one :class:`Route` per path, listed by :func:`routes`.

The server (:mod:`~leadsq.sandbox.server`) routes calls by this list and the OpenAPI
description (:mod:`~leadsq.sandbox.openapi`) documents it; both import it, neither the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadsq.contract import ENDPOINT_PATHS, METADATA_PATHS

__all__ = ["Route", "routes"]

_METADATA_SUMMARIES = {
    "lead_fields": "Lead field descriptors (SchemaName, DisplayName, DataType, ...)",
    "activity_types": "Activity types (ActivityEvent, DisplayName or ActivityEventName, ...)",
    "users": "Users (ID, FirstName, LastName, EmailAddress, Role, StatusCode, ...)",
    "account": "The caller's user, its account's API host and time zone",
}
_ENDPOINT_SUMMARIES = {
    "distribution": "Lead Distribution Analytics: leads passing every filter",
    "not_contacted": "Leads Not Contacted: leads with no matching activity",
}


@dataclass(frozen=True)
class Route:
    """One route: the ``name`` of what it serves, its ``method`` and ``path``.

    ``kind`` is ``"report"`` (a JSON body, answered as JSON or CSV), ``"metadata"`` (a
    JSON list) or ``"account"`` (a JSON object); ``alias`` marks the extra paths the
    sandbox also answers.
    """

    name: str
    method: str
    path: str
    kind: str
    summary: str
    alias: bool = False


def routes(not_contacted_path: str | None = None) -> list[Route]:
    """Every route the sandbox answers, in a stable order.

    Parameters
    ----------
    not_contacted_path : str, optional
        The only Not Contacted path answered (``SandboxSettings.not_contacted_path``);
        by default all of ``ENDPOINT_PATHS["not_contacted"]``.
    """
    result = []
    for name, paths in ENDPOINT_PATHS.items():
        if name == "not_contacted" and not_contacted_path is not None:
            paths = (not_contacted_path,)
        for i, path in enumerate(paths):
            result.append(Route(name, "POST", path, "report", _ENDPOINT_SUMMARIES[name], i > 0))
    for name, path in METADATA_PATHS.items():
        kind = "account" if name == "account" else "metadata"
        result.append(Route(name, "GET", path, kind, _METADATA_SUMMARIES[name]))
    return result
