"""A parsed report checked against an account's lead schema: names, types and values."""

from __future__ import annotations

import math
from collections.abc import Mapping

from leadsq.contract.dates import parse_date
from leadsq.contract.errors import INVALID_DATA_TYPE, UNKNOWN_ATTRIBUTE, ContractError
from leadsq.contract.hints import did_you_mean
from leadsq.contract.model import Report
from leadsq.contract.vocabulary import BOOLEAN_VALUES, DERIVED_COLUMNS, ORDERING_OPERATORS

__all__ = ["check_fields", "check_value"]


def check_fields(report: Report, fields: Mapping[str, str]) -> None:
    """Check a report's field names and values against a lead schema.

    Parameters
    ----------
    report : Report
        A parsed report.
    fields : Mapping[str, str]
        Lead ``SchemaName`` to ``DataType`` (section 6).

    Raises
    ------
    ContractError
        For an unknown field name, a value that does not parse for its field's type,
        or an ``AggregateField`` that is not a Number field.
    """
    for i, condition in enumerate(report.lead_filters):
        path = f"ReportFilter.LeadFilters[{i}]"
        data_type = _field_type(fields, condition.field, f"{path}.LookUpName")
        if condition.operator in ORDERING_OPERATORS and data_type == "Boolean":
            raise ContractError(
                f"{path}.SqlOperator",
                f"{condition.operator!r} does not apply to Boolean field {condition.field}",
            )
        if condition.operator in ("lik", "nlik") and data_type in ("Number", "Date", "Boolean"):
            raise ContractError(
                f"{path}.SqlOperator",
                f"{condition.operator!r} applies to text fields, not {data_type} field {condition.field}",
            )
        if condition.value is not None:
            check_value(data_type, condition.value, f"{path}.LookUpValue", condition.field)
        for j, value in enumerate(condition.values or ()):
            check_value(data_type, value, f"{path}.LookUpValues[{j}]", condition.field)
    output = report.output
    listed = {**DERIVED_COLUMNS, **fields}  # IncludeCSV may name derived columns [seen]
    for column in output.columns:
        _field_type(listed, column, "Output.IncludeCSV")
    if report.sorting is not None:
        _field_type(listed, report.sorting.column, "Sorting.ColumnName")
    if output.type == "Aggregate":
        _field_type(fields, output.group_by or "", "Output.GroupBy")
        if output.field is not None:
            data_type = _field_type(fields, output.field, "Output.AggregateField")
            if data_type != "Number":
                raise ContractError(
                    "Output.AggregateField",
                    f"must be a Number field for {output.function}; {output.field} is {data_type}",
                )


def _field_type(fields: Mapping[str, str], name: str, path: str) -> str:
    if name in fields:
        return fields[name]
    hint = did_you_mean(name, fields)
    raise ContractError(
        path, f"names an unknown lead field {name!r}{hint}", exception_type=UNKNOWN_ATTRIBUTE
    )


def check_value(data_type: str, value: str, path: str, field: str) -> None:
    """Check that ``value`` parses for a field of ``data_type``; raise ContractError if not."""
    if data_type == "Number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ContractError(
                path,
                f"must be a number for Number field {field}; got {value!r}",
                exception_type=INVALID_DATA_TYPE,
            )
    elif data_type == "Date":
        try:
            parse_date(value)
        except ValueError:
            raise ContractError(
                path,
                f"must be a date of the form yyyy-MM-dd HH:mm:ss for Date field {field}; got {value!r}",
                exception_type=INVALID_DATA_TYPE,
            ) from None
    elif data_type == "Boolean" and value.strip() not in BOOLEAN_VALUES:
        raise ContractError(
            path,
            f"must be 1 or 0 for Boolean field {field}; got {value!r}",
            exception_type=INVALID_DATA_TYPE,
        )
