"""An OpenAPI 3.1 description of the sandbox, generated from its routes and settings.

:func:`openapi_document` builds the description the sandbox serves at
:data:`OPENAPI_PATH` (no keys needed): one operation per :func:`~leadsq.sandbox.server.routes`
entry, the request body of each report endpoint as JSON Schema (``ReportFilter``,
``UserFilter``, ``LeadFilters``, ``ActivityFilters``, ``DateFilter``, ``Output``,
``Paging``), the list and aggregate answers with a type per lead field, the error body, the
keys as ``apiKey`` schemes in the query string or in the ``x-LSQ-*`` headers, and the
``responseformat`` parameter.

The schemas write the canonical spelling of ``../shared/API.md`` section 2. The sandbox
is more lenient than they are, as the contract says: attribute names and enumerated values
match case-insensitively, ``Paging`` numbers may be numeric strings, and a ``List`` output
ignores the aggregate attributes. A body the schemas accept can still be refused with a
400 for what JSON Schema cannot say: ``FromDate`` after ``ToDate``, a field named twice in
``IncludeCSV``, a value that does not parse for its field's type (``"abc"`` for a Number
field, ``2026-13-01 00:00:00`` for a Date field).

Field names come from the sandbox's lead schema, so the description is the sandbox's own,
not the real service's (whose fields differ per account).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from leadsq.contract import (
    ACTIVITY_OPERATORS,
    AGGREGATE_FUNCTIONS,
    DATE_FIELD_COLUMNS,
    DATE_FIELDS,
    EXCEPTION_TYPES,
    FIELD_TYPES,
    LEAD_OPERATORS,
    LINKS,
    USER_FIELDS,
    USER_OPERATORS,
    VALUELESS_OPERATORS,
)

if TYPE_CHECKING:  # pragma: no cover
    from leadsq.sandbox.server import Route
    from leadsq.sandbox.settings import SandboxSettings

__all__ = ["OPENAPI_PATH", "openapi_document"]

OPENAPI_PATH = "/openapi.json"
"""Where the sandbox serves its description (``GET``, no keys needed)."""

_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$"
_CODE_PATTERN = r"^[0-9]{1,18}$"
_ENDPOINT_TITLES = {"distribution": "Distribution", "not_contacted": "NotContacted"}
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


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(
    properties: dict[str, Any], required: Sequence[str] = (), **extra: Any
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    schema.update(extra)
    return schema


def _enum(values: Sequence[str], description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": list(values)}
    if description:
        schema["description"] = description
    return schema


def _value_schema(data_type: str) -> dict[str, Any]:
    """A lead field's value in an answer (section 4 of the contract)."""
    if data_type == "Number":
        return _nullable({"type": "number"})
    if data_type == "Date":
        return _nullable({"type": "string", "pattern": _DATE_PATTERN})
    return _nullable({"type": "string"})


