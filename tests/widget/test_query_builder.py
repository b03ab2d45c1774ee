"""The query builder driven through its child widgets against the sandbox."""

from __future__ import annotations

import json
import socket
from datetime import date

import ipywidgets as widgets
import pandas as pd
import pytest

import leadsq
from leadsq.notebook.widget import QueryBuilder
from leadsq.sandbox import Faults, Sandbox

from .conftest import assert_same_read


def _options(widget: widgets.Widget) -> list:
    return [value for _, value in widget.options]


def _row(builder: QueryBuilder, index: int = -1):
    return builder._filters.children[index]


def test_it_is_a_vbox_whose_pickers_come_from_the_account(builder, sandbox) -> None:
    assert isinstance(builder, widgets.VBox)
    users = sandbox.store.table("users")
    assert sorted(_options(builder._users)) == sorted(users["UserID"])
    assert 21 in _options(builder._activities) and 22 in _options(builder._activities)
    assert "ProspectStage" in _options(builder._columns)
    assert "mx_Loan_Amount" in _options(builder._aggregate_field)
    assert set(_options(builder._aggregate_field)) <= {
        "ProspectAutoId",
        "Score",
        "EngagementScore",
        "mx_Loan_Amount",
        "mx_Interest_Rate",
    }
    assert builder.error == ""
    assert builder.frame is None


def test_a_filter_row_offers_operators_and_an_input_that_fit_its_field(builder) -> None:
    builder._add_filter.click()
    row = _row(builder)
    row._field.value = "DoNotCall"
    assert _options(row._operator) == ["=", "<>", "def", "ndef"]
    assert isinstance(row._input(), widgets.Dropdown)
    assert _options(row._input()) == [True, False]

    row._field.value = "EngagementScore"
    assert isinstance(row._input(), widgets.FloatText)

    row._field.value = "mx_Follow_Up_Date"
    assert isinstance(row._input(), widgets.DatePicker)

    row._field.value = "ProspectStage"
    row._operator.value = "in"
    assert isinstance(row._input(), widgets.SelectMultiple)
    assert row._input().options[:2] == ("Prospect", "Opportunity")

    row._operator.value = "ndef"
    assert row._input() is None
    assert builder.query["filters"] == [("ProspectStage", "ndef")]


def test_a_list_read_shows_the_frame_and_code_that_reads_the_same(builder, run_code, sandbox):
    builder._add_filter.click()
    stage = _row(builder)
    stage._field.value = "ProspectStage"
    stage._operator.value = "in"
    stage._input().value = ("Prospect", "Opportunity")
    builder._add_filter.click()
    score = _row(builder)
    score._field.value = "EngagementScore"
    score._operator.value = ">="
    score._input().value = 20
    builder._columns.value = ("ProspectID", "ProspectStage", "EngagementScore")

    builder._run.click()

    frame = builder.frame
    assert builder.error == ""
    assert list(frame.columns) == ["ProspectID", "ProspectStage", "EngagementScore"]
    leads = sandbox.store.table("leads")
    expected = leads[
        leads["ProspectStage"].isin(["Prospect", "Opportunity"]) & (leads["EngagementScore"] >= 20)
    ]
    assert len(frame) == len(expected) > 0
    assert set(frame["ProspectID"]) == set(expected["ProspectID"])
    assert builder.figure is None  # a list shows no plot
    assert "where=\"ProspectStage in ['Prospect', 'Opportunity'] and EngagementScore >= 20\"" in (
        builder.code
    )
    assert_same_read(frame, run_code(builder.code))


def test_an_aggregate_read_shows_its_plot(builder, run_code, sandbox) -> None:
    builder._output.value = "aggregate"
    assert builder._columns_box.layout.display == "none"
    assert builder._aggregate_box.layout.display is None
    assert builder._aggregate_field.disabled  # count needs no field
    builder._group_by.value = "OwnerId"
    builder._aggregate.value = "average"
    builder._aggregate_field.value = "EngagementScore"
    builder._created._preset.value = "custom"
    builder._created._start.value = date(2026, 1, 1)
    builder._created._end.value = date(2026, 10, 31)

    builder._run.click()

    frame = builder.frame
    assert frame.index.name == "OwnerId"
    assert list(frame.columns) == ["Count", "Average_EngagementScore"]
    assert frame["Count"].is_monotonic_decreasing
    axes = builder.figure.axes[0]
    assert len(axes.patches) >= min(len(frame), 10)  # a bar per owner, the tail folded
    users = sandbox.store.table("users").set_index("UserID")
    top = users.loc[frame["Average_EngagementScore"].idxmax()]
    labels = " ".join(label.get_text() for label in axes.get_yticklabels())
    assert f"{top.FirstName} {top.LastName}" in labels
    assert 'created=("2026-01-01 00:00:00", "2026-10-31 23:59:59")' in builder.code
    assert_same_read(frame, run_code(builder.code))


