"""Page size under a rate limit: pages of 1,000 against pages as large as the learnt cap.

Run ``python benchmarks/page_cap.py`` (about half a minute). A sandbox of 25,000 leads in
a child process answers after 0.3 s +- 0.1 s, allows 5 calls in any 5 s (a smaller plan's
limit; the Enterprise plan allows 25) and refuses pages over 5,000 rows in the real
service's words (a 500 naming the cap). Three reads of the default list columns, in the
same run:

1. ``page_size=1000``: the old default, 25 pages;
2. no ``page_size`` on a host with no cap learnt: the first page asks 10,000 rows, is
   refused, and the read goes on at the cap the refusal names, which the client remembers
   for the host and endpoint;
3. no ``page_size`` again: the learnt cap from the first call, 5 pages.

Printed per read: the calls that reached the report endpoint (``Sandbox.stats()["paths"]``),
the refusals, the wall time; then the ratio of read 1 to read 3. At a rate limit, a read's
time is about its calls over the limit, so fewer, larger pages are the biggest gain a
rate-limited read has. The field types are fetched before the timed reads, and each read
starts on an empty window. ``--set NAME=VALUE`` changes a leadsq setting for the run.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _naive import PATH
from _served import served
from _settings import add_option, configure, described

import leadsq
from leadsq.client import metadata
from leadsq.client.client import connection_for
from leadsq.query.build import DEFAULT_COLUMNS

CALLS, WINDOW = 5, 5.0
LATENCY, JITTER = 0.2, 0.2  # 0.3 s +- 0.1 s


def timed_read(box: Any, label: str, leads: int, **query: Any) -> tuple[int, float]:
    """One read: print its calls, refusals and wall time; return (calls, seconds)."""
    time.sleep(WINDOW + 0.5)  # an empty window on both sides
    before = box.stats()
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = box.read(**query)
    wall = time.perf_counter() - started
    after = box.stats()
    assert len(frame) == leads, len(frame)
    calls = after["paths"].get(PATH, 0) - before["paths"].get(PATH, 0)
    refused = after["answers"].get("500", 0) - before["answers"].get("500", 0)
    limited = after["answers"].get("429", 0) - before["answers"].get("429", 0)
    size = frame.attrs["leadsq"]["body"]["Paging"]["PageSize"]
    print(
        f"  {label:<28} {calls:3d} calls ({refused} refused, {limited} 429s), "
        f"pages of {size:,}, {wall:6.2f} s"
    )
    for warning in caught:
        print(f"    warned: {warning.message}")
    return calls, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=25_000)
    parser.add_argument("--cap", type=int, default=5000)
    add_option(parser)
    args = parser.parse_args()
    leadsq.configure(rate_limit=(CALLS, WINDOW))
    configure(args.set)
    columns = list(DEFAULT_COLUMNS["distribution"])
    print(
        f"page cap: {args.leads:,} leads, sandbox cap {args.cap:,} a page, latency "
        f"{LATENCY + JITTER / 2:.1f} s +- {JITTER / 2:.1f} s, limit {CALLS} calls / {WINDOW:g} s"
    )
    print(f"leadsq settings: {described(leadsq.settings)}")
    with served(
        leads=args.leads,
        seed=7,
        rate_limit=[CALLS, WINDOW],
        latency=LATENCY,
        jitter=JITTER,
        max_page_size=args.cap,
    ) as box:
        print(f"sandbox ready in {box.startup_seconds:.1f} s (child process)")
        metadata.field_types(connection_for(box.url, box.access_key, box.secret_key))
        small_calls, small = timed_read(
            box, "page_size=1000", args.leads, columns=columns, page_size=1000
        )
        timed_read(box, "no page_size (learns the cap)", args.leads, columns=columns)
        cap_calls, at_cap = timed_read(
            box, "no page_size (learnt cap)", args.leads, columns=columns
        )
    print()
    print(
        f"pages of 1,000: {small_calls} calls in {small:.2f} s; at the learnt cap: "
        f"{cap_calls} calls in {at_cap:.2f} s; {small / at_cap:.1f} x faster, "
        f"{small_calls / cap_calls:.1f} x fewer calls"
    )


if __name__ == "__main__":
    main()
