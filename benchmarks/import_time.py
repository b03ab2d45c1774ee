"""How much ``import leadsq`` costs over ``import pandas``, and what loads on first use.

Each figure is the median of fresh interpreters (``python -c``), measured in the same run:

- ``import pandas`` alone;
- ``import pandas`` then ``import leadsq`` (what registers ``pd.read_leadsquared`` and
  ``df.lsq``): the cost leadsq adds, against the bound of 0.2 s;
- and, for the record, what first use adds: ``import leadsq.client.reading`` (the HTTP
  stack and the progress bar), the form (ipywidgets) and the sandbox (DuckDB, werkzeug).

Run: ``python benchmarks/import_time.py [--runs 15]``. Exits 1 when leadsq's median cost
is over the bound.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

BOUND_SECONDS = 0.2
PROBE = """
import time
start = time.perf_counter()
import pandas
pandas_done = time.perf_counter()
{then}
end = time.perf_counter()
print(pandas_done - start, end - pandas_done)
"""
CASES = {
    "import leadsq": "import leadsq",
    "... and the first read's modules": "import leadsq, leadsq.client.reading",
    "... and the form": "import leadsq, leadsq.notebook.widget",
    "... and the sandbox": "import leadsq; from leadsq.sandbox import Sandbox; Sandbox",
}


def measure(then: str, runs: int) -> tuple[float, float]:
    """Medians of (pandas, what follows) over ``runs`` fresh interpreters."""
    pandas_times, after_times = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(then=then)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        pandas_times.append(float(out[0]))
        after_times.append(float(out[1]))
    return statistics.median(pandas_times), statistics.median(after_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(f"import cost, median of {runs} fresh interpreters ({sys.version.split()[0]})")
    results = {}
    for name, then in CASES.items():
        pandas_seconds, after = measure(then, runs)
        results[name] = after
        print(f"  pandas {pandas_seconds:6.3f} s   {name:<34} +{after:6.3f} s")
    cost = results["import leadsq"]
    verdict = "within" if cost <= BOUND_SECONDS else "OVER"
    print(f"import leadsq adds {cost:.3f} s to pandas: {verdict} the {BOUND_SECONDS} s bound")
    return 0 if cost <= BOUND_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
