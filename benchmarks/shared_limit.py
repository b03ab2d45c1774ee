"""Shared limit: 1, 2 and 4 processes reading together on one key from one sandbox (issue 15).

Run ``python benchmarks/shared_limit.py`` (about four minutes). A sandbox in a child
process allows 25 calls in any 5 s per key, as the real API does, and answers after
0.3 s +- 0.1 s. Each reader is a process of its own that reads 25,000 leads, 1,000 a
page (25 pages and one metadata call); 1, 2 or 4 of them start together on the same key
with each ``rate_limit_store``:

- ``memory``: the limiter of each process alone, as before this issue ("before");
- ``file``: one SQLite file per key shared by the machine's processes (a temporary
  directory here, the user's cache directory by default);
- ``redis``: a ``redis-server`` started for the run on a free loopback port (skipped
  when the binary is not installed).

The limit's bound for all their calls together: call ``k`` cannot go out before
``(k - 1) // 25`` windows have passed, and the last answer comes one round trip later,
so ``((calls - 1) // 25) x 5 s + one round trip`` (the round trip is the median of 5
calls measured at the start; for 100 calls this is ``rate_bound.py``'s bound). Printed per
run: the wall time from the start to the last reader's end, its ratio to the bound,
the 429s the sandbox answered (``Sandbox.stats()``), reads that failed, and for the
shared stores their time and 429s against ``memory``'s in the same run.
``--set NAME=VALUE`` changes a leadsq setting of every reader.
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
from _served import Served, served
from _settings import add_option
from harness import redis_server, start_together, wait_for_go

CALLS, WINDOW = 25, 5.0
LATENCY, JITTER = 0.2, 0.2
LEADS, PAGE_SIZE = 25_000, 1000
PROCESSES = (1, 2, 4)
ROOT = Path(__file__).resolve().parents[1]


def reader(settings: dict[str, Any], connection: dict[str, Any]) -> None:
    """A reading process: configure, say ready, read when told, report as one JSON line."""
    import leadsq

    if "rate_limit" in settings:
        settings["rate_limit"] = tuple(settings["rate_limit"])
    leadsq.configure(**settings)
    wait_for_go()
    started = time.perf_counter()
    try:
        frame = leadsq.read_leadsquared(
            "distribution", columns=["ProspectAutoId"], page_size=PAGE_SIZE, **connection
        )
        rows, failed = len(frame), None
    except leadsq.LeadsqError as error:
        rows, failed = error.__dict__.get("rows_received", 0), type(error).__name__
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "failed": failed, "seconds": seconds}), flush=True)


def run(box: Served, count: int, settings: dict[str, Any]) -> dict[str, Any]:
    """``count`` readers started together; their wall time, calls, 429s and failures."""
    connection = {
        "host": box.url,
        "access_key": box.access_key,
        "secret_key": box.secret_key,
        "progress": False,
    }
    before = box.stats()["answers"]
    command = [sys.executable, __file__, "--reader", json.dumps([settings, connection])]
    processes = start_together([command] * count, cwd=ROOT)
    started = time.perf_counter()
    reports = []
    for process in processes:
        out, _ = process.communicate(timeout=600)
        reports.append(json.loads(out.strip().splitlines()[-1]))
    wall = time.perf_counter() - started
    after = box.stats()["answers"]
    ok = after.get("200", 0) - before.get("200", 0)
    return {
        "wall": wall,
        "calls": ok,
        "429": after.get("429", 0) - before.get("429", 0),
        "failed": sum(1 for report in reports if report["failed"]),
        "exact": all(report["rows"] == LEADS for report in reports),
    }


def round_trip(box: Served) -> float:
    """The median of 5 sequential calls' round trips."""
    headers = {"x-LSQ-AccessKey": box.access_key, "x-LSQ-SecretKey": box.secret_key}
    times = []
    with requests.Session() as session:
        for _ in range(5):
            started = time.perf_counter()
            session.get(
                box.url + "/v2/LeadManagement.svc/LeadsMetaData.Get", headers=headers, timeout=30
            ).raise_for_status()
            times.append(time.perf_counter() - started)
    time.sleep(WINDOW + 0.5)  # the window those calls used clears
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reader", help=argparse.SUPPRESS)
    add_option(parser)
    args = parser.parse_args()
    if args.reader:
        reader(*json.loads(args.reader))
        return
    extra = {}
    for assignment in args.set:
        name, _, value = assignment.partition("=")
        extra[name.strip()] = ast.literal_eval(value.strip())
    pages = LEADS // PAGE_SIZE
    print(
        f"shared limit: readers of {LEADS:,} leads, {PAGE_SIZE:,} a page ({pages} pages and a "
        f"metadata call each), sandbox latency {LATENCY + JITTER / 2:.1f} s +- "
        f"{JITTER / 2:.1f} s, limit {CALLS} calls / {WINDOW:g} s per key"
    )
    results: dict[tuple[str, int], dict[str, Any]] = {}
    with (
        tempfile.TemporaryDirectory() as directory,
        redis_server() as redis_url,
        served(
            leads=LEADS, seed=7, rate_limit=[CALLS, WINDOW], latency=LATENCY, jitter=JITTER
        ) as box,
    ):
        trip = round_trip(box)
        print(f"one round trip (median of 5): {trip:.3f} s")
        stores = {"memory": "memory", "file": f"file:{directory}"}
        if redis_url:
            stores["redis"] = redis_url
        else:
            print("redis: skipped (no redis-server installed)")
        for name, spec in stores.items():
            for count in PROCESSES:
                time.sleep(WINDOW + 0.5)  # an empty window, and any cooldown over
                result = run(box, count, {"rate_limit_store": spec, **extra})
                bound = (result["calls"] - 1) // CALLS * WINDOW + trip
                result["bound"] = bound
                results[name, count] = result
                print(
                    f"  {name:6} x{count}: {result['wall']:6.2f} s for {result['calls']} calls "
                    f"= {result['wall'] / bound:.3f} x the bound ({bound:.2f} s), "
                    f"429s: {result['429']}, failed reads: {result['failed']}, "
                    f"every read exact: {result['exact']}"
                )
        print(f"sandbox: answers {box.stats()['answers']}")
    print()
    for name in stores:
        if name == "memory":
            continue
        for count in PROCESSES:
            shared, alone = results[name, count], results["memory", count]
            print(
                f"{name} x{count} against memory x{count}: time {shared['wall'] / alone['wall']:.2f} x, "
                f"429s {shared['429']} against {alone['429']}"
            )


if __name__ == "__main__":
    main()
