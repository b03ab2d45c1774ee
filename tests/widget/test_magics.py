"""``%load_ext leadsq``: the ``%%leadsquared`` cell magic in a real IPython shell."""

from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
import pytest

import leadsq
from leadsq.errors import QueryError
from leadsq.notebook.magics import MagicError, cell_query, python_literal, substitute
from leadsq.notebook.widget import QueryBuilder

from .conftest import assert_same_read


@pytest.fixture(scope="module")
def shell():
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_line_magic("load_ext", "leadsq")
    yield ip
    ip.run_line_magic("unload_ext", "leadsq")


@pytest.fixture
def ip(shell, sandbox, monkeypatch):
    """The shell, configured for the sandbox through the environment, as a notebook user would."""
    monkeypatch.setenv("LSQ_HOST", sandbox.url)
    monkeypatch.setenv("LSQ_ACCESS_KEY", sandbox.access_key)
    monkeypatch.setenv("LSQ_SECRET_KEY", sandbox.secret_key)
    yield shell
    for name in ("result", "stage", "stages", "window", "top"):
        shell.user_ns.pop(name, None)


def _cell(ip, line: str, body: str):
    # IPython refuses a cell magic with an empty body: a comment stands for "no filter"
    return ip.run_cell(f"%%leadsquared {line}\n{body or '# all leads'}")


def _read(*args, **kwargs) -> pd.DataFrame:
    return leadsq.read_leadsquared(*args, progress=False, **kwargs)


def test_load_ext_registers_the_magics_with_their_help(shell) -> None:
    magic = shell.magics_manager.magics["cell"]["leadsquared"]
    assert "leadsquared_builder" in shell.magics_manager.magics["line"]
    assert magic.__doc__.lstrip(": \n").startswith("%%leadsquared [-e ENDPOINT]")
    for option in (
        "--columns",
        "--group-by",
        "--aggregate",
        "--aggregate-field",
        "--response-format",
        "--created",
    ):
        assert option in magic.__doc__


def test_help_prints_the_options_as_a_cell_or_a_line(shell, capsys) -> None:
    for source in ("%%leadsquared --help\n# no query", "%leadsquared --help", "%leadsquared -h"):
        outcome = shell.run_cell(source)
        assert outcome.success, source
        printed = capsys.readouterr().out
        assert printed.startswith("%%leadsquared [-e ENDPOINT]")
        for option in ("--aggregate-field AGGREGATE_FIELD", "--activity-window", "--help"):
            assert option in printed
    outcome = shell.run_cell("%leadsquared_builder --help")
    assert outcome.success and capsys.readouterr().out.startswith("%leadsquared_builder")


def test_the_line_form_without_help_says_to_write_a_cell(shell, capsys) -> None:
    outcome = shell.run_cell("%leadsquared -e not_contacted")
    assert isinstance(outcome.error_in_exec, MagicError)
    assert str(outcome.error_in_exec).startswith("UsageError: write the query in a cell: ")


def test_a_named_cell_stores_the_frame_and_shows_nothing(ip, capsys) -> None:
    ip.user_ns["stage"] = "Prospect"
    outcome = _cell(
        ip, "result --columns ProspectID,ProspectStage --no-progress", "ProspectStage == {stage}"
    )
    assert outcome.success and outcome.result is None
    assert capsys.readouterr().out == ""
    expected = _read(
        "distribution", "ProspectStage == 'Prospect'", columns="ProspectID,ProspectStage"
    )
    assert_same_read(ip.user_ns["result"], expected)


def test_a_cell_without_a_name_returns_the_frame(ip) -> None:
    ip.user_ns["stages"] = np.array(["Prospect", "Customer"])
    outcome = _cell(
        ip,
        "--group-by ProspectStage --aggregate average --aggregate-field EngagementScore --no-progress",
        "# stages from the notebook\nProspectStage in {stages}\n  and EngagementScore > 0",
    )
    assert outcome.success
    expected = _read(
        "distribution",
        "ProspectStage in ['Prospect', 'Customer'] and EngagementScore > 0",
        group_by="ProspectStage",
        aggregate="average",
        aggregate_field="EngagementScore",
    )
    assert_same_read(outcome.result, expected)


def test_not_contacted_options_and_a_line_expanded_by_ipython(ip) -> None:
    ip.user_ns["window"] = "2026-10-02..2026-11-01"
    outcome = _cell(
        ip,
        '-e not_contacted --activities 21,22 --activity-window "{window}" --max-results 25 '
        "--response-format csv --no-progress",
        "# no lead filter: every stage",
    )
    assert outcome.success
    expected = _read(
        "not_contacted",
        activities=[21, 22],
        activity_window="2026-10-02..2026-11-01",
        max_results=25,
        response_format="csv",
    )
    assert len(outcome.result) == 25
    assert_same_read(outcome.result, expected)


