"""Binder's build, done by hand: a fresh virtual environment from ``binder/`` runs the notebooks.

As Binder (repo2docker) does, in a copy of the checkout: a virtual environment of the
Python that ``binder/runtime.txt`` names; ``pip install -r binder/requirements.txt``;
``binder/postBuild``; then the session command through ``binder/start``, here
``binder/start python scripts/run_notebooks.py``. Packages come from PyPI (a warm pip
cache makes this about a minute, a cold one a few). The notebooks must read from the
sandbox that ``start`` launched, through the environment it exported.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.binder, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", ".binder", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "out"
)
STEP_SECONDS = 900


def _python_of_runtime(runtime: Path = BINDER / "runtime.txt") -> str:
    """A Python of the version ``binder/runtime.txt`` asks for; the check is skipped,
    saying so, on a machine without one."""
    wanted = re.fullmatch(r"python-(\d+\.\d+)", runtime.read_text().strip())
    assert wanted, "binder/runtime.txt must read python-X.Y"
    version = wanted.group(1)
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = shutil.which(f"python{version}")
    if found is None:
        pytest.skip(
            f"binder/runtime.txt asks for Python {version}, as Binder builds with it; no "
            f"python{version} here: install it (e.g. apt-get install python{version} "
            f"python{version}-venv) to build Binder's environment"
        )
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop_group(process: subprocess.Popen) -> None:
    """Stop the step and whatever it left running in its group (the sandbox of binder/start)."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                process.wait()
                return
            time.sleep(0.1)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0)  # reap the leader, or the group never looks empty
    process.wait()


def _step(command: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> float:
    """Run one build step with its output in ``log``; its seconds, or fail with its tail."""
    started = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own group: whatever it leaves running stops with it
        )
        try:
            code = process.wait(timeout=STEP_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            _stop_group(process)
    seconds = time.perf_counter() - started
    if code != 0:
        pytest.fail(f"{' '.join(command)} ended with {code}:\n{log.read_text()[-4000:]}")
    return seconds


def test_binder_builds_and_its_start_serves_the_notebooks(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=NOT_COPIED)
    venv = tmp_path / "venv"
    subprocess.run([_python_of_runtime(), "-m", "venv", str(venv)], check=True)
    port = _free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("LSQ_", "PYTHON", "VIRTUAL_ENV", "MPLBACKEND"))
    }
    env.update(
        PATH=os.pathsep.join([str(venv / "bin"), env.get("PATH", "")]),
        VIRTUAL_ENV=str(venv),
        LSQ_SANDBOX_PORT=str(port),
        LSQ_CONFIG=str(tmp_path / "no-config.ini"),
        HOME=str(tmp_path / "home"),  # no user-level Jupyter kernels or leadsq config
        TMPDIR=str(tmp_path),
    )
    (tmp_path / "home").mkdir()
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
    env["PIP_CACHE_DIR"] = pip_cache  # HOME moved: keep the usual cache
    executed = tmp_path / "executed"
    logs = {name: tmp_path / f"{name}.log" for name in ("requirements", "postBuild", "run")}

    seconds = {
        "requirements": _step(
            ["python", "-m", "pip", "install", "-r", "binder/requirements.txt"],
            cwd=repo,
            env=env,
            log=logs["requirements"],
        ),
        "postBuild": _step(["binder/postBuild"], cwd=repo, env=env, log=logs["postBuild"]),
    }
    subprocess.run(["python", "-m", "pip", "check"], cwd=repo, env=env, check=True)
    seconds["run"] = _step(
        ["binder/start", "python", "scripts/run_notebooks.py", "--output", str(executed)],
        cwd=repo,
        env=env,
        log=logs["run"],
    )

    report = logs["run"].read_text()
    print(report, {step: round(value, 1) for step, value in seconds.items()})
    assert f"leadsq sandbox at http://127.0.0.1:{port}" in report
    notebooks = sorted(executed.glob("*.ipynb"))
    assert [path.name for path in notebooks] == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb")
    )
    assert f"{len(notebooks)} passed, 0 failed" in report
    for path in notebooks:
        cells = nbformat.read(path, as_version=4).cells
        first = next(cell for cell in cells if cell.cell_type == "code")
        assert first.outputs[0]["text"] == f"leadsq reads from http://127.0.0.1:{port}\n", path
    leadsq_file = subprocess.run(
        ["python", "-c", "import leadsq; print(leadsq.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(leadsq_file.strip()).is_relative_to(repo), "postBuild did not install the copy"
