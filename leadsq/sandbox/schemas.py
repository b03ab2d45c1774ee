"""JSON Schemas of the sandbox's requests and answers, for its OpenAPI description.

:func:`request_schemas` gives the body of a report endpoint and its parts,
:func:`answer_schemas` the report rows, the error body, the metadata items and the
account; :mod:`~leadsq.sandbox.openapi` puts them together with the routes. They write
the canonical spelling of ``../shared/API.md`` section 2 (the sandbox itself is more
lenient: see :mod:`~leadsq.sandbox.openapi`).
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
    DERIVED_COLUMNS,
    EXCEPTION_TYPES,
    FIELD_TYPES,
    INPUT_ERROR_TYPES,
    LEAD_OPERATORS,
    LINKS,
    USER_FIELDS,
    USER_OPERATORS,
    VALUELESS_OPERATORS,
)

if TYPE_CHECKING:  # pragma: no cover
    from leadsq.sandbox.settings import SandboxSettings

__all__ = ["ENDPOINT_TITLES", "answer_schemas", "ref", "request_schemas"]

_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$"
_CODE_PATTERN = r"^[0-9]{1,18}$"
ENDPOINT_TITLES = {"distribution": "Distribution", "not_contacted": "NotContacted"}


def ref(name: str) -> dict[str, str]:
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


def request_schemas(
    endpoint: str, fields: Mapping[str, str], max_page_size: int
) -> dict[str, dict[str, Any]]:
    """The request body of one report endpoint and its parts, by component name."""
    title = ENDPOINT_TITLES[endpoint]
    names = list(fields)
    numbers = [name for name, data_type in fields.items() if data_type == "Number"]
    listed = [*names, *DERIVED_COLUMNS]  # a List may name the derived columns too
    one_field = "(" + "|".join(re.escape(name) for name in listed) + ")"
    date_fields = [d for d in DATE_FIELDS if d in DATE_FIELD_COLUMNS or endpoint == "not_contacted"]
    report_filter: dict[str, Any] = {
        "UserFilter": ref("UserFilter"),
        "LeadFilters": {
            "type": "array",
            "items": ref("LeadFilter"),
            "description": "Joined by AND.",
        },
    }
    if endpoint == "not_contacted":
        report_filter["ActivityFilters"] = {
            "type": "array",
            "items": ref("ActivityFilter"),
            "description": "Joined by AND: the activities that count as contact.",
        }
    return {
        f"{title}Report": _object(
            {
                "ReportFilter": ref(f"{title}ReportFilter"),
                "DateFilter": {
                    "type": "array",
                    "items": ref(f"{title}DateFilter"),
                    "description": "Joined by AND.",
                },
                "Output": ref("Output"),
                "Paging": ref(f"{title}Paging"),
                "Sorting": ref("Sorting"),
            },
            ["Output", "Paging"],
            description=(
                "Attribute names and enumerated values are matched case-insensitively; "
                "a body that breaks a rule is refused naming the offending path."
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
            description="UTC, both ends inclusive; FromDate after ToDate is refused.",
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
        "Sorting": _object(
            {
                "ColumnName": _enum(listed, "A lead field or a derived column."),
                "Direction": _enum(["0", "1"], "0 ascending (default), 1 descending."),
            },
            ["ColumnName"],
            description="Orders a List's rows (nulls last), ties by ProspectAutoId.",
        ),
        "LeadFilter": {
            "oneOf": [
                _object(
                    {
                        "LookUpName": ref("LeadFieldName"),
                        "SqlOperator": _enum(VALUELESS_OPERATORS),
                    },
                    ["LookUpName", "SqlOperator"],
                ),
                _object(
                    {
                        "LookUpName": ref("LeadFieldName"),
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
                        "LookUpName": ref("LeadFieldName"),
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
                "yyyy-MM-dd HH:mm:ss for Date fields, 1 or 0 for Boolean fields)."
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
            {"GroupConditions": {"type": "array", "items": ref("UserGroup")}},
            description="A lead passes when its OwnerId is one of the matched users.",
        ),
        "UserGroup": _object(
            {
                "Condition": {"type": "array", "items": ref("UserCondition"), "minItems": 1},
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
                            "description": (
                                "Lead fields or derived columns to return, comma-separated, "
                                "each once."
                            ),
                        },
                    },
                    ["Type", "IncludeCSV"],
                ),
                _object(
                    {
                        "Type": _enum(["Aggregate"]),
                        "GroupBy": ref("LeadFieldName"),
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
                        "GroupBy": ref("LeadFieldName"),
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


def _user_schema(shape: str) -> dict[str, Any]:
    """A ``Users.Get`` item in the shape of ``SandboxSettings.users_shape``."""
    if shape == "legacy":
        return _object({name: {"type": "string"} for name in USER_FIELDS}, list(USER_FIELDS))
    text = {"type": "string"}
    properties = {
        "ID": text,
        "FirstName": text,
        "LastName": text,
        "EmailAddress": text,
        "Role": text,
        "StatusCode": {"type": "integer", "enum": [0, 1], "description": "0 active, 1 inactive"},
        "MemberOfGroups": text,
        "Tag": text,
        "IsPhoneCallAgent": {"type": "boolean"},
    }
    return _object(properties, list(properties))


def _account_schema() -> dict[str, Any]:
    """The ``UserByAccessKey.Get`` answer."""
    text = {"type": "string"}
    names = ("ID", "FirstName", "LastName", "EmailAddress", "OrgShortCode", "TimeZone")
    urls = _object({"api": text, "app": text}, ["api", "app"])
    properties = {**{name: text for name in names}, "LSQCommonServiceURLs": urls}
    return _object(properties, list(properties))


def _activity_type_schema(names: str) -> dict[str, Any]:
    """An ``ActivityTypes.Get`` item as ``SandboxSettings.activity_type_names`` says."""
    text = {"type": "string"}
    by_display = _object(
        {"ActivityEvent": {"type": "integer"}, "DisplayName": text, "Category": text},
        ["ActivityEvent", "DisplayName", "Category"],
    )
    by_event_name = _object(
        {
            "ActivityEvent": {"type": "integer"},
            "ActivityEventName": text,
            "EventType": _enum(["System", "Custom"]),
            "Category": text,
        },
        ["ActivityEvent", "ActivityEventName", "EventType", "Category"],
    )
    if names == "DisplayName":
        return by_display
    if names == "ActivityEventName":
        return by_event_name
    return {"oneOf": [by_display, by_event_name]}


def answer_schemas(
    fields: Mapping[str, str], settings: SandboxSettings
) -> dict[str, dict[str, Any]]:
    """The JSON answers: report rows, the error body, the metadata items, the account."""
    row_properties = {
        name: _value_schema(data_type) for name, data_type in {**DERIVED_COLUMNS, **fields}.items()
    }
    row_properties["Count"] = {"type": "integer", "minimum": 0}
    return {
        "ReportAnswer": _object(
            {
                "TotalCount": {
                    "type": "string",
                    "pattern": "^[0-9]+$",
                    "description": "All rows or groups, not just the page, as a string.",
                },
                "Results": {"type": "array", "items": ref("Row")},
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
                "ExceptionType": _enum(
                    sorted(set(EXCEPTION_TYPES.values()) | set(INPUT_ERROR_TYPES))
                ),
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
        "ActivityType": _activity_type_schema(settings.activity_type_names),
        "User": _user_schema(settings.users_shape),
        "Account": _account_schema(),
    }