def test_not_contacted_with_activities_and_a_contact_window(make_builder, run_code) -> None:
    builder = make_builder(endpoint="not_contacted")
    assert builder._activities_box.layout.display is None
    builder._activities.value = (21, 22)
    window = builder._activity_window
    window._preset.value = "custom"
    window._start.value = date(2026, 10, 2)
    window._end.value = date(2026, 11, 1)
    builder.add_filter("ProspectStage", "in", ["Prospect", "Opportunity"])
    builder._max_results.value = 40

    builder._run.click()

    frame = builder.frame
    assert len(frame) == 40
    assert set(frame["ProspectStage"]) <= {"Prospect", "Opportunity"}
    assert builder.body["ReportFilter"]["ActivityFilters"] == [
        {"LookUpName": "ActivityEvent", "SqlOperator": "in", "LookUpValues": ["21", "22"]}
    ]
    assert {"DateField": "ActivityCreatedOn", "FromDate": "2026-10-02 00:00:00",
            "ToDate": "2026-11-01 23:59:59"} in builder.body["DateFilter"]  # fmt: skip
    assert "max_results=40" in builder.code
    assert_same_read(frame, run_code(builder.code))

    builder._endpoint.value = "distribution"
    assert builder._activities_box.layout.display == "none"
    assert "activities" not in builder.query and "ActivityFilters" not in json.dumps(builder.body)


def test_code_body_and_query_follow_every_change(builder) -> None:
    seen: list[dict] = []
    builder.observe(lambda change: seen.append(change["new"]), "query")
    builder.add_filter("mx_City", "=", "Pune")
    assert len(seen) == 1  # the row's own settling is not seen, only the result
    assert seen[-1]["filters"] == [("mx_City", "=", "Pune")]
    assert "mx_City == 'Pune'" in builder.code
    assert builder.body["ReportFilter"]["LeadFilters"] == [
        {"LookUpName": "mx_City", "SqlOperator": "=", "LookUpValue": "Pune"}
    ]
    assert "mx_City" in builder._code_view.value and "Pune" in builder._body_view.value

    _row(builder)._remove.click()
    assert builder._filters.children == ()
    assert "filters" not in builder.query and "where" not in builder.code


def test_add_filter_refuses_a_bad_row_and_leaves_the_form_as_it_was(builder) -> None:
    builder.add_filter("mx_City", "=", "Mumbai")
    before = (builder.query, builder.code, len(builder._filters.children))
    bad = [
        (("EngagmentScore", ">=", 20), "add_filter: unknown lead field 'EngagmentScore' "
         "(did you mean EngagementScore?)"),
        (("EngagementScore", "=>", 20), "add_filter: operator '=>' does not apply to Number "
         "field EngagementScore; use one of =, <>, >, <, >=, <=, in, def, ndef (did you mean >=?)"),
        (("ProspectStage", "=", "Opportunities"), "add_filter: 'Opportunities' is not an option "
         "of ProspectStage (did you mean Opportunity?); its options are "),
        (("EngagementScore", ">=", "twenty"), "add_filter: 'twenty' does not fit EngagementScore "
         "under '>='"),
    ]  # fmt: skip
    for args, message in bad:
        with pytest.raises(leadsq.QueryError) as caught:
            builder.add_filter(*args)
        assert str(caught.value).startswith(message)
        assert (builder.query, builder.code, len(builder._filters.children)) == before


def test_add_filter_reads_pandas_operators_as_filters_does(builder) -> None:
    builder.add_filter("ProspectStage", "==", "Opportunity")
    builder.add_filter("Source", "!=", "Referral")
    assert builder.query["filters"] == [
        ("ProspectStage", "=", "Opportunity"),
        ("Source", "<>", "Referral"),
    ]
    builder._columns.value = ("ProspectID", "ProspectStage", "Source")
    frame = builder.run()
    assert set(frame["ProspectStage"]) == {"Opportunity"}
    assert "Referral" not in set(frame["Source"])


