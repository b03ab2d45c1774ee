"""A daily refresh of 100,000 leads with 2% changed: a full read against an incremental sync.

Run ``python benchmarks/sync.py`` (about two minutes, most of it the sandbox's start and
two full reads). A sandbox of 100,000 leads in a child process allows 25 calls in any
5 s, as the real API does; pages are 1,000 rows (the default list columns plus
``ModifiedOn``).

1. The store is filled: ``leadsq.sync`` reads every lead (its first run).
2. 2% of the leads are modified in the sandbox (an outbound call each: ``ModifiedOn``,
   ``EngagementScore`` and ``Score`` change).
3. The refresh, timed both ways: a full read of the same query, then a second sync run
   (only leads modified since the first run's high-water mark).

The day is shrunk to seconds: the changes are made right after the first run, with
``lag=0``. On a real account the window is a day and the sync reads the leads changed in
it, so its calls are about changed leads / page size + the first page, as here; the
full read's calls do not depend on the window. Each timed step starts in a fresh
rate-limit window. Printed: calls (counted at the sandbox, 429s included and also
shown apart) and wall time of each, and whether the synced table equals the full read (same ids, same values).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _served import served
from _settings import add_option, configure, described

import leadsq
from leadsq.query.build import DEFAULT_COLUMNS

CALLS, WINDOW = 25, 5.0


def counts(box: Any) -> tuple[int, int]:
    """Calls the sandbox has answered so far (any status), and its 429s among them."""
    answers = box.stats()["answers"]
    return sum(answers.values()), answers.get("429", 0)


def timed(box: Any, step: Any) -> tuple[Any, int, int, float]:
    """``step()``'s result, its calls, its 429s and its wall seconds, from a fresh window."""
    time.sleep(WINDOW + 0.5)
    calls, limited = counts(box)
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    after, after_limited = counts(box)
    return result, after - calls, after_limited - limited, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.02, help="share of leads modified")
    parser.add_argument("--page-size", type=int, default=1000)
    add_option(parser)
    args = parser.parse_args()
    leadsq.configure(rate_limit=(CALLS, WINDOW))
    configure(args.set)
    columns = [*DEFAULT_COLUMNS["distribution"], "ModifiedOn"]
    changed = round(args.leads * args.changed)
    print(f"leadsq settings: {described(leadsq.settings)}")
    with (
        served(leads=args.leads, rate_limit=(CALLS, int(WINDOW))) as box,
        tempfile.TemporaryDirectory() as tmp,
    ):
        store = Path(tmp) / "leads.duckdb"
        keys = {"host": box.url, "access_key": box.access_key, "secret_key": box.secret_key}

        def sync() -> Any:
            return leadsq.sync(store, columns=columns, page_size=args.page_size, lag=0, **keys)

        def full() -> Any:
            return box.read(columns=columns, page_size=args.page_size)

        print(f"sandbox: {args.leads:,} leads, started in {box.startup_seconds:.1f} s")
        first, first_calls, first_429, first_seconds = timed(box, sync)
        print(
            f"fill the store (sync run 1): {first_calls} calls ({first_429} 429s), "
            f"{first_seconds:.1f} s, {len(first):,} rows"
        )
        time.sleep(1.05 - time.time() % 1)  # the changes fall after run 1's last second
        box.churn(modified=changed)
        print(
            f"the 'day' (shrunk to seconds, lag=0): {changed:,} leads modified ({args.changed:.0%})"
        )
        fresh, full_calls, full_429, full_seconds = timed(box, full)
        synced, sync_calls, sync_429, sync_seconds = timed(box, sync)
        run = synced.attrs["leadsq_sync"]
    equal = synced.sort_values("ProspectID", ignore_index=True).equals(
        fresh.sort_values("ProspectID", ignore_index=True)
    )
    pages = -(-changed // args.page_size)
    print(f"refresh by full read: {full_calls:4d} calls ({full_429} 429s), {full_seconds:6.2f} s")
    print(
        f"refresh by sync:      {sync_calls:4d} calls ({sync_429} 429s), {sync_seconds:6.2f} s "
        f"({run['new']} new, {run['changed']} changed, {run['unchanged']} unchanged; "
        f"changed/page size = {pages} pages)"
    )
    print(f"calls saved: {full_calls - sync_calls} ({full_calls / max(sync_calls, 1):.0f}x fewer)")
    print(f"synced table equals the full read: {equal}")


if __name__ == "__main__":
    main()
