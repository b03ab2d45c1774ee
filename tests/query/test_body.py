"""body=: a documented JSON body is validated by the contract and taken as is."""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import pytest

from leadsq.contract import Paging, parse_report, report_to_body
from leadsq.errors import QueryError
from leadsq.query.build import build_report

FIXTURES = Path(__file__).parent.parent / "fixtures"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_the_vendor_distribution_example_is_read_as_is():
    report = build_report("distribution", body=fixture("distribution_example.json"))
    assert report.output.type == "Aggregate"
    assert (report.output.group_by, report.output.function, report.output.field) == (
        "OwnerId",
        "Average",
        "EngagementScore",
    )
    assert report.lead_filters[0].operator == "<>"
    assert report.user_groups[0].conditions[0].value.count(",") == 3
    assert (report.paging.index, report.paging.size) == (1, 10)


def test_the_vendor_distribution_example_as_json_text_gives_the_same_report():
    text = (FIXTURES / "distribution_example.json").read_text()
    assert build_report("distribution", body=text) == build_report(
        "distribution", body=fixture("distribution_example.json")
    )


def test_the_vendor_not_contacted_example_fails_naming_output_type():
    with pytest.raises(
        QueryError,
        match=r"^body: Output.Type must be one of List, Aggregate; got 'List\|Aggregate'$",
    ):
        build_report("not_contacted", body=fixture("not_contacted_example.json"))


def test_the_not_contacted_example_with_a_real_output_type_is_read():
    body = fixture("not_contacted_example.json")
    body["Output"]["Type"] = "List"
    report = build_report("not-contacted", body=body)
    assert report.output.columns == (
        "ProspectID",
        "ProspectStage",
        "ProspectActivityDate_Max",
        "OwnerId",
    )
    assert report.activity_filters[0].values == (21, 22)


def test_activity_filters_in_a_distribution_body_are_refused_naming_body():
    body = fixture("not_contacted_example.json")
    body["Output"]["Type"] = "List"
    with pytest.raises(
        QueryError, match=r"^body: ReportFilter.ActivityFilters is only allowed for not_contacted"
    ):
        build_report("distribution", body=body)


def test_any_mapping_is_accepted():
    body = OrderedDict(fixture("distribution_example.json"))
    assert build_report("distribution", body=body).output.function == "Average"


def test_invalid_json_text_names_body_and_the_position_in_the_servers_words():
    with pytest.raises(
        QueryError, match=r"body: The request body is not valid JSON: .*line 1 column 2"
    ):
        build_report("distribution", body="{nope}")


@pytest.mark.parametrize("text", ['{"Paging": NaN}', '{"Paging": Infinity}'])
def test_json_text_that_only_python_accepts_is_refused(text):
    with pytest.raises(QueryError, match="body: The request body is not valid JSON"):
        build_report("distribution", body=text)


@pytest.mark.parametrize(
    ("body", "match"),
    [([], "must be a JSON object"), ("[1]", "must be a JSON object"), ({}, "Output is required")],
)
def test_a_body_breaking_the_contract_is_refused_keeping_its_message(body, match):
    with pytest.raises(QueryError, match=f"body: .*{match}"):
        build_report("distribution", body=body)


def test_body_cannot_be_combined_with_other_query_arguments_and_lists_them():
    with pytest.raises(
        QueryError,
        match="body: cannot be combined with where, users, created, aggregate: a body",
    ):
        build_report(
            "distribution",
            "A == 1",
            users="a@b.io",
            created="today",
            aggregate="sum",
            page_size=10,
            body=fixture("distribution_example.json"),
        )


def test_a_body_keeps_its_paging_unless_page_size_is_given():
    body = fixture("distribution_example.json")
    assert build_report("distribution", body=body, aggregate="COUNT").paging == Paging(1, 10)
    assert build_report("distribution", body=body, page_size=1000).paging == Paging(1, 1000)


def test_page_size_reads_a_body_from_the_row_its_paging_starts_at():
    body = {**fixture("distribution_example.json"), "Paging": {"PageIndex": 21, "PageSize": 10}}
    assert build_report("distribution", body=body, page_size=100).paging == Paging(3, 100)
    with pytest.raises(QueryError) as caught:
        build_report("distribution", body=body, page_size=300)
    assert str(caught.value) == (
        "page_size: the body starts at row 201 (PageIndex 21 of PageSize 10), which does not "
        "begin a page of 300; give a page_size that divides 200"
    )


def test_a_report_s_own_body_builds_the_same_report():
    report = build_report(
        "not_contacted",
        "Stage in ['A', 'B'] and Score >= 20 and City.notna() and ~Name.str.contains('x')",
        users=["a@b.io"],
        user_filter=[[("Role", "eq", "Admin"), "or", ("Team", "neq", "North")]],
        activities=21,
        created=("2024-01-01", "2024-02-01"),
        activity_window=("2024-03-01 10:00", "2024-03-02 10:00"),
        group_by="OwnerId",
        aggregate="sum",
        aggregate_field="Score",
        page_size=77,
    )
    body = report_to_body(report)
    assert build_report("not_contacted", body=body) == report
    assert build_report("not_contacted", body=json.dumps(body)) == report
    assert parse_report(body, "not_contacted") == report