def _request_schemas(
    endpoint: str, fields: Mapping[str, str], max_page_size: int
) -> dict[str, dict[str, Any]]:
    """The request body of one report endpoint and its parts, by component name."""
    title = _ENDPOINT_TITLES[endpoint]
    names = list(fields)
    numbers = [name for name, data_type in fields.items() if data_type == "Number"]
    one_field = "(" + "|".join(re.escape(name) for name in names) + ")"
    date_fields = [d for d in DATE_FIELDS if d in DATE_FIELD_COLUMNS or endpoint == "not_contacted"]
    report_filter: dict[str, Any] = {
        "UserFilter": _ref("UserFilter"),
        "LeadFilters": {
            "type": "array",
            "items": _ref("LeadFilter"),
            "description": "Joined by AND.",
        },
    }
    if endpoint == "not_contacted":
        report_filter["ActivityFilters"] = {
            "type": "array",
            "items": _ref("ActivityFilter"),
            "description": "Joined by AND: the activities that count as contact.",
        }
    return {
        f"{title}Report": _object(
            {
                "ReportFilter": _ref(f"{title}ReportFilter"),
                "DateFilter": {
                    "type": "array",
                    "items": _ref(f"{title}DateFilter"),
                    "description": "Joined by AND.",
                },
                "Output": _ref("Output"),
                "Paging": _ref(f"{title}Paging"),
            },
            ["Output", "Paging"],
            description=(
                "Attribute names and enumerated values are matched case-insensitively; "
                "a body that breaks a rule is a 400 naming the offending path."
            ),
        ),
        f"{title}ReportFilter": _object(report_filter),
        f"{title}DateFilter": _object(
            {
                "DateField": _enum(date_fields),
                "FromDate": {"type": "string", "pattern": _DATE_PATTERN},
                "ToDate": {"type": "string", "pattern": _DATE_PATTERN},
            },
            ["DateField", "FromDate", "ToDate"],
            description="UTC, both ends inclusive; FromDate after ToDate is a 400.",
        ),
        f"{title}Paging": _object(
            {
                "PageIndex": {"type": "integer", "minimum": 1, "description": "1-based"},
                "PageSize": {"type": "integer", "minimum": 1, "maximum": max_page_size},
            },
            ["PageIndex", "PageSize"],
        ),
        # shared by both endpoints (the same schema twice is harmless)
        "LeadFieldName": _enum(names, "A lead field's SchemaName."),
        "LeadFilter": {
            "oneOf": [
                _object(
                    {
                        "LookUpName": _ref("LeadFieldName"),
                        "SqlOperator": _enum(VALUELESS_OPERATORS),
                    },
                    ["LookUpName", "SqlOperator"],
                ),
                _object(
                    {
                        "LookUpName": _ref("LeadFieldName"),
                        "SqlOperator": _enum(["in"]),
                        "LookUpValues": {
                            "type": "array",
                            "items": {"type": "string"},
                            "minItems": 1,
                        },
                    },
                    ["LookUpName", "SqlOperator", "LookUpValues"],
                ),
                _object(
                    {
                        "LookUpName": _ref("LeadFieldName"),
                        "SqlOperator": _enum(
                            [op for op in LEAD_OPERATORS if op not in (*VALUELESS_OPERATORS, "in")]
                        ),
                        "LookUpValue": {"type": "string"},
                    },
                    ["LookUpName", "SqlOperator", "LookUpValue"],
                ),
            ],
            "description": (
                "A value must parse for the field's type (a number for Number fields, "
                "yyyy-MM-dd HH:mm:ss for Date fields, true/false/1/0 for Boolean fields)."
            ),
        },
        "ActivityFilter": {
            "oneOf": [
                _object(
                    {
                        "LookUpName": _enum(["ActivityEvent"]),
                        "SqlOperator": _enum(["in"]),
                        "LookUpValues": {
                            "type": "array",
                            "items": {"type": "string", "pattern": _CODE_PATTERN},
                            "minItems": 1,
                        },
                    },
                    ["LookUpName", "SqlOperator", "LookUpValues"],
                ),
                _object(
                    {
                        "LookUpName": _enum(["ActivityEvent"]),
                        "SqlOperator": _enum([op for op in ACTIVITY_OPERATORS if op != "in"]),
                        "LookUpValue": {"type": "string", "pattern": _CODE_PATTERN},
                    },
                    ["LookUpName", "SqlOperator", "LookUpValue"],
                ),
            ]
        },
        "UserFilter": _object(
            {"GroupConditions": {"type": "array", "items": _ref("UserGroup")}},
            description="A lead passes when its OwnerId is one of the matched users.",
        ),
        "UserGroup": _object(
            {
                "Condition": {"type": "array", "items": _ref("UserCondition"), "minItems": 1},
                "GroupOperator": _enum(LINKS, "Joins this group to the next; default AND."),
            },
            ["Condition"],
        ),
        "UserCondition": _object(
            {
                "LookupName": _enum(USER_FIELDS),
                "Operator": _enum(USER_OPERATORS),
                "LookupValue": {
                    "type": "string",
                    "description": "For eq, a comma-separated list means any of them.",
                },
                "ConditionOperator": _enum(LINKS, "Links to the next condition; default AND."),
            },
            ["LookupName", "Operator", "LookupValue"],
        ),
        "Output": {
            "oneOf": [
                _object(
                    {
                        "Type": _enum(["List"]),
                        "IncludeCSV": {
                            "type": "string",
                            "pattern": f"^{one_field}(,{one_field})*$",
                            "description": "Lead fields to return, comma-separated, each once.",
                        },
                    },
                    ["Type", "IncludeCSV"],
                ),
                _object(
                    {
                        "Type": _enum(["Aggregate"]),
                        "GroupBy": _ref("LeadFieldName"),
                        "AggregateFunction": _enum(["Count"]),
                        "AggregateField": {
                            "type": "string",
                            "description": "Ignored for Count.",
                        },
                    },
                    ["Type", "GroupBy", "AggregateFunction"],
                ),
                _object(
                    {
                        "Type": _enum(["Aggregate"]),
                        "GroupBy": _ref("LeadFieldName"),
                        "AggregateFunction": _enum(
                            [f for f in AGGREGATE_FUNCTIONS if f != "Count"]
                        ),
                        "AggregateField": _enum(numbers, "A Number field."),
                    },
                    ["Type", "GroupBy", "AggregateFunction", "AggregateField"],
                ),
            ]
        },
    }


