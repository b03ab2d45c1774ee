"""Hypothesis strategies for report bodies: valid ones, and valid ones broken on purpose.

:func:`reports` draws structurally valid bodies over the sandbox's lead fields, in any
letter case the contract allows. :func:`mutated` breaks a valid body at random places:
wrong types, unknown keys, missing keys, bad enumerated values, bad dates, huge numbers,
unicode (lone surrogates and NUL included), very long strings. :func:`raw_bodies` works on
the bytes: ``NaN``/``Infinity`` tokens, number literals too large for a float, nesting
thousands deep, truncated or invalid JSON, invalid UTF-8, other encodings.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from leadsq.contract import (
    AGGREGATE_FUNCTIONS,
    DATE_FORMAT,
    ENDPOINT_PATHS,
    LEAD_OPERATORS,
    USER_FIELDS,
    USER_OPERATORS,
)
from leadsq.sandbox.catalog import (
    CITIES,
    COMPANIES,
    FIRST_NAMES,
    LAST_NAMES,
    LEAD_FIELDS,
    STAGES,
    VENDOR_USER_IDS,
)

FIELDS = {spec.schema_name: spec.data_type for spec in LEAD_FIELDS}
NUMBER_FIELDS = [name for name, data_type in FIELDS.items() if data_type == "Number"]
TEAM_WORDS = ("Admin", "Sales Manager", "Sales Executive", "North", "South", "Inside Sales")
ENDPOINTS = [(name, path) for name, paths in ENDPOINT_PATHS.items() for path in paths]

# ------------------------------------------------------------------ small values

#: strings a careless server might trip on
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",  # a lone surrogate: valid JSON (\\ud800), not valid Unicode
        "x\udfffy",
        "' OR '1'='1",
        '" OR 1=1 --',
        "'; DROP TABLE leads; --",
        "%",
        "_",
        "50%_off",
        "\\",
        "\\x00",
        "NaN",
        "Infinity",
        "null",
        "😀",
        "Ω≈ç√",
        "\u202e",
        "٣",
        "²",
        "1e400",
        "-0",
        "0x10",
        "1_000",
        "9" * 400,
    ]
)
TEXT = st.one_of(st.text(max_size=12), NASTY_TEXT)
LONG_TEXT = st.integers(1_000, 120_000).map(lambda n: "x" * n)

HUGE_NUMBERS = st.sampled_from(
    [2**63, -(2**63) - 1, 10**30, 2**1000, 1e308, -1e308, 5e-324, 0.5, -1, 0, 1.5]
)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    HUGE_NUMBERS,
    TEXT,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def _date_text(value: datetime) -> str:
    return value.strftime(DATE_FORMAT)


DATES = st.one_of(
    st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2027, 12, 31)).map(_date_text),
    st.sampled_from(["2026-10-01 00:00:00.000", "0001-01-01 00:00:00", "9999-12-31 23:59:59"]),
)
BAD_DATES = st.sampled_from(
    [
        "2026-13-01 00:00:00",
        "2026-02-30 00:00:00",
        "2026-10-01",
        "2026-10-01T00:00:00",
        "01/10/2026",
        "2026-10-01 24:00:00",
        "2026-10-01 00:00:00.1234567",
        "2026-10-01 00:00:00Z",
        "",
        "yesterday",
    ]
)


def _cased(word: str) -> st.SearchStrategy[str]:
    """``word`` as written, or in another letter case (the contract ignores case)."""
    return st.sampled_from([word, word.lower(), word.upper(), word.swapcase()])


def _choice(words: tuple[str, ...] | list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(list(words)).flatmap(_cased)


def _value_for(data_type: str) -> st.SearchStrategy[str]:
    if data_type == "Number":
        return st.one_of(
            st.integers(-1000, 2_000_000).map(str),
            st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
            st.sampled_from([" 50 ", "1e3", "abc", ""]),
        )
    if data_type == "Date":
        return st.one_of(DATES, BAD_DATES)
    if data_type == "Boolean":
        return st.sampled_from(["true", "false", "1", "0", "TRUE", " False ", "yes"])
    return st.one_of(
        st.sampled_from([*STAGES, *(c for c, *_ in CITIES), *COMPANIES, *FIRST_NAMES, *LAST_NAMES]),
        TEXT,
    )


# ------------------------------------------------------------------ valid structures


@st.composite
def lead_filters(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(list(FIELDS)))
    operator = draw(st.sampled_from(LEAD_OPERATORS))
    item: dict[str, Any] = {
        draw(_cased("LookUpName")): field,
        draw(_cased("SqlOperator")): draw(_cased(operator)),
    }
    if operator == "in":
        item["LookUpValues"] = draw(st.lists(_value_for(FIELDS[field]), min_size=1, max_size=4))
    elif operator not in ("def", "ndef"):
        item["LookUpValue"] = draw(_value_for(FIELDS[field]))
    return item


@st.composite
def user_filters(draw: st.DrawFn) -> dict[str, Any]:
    def condition() -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {
                "LookupName": _choice(USER_FIELDS),
                "Operator": _choice(USER_OPERATORS),
                "LookupValue": st.one_of(
                    st.sampled_from(VENDOR_USER_IDS),
                    st.lists(st.sampled_from(VENDOR_USER_IDS), min_size=2, max_size=3).map(
                        ",".join
                    ),
                    st.sampled_from(TEAM_WORDS),
                    TEXT,
                ),
            },
            optional={"ConditionOperator": _choice(("AND", "OR"))},
        )

    group = st.fixed_dictionaries(
        {"Condition": st.lists(condition(), min_size=1, max_size=3)},
        optional={"GroupOperator": _choice(("AND", "OR"))},
    )
    return {"GroupConditions": draw(st.lists(group, max_size=3))}


ACTIVITY_CODES = st.one_of(
    st.sampled_from(["21", "22", "201", " 21 "]), st.integers(0, 10**6).map(str)
)


@st.composite
def activity_filters(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {
            "LookUpName": "ActivityEvent",
            "SqlOperator": "in",
            "LookUpValues": draw(st.lists(ACTIVITY_CODES, min_size=1, max_size=4)),
        }
    return {"LookUpName": "ActivityEvent", "SqlOperator": "=", "LookUpValue": draw(ACTIVITY_CODES)}


@st.composite
def date_filters(draw: st.DrawFn, endpoint: str) -> dict[str, Any]:
    fields = ["LeadCreatedOn", "LeadModifiedOn"]
    if endpoint == "not_contacted":
        fields.append("ActivityCreatedOn")
    start, end = sorted([draw(DATES), draw(DATES)])
    return {"DateField": draw(_choice(fields)), "FromDate": start, "ToDate": end}


@st.composite
def outputs(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        columns = draw(st.lists(st.sampled_from(list(FIELDS)), min_size=1, max_size=6, unique=True))
        return {"Type": draw(_cased("List")), "IncludeCSV": ",".join(columns)}
    function = draw(st.sampled_from(AGGREGATE_FUNCTIONS))
    output = {
        "Type": draw(_cased("Aggregate")),
        "GroupBy": draw(st.sampled_from(list(FIELDS))),
        "AggregateFunction": draw(_cased(function)),
    }
    if function != "Count" or draw(st.booleans()):
        output["AggregateField"] = draw(st.sampled_from(NUMBER_FIELDS))
    return output


@st.composite
def reports(draw: st.DrawFn, endpoint: str) -> dict[str, Any]:
    """A structurally valid body for ``endpoint`` (values may still not fit their field)."""
    body: dict[str, Any] = {
        draw(_cased("Output")): draw(outputs()),
        "Paging": {
            "PageIndex": draw(st.integers(1, 4)),
            "PageSize": draw(st.sampled_from([1, 10, 100, 5000])),
        },
    }
    report_filter: dict[str, Any] = {}
    if draw(st.booleans()):
        report_filter["LeadFilters"] = draw(st.lists(lead_filters(), max_size=3))
    if draw(st.integers(0, 3)) == 0:
        report_filter["UserFilter"] = draw(user_filters())
    if endpoint == "not_contacted" and draw(st.booleans()):
        report_filter["ActivityFilters"] = draw(st.lists(activity_filters(), max_size=2))
    if report_filter:
        body["ReportFilter"] = report_filter
    if draw(st.integers(0, 2)) == 0:
        body["DateFilter"] = draw(st.lists(date_filters(endpoint), max_size=2))
    return body


# ------------------------------------------------------------------ mutations


def _slots(value: Any, path: tuple = ()) -> list[tuple]:
    """Every place in ``value`` that holds a value, as a path of keys and indexes."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_slots(item, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_slots(item, (*path, i)))
    return found


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], tuple(rest), new)}
    copy = list(value)
    copy[head] = _replace(value[head], tuple(rest), new)
    return copy


