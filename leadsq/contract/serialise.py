"""A :class:`~leadsq.contract.model.Report` written back as the documented JSON body."""

from __future__ import annotations

from typing import Any

from leadsq.contract.dates import format_date
from leadsq.contract.model import LeadFilter, Report

__all__ = ["report_to_body"]


def report_to_body(report: Report) -> dict[str, Any]:
    """Serialise a report to the documented JSON body, with canonical names and values."""
    report_filter: dict[str, Any] = {}
    if report.user_groups:
        report_filter["UserFilter"] = {
            "GroupConditions": [
                {
                    "Condition": [
                        {
                            "LookupName": c.field,
                            "Operator": c.operator,
                            "LookupValue": c.value,
                            "ConditionOperator": c.link,
                        }
                        for c in group.conditions
                    ],
                    "GroupOperator": group.link,
                }
                for group in report.user_groups
            ]
        }
    if report.lead_filters:
        report_filter["LeadFilters"] = [_lead_filter_body(f) for f in report.lead_filters]
    if report.activity_filters:
        report_filter["ActivityFilters"] = [
            {
                "LookUpName": "ActivityEvent",
                "SqlOperator": "in",
                "LookUpValues": [str(v) for v in f.values],
            }
            if f.operator == "in"
            else {
                "LookUpName": "ActivityEvent",
                "SqlOperator": "=",
                "LookUpValue": str(f.values[0]),
            }
            for f in report.activity_filters
        ]
    body: dict[str, Any] = {}
    if report_filter:
        body["ReportFilter"] = report_filter
    if report.date_filters:
        body["DateFilter"] = [
            {"DateField": d.field, "FromDate": format_date(d.start), "ToDate": format_date(d.end)}
            for d in report.date_filters
        ]
    output = report.output
    if output.type == "List":
        body["Output"] = {"Type": "List", "IncludeCSV": ",".join(output.columns)}
    else:
        body["Output"] = {
            "Type": "Aggregate",
            "GroupBy": output.group_by,
            "AggregateFunction": output.function,
        }
        if output.field is not None:
            body["Output"]["AggregateField"] = output.field
    body["Paging"] = {"PageIndex": report.paging.index, "PageSize": report.paging.size}
    if report.sorting is not None:
        body["Sorting"] = {
            "ColumnName": report.sorting.column,
            "Direction": "1" if report.sorting.descending else "0",
        }
    return body


def _lead_filter_body(condition: LeadFilter) -> dict[str, Any]:
    body: dict[str, Any] = {"LookUpName": condition.field, "SqlOperator": condition.operator}
    if condition.values is not None:
        body["LookUpValues"] = list(condition.values)
    elif condition.value is not None:
        body["LookUpValue"] = condition.value
    return body
