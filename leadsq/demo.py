"""The demo: both endpoints against a fresh sandbox, printed, and a plot written to PNG.

Run it with ``python -m leadsq demo [--leads N] [--seed S] [--out FILE]``.
:func:`example_reads` holds the two reads; ``scripts/readme_images.py`` draws the
README's images from them too.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["example_reads", "main", "run_demo"]


def example_reads(
    connection: dict[str, Any], *, now: datetime | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo's two reads, with windows ending at ``now`` (default: the current UTC time).

    Returns
    -------
    by_owner : DataFrame
        Lead Distribution Analytics: the average engagement score per owner of the
        engaged leads created in the last year.
    neglected : DataFrame
        Leads Not Contacted: prospects and opportunities without a phone call (21, 22)
        in the last 30 days.
    """
    import leadsq

    end = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    by_owner = leadsq.read_leadsquared(
        "distribution",
        "EngagementScore > 0",
        created=(end - timedelta(days=365), end),
        group_by="OwnerId",
        aggregate="average",
        aggregate_field="EngagementScore",
        **connection,
    )
    neglected = leadsq.read_leadsquared(
        "not_contacted",
        "ProspectStage in ['Prospect', 'Opportunity']",
        activities=[21, 22],
        activity_window=(end - timedelta(days=30), end),
        columns=["ProspectID", "FirstName", "ProspectStage", "OwnerId", "ProspectActivityDate_Max"],
        **connection,
    )
    return by_owner, neglected


def run_demo(leads: int = 20_000, seed: int = 7, out: Path = Path("leadsq-demo.png")) -> Path:
    """Start a sandbox, read both endpoints, print the frames and save a plot.

    Parameters
    ----------
    leads, seed : int
        Size and seed of the sandbox's generated data.
    out : Path
        Where to write the plot.

    Returns
    -------
    Path
        The PNG written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import leadsq

    with leadsq.Sandbox(leads=leads, seed=seed) as sandbox:
        print(f"sandbox: {leads:,} generated leads at {sandbox.url}\n")
        connection = {
            "host": sandbox.url,
            "access_key": sandbox.access_key,
            "secret_key": sandbox.secret_key,
            "progress": False,
        }
        by_owner, neglected = example_reads(connection)
        with pd.option_context(
            "display.width", 140, "display.max_rows", 12, "display.max_columns", 10
        ):
            print(
                "Lead Distribution Analytics: average engagement by owner, leads of the last year"
            )
            print(by_owner.lsq.with_owner_names(), "\n")
            print(
                f"Leads Not Contacted: {len(neglected):,} prospects and opportunities "
                "with no phone call in the last 30 days"
            )
            print(neglected, "\n")
        print("The same read as code:\n" + neglected.lsq.code + "\n")
        figure, axes = plt.subplots(1, 2, figsize=(15, 6), layout="constrained")
        by_owner.lsq.plot(ax=axes[0], top=10)
        neglected.lsq.plot(ax=axes[1])
        figure.savefig(out, dpi=110)
        plt.close(figure)
    print(f"plot written to {out.resolve()}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point of ``python -m leadsq demo``."""
    parser = argparse.ArgumentParser(
        prog="python -m leadsq demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--leads", type=int, default=20_000, help="leads to generate (default 20000)"
    )
    parser.add_argument("--seed", type=int, default=7, help="data seed (default 7)")
    parser.add_argument("--out", type=Path, default=Path("leadsq-demo.png"), help="PNG to write")
    arguments = parser.parse_args(argv)
    run_demo(arguments.leads, arguments.seed, arguments.out)
    return 0
