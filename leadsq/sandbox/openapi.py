"""An OpenAPI 3.1 description of the sandbox, generated from its routes and settings.

:func:`openapi_document` builds the description the sandbox serves at
:data:`OPENAPI_PATH` (no keys needed): one operation per :func:`~leadsq.sandbox.routing.routes`
entry, the request body of each report endpoint as JSON Schema (``ReportFilter``,
``UserFilter``, ``LeadFilters``, ``ActivityFilters``, ``DateFilter``, ``Output``,
``Paging``), the list and aggregate answers with a type per lead field, the error body, the
keys as ``apiKey`` schemes in the query string or in the ``x-LSQ-*`` headers, and the
``responseformat`` parameter.

The schemas write the canonical spelling of ``../shared/API.md`` section 2. The sandbox
is more lenient than they are, as the contract says: attribute names and enumerated values
match case-insensitively, ``Paging`` numbers may be numeric strings, and a ``List`` output
ignores the aggregate attributes. A body the schemas accept can still be refused as an
input error (``input_error_status``, 500 by default) for what JSON Schema cannot say: ``FromDate`` after ``ToDate``, a field named twice in
``IncludeCSV``, a value that does not parse for its field's type (``"abc"`` for a Number
field, ``2026-13-01 00:00:00`` for a Date field).

Field names come from the sandbox's lead schema, so the description is the sandbox's own,
not the real service's (whose fields differ per account).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from leadsq.sandbox.routing import Route
from leadsq.sandbox.schemas import ENDPOINT_TITLES, answer_schemas, ref, request_schemas

if TYPE_CHECKING:  # pragma: no cover
    from leadsq.sandbox.settings import SandboxSettings

__all__ = ["OPENAPI_PATH", "openapi_document"]

OPENAPI_PATH = "/openapi.json"
"""Where the sandbox serves its description (``GET``, no keys needed)."""

_SECURITY_SCHEMES = {
    "AccessKeyQuery": ("query", "accessKey"),
    "SecretKeyQuery": ("query", "secretKey"),
    "AccessKeyHeader": ("header", "x-LSQ-AccessKey"),
    "SecretKeyHeader": ("header", "x-LSQ-SecretKey"),
}
_METADATA_ITEMS = {
    "lead_fields": "LeadField",
    "activity_types": "ActivityType",
    "users": "User",
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref("Error")}},
    }


def _rate_limit_statuses(settings: SandboxSettings) -> set[int]:
    """The statuses an over-limit answer can come with, by the settings."""
    statuses = {
        status
        for status, share in (
            (429, settings.faults.rate_limit),
            (200, settings.faults.rate_limit_200),
            (403, settings.faults.rate_limit_403),
        )
        if share > 0
    }
    if settings.rate_limit is not None or settings.daily_cap is not None:
        statuses.add(settings.rate_limit_status)
    return statuses


def _rate_limit_content(settings: SandboxSettings) -> dict[str, Any]:
    if settings.rate_limit_body == "message":
        return {"text/plain": {"schema": {"type": "string", "pattern": "^API calls exceeded"}}}
    return {"application/json": {"schema": ref("Error")}}


def _responses(route: Route, settings: SandboxSettings) -> dict[str, Any]:
    limited = _rate_limit_statuses(settings)
    if route.kind == "report":
        answer: dict[str, Any] = ref("ReportAnswer")
        content = {
            "application/json": {"schema": answer},
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "responseformat=CSV: a header row, then one line per row.",
                }
            },
        }
    elif route.kind == "account":
        answer = ref("Account")
        content = {"application/json": {"schema": answer}}
    else:
        answer = {"type": "array", "items": ref(_METADATA_ITEMS[route.name])}
        content = {"application/json": {"schema": answer}}
    if 200 in limited and settings.rate_limit_body == "message":
        content.update(_rate_limit_content(settings))
    elif 200 in limited:  # the over-limit body with HTTP 200, seen on the real service
        content["application/json"]["schema"] = {"oneOf": [answer, ref("Error")]}
    responses: dict[str, Any] = {"200": {"description": route.summary, "content": content}}
    if route.kind == "report":
        responses["400"] = _error_response(
            "The body is not JSON or not of the documented structure; the message says where."
        )
    responses["401"] = _error_response(
        "Missing or wrong keys"
        + (
            "; or this is not the account's host (the message names it)."
            if settings.wrong_host
            else "."
        )
    )
    if route.kind == "report":
        responses["413"] = _error_response(
            f"The body is larger than {settings.max_body_bytes} bytes."
        )
    for status in sorted(limited - {200}):
        responses[str(status)] = {
            "description": "Over the rate limit (or the daily cap).",
            "content": _rate_limit_content(settings),
        }
    responses["500"] = _error_response(
        f"An input error (a bad value, an unknown field, a page over {settings.max_page_size} "
        "rows), with its MX...Exception type, when input_error_status is 500; or a server "
        "fault (injected, or a bug)."
    )
    return responses


def _operation(route: Route, settings: SandboxSettings) -> dict[str, Any]:
    operation_id = route.name
    if route.alias:
        operation_id += "_at_" + re.sub(r"\W+", "_", route.path).strip("_")
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": route.summary,
        "tags": ["reports" if route.kind == "report" else "metadata"],
        "responses": _responses(route, settings),
    }
    if route.alias:
        operation["description"] = "An extra path the sandbox also answers."
    if route.kind == "report":
        operation["parameters"] = [
            {
                "name": "responseformat",
                "in": "query",
                "required": False,
                "description": "JSON (default) or CSV; matched case-insensitively.",
                "schema": {"type": "string", "enum": ["JSON", "CSV"]},
            }
        ]
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": ref(f"{ENDPOINT_TITLES[route.name]}Report"),
                }
            },
        }
    return operation


def openapi_document(
    routes: Sequence[Route], *, fields: Mapping[str, str], settings: SandboxSettings
) -> dict[str, Any]:
    """The OpenAPI 3.1 description of a sandbox.

    Parameters
    ----------
    routes : sequence of Route
        What the sandbox answers (:func:`~leadsq.sandbox.routing.routes`).
    fields : Mapping[str, str]
        The lead schema, ``SchemaName`` to ``DataType`` (``Store.fields``).
    settings : SandboxSettings
        The sandbox's settings: the largest page and body, and the rate limit and faults,
        which decide the documented answers (429 only with a limit; the rate-limit body
        as a 200 only when the sandbox answers so).

    Returns
    -------
    dict
        The description, ready for ``json.dumps``.
    """
    schemas: dict[str, dict[str, Any]] = {}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if route.kind == "report":
            schemas.update(request_schemas(route.name, fields, settings.max_page_size))
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, settings)
    schemas.update(answer_schemas(fields, settings))
    security_schemes = {
        name: {
            "type": "apiKey",
            "in": where,
            "name": key,
            "description": "Header names are matched case-insensitively, query names too.",
        }
        for name, (where, key) in _SECURITY_SCHEMES.items()
        if where == "query" or settings.header_auth
    }
    security: list[dict[str, list[str]]] = [{"AccessKeyQuery": [], "SecretKeyQuery": []}]
    if settings.header_auth:
        security.append({"AccessKeyHeader": [], "SecretKeyHeader": []})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "leadsq sandbox: LeadSquared analytics",
            "version": "1.0",
            "description": (
                "The LeadSquared analytics contract (leadsq's API.md) as the sandbox serves "
                "it, over generated data. Keys go in the query string"
                + (" or in headers." if settings.header_auth else " (headers are refused).")
            ),
        },
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": security_schemes},
        "security": security,
        "tags": [
            {"name": "reports", "description": "Analytics reports (POST, a JSON body)."},
            {"name": "metadata", "description": "Lists of fields, activity types, users."},
        ],
    }
