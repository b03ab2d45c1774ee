"""Request bodies parsed and validated into a :class:`~leadsq.contract.model.Report`.

The one place a body is read, so the client's query model and the sandbox server refuse
the same bodies with the same words. Attribute names and enumerated values are matched
case-insensitively (section 2 of the contract).
"""

from __future__ import annotations

import json

from leadsq.contract.answers import page_size_cap_message
from leadsq.contract.dates import format_date, parse_date
from leadsq.contract.errors import INVALID_DATA_TYPE, MANDATORY_ATTRIBUTE_MISSING, ContractError
from leadsq.contract.model import (
    ActivityFilter,
    DateFilter,
    LeadFilter,
    Output,
    Paging,
    Report,
    Sorting,
    UserCondition,
    UserGroup,
)
from leadsq.contract.node import Node, check_unicode, choose, kind, missing
from leadsq.contract.vocabulary import (
    ACTIVITY_OPERATORS,
    AGGREGATE_FUNCTIONS,
    DATE_FIELDS,
    ENDPOINTS,
    LEAD_OPERATORS,
    LINKS,
    OUTPUT_TYPES,
    SORT_DIRECTIONS,
    USER_FIELDS,
    USER_OPERATORS,
    VALUELESS_OPERATORS,
)

__all__ = ["decode_body", "parse_report"]


