"""The notebook runner script, imported from ``scripts/`` so tests and Binder share it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "scripts" / "run_notebooks.py"


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_notebooks", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def runner() -> ModuleType:
    """``scripts/run_notebooks.py`` as a module."""
    return sys.modules.get("run_notebooks") or _load_runner()
