"""The cache from a notebook: ``%%leadsquared --cache 1h`` and the form's Cache choice."""

from __future__ import annotations

import pandas as pd
import pytest

from leadsq.notebook.form_state import CACHE_CHOICES, FormState, form_kwargs
from leadsq.notebook.magics import MagicError
from leadsq.notebook.widget import QueryBuilder


@pytest.fixture
def ip(sandbox, monkeypatch, cache_dir):
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    shell.run_line_magic("load_ext", "leadsq")
    monkeypatch.setenv("LSQ_HOST", sandbox.url)
    monkeypatch.setenv("LSQ_ACCESS_KEY", sandbox.access_key)
    monkeypatch.setenv("LSQ_SECRET_KEY", sandbox.secret_key)
    yield shell
    shell.user_ns.pop("result", None)
    shell.run_line_magic("unload_ext", "leadsq")


def _cell(ip, line: str):
    return ip.run_cell(
        f"%%leadsquared result --columns ProspectID,Source --no-progress {line}\n# all"
    )


def test_a_cell_with_cache_is_answered_from_disk_the_second_time(ip, calls):
    assert _cell(ip, "--cache 1h").success
    first = ip.user_ns["result"]
    spent = calls()
    assert _cell(ip, "--cache 1h").success
    assert calls() == spent
    pd.testing.assert_frame_equal(ip.user_ns["result"], first)
    assert ip.user_ns["result"].attrs["leadsq"]["cache"]["hit"] is True
    assert _cell(ip, "--cache off").success
    assert calls() > spent
    assert "cache" not in ip.user_ns["result"].attrs["leadsq"]


def test_a_bad_cache_option_is_one_line(ip, capsys, calls):
    outcome = _cell(ip, "--cache soon")
    assert isinstance(outcome.error_in_exec, MagicError)
    out = capsys.readouterr().out.strip()
    assert out.startswith("ConfigurationError: cache must be") and "\n" not in out
    assert calls() == 0


def test_the_form_model_passes_the_cache_on():
    state = FormState(columns=("ProspectID",), cache="1h")
    assert form_kwargs(state)["cache"] == "1h"
    assert "cache" not in form_kwargs(FormState(columns=("ProspectID",)))
    assert [value for _, value in CACHE_CHOICES][:2] == [None, False]


def test_the_form_reads_through_the_cache_and_shows_it_in_the_code(sandbox, cache_dir, calls):
    builder = QueryBuilder(
        host=sandbox.url,
        access_key=sandbox.access_key,
        secret_key=sandbox.secret_key,
        progress=False,
    )
    builder._columns.value = ("ProspectID", "Source")
    builder._cache.value = "1h"
    assert "cache='1h'" in builder.code or 'cache="1h"' in builder.code
    first = builder.run()
    spent = calls()
    again = builder.run()
    assert calls() == spent
    pd.testing.assert_frame_equal(again, first)
