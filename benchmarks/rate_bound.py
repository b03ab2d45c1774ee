"""Rate-bound read: leadsq against the naive loop and against the API's limit (issue 7).

Run ``python benchmarks/rate_bound.py`` (about a minute and a half). A sandbox of 100,000
leads in a child process answers after 0.3 s +- 0.1 s (latency 0.2 s plus a uniform jitter
of up to 0.2 s) and allows 25 calls in any 5 s, as the real API does. Both readers ask
for the default list columns, 1,000 rows a page, 100 pages.

The limit allows ``(pages - 25) x 0.2 s + one round trip``: 25 calls at once, then one
every 0.2 s on average, and the last answer one round trip later. The round trip is
the median of the baseline's calls, measured in the same run.

Printed: each leadsq read's wall time, its ratio to that bound, the 429s the sandbox
answered during it (``Sandbox.stats()``), then the baseline's time and the ratio. Also
the sandbox's own floor: no read can end before the sandbox has answered its last
window's 25 calls, so the time it takes to answer 25 calls sent together (measured at
the start) replaces the bound's last round trip, and a first round trip is added (the
first page tells how many pages there are).

The field types are fetched once before the timed reads (a second read in a session;
a first read adds one call and one round trip). ``--baseline-pages N`` times the
baseline on its first N pages and scales it to all pages, and says so. ``--set
NAME=VALUE`` changes a leadsq setting for the run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
from _naive import PATH, list_body, naive_read
from _served import served
from _settings import add_option, configure, described

import leadsq
from leadsq.client import metadata
from leadsq.client.client import connection_for
from leadsq.query.build import DEFAULT_COLUMNS

CALLS, WINDOW = 25, 5.0
LATENCY, JITTER = 0.2, 0.2  # 0.3 s +- 0.1 s


def burst_seconds(box: Any, columns: list[str], page_size: int) -> float:
    """Seconds until the sandbox has answered a whole window's calls sent at once: what
    the last window of any read costs at the least, latency and the sandbox's own
    per-page work included (the client here only sends and waits)."""
    local = threading.local()
    headers = {"x-LSQ-AccessKey": box.access_key, "x-LSQ-SecretKey": box.secret_key}

    def page(index: int) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        body = list_body(columns, page_size, index)
        session.post(box.url + PATH, json=body, headers=headers, timeout=60).raise_for_status()

    with ThreadPoolExecutor(CALLS) as pool:
        started = time.perf_counter()
        list(pool.map(page, range(1, CALLS + 1)))
        seconds = time.perf_counter() - started
    time.sleep(WINDOW + 0.5)  # the window it used clears
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="leadsq reads (default 3)")
    parser.add_argument("--baseline-pages", type=int, default=None, help="default: all")
    add_option(parser)
    args = parser.parse_args()
    configure(args.set)
    pages = -(-args.leads // args.page_size)
    columns = list(DEFAULT_COLUMNS["distribution"])
    settings = leadsq.settings
    print(
        f"rate-bound: {args.leads:,} leads, {args.page_size:,} a page ({pages} pages), "
        f"sandbox latency {LATENCY + JITTER / 2:.1f} s +- {JITTER / 2:.1f} s, "
        f"limit {CALLS} calls / {WINDOW:g} s"
    )
    print(f"leadsq settings: {described(settings)}")
    with served(
        leads=args.leads,
        seed=7,
        rate_limit=[CALLS, WINDOW],
        latency=LATENCY,
        jitter=JITTER,
    ) as box:
        print(f"sandbox ready in {box.startup_seconds:.1f} s (child process)")
        connection = connection_for(box.url, box.access_key, box.secret_key)
        metadata.field_types(connection)  # cached for the session, as after a first read
        time.sleep(WINDOW + 0.5)
        burst = burst_seconds(box, columns, args.page_size)
        walls = []
        limited = []
        for run in range(1, args.runs + 1):
            time.sleep(WINDOW + 0.5)  # an empty window on both sides
            before = box.stats()["answers"].get("429", 0)
            started = time.perf_counter()
            frame = box.read(columns=columns, page_size=args.page_size)
            wall = time.perf_counter() - started
            assert len(frame) == args.leads, len(frame)
            walls.append(wall)
            limited.append(box.stats()["answers"].get("429", 0) - before)
            print(f"  leadsq read {run}: {wall:6.2f} s, 429s answered: {limited[-1]}")
        time.sleep(WINDOW + 0.5)
        before = box.stats()["answers"].get("429", 0)
        naive = naive_read(
            box.url,
            box.access_key,
            box.secret_key,
            columns,
            args.page_size,
            max_pages=args.baseline_pages,
        )
        naive_limited = box.stats()["answers"].get("429", 0) - before
        stats = box.stats()
    round_trip = statistics.median(naive.round_trips)
    bound = max(pages - CALLS, 0) * WINDOW / CALLS + round_trip
    naive_wall = naive.seconds * (pages / naive.pages if not naive.complete else 1)
    how = "measured" if naive.complete else f"{naive.pages} pages timed, scaled to {pages}"
    median = statistics.median(walls)
    print()
    print(f"one round trip (median of the baseline's calls): {round_trip:.3f} s")
    step = WINDOW / CALLS
    print(
        f"the limit's bound: ({pages} - {CALLS}) x {step:.1f} s + {round_trip:.3f} s = {bound:.2f} s"
    )
    floor = round_trip + max(pages - CALLS, 0) * step + burst
    print(
        f"the sandbox's own floor: a first round trip, then ({pages} - {CALLS}) x {step:.1f} s, "
        f"then the last {CALLS} calls answered together in {burst:.2f} s "
        f"(measured) = {floor:.2f} s = {floor / bound:.3f} x the bound"
    )
    print(
        f"leadsq:   median {median:.2f} s (min {min(walls):.2f}, max {max(walls):.2f}, "
        f"{len(walls)} reads) = {median / bound:.3f} x the bound (target <= 1.05), "
        f"{median / floor:.3f} x the sandbox's floor"
    )
    print(f"          429s answered to leadsq: {sum(limited)} in {len(walls)} reads (target 0)")
    print(
        f"baseline: {naive_wall:.2f} s ({how}), {naive_limited} 429s "
        f"= {naive_wall / bound:.3f} x the bound"
    )
    print(f"leadsq is {naive_wall / median:.2f} x faster than the baseline")
    print(
        f"sandbox: answers {stats['answers']}, peak calls in a window {stats['peak_window_calls']}"
    )


if __name__ == "__main__":
    main()