def test_a_bad_value_is_shown_in_the_form_and_nothing_is_read(builder) -> None:
    builder.add_filter("EngagementScore", "in", None)
    _row(builder)._input().value = "10, twenty"
    assert builder.error == "QueryError: EngagementScore: 'twenty' is not a number"
    assert "twenty" in builder._error.value
    assert builder.query == {} and builder.body == {}
    builder._run.click()
    assert builder.frame is None

    _row(builder)._input().value = "10, 20"
    assert builder.error == "" and builder._error.value == ""
    builder._columns.value = ()
    assert builder.error == "QueryError: columns: pick at least one column"


def test_wrong_keys_are_shown_in_the_form(sandbox) -> None:
    builder = QueryBuilder(host=sandbox.url, access_key="wrong-access", secret_key="wrong-secret")
    assert builder.error.startswith("Could not load the account's fields: AuthenticationError: ")
    builder._run.click()
    assert builder.frame is None and "AuthenticationError" in builder._error.value


def test_a_server_error_is_shown_in_the_form() -> None:
    saved = leadsq.settings
    leadsq.configure(max_retries=0)
    try:
        with Sandbox(leads=200, seed=1, faults=Faults(server_error=1.0)) as faulty:
            builder = QueryBuilder(
                host=faulty.url, access_key=faulty.access_key, secret_key=faulty.secret_key
            )
    finally:
        leadsq.configure(**{"max_retries": saved.max_retries})
    assert "ServerError" in builder.error
    assert "ServerError" in builder._error.value


def test_a_read_that_fails_is_shown_in_the_form_not_raised() -> None:
    saved = leadsq.settings
    box = Sandbox(leads=200, seed=2).start()
    builder = QueryBuilder(
        host=box.url, access_key=box.access_key, secret_key=box.secret_key, progress=False
    )
    box.stop()
    leadsq.configure(max_retries=0, timeout=(1.0, 1.0))
    try:
        assert builder.run() is None
    finally:
        leadsq.configure(max_retries=saved.max_retries, timeout=saved.timeout)
    assert builder.error.startswith("TransportError: ")
    assert builder._status.value == ""
    assert not builder._run.disabled


def test_keys_never_show_in_the_form(builder, sandbox) -> None:
    builder.add_filter("Source", "=", "Referral")
    builder._run.click()
    shown = [builder.code, json.dumps(builder.body), repr(builder.query), builder._code_view.value]
    for text in shown:
        assert sandbox.access_key not in text and sandbox.secret_key not in text
    assert f'host="{sandbox.url}"' in builder.code


def test_children_have_their_own_layouts(make_builder) -> None:
    first, second = make_builder(), make_builder()
    for name in ("_run", "_columns", "_users", "_result"):
        assert getattr(first, name).layout is not getattr(second, name).layout
    first._run.layout.width = "10px"
    assert second._run.layout.width != "10px"


def test_an_empty_result_is_a_frame_with_the_columns(builder) -> None:
    builder.add_filter("EngagementScore", ">", 10**9)
    frame = builder.run()
    assert isinstance(frame, pd.DataFrame) and frame.empty
    assert list(frame.columns) == list(builder._columns.value)
    assert builder._status.value.startswith("0 rows")


def test_run_tries_the_account_again_when_it_was_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = leadsq.settings
    leadsq.configure(max_retries=0)
    try:
        # keys of its own: the client's rate limiter is shared per access key
        box = Sandbox(
            leads=200, seed=3, port=port, access_key="retry-access", secret_key="retry-secret"
        )
        builder = QueryBuilder(
            host=f"http://127.0.0.1:{port}",
            access_key=box.settings.access_key,
            secret_key=box.settings.secret_key,
            progress=False,
        )
        assert "TransportError" in builder.error and builder._columns.options == ()
        with box:
            frame = builder.run()
    finally:
        leadsq.configure(max_retries=saved.max_retries)
    assert builder.error == ""
    assert len(frame) == 200 and "ProspectStage" in _options(builder._group_by)


