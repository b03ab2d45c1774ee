"""Eight readers sharing one key for a minute stay under the limit, and every read completes."""

from __future__ import annotations

import threading
import time

import pytest

import leadsq
from leadsq.sandbox import Sandbox
from tests.conftest import connect
from tests.reliability.conftest import ANCHOR

READERS = 8
SECONDS = 60.0
LIMIT = (25, 5)


@pytest.mark.load
def test_eight_readers_sharing_a_key_never_exceed_the_limit_and_all_complete(fresh_settings):
    leadsq.configure(rate_limit=LIMIT)
    results: list[int] = []
    errors: list[BaseException] = []
    with Sandbox(leads=5000, seed=9, anchor=ANCHOR, rate_limit=LIMIT, latency=0.02) as box:
        deadline = time.monotonic() + SECONDS

        def reader(number: int) -> None:
            stage = ["Prospect", "Opportunity", "Customer", "Not Interested"][number % 4]
            while time.monotonic() < deadline:
                try:
                    frame = leadsq.read_leadsquared(
                        "distribution",
                        f"ProspectStage == '{stage}'",
                        columns=["ProspectID"],
                        page_size=500,
                        max_results=1500,
                        **connect(box),
                    )
                except BaseException as error:  # every failure is the test's business
                    errors.append(error)
                    return
                results.append(len(frame))

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 120)
        stats = box.stats()
    assert not any(thread.is_alive() for thread in threads), "a reader hung"
    assert errors == []
    assert len(results) >= READERS, "every reader should have completed reads"
    assert all(rows > 0 for rows in results)
    assert stats["peak_window_calls"] <= LIMIT[0]
    print(
        f"\nload: {len(results)} reads in {SECONDS:.0f} s, peak {stats['peak_window_calls']} "
        f"calls per window, answers {stats['answers']} (no 429 reached a reader)"
    )
