"""The client against servers that misbehave on purpose: what a read gives, how long an
interrupt takes, peak memory against a gzip bomb, time against a trickle.

Run ``python benchmarks/hostile_client.py`` (about two minutes). Each measure runs in a
child process (``--child NAME``) against an in-process sandbox of 2,000 leads behind a
loopback server from ``tests/trust/servers.py``, so a stuck read cannot stall the
others: a child still running after ``--limit`` seconds is killed and shown as ``> N s``.
Printed:

1. rows returned (or the error raised, with the rows it kept) under each broken-paging
   mode, reading 2,000 leads in pages of 500 (the silent cap is 300);
2. seconds from a SIGINT to the read's return, and to the process's end (its threads
   joined at exit), in each stuck state: the first page never answered (on the main thread), the other pages never
   answered (workers), workers in a retry wait (``Retry-After: 60``), a page answered
   ``Retry-After: 3600``, workers waiting in the client's rate limiter;
3. peak memory (max RSS) reading 10 pages of 200 rows, the first true and the other
   nine each a gzip bomb of 200 MB (200 KB on the wire), under a 6 GB address-space limit;
4. seconds for a call answered one byte a second, 88 bytes, with ``call_deadline=5``.
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LEADS = 2000
PAGE = 500
STUCK = ("first page", "other pages", "retry wait", "Retry-After 3600", "rate limiter")


def _box() -> Any:
    from leadsq.sandbox import Sandbox

    return Sandbox(leads=LEADS, seed=5, anchor="2026-11-01", rate_limit=None).start()


def _configure(**settings: Any) -> None:
    import leadsq

    for name, value in {"max_retries": 0, "rate_limit": (10_000, 1), **settings}.items():
        try:
            leadsq.configure(**{name: value})
        except Exception:  # a setting the version measured does not have
            print(f"(no setting {name} here)", file=sys.stderr)


def _read(box: Any, url: str, **arguments: Any) -> Any:
    import leadsq

    return leadsq.read_leadsquared(
        "distribution",
        columns=["ProspectID", "ProspectAutoId"],
        progress=False,
        host=url,
        access_key=box.access_key,
        secret_key=box.secret_key,
        **{"page_size": PAGE, **arguments},
    )


def child_paging(mode: str) -> dict[str, Any]:
    import warnings

    from tests.trust.servers import paging_broken

    warnings.simplefilter("ignore")
    _configure()
    box = _box()
    with paging_broken(box, mode) as url:
        try:
            frame = _read(box, url)
        except Exception as error:
            return {"error": type(error).__name__, "rows": getattr(error, "rows_received", None)}
    return {"rows": len(frame), "unique": int(frame.ProspectID.nunique())}


def _rate_limited(seconds: int) -> Any:
    from werkzeug.wrappers import Response

    from leadsq.contract import rate_limit_message

    body = json.dumps(
        {
            "Status": "Error",
            "ExceptionType": "MXAPIRateLimitExceededException",
            "ExceptionMessage": rate_limit_message(25, 5),
        }
    )
    return Response(
        body, status=429, content_type="application/json", headers={"Retry-After": str(seconds)}
    )


def child_interrupt(state: str) -> dict[str, Any]:
    from tests.trust.servers import hostile

    release = threading.Event()
    seen = [0]
    first = 1 if state == "first page" else 2  # the report call that gets stuck

    def answer(request: Any, number: int) -> Any:
        seen[0] = number
        if number < first or state == "rate limiter":
            return None
        if state in ("first page", "other pages"):
            release.wait()
            return None
        return _rate_limited(60 if state == "retry wait" else 3600)

    if state == "rate limiter":
        _configure(rate_limit=(3, 60), rate_limit_margin=0.0)
    else:
        _configure(max_retries=5, max_retry_seconds=600)
    box = _box()
    main = threading.main_thread().ident
    sent: list[float] = []
    result: dict[str, Any] = {}

    def interrupt() -> None:
        while seen[0] < (first if state in ("first page", "rate limiter") else 3):
            time.sleep(0.02)
        time.sleep(1.0)
        sent.append(time.perf_counter())
        result["signalled at"] = time.time()
        signal.pthread_kill(main, signal.SIGINT)

    with hostile(box, answer) as url:
        threading.Thread(target=interrupt, daemon=True).start()
        started = time.perf_counter()
        try:
            _read(box, url)
            result["outcome"] = "completed"
        except KeyboardInterrupt:
            result["outcome"] = "interrupted"
        except Exception as error:
            result["outcome"] = type(error).__name__
        ended = time.perf_counter()
        result["returned"] = ended - (sent[0] if sent else started)
        result["signalled"] = bool(sent)
        import leadsq

        partial = getattr(leadsq, "last_partial", lambda: None)()
        result["rows kept"] = None if partial is None else len(partial)
        release.set()
    return result


def child_bomb() -> dict[str, Any]:
    from tests.trust.servers import gzip_bomb, hostile

    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    _configure(workers=4)
    box = _box()
    bomb = gzip_bomb(200)
    wire = len(bomb.get_data())
    with hostile(box, lambda request, number: None) as url:
        _read(box, url, page_size=200)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with hostile(box, lambda request, number: bomb if number > 1 else None) as url:
        try:
            _read(box, url, page_size=200)
            outcome = "completed"
        except MemoryError:
            outcome = "MemoryError"
        except Exception as error:
            outcome = type(error).__name__
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "outcome": outcome,
        "peak MB": round(peak),
        "peak MB of the same read unbombed": round(before),
        "wire KB": wire // 1024,
    }


def child_trickle() -> dict[str, Any]:
    from tests.trust.servers import hostile, trickle

    _configure(call_deadline=5.0)
    box = _box()
    body = json.dumps({"TotalCount": "0", "Results": []}).encode().ljust(88)
    started = time.perf_counter()
    with hostile(box, lambda request, number: trickle(body, 1.0)) as url:
        try:
            _read(box, url)
            outcome = "completed"
        except Exception as error:
            outcome = type(error).__name__
    return {"outcome": outcome, "seconds": round(time.perf_counter() - started, 1)}


def run_child(arguments: list[str], limit: float) -> tuple[dict[str, Any] | None, float]:
    """The child's JSON line (``None`` if killed or silent) and the wall-clock time it
    ended (``time.time()``)."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        out, _ = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None, time.time()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return (json.loads(lines[-1]) if lines else None), time.time()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="*")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per child")
    args = parser.parse_args()
    if args.child:
        name, *rest = args.child
        child = {"paging": child_paging, "interrupt": child_interrupt}.get(name)
        result = child(" ".join(rest)) if child else globals()[f"child_{name}"]()
        print(json.dumps(result), flush=True)
        sys.stdout.flush()
        return

    from tests.trust.servers import PAGING_MODES

    print(f"1. broken paging: {LEADS:,} leads in pages of {PAGE}")
    for mode in PAGING_MODES:
        result, _ = run_child(["paging", mode], args.limit)
        print(f"   {mode:15s} {result if result else f'> {args.limit:g} s (killed)'}")
    print("2. interrupt (SIGINT) in each stuck state: seconds to return, to exit")
    for state in STUCK:
        result, exited = run_child(["interrupt", state], args.limit)
        if result is None:
            print(f"   {state:17s} > {args.limit:g} s (killed)")
            continue
        returned = result.pop("returned")
        signalled = result.pop("signalled at", None)
        gone = f"{exited - signalled:.1f} s" if signalled else "-"
        print(
            f"   {state:17s} returned after {returned:.2f} s, process gone after {gone}: {result}"
        )
    result, _ = run_child(["bomb"], args.limit * 3)
    print(f"3. gzip bomb, 9 pages of 200 MB after a true first: {result}")
    result, _ = run_child(["trickle"], 200)
    print(f"4. 88 bytes at 1 byte/s: {result}")


if __name__ == "__main__":
    main()
