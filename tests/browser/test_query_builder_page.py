"""The query builder in a real browser: Voila serves a notebook, Playwright drives chromium.

Voila runs on 127.0.0.1 with the sandbox's URL and keys in its environment (the notebook
holds none). Debian's chromium (``/usr/bin/chromium``, installed by ``.ci/run``) is driven
by Playwright's Python package; no browser is ever downloaded, and every request the page
makes outside 127.0.0.1 is aborted. The screenshot goes to the test's temporary folder, and
to ``docs/images/query_builder.png`` (the README's) when ``LEADSQ_UPDATE_IMAGES=1`` is set.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import leadsq

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = Path(__file__).with_name("query_builder.ipynb")
README_SCREENSHOT = ROOT / "docs" / "images" / "query_builder.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 60
PAGE_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"voila exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"voila did not listen within {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def voila(sandbox, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """Voila serving the fixture notebook on a free loopback port; its URL and log."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("voila")
    log = folder / "voila.log"
    port = _free_port()
    environment = {
        **os.environ,
        "LSQ_HOST": sandbox.url,
        "LSQ_ACCESS_KEY": sandbox.access_key,
        "LSQ_SECRET_KEY": sandbox.secret_key,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
        "MPLBACKEND": "Agg",
    }
    command = [
        sys.executable,
        "-m",
        "voila",
        str(NOTEBOOK),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",  # loopback only: the server has no token
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the kernel stops with it
        )
    try:
        _wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}/", log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _loopback_only(route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def test_pick_a_filter_run_and_see_rows_and_the_plot(voila, sandbox, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    url, log = voila
    expected = leadsq.read_leadsquared(
        "distribution",
        "ProspectStage == 'Opportunity'",
        group_by="OwnerId",
        aggregate="average",
        aggregate_field="EngagementScore",
        host=sandbox.url,
        access_key=sandbox.access_key,
        secret_key=sandbox.secret_key,
        progress=False,
    )
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # tall enough for the whole form and its result: the screenshot shows both
            page = browser.new_page(viewport={"width": 1100, "height": 2300})
            page.route("**/*", _loopback_only)
            page.set_default_timeout(PAGE_SECONDS * 1000)
            page.goto(url)
            page.wait_for_selector(".lsq-query-builder")

            page.click(".lsq-add-filter")
            page.select_option(".lsq-filter-field select", "Lead Stage (ProspectStage)")
            page.select_option(".lsq-filter-operator select", "equals")
            page.select_option(".lsq-filter-value select", "Opportunity")
            page.click(".lsq-output button:has-text('Aggregate')")
            page.select_option(".lsq-group-by select", "Owner (OwnerId)")
            page.select_option(".lsq-aggregate select", "average")
            page.select_option(".lsq-aggregate-field select", "Engagement Score (EngagementScore)")
            code = page.locator(".lsq-code-view pre")
            code.filter(has_text="where=\"ProspectStage == 'Opportunity'\"").wait_for()

            page.click(".lsq-run")
            page.locator(".lsq-status", has_text="rows in").wait_for()
            plot = page.locator(".lsq-result img")
            plot.wait_for()
            rows = page.locator(".lsq-result table tbody tr")

            status = page.inner_text(".lsq-status")
            assert status.startswith(f"{len(expected):,} rows in"), status
            assert page.inner_text(".lsq-error").strip() == ""
            assert 0 < len(expected) <= 50  # shown whole: pandas truncates past 50 rows
            assert rows.count() == len(expected)
            first = rows.first.inner_text()
            assert expected.index[0] in first  # the owner's id, and beside it the name
            assert expected.lsq.with_owner_names()["OwnerName"].iloc[0] in first
            assert plot.evaluate("image => image.naturalWidth") > 300
            assert 'aggregate_field="EngagementScore"' in code.inner_text()

            screenshot = page.locator(".lsq-query-builder").screenshot(
                path=str(tmp_path / "query_builder.png")
            )
            assert screenshot[:8] == b"\x89PNG\r\n\x1a\n"
            if os.environ.get("LEADSQ_UPDATE_IMAGES") == "1":
                README_SCREENSHOT.write_bytes(screenshot)
        finally:
            browser.close()
    seconds = time.monotonic() - started
    assert seconds < PAGE_SECONDS, f"the page took {seconds:.0f} s"
    server_log = log.read_text()
    assert sandbox.secret_key not in server_log
    assert "Traceback" not in server_log, server_log[-3000:]
