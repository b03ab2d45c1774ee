"""The package's shape: no import cycle, dependencies one way, a light import, short modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "leadsq"
MAX_LINES = 450
LAYERS = {  # a package: the leadsq packages its modules may import at module level
    "contract": {"contract"},
    "errors": {"contract", "errors"},
    "query": {"contract", "errors", "query"},
    "frames": {"contract", "errors", "query", "frames"},
    "sandbox": {"contract", "sandbox"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports_at_load(path: Path, name: str) -> Iterator[str]:
    """The leadsq modules ``path`` imports when it loads: module level, not under
    ``if TYPE_CHECKING:`` and not inside functions (those load on first use)."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for child in [node] if not isinstance(node, (ast.If, ast.Try)) else ast.walk(node):
            if isinstance(child, ast.Import):
                yield from (alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1])
                    base = f"{base}.{child.module}" if child.module else base
                yield base
                yield from (f"{base}.{alias.name}" for alias in child.names)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {target for target in _imports_at_load(path, name) if target in modules} - {name}
        for name, path in modules.items()
    }


def test_no_module_imports_itself_back_through_others() -> None:
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if target.startswith(node + ".") or node.startswith(target + "."):
                continue  # a package and its own modules
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    allowed = {f"leadsq.{name}" for name in LAYERS[layer]}
    wrong = {
        f"{name} -> {target}"
        for name, targets in _graph().items()
        if name == f"leadsq.{layer}" or name.startswith(f"leadsq.{layer}.")
        for target in targets
        if target != "leadsq"
        and not any(target == a or target.startswith(a + ".") for a in allowed)
    }
    assert wrong == set()


def test_no_module_is_longer_than_a_few_hundred_lines() -> None:
    long = {
        name: lines
        for name, path in _modules().items()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_import_leadsq_loads_no_http_sandbox_widget_or_plotting_stack() -> None:
    heavy = ("requests", "ipywidgets", "IPython", "duckdb", "werkzeug", "matplotlib", "tqdm")
    probe = (
        "import sys, leadsq, pandas as pd; "
        "assert pd.read_leadsquared is leadsq.read_leadsquared; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
