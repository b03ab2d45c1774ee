"""JSON and CSV give equal frames; paging, max_results and chunksize give the right rows."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

import leadsq
from leadsq import contract
from leadsq.contract import ENDPOINT_PATHS
from leadsq.sandbox import Sandbox
from tests.conftest import SANDBOX_ANCHOR, connect

COLUMNS = [
    "ProspectID",
    "FirstName",
    "mx_Remarks",
    "Score",
    "mx_Interest_Rate",
    "CreatedOn",
    "DoNotCall",
]


def without_format(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.attrs = {}
    return frame


@pytest.mark.parametrize(
    "query",
    [
        {"where": "Score >= 40", "columns": COLUMNS},
        {"group_by": "mx_City", "aggregate": "sum", "aggregate_field": "mx_Loan_Amount"},
    ],
    ids=["list", "aggregate"],
)
def test_json_and_csv_answers_give_equal_frames(read, query):
    as_json = read("distribution", page_size=400, **query)
    as_csv = read("distribution", page_size=400, response_format="csv", **query)
    assert len(as_json) > 0
    pd.testing.assert_frame_equal(without_format(as_json), without_format(as_csv))


@pytest.mark.parametrize("page_size", [1, 7, 250, 5000])
def test_every_page_size_gives_the_same_rows(read, page_size):
    query = {"where": "Score >= 85", "columns": ["ProspectID", "Score"]}
    reference = read("distribution", page_size=5000, **query)
    frame = read("distribution", page_size=page_size, **query)
    pd.testing.assert_frame_equal(without_format(frame), without_format(reference))


@pytest.mark.parametrize("response_format", ["json", "csv"])
@pytest.mark.parametrize("max_results", [1, 999, 1000, 1001, 2500])
def test_max_results_gives_the_first_rows(read, max_results, response_format):
    everything = read("distribution", columns=["ProspectAutoId"])
    frame = read(
        "distribution",
        columns=["ProspectAutoId"],
        max_results=max_results,
        page_size=500,
        response_format=response_format,
    )
    assert frame.ProspectAutoId.tolist() == everything.ProspectAutoId.tolist()[:max_results]


@pytest.mark.parametrize("response_format", ["json", "csv"])
def test_a_read_asks_for_each_page_once_and_no_page_past_the_end(read, sandbox, response_format):
    query = {"where": "Score >= 50", "columns": ["ProspectID"], "page_size": 250}
    read("distribution", **query)  # field types fetched and cached
    before = sandbox.stats()["answers"].get("200", 0)
    frame = read("distribution", response_format=response_format, **query)
    pages = -(-len(frame) // 250)
    assert pages > 2
    closing_total = response_format == "csv"  # CSV pages tell none: asked once more, as JSON
    assert sandbox.stats()["answers"].get("200", 0) - before == pages + closing_total


def test_chunksize_yields_frames_of_that_size_that_add_up_to_the_read(read):
    everything = read("distribution", columns=["ProspectID", "Score"])
    chunks = list(
        read("distribution", columns=["ProspectID", "Score"], chunksize=700, page_size=300)
    )
    sizes = [len(chunk) for chunk in chunks]
    assert sizes[:-1] == [700] * (len(chunks) - 1)
    assert 0 < sizes[-1] <= 700
    joined = pd.concat(chunks, ignore_index=True)
    pd.testing.assert_frame_equal(without_format(joined), without_format(everything))
    assert all(chunk.attrs["leadsq"]["endpoint"] == "distribution" for chunk in chunks)


def test_a_chunked_read_asks_about_a_chunk_ahead_not_the_whole_read(read, sandbox):
    query = {"columns": ["ProspectID"], "page_size": 300}
    pages = -(-len(read("distribution", **query)) // 300)
    before = sandbox.stats()["answers"].get("200", 0)
    chunks = read("distribution", chunksize=700, **query)
    assert len(next(chunks)) == 700
    chunks.close()  # the requests under way end before close returns
    asked = sandbox.stats()["answers"].get("200", 0) - before
    assert pages >= 10
    assert asked <= 3 + 3, "the first chunk's three pages, then at most a chunk (three) ahead"


def test_chunksize_with_max_results_stops_at_the_limit(read):
    chunks = list(read("distribution", columns=["ProspectID"], chunksize=400, max_results=1000))
    assert [len(chunk) for chunk in chunks] == [400, 400, 200]


def test_provenance_records_the_read_but_never_the_keys(read, sandbox):
    frame = read("distribution", "Score >= 90", columns=["ProspectID"])
    provenance = frame.attrs["leadsq"]
    assert provenance["endpoint"] == "distribution"
    assert provenance["host"] == sandbox.url
    assert provenance["total_count"] == len(frame)
    assert provenance["body"]["ReportFilter"]["LeadFilters"][0]["LookUpName"] == "Score"
    assert pd.Timestamp(provenance["read_at"]).tzinfo is not None
    text = repr(frame.attrs)
    assert sandbox.access_key not in text and sandbox.secret_key not in text


def test_the_progress_bar_waits_then_learns_the_total_from_the_first_page_and_is_closed(
    read, capsys
):
    frame = read("distribution", columns=["ProspectID"], progress=True, page_size=500)
    drawn = capsys.readouterr().err
    waiting = drawn.index("distribution: waiting for the first page: 0rows [")
    assert drawn.index(f"/{len(frame)} ") > waiting, "shown before the first answer, then sized"
    assert drawn.endswith("\r"), "a closed bar that does not stay clears its line"


def test_a_notebook_s_progress_bar_leaves_no_widget_behind(read, monkeypatch, capsys):
    from ipywidgets.widgets.widget import _instances as live_widgets  # ipywidgets 8
    from tqdm.notebook import tqdm as notebook_tqdm

    monkeypatch.setattr("leadsq.client.reading.tqdm", notebook_tqdm)  # what tqdm.auto is in Jupyter
    before = set(live_widgets)
    frame = read("distribution", columns=["ProspectID"], progress=True, page_size=500)
    assert len(frame) > 500
    assert set(live_widgets) == before


def test_no_progress_bar_is_drawn_when_switched_off(read, capsys):
    read("distribution", columns=["ProspectID"], page_size=500)
    assert capsys.readouterr().err == ""


def test_pages_answered_out_of_order_come_back_in_page_order(fresh_settings):
    leadsq.configure(rate_limit=(10_000, 1), workers=8)
    # answers take 0-50 ms each, at random: several pages in flight finish out of order
    with Sandbox(leads=2000, seed=5, anchor=SANDBOX_ANCHOR, rate_limit=None, jitter=0.05) as box:
        frame = leadsq.read_leadsquared(
            "distribution", columns=["ProspectAutoId"], page_size=100, **connect(box)
        )
    assert frame.ProspectAutoId.tolist() == list(range(1, 2001))


def test_a_failing_page_stops_the_read_with_every_page_before_it_in_any_answer_order(
    fresh_settings,
):
    leadsq.configure(
        backoff=(0.005, 0.02), max_retry_seconds=0.5, rate_limit=(10_000, 1), workers=8
    )
    # 8 calls an hour: the first page and 7 of the 8 sent together are answered, in an
    # order the jitter decides, so a page in the middle can fail after later ones came
    with (
        Sandbox(
            leads=2000, seed=5, anchor=SANDBOX_ANCHOR, rate_limit=(8, 3600), jitter=0.02
        ) as box,
        pytest.raises(leadsq.RateLimitError) as caught,
    ):
        leadsq.read_leadsquared(
            "distribution", columns=["ProspectAutoId"], page_size=100, **connect(box)
        )
    error = caught.value
    arrived = error.rows_received
    assert 100 <= arrived <= 800 and arrived % 100 == 0
    assert error.partial.ProspectAutoId.tolist() == list(range(1, arrived + 1))
    assert error.resume_body["Paging"]["PageIndex"] == arrived // 100 + 1


@contextmanager
def served_without_totals(box: Sandbox) -> Iterator[str]:
    """A loopback server answering as ``box`` does, but with no ``TotalCount`` in JSON
    answers (the contract does not promise one); yields its URL."""
    assert box.app is not None

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        answer = Response.from_app(box.app, environ)
        if answer.mimetype == "application/json":
            payload = json.loads(answer.get_data())
            if isinstance(payload, dict):
                payload.pop("TotalCount", None)
                answer.set_data(json.dumps(payload))
        return answer(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.mark.parametrize("workers", [1, 4])
def test_a_server_telling_no_total_is_read_until_its_first_short_page(fresh_settings, workers):
    leadsq.configure(rate_limit=(10_000, 1), workers=workers)
    with Sandbox(leads=2000, seed=5, anchor=SANDBOX_ANCHOR, rate_limit=None) as box:
        with served_without_totals(box) as url:
            frame = leadsq.read_leadsquared(
                "distribution",
                columns=["ProspectAutoId"],
                page_size=300,
                **{**connect(box), "host": url},
            )
        # the report's calls only: the field types may come from the metadata cache when
        # an earlier test's server had the same port and keys
        pages = box.stats()["paths"][ENDPOINT_PATHS["distribution"][0]]
    assert frame.ProspectAutoId.tolist() == list(range(1, 2001))
    assert frame.attrs["leadsq"].get("total_count") is None
    # 7 pages hold the rows; none is asked once the short seventh has come, so only
    # pages already in flight then (up to workers - 1) are asked past it
    assert 7 <= pages <= 7 + workers - 1


def test_a_body_is_read_with_leadsq_s_page_size_not_its_own(nothing_learnt):
    body = {
        "Output": {"Type": "List", "IncludeCSV": "ProspectID,ProspectAutoId"},
        "Paging": {"PageIndex": 1, "PageSize": 10},  # as the vendor's examples have it
    }
    with Sandbox(leads=450, seed=5, anchor=SANDBOX_ANCHOR, rate_limit=None) as box:
        path = contract.ENDPOINT_PATHS["distribution"][0]
        frame = leadsq.read_leadsquared("distribution", body=body, **connect(box))
        assert frame.ProspectAutoId.tolist() == list(range(1, 451))
        assert box.stats()["paths"][path] == 1  # one page of leadsq's 10,000, not 45 of 10
        assert frame.attrs["leadsq"]["body"]["Paging"] == {"PageIndex": 1, "PageSize": 10_000}

        small = leadsq.read_leadsquared("distribution", body=body, page_size=100, **connect(box))
        assert box.stats()["paths"][path] == 1 + 5  # page_size= is obeyed
        assert "page_size=100" in small.lsq.code
        resumed = {**body, "Paging": {"PageIndex": 41, "PageSize": 10}}  # from row 401
        rest = leadsq.read_leadsquared("distribution", body=resumed, **connect(box))
        assert rest.ProspectAutoId.tolist() == list(range(401, 451))
        assert box.stats()["paths"][path] == 1 + 5 + 1
        # the pages read began before row 401: the provenance keeps where the body began
        assert rest.attrs["leadsq"]["body"]["Paging"] == {"PageIndex": 41, "PageSize": 10}
        assert rest.lsq.refresh().ProspectAutoId.tolist() == list(range(401, 451))