def _answer_schemas(fields: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The JSON answers: report rows, the error body, the metadata items."""
    row_properties = {name: _value_schema(data_type) for name, data_type in fields.items()}
    row_properties["Count"] = {"type": "integer", "minimum": 0}
    return {
        "ReportAnswer": _object(
            {
                "TotalCount": {
                    "type": "string",
                    "pattern": "^[0-9]+$",
                    "description": "All rows or groups, not just the page, as a string.",
                },
                "Results": {"type": "array", "items": _ref("Row")},
            },
            ["TotalCount", "Results"],
        ),
        "Row": _object(
            row_properties,
            patternProperties={
                "^(Average|Sum)_": _nullable({"type": "number"}),
            },
            description=(
                "A List row has exactly the IncludeCSV fields, in order; an aggregate row "
                "has the GroupBy field, Count and, for Average and Sum, <Function>_<Field>."
            ),
        ),
        "Error": _object(
            {
                "Status": _enum(["Error"]),
                "ExceptionType": _enum(sorted(set(EXCEPTION_TYPES.values()))),
                "ExceptionMessage": {"type": "string"},
            },
            ["Status", "ExceptionType", "ExceptionMessage"],
        ),
        "LeadField": _object(
            {
                "SchemaName": {"type": "string"},
                "DisplayName": {"type": "string"},
                "DataType": _enum(FIELD_TYPES),
                "IsMandatory": {"type": "boolean"},
                "RenderType": {"type": "string"},
                "Options": {
                    "type": "array",
                    "items": _object({"Value": {"type": "string"}}, ["Value"]),
                },
            },
            ["SchemaName", "DisplayName", "DataType", "IsMandatory", "RenderType"],
        ),
        "ActivityType": _object(
            {
                "ActivityEvent": {"type": "integer"},
                "DisplayName": {"type": "string"},
                "Category": {"type": "string"},
            },
            ["ActivityEvent", "DisplayName", "Category"],
        ),
        "User": _object(
            {name: {"type": "string"} for name in USER_FIELDS},
            list(USER_FIELDS),
        ),
    }


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _responses(route: Route, settings: SandboxSettings) -> dict[str, Any]:
    limited_200 = settings.faults.rate_limit_200 > 0 or (
        settings.rate_limit is not None and settings.rate_limit_status == 200
    )
    if route.kind == "report":
        answer: dict[str, Any] = _ref("ReportAnswer")
        content = {
            "application/json": {"schema": answer},
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "responseformat=CSV: a header row, then one line per row.",
                }
            },
        }
    else:
        answer = {"type": "array", "items": _ref(_METADATA_ITEMS[route.name])}
        content = {"application/json": {"schema": answer}}
    if limited_200:  # the over-limit body with HTTP 200, seen on the real service
        content["application/json"]["schema"] = {"oneOf": [answer, _ref("Error")]}
    responses: dict[str, Any] = {"200": {"description": route.summary, "content": content}}
    if route.kind == "report":
        responses["400"] = _error_response("The body breaks the contract; the message says where.")
    responses["401"] = _error_response("Missing or wrong keys.")
    if route.kind == "report":
        responses["413"] = _error_response(
            f"The body is larger than {settings.max_body_bytes} bytes."
        )
    if settings.rate_limit is not None or settings.faults.rate_limit > 0:
        responses["429"] = _error_response("Over the rate limit.")
    responses["500"] = _error_response("A server fault (injected, or a bug).")
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
                "schema": _enum(["JSON", "CSV"]),
            }
        ]
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _ref(f"{_ENDPOINT_TITLES[route.name]}Report"),
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
        What the sandbox answers (:func:`~leadsq.sandbox.server.routes`).
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
            schemas.update(_request_schemas(route.name, fields, settings.max_page_size))
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, settings)
    schemas.update(_answer_schemas(fields))
    security_schemes = {
        name: {
            "type": "apiKey",
            "in": where,
            "name": key,
            "description": "Header names are matched case-insensitively, query names too.",
        }
        for name, (where, key) in _SECURITY_SCHEMES.items()
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "leadsq sandbox: LeadSquared analytics",
            "version": "1.0",
            "description": (
                "The LeadSquared analytics contract (leadsq's API.md) as the sandbox serves "
                "it, over generated data. Keys go in the query string or in headers."
            ),
        },
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": security_schemes},
        "security": [
            {"AccessKeyQuery": [], "SecretKeyQuery": []},
            {"AccessKeyHeader": [], "SecretKeyHeader": []},
        ],
        "tags": [
            {"name": "reports", "description": "Analytics reports (POST, a JSON body)."},
            {"name": "metadata", "description": "Lists of fields, activity types, users."},
        ],
    }
