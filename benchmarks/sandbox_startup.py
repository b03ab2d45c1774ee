"""Sandbox start-up and query figures (issue 2): run ``python benchmarks/sandbox_startup.py``.

Prints, with the targets in brackets:

* the time until a sandbox of 20,000 leads answers its first call (< 2 s);
* the time to generate 1,000,000 leads (< 60 s);
* the latency of a filtered aggregate over HTTP on 1,000,000 leads (< 0.5 s), and of a
  not-contacted aggregate for comparison.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests

from leadsq.sandbox import Sandbox

ANCHOR = "2026-11-01"
FILTERED_AGGREGATE = {
    "ReportFilter": {
        "LeadFilters": [
            {
                "LookUpName": "ProspectStage",
                "SqlOperator": "in",
                "LookUpValues": ["Prospect", "Opportunity"],
            },
            {"LookUpName": "mx_City", "SqlOperator": "lik", "LookUpValue": "a"},
            {"LookUpName": "Score", "SqlOperator": ">", "LookUpValue": "10"},
        ],
        "UserFilter": {
            "GroupConditions": [
                {"Condition": [{"LookupName": "Role", "Operator": "neq", "LookupValue": "Admin"}]}
            ]
        },
    },
    "DateFilter": [
        {
            "DateField": "LeadCreatedOn",
            "FromDate": "2025-11-01 00:00:00",
            "ToDate": "2026-11-01 00:00:00",
        }
    ],
    "Output": {
        "Type": "Aggregate",
        "GroupBy": "OwnerId",
        "AggregateFunction": "Average",
        "AggregateField": "EngagementScore",
    },
    "Paging": {"PageIndex": 1, "PageSize": 100},
}
NOT_CONTACTED_AGGREGATE = {
    "ReportFilter": {
        "LeadFilters": [
            {
                "LookUpName": "ProspectStage",
                "SqlOperator": "in",
                "LookUpValues": ["Prospect", "Opportunity"],
            }
        ],
        "ActivityFilters": [
            {"LookUpName": "ActivityEvent", "SqlOperator": "in", "LookUpValues": ["21", "22"]}
        ],
    },
    "DateFilter": [
        {
            "DateField": "ActivityCreatedOn",
            "FromDate": "2026-10-02 00:00:00",
            "ToDate": "2026-11-01 00:00:00",
        }
    ],
    "Output": {"Type": "Aggregate", "GroupBy": "ProspectStage", "AggregateFunction": "Count"},
    "Paging": {"PageIndex": 1, "PageSize": 100},
}


def first_answer(sandbox: Sandbox) -> None:
    response = requests.get(
        f"{sandbox.url}/v2/UserManagement.svc/Users.Get",
        headers={"x-LSQ-AccessKey": sandbox.access_key, "x-LSQ-SecretKey": sandbox.secret_key},
        timeout=60,
    )
    response.raise_for_status()


def latency(sandbox: Sandbox, path: str, body: dict, runs: int = 10) -> tuple[float, float]:
    """Median and worst seconds of ``runs`` calls (after one warm-up call)."""
    params = {"accessKey": sandbox.access_key, "secretKey": sandbox.secret_key}
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        response = requests.post(sandbox.url + path, params=params, json=body, timeout=60)
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    return statistics.median(times[1:]), max(times[1:])


COLD_START = """
import time
started = time.perf_counter()
from leadsq.sandbox import Sandbox
import requests
with Sandbox(leads=20_000, seed=7) as sb:
    requests.get(sb.url + "/v2/UserManagement.svc/Users.Get",
                 params={"accessKey": sb.access_key, "secretKey": sb.secret_key}).raise_for_status()
    print(time.perf_counter() - started)
"""


def cold_start() -> float:
    """Seconds from a fresh interpreter's first import to the first answer (20,000 leads)."""
    root = str(Path(__file__).resolve().parents[1])
    result = subprocess.run(
        [sys.executable, "-c", COLD_START], capture_output=True, text=True, check=True, cwd=root
    )
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"20,000 leads, fresh interpreter + imports: {cold_start():6.2f} s")
    started = time.perf_counter()
    with Sandbox(leads=20_000, seed=7, anchor=ANCHOR) as sandbox:
        first_answer(sandbox)
        ready = time.perf_counter() - started
    print(f"20,000 leads ready to answer:             {ready:6.2f} s   (target < 2 s)")

    started = time.perf_counter()
    big = Sandbox(leads=1_000_000, seed=7, anchor=ANCHOR, rate_limit=None)
    big.start()
    generated = time.perf_counter() - started
    try:
        leads = big.store.count("leads")
        activities = big.store.count("activities")
        print(
            f"1,000,000 leads generated:               {generated:6.2f} s   (target < 60 s; "
            f"{leads:,} leads, {activities:,} activities)"
        )
        median, worst = latency(
            big, "/Leads/LeadDistribution/FilterByLeadField", FILTERED_AGGREGATE
        )
        print(
            f"filtered aggregate on 1,000,000 leads:   {median:6.3f} s   median, "
            f"{worst:.3f} s worst of 10 (target < 0.5 s)"
        )
        median, worst = latency(big, "/Leads/NotContacted", NOT_CONTACTED_AGGREGATE)
        print(
            f"not-contacted aggregate, 1,000,000:      {median:6.3f} s   median, "
            f"{worst:.3f} s worst of 10"
        )
    finally:
        big.stop()


if __name__ == "__main__":
    main()
