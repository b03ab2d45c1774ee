"""The sandbox under hostile clients: a crowd of half-open connections, heavy reports.

Run ``python benchmarks/hostile_sandbox.py`` (about a minute). A sandbox of 20,000 leads
in a child process, rate limit off. Printed, as seconds per normal call (a 10-row report):

1. alone (median of 10 calls);
2. while ``--half-open`` connections (default 3,000) each sent half a request head and
   wait (the slowest of 10 calls made meanwhile);
3. right after all of them close together (the time for 10 calls in a row, and the
   slowest);
4. while three heavy reports run (each ``--heavy-filters`` ``nlik`` filters, about 80
   bytes each: 11,000 make a legal 890 KB body), a light report sent after them.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _served import served

from leadsq.contract import ENDPOINT_PATHS

PATH = ENDPOINT_PATHS["distribution"][0]
LIGHT = {
    "Output": {"Type": "List", "IncludeCSV": "ProspectID"},
    "Paging": {"PageIndex": 1, "PageSize": 10},
}


def heavy_body(filters: int) -> str:
    conditions = [
        {"LookUpName": "FirstName", "SqlOperator": "nlik", "LookUpValue": f"zq{i:05d}"}
        for i in range(filters)
    ]
    return json.dumps({**LIGHT, "ReportFilter": {"LeadFilters": conditions}})


def timed_call(url: str, keys: dict[str, str], body: str | None = None) -> float:
    started = time.perf_counter()
    response = requests.post(
        url + PATH,
        params=keys,
        data=body or json.dumps(LIGHT),
        headers={"Content-Type": "application/json"},
        timeout=600,
    )
    response.raise_for_status()
    return time.perf_counter() - started


def half_open(url: str, count: int) -> list[socket.socket]:
    host, port = url.removeprefix("http://").split(":")
    head = f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\n".encode()
    crowd = []
    for _ in range(count):
        connection = socket.socket()
        connection.settimeout(30)
        try:
            connection.connect((host, int(port)))
            connection.sendall(head)
        except OSError:
            connection.close()
            continue
        crowd.append(connection)
    return crowd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half-open", type=int, default=3000)
    parser.add_argument("--heavy-filters", type=int, default=3000)
    args = parser.parse_args()
    with served(leads=20_000, seed=7, rate_limit=None) as box:
        keys = {"accessKey": box.access_key, "secretKey": box.secret_key}
        url = box.url
        print(f"sandbox ready in {box.startup_seconds:.1f} s (child process)")
        alone = [timed_call(url, keys) for _ in range(10)]
        print(f"1. a normal call alone: median {statistics.median(alone):.3f} s")

        started = time.perf_counter()
        crowd = half_open(url, args.half_open)
        print(
            f"   {len(crowd)} half-open connections opened in {time.perf_counter() - started:.1f} s"
        )
        during = [timed_call(url, keys) for _ in range(10)]
        print(f"2. while they wait: slowest of 10 calls {max(during):.3f} s")
        for connection in crowd:
            connection.close()
        started = time.perf_counter()
        after = [timed_call(url, keys) for _ in range(10)]
        print(
            f"3. right after they close together: 10 calls in {time.perf_counter() - started:.3f} s,"
            f" slowest {max(after):.3f} s"
        )

        body = heavy_body(args.heavy_filters)
        heavy_times: list[float] = []
        threads = [
            threading.Thread(target=lambda: heavy_times.append(timed_call(url, keys, body)))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        light = timed_call(url, keys)
        for thread in threads:
            thread.join()
        print(
            f"4. three heavy reports of {len(body) / 1000:.0f} KB (each {min(heavy_times):.1f}-"
            f"{max(heavy_times):.1f} s): a light report sent 0.5 s after them took {light:.3f} s"
        )


if __name__ == "__main__":
    main()
