"""to_code: a report as the pd.read_leadsquared call that rebuilds it, exactly."""

from __future__ import annotations

import ast
import types
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadsq import contract
from leadsq.contract import (
    ActivityFilter,
    DateFilter,
    LeadFilter,
    Output,
    Paging,
    Report,
    Sorting,
    UserCondition,
    UserGroup,
    parse_report,
    report_to_body,
)
from leadsq.errors import QueryError
from leadsq.query.build import build_report
from leadsq.query.code import to_code, where_text
from leadsq.query.where import parse_where

NOW = datetime(2024, 5, 15, 10, 30, 0)
ALICE = "8e7da340-740a-11e5-8de3-22000aa5088d"


def run(code: str) -> tuple[Report, dict]:
    """Evaluate generated code where pd.read_leadsquared builds the report it describes."""
    seen: dict = {}

    def read_leadsquared(endpoint, where=None, *, max_results=None, response_format=None, **kwargs):
        query = {k: kwargs.pop(k) for k in list(kwargs) if k in QUERY_ARGUMENTS}
        seen.update(max_results=max_results, response_format=response_format, extra=kwargs)
        return build_report(endpoint, where, **query)

    namespace = {"pd": types.SimpleNamespace(read_leadsquared=read_leadsquared)}
    exec(compile(f"result = {code}", "<to_code>", "exec"), namespace)
    return namespace["result"], seen


QUERY_ARGUMENTS = {
    "filters",
    "users",
    "user_filter",
    "activities",
    "created",
    "modified",
    "activity_window",
    "columns",
    "group_by",
    "aggregate",
    "aggregate_field",
    "page_size",
    "body",
}


def rebuilt(report: Report) -> Report:
    return run(to_code(report))[0]


def keywords(code: str) -> list[str]:
    call = ast.parse(code, mode="eval").body
    assert isinstance(call, ast.Call)
    return [k.arg for k in call.keywords]


# --------------------------------------------------------------------------- examples


def test_a_small_read_is_one_line():
    report = build_report("distribution", "Score >= 20", columns=["ProspectID", "Score"])
    code = to_code(report)
    assert code == (
        'pd.read_leadsquared("distribution", where="Score >= 20", columns=["ProspectID", "Score"])'
    )
    assert rebuilt(report) == report


def test_a_larger_read_is_one_argument_per_line_with_absolute_dates():
    report = build_report(
        "not_contacted",
        "ProspectStage in ['Prospect', 'Opportunity'] and EngagementScore >= 20",
        users=[ALICE],
        activities=[21, 22],
        activity_window="last 30 days",
        columns=["ProspectID", "OwnerId"],
        page_size=500,
        now=NOW,
    )
    assert to_code(report) == "\n".join(
        [
            "pd.read_leadsquared(",
            '    "not_contacted",',
            "    where=\"ProspectStage in ['Prospect', 'Opportunity'] and EngagementScore >= 20\",",
            f'    users="{ALICE}",',
            "    activities=[21, 22],",
            '    activity_window=("2024-04-15 10:30:00", "2024-05-15 10:30:00"),',
            '    columns=["ProspectID", "OwnerId"],',
            "    page_size=500,",
            ")",
        ]
    )
    assert rebuilt(report) == report


def test_a_long_where_is_split_at_and_into_implicit_concatenation():
    where = " and ".join(f"mx_Field_{i} == 'some longer value {i}'" for i in range(4))
    report = build_report("distribution", where)
    code = to_code(report)
    assert '        " and mx_Field_1 == ' in code
    assert rebuilt(report) == report


def test_an_aggregate_is_written_with_group_by_and_its_function():
    report = build_report(
        "distribution", group_by="OwnerId", aggregate="mean", aggregate_field="EngagementScore"
    )
    assert keywords(to_code(report)) == ["group_by", "aggregate", "aggregate_field"]
    assert 'aggregate="average"' in to_code(report)
    assert rebuilt(report) == report
    count = build_report("distribution", group_by="OwnerId")
    assert keywords(to_code(count)) == ["group_by"]


