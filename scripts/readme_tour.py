"""Run the README's tour and show what each of its code blocks prints.

Run from the repository root, with no account configured::

    python scripts/readme_tour.py            # print each block's output, to paste
    python scripts/readme_tour.py --check    # compare with the README's output blocks

The ```` ```python ```` blocks of README.md's "A short tour" section run in order in one
namespace, as at a Python prompt: the value of a block's last expression is printed.
Frames print 130 characters wide, every column shown. ``--check`` compares the first line of each output,
word by word, with the output block that follows the code block in the README (only the
first line: numbers, ids and dates move with the day, because the sandbox dates its data
relative to today) and exits 1 when one differs or a block raises.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## A short tour"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


@dataclass
class Block:
    """A python block of the tour and the output block the README shows after it."""

    code: str
    shown: str | None


def tour_blocks(text: str) -> list[Block]:
    """The python blocks of the tour section, each with the plain block right after it."""
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end != -1 else len(text)]
    fences = list(FENCE.finditer(section))
    blocks = []
    for index, fence in enumerate(fences):
        if fence.group(1) != "python":
            continue
        following = fences[index + 1] if index + 1 < len(fences) else None
        adjacent = following is not None and not section[fence.end() : following.start()].strip()
        shown = following.group(2) if adjacent and following.group(1) in ("", "text") else None
        blocks.append(Block(fence.group(2), shown))
    return blocks


def run_block(code: str, namespace: dict) -> str:
    """Run ``code`` as a prompt would; what it printed, and its last expression's repr."""
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(tree, "<README>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<README>", "eval"), namespace)
            if value is not None:
                print(repr(value))
    return output.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the README")
    arguments = parser.parse_args(argv)

    import pandas as pd

    pd.set_option("display.width", 130, "display.max_columns", None)
    namespace: dict = {"__name__": "__readme__"}
    failures = 0
    for number, block in enumerate(tour_blocks(README.read_text(encoding="utf-8")), start=1):
        try:
            printed = run_block(block.code, namespace)
        except Exception as exc:
            print(f"block {number} raised {type(exc).__name__}: {exc}")
            failures += 1
            continue
        if not arguments.check:
            print(f"--- block {number}\n{printed}", end="" if printed.endswith("\n") else "\n")
            continue
        if block.shown is None:
            continue
        real, shown = (
            text.splitlines()[0].split() if text.strip() else [] for text in (printed, block.shown)
        )
        if real != shown:
            print(f"block {number}: the README shows {shown}, a run prints {real}")
            failures += 1
    if arguments.check:
        print(
            "the tour runs as the README shows" if not failures else f"{failures} block(s) differ"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
