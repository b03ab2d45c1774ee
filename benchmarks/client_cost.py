"""Client cost: CPU and memory of turning answers into frames, leadsq against the naive loop.

Run ``python benchmarks/client_cost.py`` (about two minutes; ``--no-million`` skips the
1,000,000-lead sandbox, which takes a while to generate). Sandboxes run in child
processes without latency or rate limit, so only the client is measured.

1. CPU seconds (``time.process_time`` of this process, every thread; the best of
   ``--repeats``) to turn 100,000 rows of pre-fetched answer bytes (100 pages of 1,000)
   into a frame, JSON and CSV: ``read_report`` with its transport answering from memory
   (everything leadsq does but the HTTP, its threads included), and leadsq's frame
   building alone on one thread (``frames.parse_page`` with the dtypes, then
   ``frames.concat_pages``), against ``json.loads`` + ``pd.DataFrame`` + ``pd.concat``
   (``pd.read_csv`` for CSV). The baseline does less: it converts nothing (dates stay
   text).
2. The same over HTTP: whole reads, leadsq against the naive loop (client CPU only).
3. Peak memory, each in a fresh process so peaks do not mix: the resident set's
   high-water mark (``VmHWM``, reset just before) above the resident set before, for the
   reads of 1 and 2 and the frame's own size (``df.memory_usage(deep=True).sum()``); and a
   chunked read written chunk by chunk to Parquet (``pyarrow.parquet.ParquetWriter``),
   1,000,000 leads against 100,000.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd
import requests
from _naive import list_body, naive_read
from _served import served

import leadsq
from leadsq import frames
from leadsq.client import metadata
from leadsq.client.client import connection_for
from leadsq.client.reading import read_report
from leadsq.client.transport import Answer, transport_for
from leadsq.contract import parse_report
from leadsq.query.build import DEFAULT_COLUMNS

PATH = "/Leads/LeadDistribution/FilterByLeadField"
FORMATS = ("json", "csv")


# ------------------------------------------------------------------------ readers


def fetch_answers(box: Any, columns: list[str], pages: int, page_size: int) -> dict:
    """Every page's answer bytes and content type, JSON and CSV, and the answer past the
    last page (a CSV read asks for it: without a total it reads until a short page)."""
    session = requests.Session()
    session.headers.update({"x-LSQ-AccessKey": box.access_key, "x-LSQ-SecretKey": box.secret_key})
    answers: dict[str, list[tuple[bytes, str]]] = {}
    for kind in FORMATS:
        answers[kind] = []
        for index in range(1, pages + 2):
            response = session.post(
                box.url + PATH,
                params={"responseformat": kind.upper()},
                json=list_body(columns, page_size, index),
                timeout=60,
            )
            response.raise_for_status()
            answers[kind].append((response.content, response.headers["Content-Type"]))
    return answers


def answering_from(transport: Any, answers: dict[str, list[tuple[bytes, str]]]) -> None:
    """Make ``transport`` answer reports from ``answers`` instead of over HTTP."""

    def call(name: str, body: dict | None = None, *, response_format: str = "JSON") -> Answer:
        pages = answers[response_format.lower()]
        index = min(body["Paging"]["PageIndex"], len(pages)) - 1  # the last is past the end
        content, content_type = pages[index]
        return Answer(content, content_type, 0.0)

    transport.call = call


def leadsq_from_bytes(connection: Any, report: Any, kind: str) -> pd.DataFrame:
    return read_report(report, connection, progress=False, response_format=kind)


def frames_from_bytes(
    answers: dict[str, list[tuple[bytes, str]]], kind: str, dtypes: dict[str, str]
) -> pd.DataFrame:
    """leadsq's frame building alone, on one thread: typed pages, joined once."""
    columns = list(dtypes)
    pages = [
        frames.parse_page(content, content_type, columns, dtypes=dtypes)
        for content, content_type in answers[kind]
    ]
    return frames.concat_pages([page for page in pages if len(page)], dtypes)


def naive_from_bytes(answers: dict[str, list[tuple[bytes, str]]], kind: str) -> pd.DataFrame:
    """The baseline's frame building, on the same bytes (as its loop reads them: CSV to
    the empty page past the end, JSON to the total)."""
    if kind == "csv":
        frames = [pd.read_csv(io.StringIO(content.decode())) for content, _ in answers["csv"]]
    else:
        pages = answers["json"][:-1]
        frames = [pd.DataFrame(json.loads(content)["Results"]) for content, _ in pages]
    return pd.concat(frames, ignore_index=True)