def test_a_json_body_with_a_value_from_the_notebook(ip) -> None:
    ip.user_ns["top"] = np.int64(80)
    ip.user_ns["stages"] = ["Customer", "Opportunity"]
    ip.user_ns["window"] = ["ProspectID", "EngagementScore"]  # reused name: the columns
    body = """{
      "ReportFilter": {"LeadFilters": [
        {"LookUpName": "EngagementScore", "SqlOperator": ">=", "LookUpValue": "{top}"},
        {"LookUpName": "ProspectStage", "SqlOperator": "in", "LookUpValues": {stages}}]},
      "Output": {"Type": "List", "IncludeCSV": "{window}"},
      "Paging": {"PageIndex": 1, "PageSize": 500}
    }"""
    outcome = _cell(ip, "result --no-progress", body)
    assert outcome.success
    frame = ip.user_ns["result"]
    assert len(frame) > 0 and (frame["EngagementScore"] >= 80).all()
    assert list(frame.columns) == ["ProspectID", "EngagementScore"]
    sent = frame.attrs["leadsq"]["body"]["ReportFilter"]["LeadFilters"]
    assert sent[0]["LookUpValue"] == "80"
    assert sent[1]["LookUpValues"] == ["Customer", "Opportunity"]


@pytest.mark.parametrize(
    ("line", "body", "message"),
    [
        ("--no-progress", "EngagementScore >> 3", "QueryError: "),
        ("--no-progress", "ProspectStage == {undefined_name}", "no variable 'undefined_name'"),
        ("--no-progress", "{not json", "is not a valid JSON body"),
        ("--no-progress --frobnicate", "", "UsageError: unrecognized arguments: --frobnicate"),
        ("-e everything --no-progress", "", "QueryError: endpoint: must be one of"),
        ("--no-progress --aggregate sum --group-by OwnerId", "", "aggregate_field"),
        ("2bad --no-progress", "", "is not a valid variable name"),
    ],
)
def test_an_error_is_one_line_without_a_traceback(ip, capsys, line, body, message) -> None:
    outcome = _cell(ip, line, body)
    out = capsys.readouterr().out
    assert isinstance(outcome.error_in_exec, MagicError)
    assert message in out
    assert len(out.strip().splitlines()) == 1, out
    assert "Traceback" not in out and "File " not in out


def test_wrong_keys_are_one_line(ip, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LSQ_SECRET_KEY", "wrong-secret")
    outcome = _cell(ip, "--no-progress", "")
    out = capsys.readouterr().out.strip()
    assert isinstance(outcome.error_in_exec, MagicError)
    assert out.startswith("AuthenticationError: ") and "\n" not in out
    assert "wrong" not in out


def test_the_line_magic_opens_the_form(ip, sandbox) -> None:
    outcome = ip.run_cell("%leadsquared_builder -e not_contacted")
    assert outcome.success
    builder = outcome.result
    assert isinstance(builder, QueryBuilder)
    assert builder.error == "" and builder.query["endpoint"] == "not_contacted"


def test_unload_removes_the_magics() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from leadsq.notebook.magics import load_ipython_extension, unload_ipython_extension

    shell = InteractiveShell.instance()
    unload_ipython_extension(shell)
    assert "leadsquared" not in shell.magics_manager.magics["cell"]
    assert "leadsquared_builder" not in shell.magics_manager.magics["line"]
    load_ipython_extension(shell)  # back, for the module's shell
    assert "leadsquared" in shell.magics_manager.magics["cell"]


def test_the_options_are_the_readers_arguments_one_to_one(shell) -> None:
    import inspect

    parser = shell.magics_manager.magics["cell"]["leadsquared"].parser
    options = {
        action.dest: action.option_strings
        for action in parser._actions
        if action.option_strings and action.dest != "help"
    }
    for name, flags in options.items():
        assert f"--{name.replace('_', '-')}" in flags, (name, flags)
    in_the_cell = {"where", "filters", "body", "user_filter"}
    not_options = {"chunksize", "client"}  # one frame; the default client's settings
    connection = {"host", "analytics_url"}  # of the connection keywords: never the keys
    arguments = set(inspect.signature(leadsq.read_leadsquared).parameters) - {"connection"}
    assert set(options) == (arguments | connection) - in_the_cell - not_options


def test_page_size_is_the_readers(ip, sandbox) -> None:
    path = "/Leads/LeadDistribution/FilterByLeadField"
    before = sandbox.stats()["paths"].get(path, 0)
    outcome = _cell(ip, "--columns ProspectID --page-size 7 --max-results 20 --no-progress", "")
    assert outcome.success
    assert sandbox.stats()["paths"][path] - before == 3  # pages of 7, 7 and 6 rows
    expected = _read("distribution", columns="ProspectID", page_size=7, max_results=20)
    assert_same_read(outcome.result, expected)


# --------------------------------------------------------------------------- literals


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("Prospect", "'Prospect'"),
        ('it\'s "quoted"', "'it\\'s \"quoted\"'"),
        (np.int64(5), "5"),
        (2.5, "2.5"),
        (True, "True"),
        (["a", 1], "['a', 1]"),
        ({"b", "a"}, "['a', 'b']"),
        (pd.Series([1, 2]), "[1, 2]"),
        (date(2026, 1, 2), "date(2026, 1, 2)"),
        (datetime(2026, 1, 2, 3, 4, 5, 600), "Timestamp('2026-01-02 03:04:05')"),
        (pd.Timestamp("2026-01-02 08:30", tz="Asia/Kolkata"), "Timestamp('2026-01-02 03:00:00')"),
        (datetime(2026, 1, 2, tzinfo=timezone.utc), "Timestamp('2026-01-02 00:00:00')"),
    ],
)
def test_values_become_literals_of_the_where_syntax(value, literal) -> None:
    assert python_literal(value) == literal