def _delete(value: Any, path: tuple) -> Any:
    *parents, last = path
    parent = value
    for key in parents:
        parent = parent[key]
    if isinstance(parent, dict):
        shrunk: Any = {k: v for k, v in parent.items() if k != last}
    else:
        shrunk = [v for i, v in enumerate(parent) if i != last]
    return _replace(value, tuple(parents), shrunk)


_ENUM_WORDS = [
    "Lst",
    "Aggregated",
    "Median",
    "like",
    "==",
    "!=",
    "NOT",
    "XOR",
    "ActivityEvents",
    "LeadCreated",
    "json",
    "",
]


@st.composite
def _mutation(draw: st.DrawFn, body: Any) -> Any:
    """``body`` broken in one place."""
    slots = _slots(body)
    path = draw(st.sampled_from(slots))
    kind = draw(
        st.sampled_from(
            ["type", "type", "delete", "unknown_key", "enum", "date", "text", "long", "number"]
        )
    )
    if kind == "delete" and path:
        return _delete(body, path)
    if kind == "unknown_key":
        containers = [p for p in slots if isinstance(_get(body, p), dict)]
        where = draw(st.sampled_from(containers)) if containers else ()
        key = draw(st.one_of(TEXT, st.sampled_from(["Extra", "LookUpValueS", "pagesize2"])))
        target = _get(body, where)
        if not isinstance(target, dict):
            return body
        return _replace(body, where, {**target, key: draw(JSON_VALUES)})
    if kind == "enum":
        return _replace(body, path, draw(st.sampled_from(_ENUM_WORDS)))
    if kind == "date":
        return _replace(body, path, draw(BAD_DATES))
    if kind == "text":
        return _replace(body, path, draw(TEXT))
    if kind == "long":
        return _replace(body, path, draw(LONG_TEXT))
    if kind == "number":
        return _replace(body, path, draw(HUGE_NUMBERS))
    return _replace(body, path, draw(JSON_VALUES))


