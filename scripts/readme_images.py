"""Write the README's two plots from a fresh sandbox.

Run from the repository root::

    python scripts/readme_images.py [--leads 20000] [--seed 7] [--anchor 2026-11-01] [--out docs/images]

It starts a sandbox (its "today" is ``--anchor``, default today), reads

* the average engagement score per owner of the engaged leads created in the last year
  (``docs/images/owners_engagement.png``), and
* the prospects and opportunities without a phone call in the last 30 days, binned by
  days since their last activity of any kind (``docs/images/not_contacted_days.png``),

and saves each plot as the user would draw it: ``df.lsq.plot()``. Days are counted
from the time of the read, so with the default anchor the story is today's.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import leadsq
from leadsq.demo import example_reads


def write_images(leads: int, seed: int, anchor: date, out: Path) -> list[Path]:
    """Start a sandbox, make the demo's two reads, save their plots; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    start = datetime.combine(anchor, datetime.min.time())
    with leadsq.Sandbox(leads=leads, seed=seed, anchor=start, rate_limit=None) as sandbox:
        account = {
            "host": sandbox.url,
            "access_key": sandbox.access_key,
            "secret_key": sandbox.secret_key,
            "progress": False,
        }
        engagement, not_contacted = example_reads(account, now=start - timedelta(seconds=1))
        written = [
            _save(
                engagement.lsq.with_owner_names().lsq.plot(top=10), out / "owners_engagement.png"
            ),
            _save(not_contacted.lsq.plot(), out / "not_contacted_days.png"),
        ]
        print(not_contacted.lsq.code)
    return written


def _save(ax: plt.Axes, path: Path) -> Path:
    ax.figure.savefig(path, dpi=110, facecolor="white")
    plt.close(ax.figure)
    print(f"wrote {path}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--anchor", type=date.fromisoformat, default=date.today())
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    arguments = parser.parse_args()
    write_images(arguments.leads, arguments.seed, arguments.anchor, arguments.out)


if __name__ == "__main__":
    main()
