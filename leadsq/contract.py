"""The analytics contract of ``../shared/API.md``, as code both sides speak.

This module is pure standard library. It is the one place where a request body is
parsed and validated, so the client's query model and the sandbox server refuse the
same bodies with the same words. It knows nothing of HTTP, pandas or SQL.

A body is parsed into a :class:`Report`, a tree of frozen dataclasses with canonical
names and enum values, and a :class:`Report` serialises back to the documented body
with :func:`report_to_body`. Attribute names and enumerated values are matched
case-insensitively (section 2 of the contract); errors are :class:`ContractError`, a
``ValueError`` whose message names the offending path, e.g.
``Output.AggregateField is required when AggregateFunction is Average``.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar, overload

T = TypeVar("T")

__all__ = [
    "AGGREGATE_FUNCTIONS",
    "DATE_FIELDS",
    "DATE_FIELD_COLUMNS",
    "DATE_FORMAT",
    "DERIVED_COLUMNS",
    "ENDPOINTS",
    "ENDPOINT_PATHS",
    "EXCEPTION_TYPES",
    "FIELD_TYPES",
    "INPUT_ERROR_TYPES",
    "LEAD_OPERATORS",
    "METADATA_PATHS",
    "USER_FIELDS",
    "USER_OPERATORS",
    "ActivityFilter",
    "ContractError",
    "DateFilter",
    "LeadFilter",
    "Output",
    "Paging",
    "Report",
    "Sorting",
    "UserCondition",
    "UserGroup",
    "check_fields",
    "daily_limit_message",
    "decode_body",
    "did_you_mean",
    "error_body",
    "fold_chain",
    "format_date",
    "page_size_cap_message",
    "parse_date",
    "parse_page_size_cap",
    "parse_rate_limit_message",
    "parse_report",
    "parse_wrong_host",
    "rate_limit_message",
    "report_to_body",
    "wrong_host_message",
]

ENDPOINTS = ("distribution", "not_contacted")
ENDPOINT_PATHS: dict[str, tuple[str, ...]] = {
    "distribution": ("/Leads/LeadDistribution/FilterByLeadField",),
    # in the order the client tries them on a 404 (section 1): the only shipped public
    # code calls the first; none is verified
    "not_contacted": (
        "/Leads/LeadsNotContacted",
        "/Leads/NotContacted",
        "/v2/Leads/NotContacted/FilterByLeadField",
        "/Leads/NotContacted/FilterByLeadField",
    ),
}
METADATA_PATHS: dict[str, str] = {
    "lead_fields": "/v2/LeadManagement.svc/LeadsMetaData.Get",
    "activity_types": "/v2/ProspectActivity.svc/ActivityTypes.Get",
    "users": "/v2/UserManagement.svc/Users.Get",
    "account": "/v2/Authentication.svc/UserByAccessKey.Get",
}

LEAD_OPERATORS = ("=", "<>", ">", "<", ">=", "<=", "def", "ndef", "lik", "nlik", "in")
VALUELESS_OPERATORS = ("def", "ndef")
ORDERING_OPERATORS = (">", "<", ">=", "<=")
USER_FIELDS = ("UserID", "EmailAddress", "FirstName", "LastName", "Role", "Team")
USER_OPERATORS = ("eq", "neq", "lik", "nlik")
LINKS = ("AND", "OR")
ACTIVITY_OPERATORS = ("in", "=")
DATE_FIELDS = ("LeadCreatedOn", "LeadModifiedOn", "ActivityCreatedOn")
DATE_FIELD_COLUMNS = {"LeadCreatedOn": "CreatedOn", "LeadModifiedOn": "ModifiedOn"}
OUTPUT_TYPES = ("List", "Aggregate")
AGGREGATE_FUNCTIONS = ("Count", "Average", "Sum")
FIELD_TYPES = ("Text", "Number", "Email", "Phone", "Website", "Date", "Time", "Select", "Boolean")
BOOLEAN_VALUES = ("1", "0")  # stored and compared as "1"/"0"; "true" is refused [seen]
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

DERIVED_COLUMNS: dict[str, str] = {
    # IncludeCSV columns that LeadsMetaData.Get does not list, with their DataType
    "OwnerIdName": "Text",
    "OwnerIdEmailAddress": "Email",
    "LeadAge": "Number",
    "ProspectActivityName_Max": "Text",
    "ProspectActivityDate_Min": "Date",
    "ProspectActivityId_Max": "Text",
    "LeadLastModifiedOn": "Date",
}
SORT_DIRECTIONS = ("0", "1")  # ascending, descending

INVALID_INPUT = "MXInvalidInputException"
INVALID_DATA_TYPE = "MXInvalidDataTypeException"
UNKNOWN_ATTRIBUTE = "MXUnknownAttributeException"
MANDATORY_ATTRIBUTE_MISSING = "MXMandatoryAttributeMissingException"
UNKNOWN_ACTIVITY = "MXUnknownProspectActivityException"
RATE_LIMIT_EXCEEDED = "MXAPIRateLimitExceededException"
INTERNAL_SERVER = "MXInternalServerException"
UNAUTHORIZED = "MXUnAuthorizedAccessException"
INPUT_ERROR_TYPES = (
    INVALID_INPUT,
    INVALID_DATA_TYPE,
    UNKNOWN_ATTRIBUTE,
    MANDATORY_ATTRIBUTE_MISSING,
    UNKNOWN_ACTIVITY,
)
"""``ExceptionType`` values of an input error: the caller's mistake, never retried."""