def best_cpu(function: Any, repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None
        started = time.process_time()
        result = function()
        best = min(best, time.process_time() - started)
    return best, result


# ------------------------------------------------------------------------ memory


def _memory() -> tuple[int, int]:
    """Resident set now and its high-water mark, in bytes (Linux)."""
    status = Path("/proc/self/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) * 1024
    return rss, peak


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def read_job(job: dict[str, Any], **more: Any) -> Any:
    """``leadsq.read_leadsquared`` of the job's sandbox, columns, page size and format."""
    return leadsq.read_leadsquared(
        "distribution",
        columns=job["columns"],
        page_size=job["page_size"],
        response_format=job["kind"],
        progress=False,
        host=job["url"],
        access_key=job["access_key"],
        secret_key=job["secret_key"],
        **more,
    )


def child(job: dict[str, Any]) -> dict[str, Any]:
    """Run one measured job in this (fresh) process."""
    kind = job["kind"]
    columns = job["columns"]
    answers = None
    if job.get("answers"):
        with open(job["answers"], "rb") as file:
            answers = pickle.load(file)
    # configured first: the connection keeps the settings it was made with, and the read
    # over HTTP makes its own, so both paths read with the same settings (workers)
    leadsq.configure(rate_limit=(1_000_000, 1.0))
    connection = connection_for(job["url"], job["access_key"], job["secret_key"])
    metadata.field_types(connection)  # fetched before the measure, its session kept
    report = parse_report(list_body(columns, job["page_size"]), "distribution")
    if answers is not None:
        answering_from(transport_for(connection), answers)
    if job["what"] == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
    rows = 0
    frame = None
    before, _ = _memory()
    _reset_peak()
    started = time.perf_counter()
    if job["what"] == "leadsq":
        frame = leadsq_from_bytes(connection, report, kind) if answers else None
        if frame is None:
            frame = read_job(job)
    elif job["what"] == "naive":
        if answers:
            frame = naive_from_bytes(answers, kind)
        else:
            frame = naive_read(
                job["url"],
                job["access_key"],
                job["secret_key"],
                columns,
                job["page_size"],
                response_format=kind,
            ).frame
    elif job["what"] == "parquet":
        writer = None
        with tempfile.TemporaryDirectory() as folder:
            for chunk in read_job(job, chunksize=job["chunksize"]):
                table = pa.Table.from_pandas(chunk, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(Path(folder) / "leads.parquet", table.schema)
                writer.write_table(table)
                rows += len(chunk)
                del chunk, table
            if writer is not None:
                writer.close()
    seconds = time.perf_counter() - started
    _, peak = _memory()
    result = {"peak": peak - before, "seconds": seconds, "rows": rows}
    if frame is not None:
        result["rows"] = len(frame)
        result["frame"] = int(frame.memory_usage(deep=True).sum())
    return result


def in_child(job: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(job)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"child {job['what']} {job['kind']} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def chunked_to_parquet(box: Any, columns: list[str], chunksize: int) -> dict[str, Any]:
    """A chunked read of every lead in ``box`` (5,000 a page) written to Parquet."""
    job = {
        "url": box.url,
        "access_key": box.access_key,
        "secret_key": box.secret_key,
        "columns": columns,
        "what": "parquet",
        "kind": "json",
        "page_size": 5000,
        "chunksize": chunksize,
    }
    return in_child(job)


def chunked_line(result: dict[str, Any], chunksize: int) -> str:
    return (
        f"   chunked to Parquet ({chunksize:,} a chunk, 5,000 a page), "
        f"{result['rows']:>9,} leads: peak {mb(result['peak'])} in {result['seconds']:.1f} s"
    )


# ------------------------------------------------------------------------ main


def mb(value: float) -> str:
    return f"{value / 1e6:7.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--columns", choices=("default", "all"), default="default", help="the list's columns"
    )
    parser.add_argument("--chunksize", type=int, default=50_000)
    parser.add_argument("--no-million", action="store_true", help="skip the 1,000,000 leads")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    pages = -(-args.leads // args.page_size)
    with served(leads=args.leads, seed=7, rate_limit=None) as box:
        connection = connection_for(box.url, box.access_key, box.secret_key)
        field_types = metadata.field_types(connection)
        columns = (
            list(DEFAULT_COLUMNS["distribution"])
            if args.columns == "default"
            else sorted(field_types, key=list(field_types).index)
        )
        print(
            f"client cost: {args.leads:,} rows, {pages} pages of {args.page_size:,}, "
            f"{len(columns)} columns ({args.columns}); best of {args.repeats} for CPU"
        )
        answers = fetch_answers(box, columns, pages, args.page_size)
        sizes = {kind: sum(len(c) for c, _ in answers[kind][:-1]) for kind in FORMATS}
        print(
            f"answers: JSON {mb(sizes['json']).strip()}, CSV {mb(sizes['csv']).strip()} "
            f"(sandbox ready in {box.startup_seconds:.1f} s)"
        )
        leadsq.configure(rate_limit=(1_000_000, 1.0))  # the sandbox has no limit here
        report = parse_report(list_body(columns, args.page_size), "distribution")

        print("\n1. CPU seconds to turn the answers into a frame (no HTTP)")
        connection = connection_for(box.url, box.access_key, box.secret_key)
        metadata.field_types(connection)
        transport = transport_for(connection)
        answering_from(transport, answers)
        dtypes = frames.column_dtypes(report.output, field_types)
        for kind in FORMATS:
            leadsq_cpu, frame = best_cpu(
                lambda kind=kind: leadsq_from_bytes(connection, report, kind), args.repeats
            )
            alone_cpu, alone = best_cpu(
                lambda kind=kind: frames_from_bytes(answers, kind, dtypes), args.repeats
            )
            naive_cpu, naive = best_cpu(
                lambda kind=kind: naive_from_bytes(answers, kind), args.repeats
            )
            assert len(frame) == len(alone) == len(naive) == args.leads
            same = frame.copy()
            same.attrs = {}
            pd.testing.assert_frame_equal(same, alone)
            print(
                f"   {kind.upper():4} leadsq read_report {leadsq_cpu:6.3f} s, its frames alone "
                f"{alone_cpu:6.3f} s   baseline {naive_cpu:6.3f} s   leadsq is "
                f"{naive_cpu / leadsq_cpu:4.2f} x faster ({naive_cpu / alone_cpu:4.2f} x)"
            )
        del transport.call  # over HTTP again
        print(
            f"   leadsq frame: {mb(frame.memory_usage(deep=True).sum()).strip()}, dtypes "
            f"{sorted({str(t) for t in frame.dtypes})}"
        )

        print("\n2. CPU seconds of whole reads over HTTP (this process only)")
        for kind in FORMATS:
            leadsq_cpu, _ = best_cpu(
                lambda kind=kind: leadsq.read_leadsquared(
                    "distribution",
                    columns=columns,
                    page_size=args.page_size,
                    response_format=kind,
                    progress=False,
                    host=box.url,
                    access_key=box.access_key,
                    secret_key=box.secret_key,
                ),
                max(2, args.repeats // 2),
            )
            naive_cpu, _ = best_cpu(
                lambda kind=kind: naive_read(
                    box.url,
                    box.access_key,
                    box.secret_key,
                    columns,
                    args.page_size,
                    response_format=kind,
                ),
                max(2, args.repeats // 2),
            )
            print(
                f"   {kind.upper():4} leadsq {leadsq_cpu:6.3f} s   baseline {naive_cpu:6.3f} s"
                f"   leadsq is {naive_cpu / leadsq_cpu:4.2f} x faster"
            )

        print("\n3. Peak memory above the start, each in a fresh process")
        with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as file:
            pickle.dump(answers, file)
        try:
            base = {
                "url": box.url,
                "access_key": box.access_key,
                "secret_key": box.secret_key,
                "columns": columns,
                "page_size": args.page_size,
            }
            for source in ("bytes", "http"):
                for kind in FORMATS:
                    for what in ("leadsq", "naive"):
                        job = {**base, "what": what, "kind": kind}
                        if source == "bytes":
                            job["answers"] = file.name
                        result = in_child(job)
                        print(
                            f"   {source:5} {kind.upper():4} {what:6}: peak {mb(result['peak'])}"
                            f"   frame {mb(result['frame'])}"
                            f"   peak / frame {result['peak'] / result['frame']:4.2f}"
                        )
        finally:
            os.unlink(file.name)
        small = chunked_to_parquet(box, columns, args.chunksize)
    print(chunked_line(small, args.chunksize))
    if args.no_million:
        return
    started = time.perf_counter()
    with served(leads=1_000_000, seed=7, rate_limit=None) as big:
        print(f"   (1,000,000-lead sandbox ready in {time.perf_counter() - started:.0f} s)")
        large = chunked_to_parquet(big, columns, args.chunksize)
    print(
        f"{chunked_line(large, args.chunksize)}"
        f"   ({large['peak'] / small['peak']:.2f} x the 100,000-lead peak)"
    )


if __name__ == "__main__":
    main()