def test_every_operator_is_written_in_where():
    report = build_report(
        "distribution",
        filters=[
            ("A", "=", "x"),
            ("B", "<>", 1),
            ("C", ">", 2.5),
            ("D", "<", -3),
            ("E", ">=", "007"),
            ("F", "<=", "2024-01-01 00:00:00"),
            ("G", "def"),
            ("H", "ndef"),
            ("I", "lik", "it's"),
            ("J", "nlik", 'say "hi"'),
            ("K", "in", ["a", 1]),
            ("L", "<>", "p"),
            ("L", "<>", "q"),
        ],
    )
    text = where_text(report.lead_filters)
    assert text == (
        "A == 'x' and B != 1 and C > 2.5 and D < -3 and E >= '007' "
        "and F <= '2024-01-01 00:00:00' and G.notna() and H.isna() "
        "and I.str.contains(\"it's\") and ~J.str.contains('say \"hi\"') and K in ['a', 1] "
        "and L not in ['p', 'q']"
    )
    assert parse_where(text) == list(report.lead_filters)
    assert keywords(to_code(report))[0] == "where"
    assert rebuilt(report) == report


def test_odd_field_names_are_backticked_and_unwritable_ones_fall_back_to_filters():
    spaced = build_report("distribution", filters=[("mx_Lead Source", "=", "Web")])
    assert where_text(spaced.lead_filters) == "`mx_Lead Source` == 'Web'"
    assert rebuilt(spaced) == spaced
    ticked = build_report("distribution", filters=[("a`b", "in", ["x"]), ("c", "def")])
    assert keywords(to_code(ticked))[0] == "filters"
    assert rebuilt(ticked) == ticked


def test_users_and_user_filter_are_written_back():
    report = build_report(
        "distribution",
        users=[ALICE, "ana@example.com"],
        user_filter=[
            [("Role", "eq", "Admin"), "or", ("Team", "eq", ["N", "S"])],
            [("Team", "lik", "x")],
        ],
    )
    code = to_code(report)
    assert keywords(code)[:2] == ["users", "user_filter"]
    assert rebuilt(report) == report


def test_a_users_like_group_joined_by_or_is_written_as_user_filter():
    report = build_report(
        "distribution",
        user_filter=[
            [("UserID", "eq", ALICE)],
            "or",
            [("Role", "eq", "A")],
            "or",
            [("Team", "eq", "B")],
        ],
    )
    assert "users" not in keywords(to_code(report))
    assert rebuilt(report) == report


@pytest.mark.parametrize(
    "change",
    [
        lambda r: replace(r, paging=Paging(index=3, size=10)),
        lambda r: replace(
            r, activity_filters=(ActivityFilter("=", (21,)), ActivityFilter("in", (22,)))
        ),
        lambda r: replace(r, date_filters=tuple(reversed(r.date_filters))),
        lambda r: replace(
            r, user_groups=(UserGroup((UserCondition("Role", "eq", "A", "OR"),), "AND"),)
        ),
        lambda r: replace(
            r, user_groups=(UserGroup((UserCondition("Role", "eq", "A", "AND"),), "OR"),)
        ),
        lambda r: replace(r, sorting=Sorting("CreatedOn", descending=True)),
    ],
)
def test_what_keywords_cannot_rebuild_is_written_as_body(change):
    base = build_report(
        "not_contacted", created=("2024-01-01", "2024-02-01"), modified=("2024-01-05", "2024-02-01")
    )
    report = parse_report(report_to_body(change(base)), "not_contacted")
    code = to_code(report)
    assert keywords(code) == ["body", "page_size"]
    assert f"page_size={report.paging.size}" in code
    assert rebuilt(report) == report


def test_reader_options_and_extras_are_added_after_the_query():
    report = build_report("distribution", columns=["ProspectID"])
    code = to_code(
        report, max_results=100, response_format="csv", extra={"host": "sandbox", "chunksize": 50}
    )
    assert keywords(code) == ["columns", "max_results", "response_format", "host", "chunksize"]
    result, seen = run(code)
    assert result == report
    assert seen == {
        "max_results": 100,
        "response_format": "csv",
        "extra": {"host": "sandbox", "chunksize": 50},
    }
    assert "response_format" not in to_code(report, response_format="JSON")


@pytest.mark.parametrize("name", ["access_key", "secret_key"])
def test_keys_are_never_written_into_code(name):
    with pytest.raises(QueryError, match=f"extra: {name} must not appear in generated code"):
        to_code(build_report("distribution"), extra={name: "s3cr3t"})


@pytest.mark.parametrize("name", ["where", "page_size", "not a name", "class"])
def test_extras_cannot_override_query_arguments(name):
    with pytest.raises(QueryError, match=r"extra: .* cannot be added"):
        to_code(build_report("distribution"), extra={name: 1})