EXCEPTION_TYPES: dict[int, str] = {
    400: INVALID_INPUT,
    401: UNAUTHORIZED,
    404: "MXNotFoundException",
    405: "MXMethodNotAllowedException",
    413: INVALID_INPUT,
    429: RATE_LIMIT_EXCEEDED,
    500: INTERNAL_SERVER,
}


class ContractError(ValueError):
    """A request body that breaks the contract.

    Parameters
    ----------
    path : str
        Where in the body the problem is, e.g. ``"ReportFilter.LeadFilters[0].SqlOperator"``;
        empty for the body as a whole.
    problem : str
        What is wrong, phrased to follow the path.
    exception_type : str
        The real service's ``ExceptionType`` for this kind of input error (section 5).
    structural : bool
        True when the body is not JSON or not of the documented structure: the service
        answers those 400 [doc]; other input errors it answers 500 [seen].
    """

    def __init__(
        self,
        path: str,
        problem: str,
        *,
        exception_type: str = INVALID_INPUT,
        structural: bool = False,
    ) -> None:
        self.path = path
        self.problem = problem
        self.exception_type = exception_type
        self.structural = structural
        self.message = f"{path} {problem}" if path else problem
        super().__init__(self.message)


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


def error_body(status: int, message: str) -> dict[str, str]:
    """The documented error body for an HTTP ``status`` (section 5)."""
    exception_type = EXCEPTION_TYPES.get(status, EXCEPTION_TYPES[500])
    return {"Status": "Error", "ExceptionType": exception_type, "ExceptionMessage": message}


def rate_limit_message(calls: int, window_seconds: float) -> str:
    """The rate-limit message, e.g. ``API calls exceeded the limit of 25 in 5 second(s)``."""
    return f"API calls exceeded the limit of {calls} in {window_seconds:g} second(s)"


def daily_limit_message(calls: int) -> str:
    """The answer to a call past a daily cap [ours: the real words are not documented]."""
    return f"API calls exceeded the limit of {calls} in 1 day(s)"


