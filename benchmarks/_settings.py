"""leadsq settings from the command line (``--set NAME=VALUE``), and a one-line summary."""

from __future__ import annotations

import argparse
import ast

import leadsq

SHOWN = (
    "workers",
    "rate_limit",
    "rate_limit_margin",
    "rate_limit_store",
    "max_retries",
    "backoff",
)


def add_option(parser: argparse.ArgumentParser) -> None:
    """``--set NAME=VALUE``, repeatable."""
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a leadsq setting for this run, e.g. --set workers=25 (repeatable)",
    )


def configure(assignments: list[str]) -> None:
    """``leadsq.configure`` from ``NAME=VALUE`` strings (values as Python literals)."""
    changes = {}
    for assignment in assignments:
        name, _, value = assignment.partition("=")
        changes[name.strip()] = ast.literal_eval(value.strip())
    if changes:
        leadsq.configure(**changes)


def described(settings: leadsq.Settings) -> str:
    """The settings that shape a read's speed, as ``name=value, ...``."""
    return ", ".join(f"{name}={getattr(settings, name)!r}" for name in SHOWN)