# --------------------------------------------------------------------------- properties

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_name = st.one_of(
    st.sampled_from(
        ["ProspectStage", "EngagementScore", "mx_City", "Source", "class", "mx_Lead Source"]
    ),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True),
    _text.map(str.strip).filter(bool),
)
_value = st.one_of(_text, st.integers(-(10**6), 10**6).map(str), st.floats(-1e6, 1e6).map(str))


@st.composite
def lead_filters(draw):
    field = draw(_name)
    operator = draw(st.sampled_from(contract.LEAD_OPERATORS))
    if operator in ("def", "ndef"):
        return LeadFilter(field, operator)
    if operator == "in":
        return LeadFilter(
            field, operator, values=tuple(draw(st.lists(_value, min_size=1, max_size=3)))
        )
    return LeadFilter(field, operator, draw(_value))


_guid = st.uuids().map(str)
_email = st.from_regex(r"[a-z]{1,6}@[a-z]{1,6}\.io", fullmatch=True)
_link = st.sampled_from(["AND", "OR"])


@st.composite
def user_groups(draw):
    if draw(st.booleans()):
        ids = draw(st.lists(_guid, max_size=2, unique=True))
        emails = draw(st.lists(_email, max_size=2, unique=True, min_size=0 if ids else 1))
        conditions = [
            UserCondition(field, "eq", ",".join(values), "AND")
            for field, values in (("UserID", ids), ("EmailAddress", emails))
            if values
        ]
        if len(conditions) == 2:
            conditions[0] = replace(conditions[0], link="OR")
        return UserGroup(tuple(conditions), draw(_link))
    conditions = draw(
        st.lists(
            st.builds(
                UserCondition,
                st.sampled_from(contract.USER_FIELDS),
                st.sampled_from(contract.USER_OPERATORS),
                _text,
                _link,
            ),
            min_size=1,
            max_size=3,
        )
    )
    return UserGroup(tuple(conditions), draw(_link))


_instant = st.datetimes(datetime(2000, 1, 1), datetime(2030, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)


@st.composite
def date_filters(draw, endpoint):
    fields = list(contract.DATE_FIELDS if endpoint == "not_contacted" else contract.DATE_FIELDS[:2])
    start = draw(_instant)
    end = start + timedelta(seconds=draw(st.integers(0, 10**8)))
    return DateFilter(draw(st.sampled_from(fields)), start, end)


_column = (
    st.one_of(_name, st.just("ProspectID")).map(str.strip).filter(lambda c: c and "," not in c)
)


@st.composite
def outputs(draw):
    if draw(st.booleans()):
        return Output(
            "List", columns=tuple(draw(st.lists(_column, min_size=1, max_size=4, unique=True)))
        )
    function = draw(st.sampled_from(contract.AGGREGATE_FUNCTIONS))
    field = None if function == "Count" else draw(_name)
    return Output("Aggregate", group_by=draw(_name), function=function, field=field)


@st.composite
def reports(draw):
    endpoint = draw(st.sampled_from(contract.ENDPOINTS))
    activities = ()
    if endpoint == "not_contacted":
        activities = tuple(
            draw(
                st.lists(
                    st.one_of(
                        st.builds(lambda c: ActivityFilter("=", (c,)), st.integers(0, 500)),
                        st.builds(
                            lambda cs: ActivityFilter("in", tuple(cs)),
                            st.lists(st.integers(0, 500), min_size=1, max_size=3),
                        ),
                    ),
                    max_size=2,
                )
            )
        )
    return Report(
        endpoint=endpoint,
        output=draw(outputs()),
        paging=Paging(draw(st.sampled_from([1, 1, 1, 2])), draw(st.integers(1, 10_000))),
        user_groups=tuple(draw(st.lists(user_groups(), max_size=3))),
        lead_filters=tuple(draw(st.lists(lead_filters(), max_size=4))),
        activity_filters=activities,
        date_filters=tuple(draw(st.lists(date_filters(endpoint), max_size=3))),
    )


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(reports())
def test_to_code_rebuilds_any_valid_report(report):
    assert parse_report(report_to_body(report), report.endpoint) == report
    code = to_code(report)
    compile(code, "<to_code>", "eval")
    assert rebuilt(report) == report


@settings(max_examples=300, deadline=None, database=None)
@given(reports())
def test_any_valid_body_builds_back_the_report_it_came_from(report):
    assert build_report(report.endpoint, body=report_to_body(report)) == report


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(lead_filters(), min_size=1, max_size=5))
def test_where_text_parses_back_to_the_same_filters(filters):
    text = where_text(filters)
    if text is not None:
        assert parse_where(text) == [
            replace(f, values=None) if f.operator != "in" else f for f in filters
        ]