@pytest.mark.parametrize("value", [float("nan"), object(), {"a": 1}, pd.NaT])
def test_values_that_cannot_be_written_are_query_errors(value) -> None:
    with pytest.raises(QueryError):
        python_literal(value, name="x")


def test_only_plain_names_are_placeholders() -> None:
    namespace = {"city": "Pune", "n": 3}
    assert substitute("mx_City == {city} and Score > { n }", namespace) == (
        "mx_City == 'Pune' and Score > 3"
    )
    assert substitute("ProspectStage in {'A', 'B'}", namespace) == "ProspectStage in {'A', 'B'}"
    assert substitute('{"a": {city}}', namespace, as_json=True) == '{"a": "Pune"}'


def test_a_quoted_placeholder_is_the_value_as_text() -> None:
    namespace = {"n": 80, "cols": ["A", "B"], "day": datetime(2026, 1, 2), "s": "it's"}
    assert substitute("Score >= '{n}' and X == \"{s}\"", namespace) == (
        "Score >= '80' and X == \"it's\""
    )
    assert substitute('{"v": "{n}", "c": "{cols}", "d": "{day}"}', namespace, as_json=True) == (
        '{"v": "80", "c": "A,B", "d": "2026-01-02 00:00:00"}'
    )


def test_a_boolean_from_the_notebook_is_sent_as_one_or_zero(ip) -> None:
    assert substitute('{"v": "{yes}", "w": "{no}"}', {"yes": True, "no": False}, as_json=True) == (
        '{"v": "1", "w": "0"}'
    )
    ip.user_ns["flag"] = True
    outcome = _cell(ip, "--columns ProspectID --no-progress", "DoNotCall == {flag}")
    expected = _read("distribution", "DoNotCall == 'yes'", columns="ProspectID")
    assert outcome.success and len(outcome.result) == len(expected) > 0
    assert outcome.result.lsq.body["ReportFilter"]["LeadFilters"][0]["LookUpValue"] == "1"


def test_a_string_cannot_break_out_of_its_literal() -> None:
    where = cell_query("mx_City == {city}", {"city": "Pune' or Score > '0"})["where"]
    assert where == "mx_City == \"Pune' or Score > '0\""
    report = leadsq.query.build.build_report("distribution", where)
    assert len(report.lead_filters) == 1
    assert report.lead_filters[0].value == "Pune' or Score > '0"


def test_an_empty_cell_is_no_filter() -> None:
    assert cell_query("  \n# just a comment\n", {}) == {}


def test_dates_from_the_notebook_are_sent_in_utc() -> None:
    namespace = {
        "since": pd.Timestamp("2026-01-02 08:30", tz="Asia/Kolkata"),
        "until": date(2026, 3, 1),
    }
    where = cell_query("CreatedOn >= {since} and CreatedOn < {until}", namespace)["where"]
    filters = leadsq.query.build.build_report("distribution", where).lead_filters
    assert [(f.operator, f.value) for f in filters] == [
        (">=", "2026-01-02 03:00:00"),
        ("<", "2026-03-01 00:00:00"),
    ]
