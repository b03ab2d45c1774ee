"""The contract is standard library only: the sandbox and the client share it, and importing
it must load nothing of pandas, requests or the rest of leadsq.

Each import runs in a fresh interpreter in which ``leadsq`` is a bare package (its
``__init__`` not run), so what is measured is the contract's own imports, whatever
``leadsq/__init__`` loads.
"""

import json
import subprocess
import sys
from pathlib import Path

import leadsq.contract

_PACKAGE = Path(leadsq.contract.__file__).parent
_THIRD_PARTY = {"pandas", "numpy", "requests", "pyarrow", "duckdb", "werkzeug", "ipywidgets"}


def _loaded_after(module: str) -> set[str]:
    """Top-level names in ``sys.modules`` after importing ``module`` in a fresh interpreter."""
    code = (
        "import importlib, json, sys, types\n"
        "before = set(sys.modules)\n"
        "bare = types.ModuleType('leadsq')\n"
        f"bare.__path__ = [{str(_PACKAGE.parent)!r}]\n"
        "sys.modules['leadsq'] = bare\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return {name.partition(".")[0] for name in json.loads(out)}


def test_importing_the_contract_loads_no_third_party_package() -> None:
    loaded = _loaded_after("leadsq.contract")
    assert "leadsq" in loaded
    assert not loaded & _THIRD_PARTY, sorted(loaded & _THIRD_PARTY)
    foreign = {name for name in loaded if name not in sys.stdlib_module_names} - {"leadsq"}
    assert not foreign, f"leadsq.contract loads {sorted(foreign)}"


def test_every_module_of_the_contract_imports_only_the_standard_library() -> None:
    modules = sorted(path.stem for path in _PACKAGE.glob("*.py") if path.stem != "__init__")
    assert {"parse", "model", "vocabulary", "answers"} <= set(modules)
    for module in modules:
        loaded = _loaded_after(f"leadsq.contract.{module}")
        foreign = {name for name in loaded if name not in sys.stdlib_module_names} - {"leadsq"}
        assert not foreign, f"leadsq.contract.{module} loads {sorted(foreign)}"