def decode_body(raw: bytes | str) -> object:
    """Decode a request body's JSON text, refusing what the sandbox refuses.

    Bytes must be UTF-8 (a byte order mark is allowed); ``NaN`` and ``Infinity``, which
    Python's ``json`` accepts, are not JSON. Size limits are the server's business.

    Raises
    ------
    ContractError
        With an empty path: ``The request body is not valid JSON: ...`` and the like.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ContractError(
                "", "The request body is not valid UTF-8.", structural=True
            ) from None
    if not raw.strip():
        raise ContractError(
            "", "The request body is empty; expected a JSON object.", structural=True
        )
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise ContractError(
            "", "The request body is not valid JSON: nested too deeply.", structural=True
        ) from None
    except ValueError as exc:  # JSONDecodeError, or an integer of too many digits
        raise ContractError(
            "", f"The request body is not valid JSON: {exc}", structural=True
        ) from None


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def parse_report(body: object, endpoint: str, *, max_page_size: int | None = None) -> Report:
    """Parse and validate a request body for ``endpoint``.

    Parameters
    ----------
    body : object
        The decoded JSON body.
    endpoint : {"distribution", "not_contacted"}
        The endpoint it is sent to; activity filters and the ``ActivityCreatedOn`` date
        field belong to ``not_contacted`` only.
    max_page_size : int, optional
        Largest ``Paging.PageSize`` allowed; no upper bound when omitted.

    Returns
    -------
    Report

    Raises
    ------
    ContractError
        With a message naming the offending path.
    """
    if endpoint not in ENDPOINTS:
        raise ContractError(
            "", f"unknown endpoint {endpoint!r}; expected one of {', '.join(ENDPOINTS)}"
        )
    if not isinstance(body, dict):
        raise ContractError(
            "", f"The request body must be a JSON object, got {kind(body)}", structural=True
        )
    root = Node(body, "", ("ReportFilter", "DateFilter", "Output", "Paging", "Sorting"))
    user_groups: tuple[UserGroup, ...] = ()
    lead_filters: tuple[LeadFilter, ...] = ()
    activity_filters: tuple[ActivityFilter, ...] = ()
    if root.get("ReportFilter") is not None:
        report_filter = Node(
            root.get("ReportFilter"),
            "ReportFilter",
            ("UserFilter", "LeadFilters", "ActivityFilters"),
        )
        user_groups = _parse_user_filter(report_filter)
        lead_filters = tuple(
            _parse_lead_filter(item, f"{report_filter.at('LeadFilters')}[{i}]")
            for i, item in enumerate(report_filter.items("LeadFilters"))
        )
        activity_filters = tuple(
            _parse_activity_filter(item, f"{report_filter.at('ActivityFilters')}[{i}]")
            for i, item in enumerate(report_filter.items("ActivityFilters"))
        )
        if activity_filters and endpoint != "not_contacted":
            raise ContractError(
                report_filter.at("ActivityFilters"), "is only allowed for not_contacted"
            )
    date_filters = tuple(
        _parse_date_filter(item, f"DateFilter[{i}]", endpoint)
        for i, item in enumerate(root.items("DateFilter"))
    )
    if root.get("Output") is None:
        raise missing("Output")
    output = _parse_output(Node(root.get("Output"), "Output", _OUTPUT_KEYS))
    if root.get("Paging") is None:
        raise missing("Paging")
    paging = _parse_paging(
        Node(root.get("Paging"), "Paging", ("PageIndex", "PageSize")), max_page_size
    )
    sorting = None
    if root.get("Sorting") is not None:
        sorting = _parse_sorting(Node(root.get("Sorting"), "Sorting", ("ColumnName", "Direction")))
    return Report(
        endpoint=endpoint,
        output=output,
        paging=paging,
        user_groups=user_groups,
        lead_filters=lead_filters,
        activity_filters=activity_filters,
        date_filters=date_filters,
        sorting=sorting,
    )


_OUTPUT_KEYS = ("Type", "IncludeCSV", "GroupBy", "AggregateFunction", "AggregateField")


def _parse_user_filter(report_filter: Node) -> tuple[UserGroup, ...]:
    if report_filter.get("UserFilter") is None:
        return ()
    user_filter = Node(
        report_filter.get("UserFilter"), report_filter.at("UserFilter"), ("GroupConditions",)
    )
    groups = []
    for i, raw_group in enumerate(user_filter.items("GroupConditions")):
        group = Node(
            raw_group, f"{user_filter.at('GroupConditions')}[{i}]", ("Condition", "GroupOperator")
        )
        raw_conditions = group.items("Condition")
        if not raw_conditions:
            raise ContractError(group.at("Condition"), "must list at least one condition")
        conditions = []
        for j, raw_condition in enumerate(raw_conditions):
            condition = Node(
                raw_condition,
                f"{group.at('Condition')}[{j}]",
                ("LookupName", "Operator", "LookupValue", "ConditionOperator"),
            )
            conditions.append(
                UserCondition(
                    field=condition.choice("LookupName", USER_FIELDS),
                    operator=condition.choice("Operator", USER_OPERATORS).lower(),
                    value=condition.text("LookupValue", required=True),
                    link=condition.choice("ConditionOperator", LINKS, required=False) or "AND",
                )
            )
        link = group.choice("GroupOperator", LINKS, required=False) or "AND"
        groups.append(UserGroup(conditions=tuple(conditions), link=link))
    return tuple(groups)


def _parse_lead_filter(raw: object, path: str) -> LeadFilter:
    node = Node(raw, path, ("LookUpName", "SqlOperator", "LookUpValue", "LookUpValues"))
    field = node.text("LookUpName", required=True, blank=False).strip()
    operator = node.choice("SqlOperator", LEAD_OPERATORS).lower()
    if operator in VALUELESS_OPERATORS:
        return LeadFilter(field=field, operator=operator)
    if operator == "in":
        values = _string_list(node, "LookUpValues")
        return LeadFilter(field=field, operator=operator, values=values)
    if node.get("LookUpValues") is not None and node.get("LookUpValue") is None:
        raise ContractError(
            node.at("LookUpValue"),
            f"is required for SqlOperator {operator!r}; LookUpValues is for 'in'",
        )
    value = node.text("LookUpValue", required=True)
    return LeadFilter(field=field, operator=operator, value=value)


def _string_list(node: Node, name: str) -> tuple[str, ...]:
    if node.get(name) is None:
        raise ContractError(
            node.at(name),
            "is required for SqlOperator 'in'",
            exception_type=MANDATORY_ATTRIBUTE_MISSING,
        )
    values = node.items(name)
    if not values:
        raise ContractError(node.at(name), "must list at least one value")
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise ContractError(
                f"{node.at(name)}[{i}]", f"must be a string, got {kind(value)}", structural=True
            )
        check_unicode(f"{node.at(name)}[{i}]", value)
    return tuple(values)  # type: ignore[arg-type]


def _parse_activity_filter(raw: object, path: str) -> ActivityFilter:
    node = Node(raw, path, ("LookUpName", "SqlOperator", "LookUpValue", "LookUpValues"))
    choose(node.at("LookUpName"), node.text("LookUpName", required=True) or "", ("ActivityEvent",))
    operator = node.choice("SqlOperator", ACTIVITY_OPERATORS).lower()
    if operator == "in":
        texts = _string_list(node, "LookUpValues")
        at = node.at("LookUpValues")
    else:
        texts = (node.text("LookUpValue", required=True) or "",)
        at = node.at("LookUpValue")
    codes = []
    for text in texts:
        digits = text.strip()
        # ASCII digits only: str.isdigit() also accepts e.g. "²", which int() refuses;
        # at most 18 digits, so a code always fits a 64-bit integer
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
            raise ContractError(
                at,
                f"must hold activity event codes (whole numbers); got {text!r}",
                exception_type=INVALID_DATA_TYPE,
            )
        codes.append(int(digits))
    return ActivityFilter(operator=operator, values=tuple(codes))


def _parse_date_filter(raw: object, path: str, endpoint: str) -> DateFilter:
    node = Node(raw, path, ("DateField", "FromDate", "ToDate"))
    field = node.choice("DateField", DATE_FIELDS)
    if field == "ActivityCreatedOn" and endpoint != "not_contacted":
        raise ContractError(
            node.at("DateField"), "ActivityCreatedOn is only allowed for not_contacted"
        )
    bounds = []
    for name in ("FromDate", "ToDate"):
        text = node.text(name, required=True) or ""
        try:
            bounds.append(parse_date(text).replace(microsecond=0))  # the format has whole seconds
        except ValueError:
            raise ContractError(
                node.at(name),
                f"must be a date of the form yyyy-MM-dd HH:mm:ss; got {text!r}",
                exception_type=INVALID_DATA_TYPE,
            ) from None
    start, end = bounds
    if start > end:
        raise ContractError(
            node.at("FromDate"),
            f"must not be after ToDate ({format_date(start)} > {format_date(end)})",
        )
    return DateFilter(field=field, start=start, end=end)


def _parse_output(node: Node) -> Output:
    kind = node.choice("Type", OUTPUT_TYPES)
    if kind == "List":
        text = node.text("IncludeCSV", required=True) or ""
        columns = tuple(name.strip() for name in text.split(","))
        if not text.strip() or not all(columns):
            raise ContractError(
                node.at("IncludeCSV"), "must be a non-empty comma-separated list of lead fields"
            )
        if len(set(columns)) != len(columns):
            raise ContractError(node.at("IncludeCSV"), "must not name a field twice")
        return Output(type="List", columns=columns)
    group_by = (node.text("GroupBy", required=True, blank=False) or "").strip()
    function = node.choice("AggregateFunction", AGGREGATE_FUNCTIONS)
    field = node.text("AggregateField")
    if function == "Count":
        return Output(type="Aggregate", group_by=group_by, function=function)
    if field is None or not field.strip():
        raise ContractError(
            node.at("AggregateField"),
            f"is required when AggregateFunction is {function}",
            exception_type=MANDATORY_ATTRIBUTE_MISSING,
        )
    return Output(type="Aggregate", group_by=group_by, function=function, field=field.strip())


def _parse_sorting(node: Node) -> Sorting:
    column = (node.text("ColumnName", required=True, blank=False) or "").strip()
    direction = node.get("Direction")
    if direction is None:
        return Sorting(column=column)
    if isinstance(direction, int) and not isinstance(direction, bool):
        direction = str(direction)
    if not isinstance(direction, str):
        raise ContractError(
            node.at("Direction"), f"must be a string, got {kind(direction)}", structural=True
        )
    chosen = choose(node.at("Direction"), direction, SORT_DIRECTIONS)
    return Sorting(column=column, descending=chosen == "1")


def _parse_paging(node: Node, max_page_size: int | None) -> Paging:
    index = node.integer("PageIndex")
    size = node.integer("PageSize")
    if index < 1:
        raise ContractError(node.at("PageIndex"), f"must be at least 1; got {index}")
    if size < 1:
        raise ContractError(node.at("PageSize"), f"must be at least 1; got {size}")
    if max_page_size is not None and size > max_page_size:
        raise ContractError("", page_size_cap_message(max_page_size))
    return Paging(index=index, size=size)
