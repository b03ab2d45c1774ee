"""The query builder in a real browser, in Voila, JupyterLab and Notebook 7.

Each frontend runs on 127.0.0.1 with the sandbox's URL and keys in its environment (the
notebook holds none); Playwright's Python package drives Debian's chromium
(``/usr/bin/chromium``, installed by ``.ci/run``): no browser is ever downloaded, and every
request a page makes outside 127.0.0.1 fails (a proxy that is a closed port). In JupyterLab and Notebook 7 the test
runs the notebook's cell itself; Voila runs it on opening. Then it picks a filter and an
aggregate, runs, and sees the rows and the plot. Screenshots go to the test's temporary
folder, and to ``docs/images/`` (the README's) when ``LEADSQ_UPDATE_IMAGES=1`` is set.
"""

from __future__ import annotations

import contextlib
import os
import shutil
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
IMAGES = ROOT / "docs" / "images"
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
    # every request outside loopback goes to a closed port, so fails: chromium always
    # reaches loopback directly (page.route would do it too, but stalls JupyterLab's calls)
    "--proxy-server=http://127.0.0.1:9",
]
SERVER_START_SECONDS = 60
PAGE_SECONDS = 120
RUN_TRIES, RUN_SECONDS = 4, 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(
        f"the server did not listen within {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}"
    )


FRONTENDS = {
    # name: (command after python -m, the page that shows the notebook, screenshot)
    "voila": (
        ["voila", "{notebook}", "--no-browser", "--port={port}", "--Voila.ip=127.0.0.1"],
        "",
        "query_builder.png",
    ),
    "jupyterlab": (
        ["jupyterlab", "{server}"],
        "lab/tree/query_builder.ipynb",
        "query_builder_jupyterlab.png",
    ),
    "notebook": (
        ["notebook", "{server}"],
        "notebooks/query_builder.ipynb",
        "query_builder_notebook7.png",
    ),
}
# a Jupyter server on loopback only, without a token (nothing else can reach it)
SERVER_OPTIONS = (
    "--no-browser --port={port} --ServerApp.ip=127.0.0.1 --IdentityProvider.token= "
    "--ServerApp.password= --ServerApp.root_dir={folder}"
)
# JupyterLab's and Notebook 7's settings: no "receive news?" toast over the page
NO_NEWS = (
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings",
    '{"fetchNews": "false"}',
)


@pytest.fixture(scope="module", params=list(FRONTENDS))
def frontend(request, sandbox, tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    """A frontend serving the fixture notebook on a free loopback port: its name, the
    notebook's URL and the server's log."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium)")
    name = request.param
    module, page, _ = FRONTENDS[name]
    folder = tmp_path_factory.mktemp(name)
    notebook = folder / NOTEBOOK.name
    shutil.copy(NOTEBOOK, notebook)  # the server may write beside it (checkpoints)
    log = folder / "server.log"
    news = folder / "settings" / NO_NEWS[0]
    news.parent.mkdir(parents=True)
    news.write_text(NO_NEWS[1])
    port = _free_port()
    environment = {
        **os.environ,
        "LSQ_HOST": sandbox.url,
        "LSQ_ACCESS_KEY": sandbox.access_key,
        "LSQ_SECRET_KEY": sandbox.secret_key,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(folder / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces"),
        "MPLBACKEND": "Agg",
    }
    server = SERVER_OPTIONS.format(port=port, folder=folder)
    if os.geteuid() == 0:  # CI containers run as root; Jupyter refuses that unless told
        server += " --allow-root"
    command = [sys.executable, "-m"]
    for part in module:
        command.extend(part.format(notebook=notebook, port=port, server=server).split())
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=folder,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the kernel stops with it
        )
    try:
        _wait_for_port(port, process, log)
        yield name, f"http://127.0.0.1:{port}/{page}", log
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have exited, failing to start
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _run_the_cell(page) -> None:
    """JupyterLab and Notebook 7 open a notebook without running it: run its code cell.

    Shift+Enter before the page has connected to its kernel is lost, so it is pressed
    again (up to RUN_TRIES times) until the form shows.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    cell = page.locator(".jp-CodeCell").first
    cell.wait_for()
    dialogs = []
    for _ in range(RUN_TRIES):
        dialog = page.locator(".jp-Dialog")
        if dialog.count():  # e.g. "Select Kernel" while the session starts: take the default
            dialogs.append(dialog.first.inner_text())
            dialog.locator(".jp-mod-accept").first.click()
        try:
            cell.locator(".cm-content").click(timeout=RUN_SECONDS * 1000)
            page.keyboard.press("Shift+Enter")
            page.wait_for_selector(".lsq-query-builder", timeout=RUN_SECONDS * 1000)
            return
        except PlaywrightTimeout:
            continue
    pytest.fail(f"the cell did not show the form; dialogs seen: {dialogs}")


def test_pick_a_filter_run_and_see_rows_and_the_plot(frontend, sandbox, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    name, url, log = frontend
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
            page.set_default_timeout(PAGE_SECONDS * 1000)
            page.goto(url)
            outside = "() => fetch('http://93.184.216.34/').then(() => 'reached', () => 'failed')"
            assert page.evaluate(outside) == "failed"
            if name != "voila":
                _run_the_cell(page)
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
            rows.nth(len(expected) - 1).wait_for()  # the table comes after the plot
            assert rows.count() == len(expected)
            first = rows.first.inner_text()
            assert f"{expected.index[0][:8]}…" in first  # the owner's id, short, and its name
            assert expected.lsq.with_owner_names()["OwnerName"].iloc[0] in first
            assert plot.evaluate("image => image.naturalWidth") > 300
            assert 'aggregate_field="EngagementScore"' in code.inner_text()

            screenshot = page.locator(".lsq-query-builder").screenshot(
                path=str(tmp_path / FRONTENDS[name][2])
            )
            assert screenshot[:8] == b"\x89PNG\r\n\x1a\n"
            if os.environ.get("LEADSQ_UPDATE_IMAGES") == "1":
                (IMAGES / FRONTENDS[name][2]).write_bytes(screenshot)

            # a changed query clears the last run's status and result
            page.select_option(".lsq-aggregate select", "count")
            page.locator(".lsq-result img").wait_for(state="detached")
            assert page.inner_text(".lsq-status").strip() == ""
        finally:
            browser.close()
    seconds = time.monotonic() - started
    assert seconds < PAGE_SECONDS, f"the page took {seconds:.0f} s"
    server_log = log.read_text()
    assert sandbox.secret_key not in server_log
    assert "Traceback" not in server_log, server_log[-3000:]
