"""The baseline: the paging loop people write today, one page after another.

``requests.post`` per page (no session), the keys in the query string as the vendor's
pages show them, ``pd.DataFrame(results)`` per page, ``pd.concat`` at the end, and a plain
``time.sleep`` then the same call again when the answer is a 429. It stops at the total
(JSON) or at a short page (CSV). Every round trip is timed, for the limit's bound.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import requests

PATH = "/Leads/LeadDistribution/FilterByLeadField"
RETRY_SLEEP = 1.0


def list_body(columns: list[str], page_size: int, index: int = 1) -> dict[str, Any]:
    """The documented body of a list page: ``columns``, page ``index`` of ``page_size``."""
    return {
        "Output": {"Type": "List", "IncludeCSV": ",".join(columns)},
        "Paging": {"PageIndex": index, "PageSize": page_size},
    }


@dataclass
class NaiveRun:
    """What one baseline read did."""

    frame: pd.DataFrame
    pages: int
    seconds: float
    round_trips: list[float] = field(default_factory=list)
    rate_limited: int = 0
    complete: bool = True


def naive_read(
    url: str,
    access_key: str,
    secret_key: str,
    columns: list[str],
    page_size: int,
    *,
    response_format: str = "json",
    max_pages: int | None = None,
) -> NaiveRun:
    """Read every page (or the first ``max_pages``) the way a typical script does."""
    started = time.perf_counter()
    params = {"accessKey": access_key, "secretKey": secret_key}
    if response_format == "csv":
        params["responseformat"] = "CSV"
    frames = []
    round_trips = []
    rate_limited = 0
    page = 1
    complete = True
    while True:
        body = list_body(columns, page_size, page)
        sent = time.perf_counter()
        response = requests.post(url + PATH, params=params, json=body, timeout=60)
        round_trips.append(time.perf_counter() - sent)
        if response.status_code == 429:
            rate_limited += 1
            time.sleep(RETRY_SLEEP)
            continue
        response.raise_for_status()
        if response_format == "csv":
            frame = pd.read_csv(io.StringIO(response.text))
            frames.append(frame)
            done = len(frame) < page_size
        else:
            data = response.json()
            results = data["Results"]
            frames.append(pd.DataFrame(results))
            done = len(results) < page_size or page * page_size >= int(data["TotalCount"])
        if done:
            break
        if max_pages is not None and page >= max_pages:
            complete = False
            break
        page += 1
    frame = pd.concat(frames, ignore_index=True)
    return NaiveRun(frame, page, time.perf_counter() - started, round_trips, rate_limited, complete)