def test_dates_follow_the_configured_time_zone_in_body_code_and_read(
    make_builder, run_code, fresh_settings
) -> None:
    leadsq.configure(time_zone="Asia/Kolkata", rate_limit=(10_000, 1))
    builder = make_builder()
    window = builder._created
    window._preset.value = "custom"
    window._start.value = date(2026, 10, 2)
    window._end.value = date(2026, 10, 31)
    assert builder.body["DateFilter"] == [
        {"DateField": "LeadCreatedOn", "FromDate": "2026-10-01 18:30:00",
         "ToDate": "2026-10-31 18:29:59"}
    ]  # fmt: skip
    assert '("2026-10-01 18:30:00", "2026-10-31 18:29:59")' in builder.code
    builder._run.click()
    assert_same_read(builder.frame, run_code(builder.code))


def test_a_boolean_filter_is_sent_as_one_or_zero(builder, run_code, leads) -> None:
    builder.add_filter("DoNotCall", "=", True)
    assert builder.body["ReportFilter"]["LeadFilters"] == [
        {"LookUpName": "DoNotCall", "SqlOperator": "=", "LookUpValue": "1"}
    ]
    builder._run.click()
    assert builder.frame.attrs["leadsq"]["total_count"] == int(leads["DoNotCall"].sum())


def test_a_changed_query_clears_the_last_run_s_status(builder) -> None:
    builder.add_filter("ProspectStage", "=", "Opportunity")
    builder.run()
    assert builder._status.value.endswith(" s") and "rows in" in builder._status.value
    described = builder.query
    _row(builder)._input().value = "Customer"
    assert builder._status.value == ""
    assert builder.query != described


def test_multi_selects_are_sized_and_counted(builder, sandbox) -> None:
    users = len(sandbox.store.table("users"))
    assert builder._users.rows == min(users, 10) and builder._columns.rows == 10
    assert builder._counts["users"].value == (
        f"<small>{users} offered; none selected = all owners</small>"
    )
    builder._users.value = tuple(value for _, value in builder._users.options[:3])
    assert builder._counts["users"].value == f"<small>3 of {users} selected</small>"
    offered = len(builder._columns.options)
    assert builder._counts["columns"].value == (
        f"<small>{len(builder._columns.value)} of {offered} selected</small>"
    )


def test_group_by_offers_fields_that_group(builder, field_types) -> None:
    offered = set(_options(builder._group_by))
    assert {"ProspectStage", "Source", "mx_City", "OwnerId", "DoNotCall"} <= offered
    for name in offered - {"OwnerId"}:
        assert field_types[name] in ("Select", "Boolean")
    assert not offered & {"CreatedOn", "ProspectID", "EngagementScore", "FirstName"}


def test_all_rows_is_a_checkbox_and_a_number_typed_unticks_it(builder) -> None:
    assert builder._all_rows.value and "max_results" not in builder.query
    builder._max_results.value = 25
    assert not builder._all_rows.value and builder.query["max_results"] == 25
    builder._all_rows.value = True
    assert "max_results" not in builder.query and "max_results" not in builder.code


def test_ids_are_shortened_in_the_display_only(builder) -> None:
    from leadsq.notebook.form_view import readable

    builder._columns.value = ("ProspectID", "OwnerId", "FirstName")
    frame = builder.run()
    shown = readable(frame)
    assert list(shown.columns) == ["ProspectID", "OwnerId", "OwnerName", "FirstName"]
    assert shown["ProspectID"].iloc[0] == frame["ProspectID"].iloc[0][:8] + "…"
    assert shown["OwnerId"].iloc[0] == frame["OwnerId"].iloc[0][:8] + "…"
    assert shown["FirstName"].equals(frame["FirstName"])
    assert len(builder.frame["ProspectID"].iloc[0]) == 36  # the frame keeps them whole


def test_a_big_number_in_the_form_is_sent_as_the_reader_sends_it(builder) -> None:
    from leadsq.contract import report_to_body
    from leadsq.query.build import build_report

    builder.add_filter("EngagementScore", ">", 1e20)
    reader = build_report(
        "distribution", filters=[("EngagementScore", ">", 1e20)], columns=builder.query["columns"]
    )
    assert builder.body == report_to_body(reader)
    assert builder.query["filters"] == [("EngagementScore", ">", "100000000000000000000")]
