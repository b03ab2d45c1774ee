"""Execute the notebooks top to bottom and check what they showed.

Run from anywhere::

    python scripts/run_notebooks.py [NOTEBOOK ...] [--budget 60] [--output DIR]

With no notebook named it runs every ``notebooks/*.ipynb``, each in a fresh ``python3``
kernel whose working directory is the notebook's folder and whose environment is this
process's. So with ``LSQ_HOST``, ``LSQ_ACCESS_KEY`` and ``LSQ_SECRET_KEY`` set (Binder's
``binder/start`` sets them) the notebooks read from that server, and without them each
notebook starts its own sandbox.

A notebook fails when a cell raises (except cells tagged ``raises-exception``), when a
cell writes to stderr, when its outputs hold a key (the sandbox's demo keys, and the
values of ``LSQ_ACCESS_KEY``/``LSQ_SECRET_KEY``, plain or URL-encoded), or when it runs
longer than ``--budget`` seconds. Exit status 0 when every notebook passed, else 1.

Only the standard library, ``nbformat`` and ``nbclient`` (with the ``jupyter_client`` and
``pyzmq`` it depends on) are imported here, so the script runs in Binder's environment as
well as in the test one; the tests in ``tests/notebooks/`` import its functions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import nbformat
import zmq
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets import Type
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUDGET_SECONDS = 60.0
CELL_TIMEOUT_SECONDS = 120
# the sandbox's documented demo pair (leadsq.sandbox.DEMO_ACCESS_KEY / DEMO_SECRET_KEY);
# written out so this script runs without importing leadsq, checked equal by the tests
DEMO_KEYS = ("u$sandbox-demo-access-key", "sandbox-demo-secret-key")
KEY_VARIABLES = ("LSQ_ACCESS_KEY", "LSQ_SECRET_KEY")


@dataclass
class Run:
    """One executed notebook: what it showed, how long it took, what went wrong."""

    path: Path
    notebook: nbformat.NotebookNode
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class ShellChannel(AsyncZMQSocketChannel):
    """The kernel's shell channel, whose sends never hide a reply from its waiting poll.

    nbclient waits for a cell's ``execute_reply`` in an asyncio poll of this socket (for at
    most the cell timeout) and meanwhile sends on it: the ``comm_msg`` of an ``Output``
    widget (the QueryBuilder's result area) back to the kernel. jupyter_client sends through
    a blocking shadow of the socket (``Session.send``), and zeromq, sending, takes in the
    socket's pending signals: a reply that arrived just before no longer wakes the poll,
    which then finds it only when it times out, 120 s later (twice in four CI runs
    notebook 03 took 122 s). Reading the socket's ``EVENTS`` after the send makes pyzmq look
    again and wake the poll when a message is waiting.
    """

    def send(self, msg: dict[str, Any]) -> None:
        super().send(msg)
        assert self.socket is not None
        self.socket.get(zmq.EVENTS)  # pyzmq's asyncio socket reschedules what is ready


class KernelClient(AsyncKernelClient):
    """nbclient's kernel client, with a :class:`ShellChannel`."""

    shell_channel_class = Type(ShellChannel)


def kernel_config(sockets: Path) -> Config:
    """The kernel manager's settings: channels on Unix sockets in ``sockets``, and a
    :class:`KernelClient` to talk to the kernel."""
    channels = {"transport": "ipc", "ip": str(sockets / "kernel")}
    return Config({"KernelManager": {**channels, "client_factory": KernelClient}})


def notebook_paths() -> list[Path]:
    """Every notebook in ``notebooks/``, in name order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def secrets(environment: Mapping[str, str] | None = None) -> list[str]:
    """The texts no output may hold: the demo keys and the configured keys, plain and URL-encoded."""
    environment = os.environ if environment is None else environment
    values = {*DEMO_KEYS, *(environment.get(name, "") for name in KEY_VARIABLES)}
    found = set()
    for value in values:
        if value:
            found.update({value, quote(value, safe=""), quote(value)})
    return sorted(found)


def kernel_environment(environment: Mapping[str, str] | None = None) -> dict[str, str]:
    """The kernel's environment: the caller's, without a backend that would hide inline plots."""
    result = dict(os.environ if environment is None else environment)
    result.pop("MPLBACKEND", None)
    return result


def execute(
    path: Path,
    *,
    environment: Mapping[str, str] | None = None,
    cell_timeout: int = CELL_TIMEOUT_SECONDS,
) -> Run:
    """Run ``path`` top to bottom in a fresh kernel; stop at the first unexpected error."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    problems: list[str] = []
    # the kernel's channels are Unix sockets, not TCP ports: a port picked free for the
    # kernel could be taken by a server starting meanwhile (a sandbox on port 0)
    with tempfile.TemporaryDirectory(prefix="leadsq-kernel-") as sockets:
        client = NotebookClient(
            notebook,
            config=kernel_config(Path(sockets)),
            timeout=cell_timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute(env=kernel_environment(environment))
        except CellExecutionError as exc:
            problems.append(f"a cell raised: {_first_line(str(exc))}")
    return Run(path, notebook, time.perf_counter() - started, problems)


def check(
    run: Run, *, budget: float = BUDGET_SECONDS, forbidden: Sequence[str] | None = None
) -> Run:
    """Add to ``run.problems`` what its outputs show that they should not."""
    forbidden = secrets() if forbidden is None else forbidden
    for index, cell in enumerate(run.notebook.cells):
        if cell.cell_type != "code":
            continue
        expected_error = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and not expected_error:
                run.problems.append(
                    f"cell {index} raised {output.get('ename')}: {output.get('evalue')}"
                )
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                run.problems.append(f"cell {index} wrote to stderr: {_first_line(output.text)}")
        text = json.dumps(cell.get("outputs", []))
        if any(secret in text for secret in forbidden):
            run.problems.append(f"cell {index} shows a key in its outputs")
    widget_state = json.dumps(run.notebook.metadata.get("widgets", {}))
    if any(secret in widget_state for secret in forbidden):
        run.problems.append("the saved widget state holds a key")
    if run.seconds > budget:
        run.problems.append(f"took {run.seconds:.1f} s, over the budget of {budget:.0f} s")
    return run


def run_all(
    paths: Iterable[Path],
    *,
    budget: float = BUDGET_SECONDS,
    output: Path | None = None,
    environment: Mapping[str, str] | None = None,
) -> list[Run]:
    """Execute and check each notebook; write the executed copies to ``output`` if given."""
    runs = []
    for path in paths:
        run = check(
            execute(path, environment=environment),
            budget=budget,
            forbidden=secrets(environment),
        )
        runs.append(run)
        if output is not None:
            output.mkdir(parents=True, exist_ok=True)
            nbformat.write(run.notebook, output / path.name)
        verdict = "ok" if run.ok else "FAILED"
        print(f"{path.name}: {verdict} in {run.seconds:.1f} s", flush=True)
        for problem in run.problems:
            print(f"    {problem}", flush=True)
    return runs


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument(
        "--budget",
        type=float,
        default=BUDGET_SECONDS,
        help=f"seconds one notebook may take (default {BUDGET_SECONDS:g})",
    )
    parser.add_argument("--output", type=Path, help="write the executed notebooks here")
    arguments = parser.parse_args(argv)
    paths = [path.resolve() for path in arguments.notebooks] or notebook_paths()
    if not paths:
        print(f"no notebooks in {NOTEBOOKS}", file=sys.stderr)
        return 1
    where = os.environ.get("LSQ_HOST") or "a sandbox started by each notebook"
    print(f"executing {len(paths)} notebook(s) against {where}", flush=True)
    runs = run_all(paths, budget=arguments.budget, output=arguments.output)
    failed = [run for run in runs if not run.ok]
    print(f"{len(runs) - len(failed)} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