_RATE_LIMIT_WORDS = re.compile(
    r"API calls exceeded the limit of (\d+) in (\d+(?:\.\d+)?) (second|minute|hour|day)\(s\)",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


def parse_rate_limit_message(text: str) -> tuple[int, float] | None:
    """``(calls, window_seconds)`` from a rate-limit message, or ``None`` if it is not one.

    A window of a day (86,400 s) is a daily cap.
    """
    match = _RATE_LIMIT_WORDS.search(text)
    if match is None:
        return None
    return int(match.group(1)), float(match.group(2)) * _UNIT_SECONDS[match.group(3).lower()]


def page_size_cap_message(cap: int) -> str:
    """The refusal of a page over the cap, in the words other LeadSquared APIs use [seen]."""
    return f"Invalid Input! Parameter Name: PageSize can not be more than {cap}"


_PAGE_SIZE_CAP = re.compile(r"PageSize can ?not be more than (\d+)", re.IGNORECASE)


def parse_page_size_cap(text: str) -> int | None:
    """The cap named by a page-size refusal (:func:`page_size_cap_message`), else ``None``."""
    match = _PAGE_SIZE_CAP.search(text)
    return int(match.group(1)) if match else None


def wrong_host_message(host: str) -> str:
    """The 401 of a wrong regional host, naming the right one [doc; the words are ours]."""
    return f"This account's API host is {host}; please send your calls there."


_URL = re.compile(r"https?://[^\s,;'\"<>]+[^\s,;'\"<>.]")
_HOST_NAME = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.leadsquared\.com\b", re.IGNORECASE)


def parse_wrong_host(text: str) -> str | None:
    """The URL or host name a 401 message names as the account's host, else ``None``."""
    match = _URL.search(text) or _HOST_NAME.search(text)
    return match.group(0) if match else None


def format_date(value: datetime) -> str:
    """Format a naive UTC datetime as ``yyyy-MM-dd HH:mm:ss``."""
    return value.strftime(DATE_FORMAT)


def parse_date(text: str) -> datetime:
    """Parse ``yyyy-MM-dd HH:mm:ss`` (optionally with ``.fff``) into a naive UTC datetime.

    Raises
    ------
    ValueError
        If ``text`` is not in that format.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a string, got {type(text).__name__}")
    head, dot, fraction = text.partition(".")
    if dot and not (fraction.isdigit() and 1 <= len(fraction) <= 6):
        raise ValueError(f"{text!r} is not a date of the form yyyy-MM-dd HH:mm:ss")
    try:
        parsed = datetime.strptime(head, DATE_FORMAT)
    except ValueError:
        raise ValueError(f"{text!r} is not a date of the form yyyy-MM-dd HH:mm:ss") from None
    if dot:
        parsed = parsed.replace(microsecond=int(fraction.ljust(6, "0")))
    return parsed


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class LeadFilter:
    """One lead-field condition: ``field operator value`` (or ``values`` for ``in``)."""

    field: str
    operator: str
    value: str | None = None
    values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class UserCondition:
    """One user-field condition; ``link`` joins it to the next condition."""

    field: str
    operator: str
    value: str
    link: str = "AND"


@dataclass(frozen=True)
class UserGroup:
    """A group of user conditions; ``link`` joins it to the next group."""

    conditions: tuple[UserCondition, ...]
    link: str = "AND"


@dataclass(frozen=True)
class ActivityFilter:
    """Activities of these event codes (``operator`` is ``in`` or ``=``)."""

    operator: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class DateFilter:
    """``field`` between ``start`` and ``end`` inclusive, naive UTC."""

    field: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Output:
    """What comes back: a list of ``columns`` or an aggregate per ``group_by``."""

    type: str
    columns: tuple[str, ...] = ()
    group_by: str | None = None
    function: str | None = None
    field: str | None = None

    @property
    def metric(self) -> str | None:
        """The key of the aggregate value in a result row, e.g. ``Average_EngagementScore``."""
        if self.type != "Aggregate" or self.function == "Count":
            return None
        return f"{self.function}_{self.field}"


@dataclass(frozen=True)
class Paging:
    """``PageIndex`` (1-based) and ``PageSize``."""

    index: int = 1
    size: int = 1000


@dataclass(frozen=True)
class Sorting:
    """``Sorting``: rows ordered by ``column``, descending when ``descending``."""

    column: str
    descending: bool = False


@dataclass(frozen=True)
class Report:
    """A whole, valid request to one analytics endpoint."""

    endpoint: str
    output: Output
    paging: Paging = Paging()
    user_groups: tuple[UserGroup, ...] = ()
    lead_filters: tuple[LeadFilter, ...] = ()
    activity_filters: tuple[ActivityFilter, ...] = ()
    date_filters: tuple[DateFilter, ...] = ()
    sorting: Sorting | None = None


def fold_chain(
    items: Iterable[tuple[T, str]], both: Callable[[T, T], T], either: Callable[[T, T], T]
) -> T | None:
    """Fold ``[(term, link_to_next), ...]`` with AND binding tighter than OR.

    This is how user conditions (``ConditionOperator``) and groups (``GroupOperator``)
    combine. Linear in the number of terms; ``None`` for an empty chain.

    Examples
    --------
    >>> fold_chain([(True, "OR"), (False, "AND"), (True, "AND")], lambda a, b: a and b, lambda a, b: a or b)
    True
    """
    result: T | None = None
    current: T | None = None
    for term, link in items:
        current = term if current is None else both(current, term)
        if link == "OR":
            result = current if result is None else either(result, current)
            current = None
    if current is not None:
        result = current if result is None else either(result, current)
    return result


# --------------------------------------------------------------------------- parsing


class _Node:
    """A JSON object seen through case-insensitive keys, remembering its path."""

    def __init__(self, value: object, path: str, known: tuple[str, ...]) -> None:
        if not isinstance(value, dict):
            raise ContractError(path, f"must be a JSON object, got {_kind(value)}", structural=True)
        self.path = path
        self._items: dict[str, tuple[str, object]] = {}
        canonical = {name.lower(): name for name in known}
        for key, item in value.items():
            name = canonical.get(str(key).lower())
            if name is None:
                raise ContractError(
                    _join(path, str(key)),
                    f"is not a known attribute; expected one of {', '.join(known)}",
                    structural=True,
                )
            if name in self._items:
                raise ContractError(_join(path, name), "is given more than once", structural=True)
            self._items[name] = (str(key), item)

    def get(self, name: str) -> object:
        return self._items.get(name, (name, None))[1]

    def at(self, name: str) -> str:
        return _join(self.path, name)

    @overload
    def text(self, name: str, *, required: Literal[True], blank: bool = True) -> str: ...
    @overload
    def text(self, name: str, *, required: bool = False, blank: bool = True) -> str | None: ...
    def text(self, name: str, *, required: bool = False, blank: bool = True) -> str | None:
        value = self.get(name)
        if value is None:
            if required:
                raise _missing(self.at(name))
            return None
        if not isinstance(value, str):
            raise ContractError(
                self.at(name), f"must be a string, got {_kind(value)}", structural=True
            )
        _check_unicode(self.at(name), value)
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
        return _choose(self.at(name), value, choices)

    def items(self, name: str) -> list[object]:
        value = self.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ContractError(
                self.at(name), f"must be a list, got {_kind(value)}", structural=True
            )
        return value

    def integer(self, name: str) -> int:
        value = self.get(name)
        if value is None:
            raise _missing(self.at(name))
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ContractError(
                self.at(name), f"must be an integer, got {_kind(value)}", structural=True
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


def _missing(path: str) -> ContractError:
    return ContractError(path, "is required", exception_type=MANDATORY_ATTRIBUTE_MISSING)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else "a value")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_unicode(path: str, value: str) -> None:
    # JSON can carry a lone surrogate ("\ud800"), which is no character: no stored text
    # can hold it, and neither UTF-8 nor a database can take it
    if _SURROGATE.search(value):
        raise ContractError(
            path, f"must be valid Unicode text, without lone surrogates; got {value!r}"
        )


def _choose(path: str, value: str, choices: tuple[str, ...]) -> str:
    for choice in choices:
        if value.strip().lower() == choice.lower():
            return choice
    raise ContractError(
        path,
        f"must be one of {', '.join(choices)}; got {value!r}{did_you_mean(value, choices)}",
    )


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
            "", f"The request body must be a JSON object, got {_kind(body)}", structural=True
        )
    root = _Node(body, "", ("ReportFilter", "DateFilter", "Output", "Paging", "Sorting"))
    user_groups: tuple[UserGroup, ...] = ()
    lead_filters: tuple[LeadFilter, ...] = ()
    activity_filters: tuple[ActivityFilter, ...] = ()
    if root.get("ReportFilter") is not None:
        report_filter = _Node(
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
        raise _missing("Output")
    output = _parse_output(_Node(root.get("Output"), "Output", _OUTPUT_KEYS))
    if root.get("Paging") is None:
        raise _missing("Paging")
    paging = _parse_paging(
        _Node(root.get("Paging"), "Paging", ("PageIndex", "PageSize")), max_page_size
    )
    sorting = None
    if root.get("Sorting") is not None:
        sorting = _parse_sorting(_Node(root.get("Sorting"), "Sorting", ("ColumnName", "Direction")))
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


def _parse_user_filter(report_filter: _Node) -> tuple[UserGroup, ...]:
    if report_filter.get("UserFilter") is None:
        return ()
    user_filter = _Node(
        report_filter.get("UserFilter"), report_filter.at("UserFilter"), ("GroupConditions",)
    )
    groups = []
    for i, raw_group in enumerate(user_filter.items("GroupConditions")):
        group = _Node(
            raw_group, f"{user_filter.at('GroupConditions')}[{i}]", ("Condition", "GroupOperator")
        )
        raw_conditions = group.items("Condition")
        if not raw_conditions:
            raise ContractError(group.at("Condition"), "must list at least one condition")
        conditions = []
        for j, raw_condition in enumerate(raw_conditions):
            condition = _Node(
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
    node = _Node(raw, path, ("LookUpName", "SqlOperator", "LookUpValue", "LookUpValues"))
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


def _string_list(node: _Node, name: str) -> tuple[str, ...]:
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
                f"{node.at(name)}[{i}]", f"must be a string, got {_kind(value)}", structural=True
            )
        _check_unicode(f"{node.at(name)}[{i}]", value)
    return tuple(values)  # type: ignore[arg-type]


def _parse_activity_filter(raw: object, path: str) -> ActivityFilter:
    node = _Node(raw, path, ("LookUpName", "SqlOperator", "LookUpValue", "LookUpValues"))
    _choose(node.at("LookUpName"), node.text("LookUpName", required=True) or "", ("ActivityEvent",))
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
    node = _Node(raw, path, ("DateField", "FromDate", "ToDate"))
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


def _parse_output(node: _Node) -> Output:
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


def _parse_sorting(node: _Node) -> Sorting:
    column = (node.text("ColumnName", required=True, blank=False) or "").strip()
    direction = node.get("Direction")
    if direction is None:
        return Sorting(column=column)
    if isinstance(direction, int) and not isinstance(direction, bool):
        direction = str(direction)
    if not isinstance(direction, str):
        raise ContractError(
            node.at("Direction"), f"must be a string, got {_kind(direction)}", structural=True
        )
    chosen = _choose(node.at("Direction"), direction, SORT_DIRECTIONS)
    return Sorting(column=column, descending=chosen == "1")


def _parse_paging(node: _Node, max_page_size: int | None) -> Paging:
    index = node.integer("PageIndex")
    size = node.integer("PageSize")
    if index < 1:
        raise ContractError(node.at("PageIndex"), f"must be at least 1; got {index}")
    if size < 1:
        raise ContractError(node.at("PageSize"), f"must be at least 1; got {size}")
    if max_page_size is not None and size > max_page_size:
        raise ContractError("", page_size_cap_message(max_page_size))
    return Paging(index=index, size=size)


# --------------------------------------------------------------------------- fields


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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean X?)`` naming the choices closest to ``word``, or ``""`` if none is close.

    Case is ignored; a choice that differs only in case comes first, then one with the
    same characters in another order (``=>`` for ``>=``), then difflib's close matches.
    """
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.lower(), choice)
    folded = word.strip().lower()
    if folded in by_folded:
        return f" (did you mean {by_folded[folded]}?)"
    close = [c for c in by_folded if sorted(c) == sorted(folded)][:1]
    close = close or difflib.get_close_matches(folded, list(by_folded), n=3, cutoff=0.8)
    if not close:
        return ""
    return f" (did you mean {' or '.join(by_folded[c] for c in close)}?)"


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


# --------------------------------------------------------------------------- serialising


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