def _get(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


@st.composite
def mutated(draw: st.DrawFn, endpoint: str) -> Any:
    """A valid body for ``endpoint`` broken in zero to three places."""
    body: Any = draw(reports(endpoint))
    for _ in range(draw(st.integers(0, 3))):
        body = draw(_mutation(body))
    return body


@st.composite
def json_bodies(draw: st.DrawFn) -> tuple[str, str, Any]:
    """``(endpoint, path, body)``: a body that JSON can carry, valid or not.

    Never ``None`` or a string at the top (``build_report(body=...)`` reads those as "no
    body" and as JSON text).
    """
    endpoint, path = draw(st.sampled_from(ENDPOINTS))
    body = draw(
        st.one_of(mutated(endpoint), mutated(endpoint), mutated(endpoint), JSON_VALUES).filter(
            lambda v: v is not None and not isinstance(v, str)
        )
    )
    return endpoint, path, body


# ------------------------------------------------------------------ bytes

_MARK = "\x01raw-fragment\x01"
RAW_FRAGMENTS = st.one_of(
    st.sampled_from(
        [
            "NaN",
            "Infinity",
            "-Infinity",
            "1e999",
            "-1e999",
            "1" + "0" * 5000,  # more digits than int() takes by default
            "tru",
            "'single'",
            "undefined",
            "[1,]",
            '{"a" 1}',
            '"unterminated',
            '"\\x41"',
            '"\\ud800"',
            '"\\u0000"',
        ]
    ),
    st.integers(50, 5000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(50, 3000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
)


@st.composite
def raw_bodies(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """``(endpoint, path, bytes)``: a body broken below the JSON level (or not at all)."""
    endpoint, path = draw(st.sampled_from(ENDPOINTS))
    body = draw(reports(endpoint))
    kind = draw(st.sampled_from(["fragment", "fragment", "truncate", "bytes", "encoding"]))
    if kind == "fragment":
        where = draw(st.sampled_from(_slots(body)))
        text = json.dumps(_replace(body, where, _MARK))
        return endpoint, path, text.replace(json.dumps(_MARK), draw(RAW_FRAGMENTS)).encode()
    data = json.dumps(body, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if kind == "truncate":
        return endpoint, path, data[: draw(st.integers(0, max(len(data) - 1, 0)))]
    if kind == "bytes":
        at = draw(st.integers(0, len(data)))
        junk = draw(st.binary(min_size=1, max_size=4))
        return endpoint, path, data[:at] + junk + data[at:]
    encoding = draw(st.sampled_from(["utf-8-sig", "utf-16", "utf-32", "latin-1"]))
    text = json.dumps(body, ensure_ascii=False)
    return endpoint, path, text.encode(encoding, errors="replace")
