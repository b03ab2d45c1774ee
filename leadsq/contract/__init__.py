"""The analytics contract of ``../shared/API.md``, as code both sides speak.

This package is pure standard library. It is the one place where a request body is
parsed and validated, so the client's query model and the sandbox server refuse the
same bodies with the same words. It knows nothing of HTTP, pandas or SQL.

A body is parsed into a :class:`Report`, a tree of frozen dataclasses with canonical
names and enum values, and a :class:`Report` serialises back to the documented body
with :func:`report_to_body`. Attribute names and enumerated values are matched
case-insensitively (section 2 of the contract); errors are :class:`ContractError`, a
``ValueError`` whose message names the offending path, e.g.
``Output.AggregateField is required when AggregateFunction is Average``.

Modules, one concept each (the names below are re-exported here):

- :mod:`~leadsq.contract.vocabulary`: endpoints, paths, operators, fields, types, formats;
- :mod:`~leadsq.contract.errors`: ``ExceptionType`` names and :class:`ContractError`;
- :mod:`~leadsq.contract.dates`: the ``yyyy-MM-dd HH:mm:ss`` date text;
- :mod:`~leadsq.contract.model`: :class:`Report` and its parts, :func:`fold_chain`;
- :mod:`~leadsq.contract.parse`: :func:`decode_body`, :func:`parse_report` (with the
  private :mod:`~leadsq.contract.node` reader);
- :mod:`~leadsq.contract.fields`: :func:`check_fields` against a lead schema;
- :mod:`~leadsq.contract.hints`: :func:`did_you_mean`;
- :mod:`~leadsq.contract.serialise`: :func:`report_to_body`;
- :mod:`~leadsq.contract.answers`: error bodies and the words of rate-limit, page-cap and
  wrong-host messages, made by the sandbox and read by the client.
"""

from __future__ import annotations

from leadsq.contract.answers import (
    daily_limit_message,
    error_body,
    page_size_cap_message,
    parse_page_size_cap,
    parse_rate_limit_message,
    parse_wrong_host,
    rate_limit_message,
    wrong_host_message,
)
from leadsq.contract.dates import format_date, parse_date
from leadsq.contract.errors import (
    EXCEPTION_TYPES,
    INPUT_ERROR_TYPES,
    INTERNAL_SERVER,
    INVALID_DATA_TYPE,
    INVALID_INPUT,
    MANDATORY_ATTRIBUTE_MISSING,
    RATE_LIMIT_EXCEEDED,
    UNAUTHORIZED,
    UNKNOWN_ACTIVITY,
    UNKNOWN_ATTRIBUTE,
    ContractError,
)
from leadsq.contract.fields import check_fields, check_value
from leadsq.contract.hints import did_you_mean
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
    fold_chain,
)
from leadsq.contract.parse import decode_body, parse_report
from leadsq.contract.serialise import report_to_body
from leadsq.contract.vocabulary import (
    ACTIVITY_OPERATORS,
    AGGREGATE_FUNCTIONS,
    BOOLEAN_VALUES,
    DATE_FIELD_COLUMNS,
    DATE_FIELDS,
    DATE_FORMAT,
    DERIVED_COLUMNS,
    ENDPOINT_PATHS,
    ENDPOINTS,
    FIELD_TYPES,
    LEAD_OPERATORS,
    LINKS,
    METADATA_PATHS,
    ORDERING_OPERATORS,
    OUTPUT_TYPES,
    SORT_DIRECTIONS,
    USER_FIELDS,
    USER_OPERATORS,
    VALUELESS_OPERATORS,
)

__all__ = [
    "ACTIVITY_OPERATORS",
    "AGGREGATE_FUNCTIONS",
    "BOOLEAN_VALUES",
    "DATE_FIELDS",
    "DATE_FIELD_COLUMNS",
    "DATE_FORMAT",
    "DERIVED_COLUMNS",
    "ENDPOINTS",
    "ENDPOINT_PATHS",
    "EXCEPTION_TYPES",
    "FIELD_TYPES",
    "INPUT_ERROR_TYPES",
    "INTERNAL_SERVER",
    "INVALID_DATA_TYPE",
    "INVALID_INPUT",
    "LEAD_OPERATORS",
    "LINKS",
    "MANDATORY_ATTRIBUTE_MISSING",
    "METADATA_PATHS",
    "ORDERING_OPERATORS",
    "OUTPUT_TYPES",
    "RATE_LIMIT_EXCEEDED",
    "SORT_DIRECTIONS",
    "UNAUTHORIZED",
    "UNKNOWN_ACTIVITY",
    "UNKNOWN_ATTRIBUTE",
    "USER_FIELDS",
    "USER_OPERATORS",
    "VALUELESS_OPERATORS",
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
    "check_value",
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
