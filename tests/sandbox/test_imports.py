"""The sandbox's dependencies: only the contract and its own modules, one way, loaded late."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import leadsq.sandbox as package

PACKAGE = Path(package.__file__).parent
ROOT = PACKAGE.parents[1]


def leadsq_imports(path: Path) -> set[str]:
    """The ``leadsq`` modules a module imports, at any level (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "leadsq" or name.startswith("leadsq.")}


def test_the_sandbox_imports_only_the_contract_and_its_own_modules() -> None:
    strays = {
        f"{path.name}: {name}"
        for path in PACKAGE.glob("*.py")
        for name in leadsq_imports(path)
        if name != "leadsq.contract" and not name.startswith("leadsq.sandbox.")
    }

    assert not strays


def test_no_import_cycle_among_the_sandbox_modules() -> None:
    edges = {
        path.stem: {
            name.removeprefix("leadsq.sandbox.")
            for name in leadsq_imports(path)
            if name.startswith("leadsq.sandbox.")
        }
        for path in PACKAGE.glob("*.py")
        if path.stem != "__init__"
    }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, set()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    cycles = sorted(module for module in edges if reaches(module, module, set()))

    assert edges["server"] >= {"openapi", "routing"}
    assert not cycles


def loaded_after(statement: str) -> set[str]:
    """Which of duckdb and werkzeug a fresh interpreter holds after ``statement``."""
    code = f"import sys; {statement}; print(*sorted({{'duckdb', 'werkzeug'}} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return set(out.split())


def test_importing_the_package_loads_duckdb_and_werkzeug_only_with_the_sandbox() -> None:
    assert loaded_after("import leadsq") == set()
    assert loaded_after("import leadsq.sandbox") == set()
    assert loaded_after("import leadsq.sandbox; leadsq.sandbox.Sandbox") == {"duckdb", "werkzeug"}
