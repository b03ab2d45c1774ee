"""Latency-bound read: leadsq against the naive loop when the round trip is the bottleneck.

Run ``python benchmarks/latency_bound.py`` (about a minute). A sandbox of 20,000 leads in
a child process answers after 1 s, with a rate limit far above what either reader asks;
both readers ask for the default list columns, 1,000 rows a page: 20 pages.

The limit here is the round trip: the first page, then every other page at once, so
two round trips. Printed: each leadsq read's wall time and its ratio to two round
trips, the baseline's time (one round trip per page) and how many times faster leadsq
is (target: at least 5). ``--set NAME=VALUE`` changes a leadsq setting for the run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _naive import naive_read
from _served import served
from _settings import add_option, configure, described

import leadsq
from leadsq.client import metadata
from leadsq.client.client import connection_for
from leadsq.query.build import DEFAULT_COLUMNS

LATENCY = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="leadsq reads (default 3)")
    add_option(parser)
    args = parser.parse_args()
    configure(args.set)
    leads = args.pages * args.page_size
    columns = list(DEFAULT_COLUMNS["distribution"])
    settings = leadsq.settings
    print(
        f"latency-bound: {leads:,} leads, {args.page_size:,} a page ({args.pages} pages), "
        f"sandbox latency {LATENCY:g} s, rate limit off in the sandbox"
    )
    print(f"leadsq settings: {described(settings)}")
    window = settings.rate_limit[1] + settings.rate_limit_margin
    with served(leads=leads, seed=7, rate_limit=None, latency=LATENCY) as box:
        print(f"sandbox ready in {box.startup_seconds:.1f} s (child process)")
        connection = connection_for(box.url, box.access_key, box.secret_key)
        metadata.field_types(connection)  # cached for the session, as after a first read
        walls = []
        for run in range(1, args.runs + 1):
            time.sleep(window + 0.5)  # the client's own limiter starts empty
            started = time.perf_counter()
            frame = box.read(columns=columns, page_size=args.page_size)
            walls.append(time.perf_counter() - started)
            assert len(frame) == leads, len(frame)
            print(f"  leadsq read {run}: {walls[-1]:6.2f} s")
        naive = naive_read(box.url, box.access_key, box.secret_key, columns, args.page_size)
        stats = box.stats()
    round_trip = statistics.median(naive.round_trips)
    median = statistics.median(walls)
    print()
    print(f"one round trip (median of the baseline's calls): {round_trip:.3f} s")
    print(
        f"leadsq:   median {median:.2f} s (min {min(walls):.2f}, max {max(walls):.2f}, "
        f"{len(walls)} reads) = {median / (2 * round_trip):.2f} x two round trips"
    )
    print(f"baseline: {naive.seconds:.2f} s ({naive.pages} pages, one after another)")
    print(f"leadsq is {naive.seconds / median:.2f} x faster than the baseline (target >= 5)")
    print(f"sandbox: answers {stats['answers']}")


if __name__ == "__main__":
    main()
