"""``python -m leadsq <command>``: the package's commands.

Each command is a module with a ``main(argv) -> int`` function, imported only when run;
add one by adding a line to :data:`COMMANDS`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

COMMANDS: dict[str, tuple[str, str]] = {
    "sandbox": ("leadsq.sandbox.cli", "serve the sandbox server over generated data"),
    "demo": ("leadsq.demo", "read from a sandbox and draw a chart"),
    "sync": ("leadsq.client.sync", "bring a local table of leads up to date (DuckDB or Parquet)"),
}


def usage() -> str:
    """The top-level help text."""
    lines = ["usage: python -m leadsq <command> [options]", "", "commands:"]
    lines += [f"  {name:<10} {summary}" for name, (_, summary) in COMMANDS.items()]
    lines += ["", "python -m leadsq <command> --help shows a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a command; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
