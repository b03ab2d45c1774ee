"""The README's first ten minutes: its two commands, its tour and its pictures stay true."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
HEADER = """# leadsq

```bash
python3 -m venv .venv && . .venv/bin/activate && pip install -e . && python -m leadsq demo
python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test]" && python -m pytest
```
"""


def test_the_readme_opens_with_the_two_commands() -> None:
    assert README.read_text(encoding="utf-8").startswith(HEADER)


def test_every_image_and_file_the_readme_links_exists() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(((?:docs|notebooks|binder|scripts|tests)/[^)#?]+)\)", text)

    assert "docs/images/query_builder.png" in targets
    assert [target for target in targets if not (ROOT / target).exists()] == []


def test_the_tour_runs_and_prints_what_the_readme_shows() -> None:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("LSQ_")}
    environment["LSQ_CONFIG"] = str(ROOT / "no-such-leadsq-config.ini")
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )

    result = subprocess.run(
        [sys.executable, "scripts/readme_tour.py", "--check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "the tour runs as the README shows" in result.stdout


def test_the_binder_check_skips_with_a_reason_without_its_python(tmp_path) -> None:
    from tests.notebooks.test_binder import _python_of_runtime

    runtime = tmp_path / "runtime.txt"
    runtime.write_text("python-3.1\n")  # no python3.1 anywhere
    with pytest.raises(pytest.skip.Exception) as skipped:
        _python_of_runtime(runtime)
    assert str(skipped.value).startswith(
        "binder/runtime.txt asks for Python 3.1, as Binder builds with it; no python3.1 here"
    )


def test_the_readme_states_what_its_test_command_needs() -> None:
    opening = README.read_text(encoding="utf-8").split("\n## ", 1)[0]
    for need in ("apt-get install chromium", "Python 3.11", "the package index"):
        assert need in opening
