"""The notebooks run top to bottom with no account, as a new user would run them.

Each notebook in ``notebooks/`` is executed by ``scripts/run_notebooks.py`` in a fresh
kernel, twice: with no ``LSQ_*`` variables (the notebook starts its own sandbox) and with
them pointing at a running sandbox (what Binder's ``start`` sets). Either way no cell may
raise or write to stderr, no output may hold a key, and each notebook must finish within
the runner's budget of a minute. The committed notebooks carry no outputs and no keys.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

import leadsq
from leadsq.sandbox import DEMO_ACCESS_KEY, DEMO_SECRET_KEY, Sandbox

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = [
    "01_quickstart.ipynb",
    "02_not_contacted_playbook.ipynb",
    "03_query_builder.ipynb",
    "04_cell_magic.ipynb",
]
CONNECTED = re.compile(r"leadsq reads from (http://127\.0\.0\.1:\d+)")


def _kernel_environment(**variables: str) -> dict[str, str]:
    """This process's environment without any leadsq account, plus ``variables``.

    The checkout goes first on ``PYTHONPATH`` so the kernel imports the leadsq under test
    even where it is not installed.
    """
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("LSQ_") and name != "PYTHONPATH"
    }
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    environment["LSQ_CONFIG"] = str(ROOT / "no-such-leadsq-config.ini")
    environment.update(variables)
    return environment


def _printed(run) -> str:
    return "".join(
        output.get("text", "")
        for cell in run.notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


@pytest.fixture(scope="module")
def served() -> Iterator[Sandbox]:
    """A sandbox like Binder's: default size and keys, dated relative to today."""
    with Sandbox(leads=20_000, seed=7) as box:
        yield box


def test_the_notebooks_are_the_four_the_readme_lists() -> None:
    assert [path.name for path in NOTEBOOKS] == EXPECTED
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert f"notebooks/{name}" in readme, f"README.md does not list {name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_a_notebook_runs_on_a_sandbox_it_starts_itself(runner, path: Path) -> None:
    run = runner.check(runner.execute(path, environment=_kernel_environment()))

    assert run.problems == []
    assert CONNECTED.search(_printed(run)), "the first code cell did not say where it reads"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_a_notebook_reads_from_the_server_the_environment_names(
    runner, served: Sandbox, path: Path
) -> None:
    environment = _kernel_environment(
        LSQ_HOST=served.url,
        LSQ_ACCESS_KEY=served.access_key,
        LSQ_SECRET_KEY=served.secret_key,
    )
    before = sum(served.stats()["answers"].values())

    run = runner.check(
        runner.execute(path, environment=environment),
        forbidden=runner.secrets(environment),
    )

    assert run.problems == []
    assert CONNECTED.search(_printed(run)).group(1) == served.url
    assert sum(served.stats()["answers"].values()) > before, "nothing was read from LSQ_HOST"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_a_committed_notebook_has_no_outputs_and_no_keys(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    text = path.read_text(encoding="utf-8")

    assert notebook.metadata.kernelspec.name == "python3"
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.startswith("# ")
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert "widgets" not in notebook.metadata
    for key in (DEMO_ACCESS_KEY, DEMO_SECRET_KEY, "accessKey=", "secretKey="):
        assert key not in text


def test_the_runner_knows_the_sandbox_demo_keys(runner) -> None:
    assert set(runner.DEMO_KEYS) == {DEMO_ACCESS_KEY, DEMO_SECRET_KEY}
    assert leadsq.sandbox.DEMO_ACCESS_KEY in runner.secrets({})
    assert "u%24sandbox-demo-access-key" in runner.secrets({})


def _ran(runner, *outputs: dict, tags: tuple[str, ...] = (), seconds: float = 1.0):
    cell = nbformat.v4.new_code_cell("pass", outputs=[nbformat.from_dict(o) for o in outputs])
    if tags:
        cell.metadata["tags"] = list(tags)
    notebook = nbformat.v4.new_notebook(cells=[cell])
    return runner.Run(Path("made-up.ipynb"), notebook, seconds)


def test_the_runner_fails_a_notebook_that_shows_a_key(runner) -> None:
    shown = {"output_type": "stream", "name": "stdout", "text": f"key {DEMO_SECRET_KEY}\n"}
    in_a_url = {
        "output_type": "execute_result",
        "execution_count": 1,
        "metadata": {},
        "data": {"text/plain": "http://127.0.0.1/?accessKey=u%24sandbox-demo-access-key"},
    }

    assert runner.check(_ran(runner, shown)).problems == ["cell 0 shows a key in its outputs"]
    assert runner.check(_ran(runner, in_a_url)).problems == ["cell 0 shows a key in its outputs"]


def test_the_runner_fails_an_error_unless_the_cell_expects_one(runner) -> None:
    error = {"output_type": "error", "ename": "QueryError", "evalue": "bad", "traceback": []}

    assert runner.check(_ran(runner, error)).problems == ["cell 0 raised QueryError: bad"]
    assert runner.check(_ran(runner, error, tags=("raises-exception",))).problems == []


def test_the_runner_fails_stderr_and_a_slow_notebook(runner) -> None:
    warning = {"output_type": "stream", "name": "stderr", "text": "UserWarning: careful\n"}

    assert runner.check(_ran(runner, warning)).problems == [
        "cell 0 wrote to stderr: UserWarning: careful"
    ]
    assert runner.check(_ran(runner, seconds=61.0)).problems == [
        "took 61.0 s, over the budget of 60 s"
    ]


def test_the_runner_writes_nothing_it_was_not_asked_to(runner, tmp_path: Path) -> None:
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), path)

    runs = runner.run_all([path], environment=_kernel_environment())

    assert [run.ok for run in runs] == [True]
    assert json.loads(path.read_text())["cells"][0]["outputs"] == []
    assert runs[0].notebook.cells[0].outputs[0]["data"]["text/plain"] == "2"
