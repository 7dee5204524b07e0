"""Batch throughput: trivial scripts per second through `codecall run` (each script in a fresh boxed session
from a warm pool, under the full policy) at -j 1, 2 and 4, side by side with one plain `python -c` spawn
per script at the same parallelism, in one process run. Reports rates, asserts nothing.

  .venv/bin/python bench/batch_throughput.py [--scripts N] [--jobs 1 2 4] [--backend kernel|docker]

Rates are end to end, as a user of `codecall run` sees them: the pool starts empty, so the first sessions
are cold starts and the rest are as fast as the pool can start kernels ahead of the scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from codecall.interfaces.scripts import run_scripts

SCRIPT = "x = 1 + 1\nprint(x)\n"


def codecall_rate(paths: list[Path], jobs: int, backend: str) -> float:
    """Scripts per second through `codecall.interfaces.scripts.run_scripts`; every script must succeed."""
    started = time.perf_counter()
    results = list(run_scripts(paths, backend=backend, jobs=jobs))
    elapsed = time.perf_counter() - started
    failed = [r for r in results if r.status != "ok" or r.stdout != "2\n"]
    if failed:
        raise SystemExit(f"a benchmark script failed: {failed[0]}")
    return len(paths) / elapsed


def python_rate(count: int, jobs: int) -> float:
    """Scripts per second, one `python -c SCRIPT` process per script, `jobs` at a time."""

    def spawn(_: int) -> None:
        subprocess.run([sys.executable, "-c", SCRIPT], check=True, stdout=subprocess.DEVNULL)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as executor:
        list(executor.map(spawn, range(count)))
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=int, default=60, help="scripts per measurement (default 60)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4], help="parallelism levels (default 1 2 4)")
    parser.add_argument("--backend", choices=["kernel", "docker"], default="kernel")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "batch_throughput.json")
    args = parser.parse_args()

    rows, load = [], round(os.getloadavg()[0], 2)  # other work on the machine skews the rates: recorded
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"script_{i:03d}.py" for i in range(args.scripts)]
        for path in paths:
            path.write_text(SCRIPT)
        print(
            f"{args.scripts} trivial scripts per measurement, {os.cpu_count()} CPUs (load {load}), "
            f"backend {args.backend}\n"
        )
        print(f"{'-j':>3}  {'codecall run (scripts/s)':>24}  {'python -c (scripts/s)':>22}  {'ratio':>6}")
        for jobs in args.jobs:
            ours, plain = codecall_rate(paths, jobs, args.backend), python_rate(args.scripts, jobs)
            rows.append({"jobs": jobs, "codecall_run_per_s": round(ours, 2), "python_c_per_s": round(plain, 2)})
            print(f"{jobs:>3}  {ours:>24.2f}  {plain:>22.2f}  {plain / ours:>5.1f}x")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    meta = {"date": date.today().isoformat(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "backend": args.backend, "scripts": args.scripts, "script": SCRIPT, "load_average_1m": load}  # fmt: skip
    args.output.write_text(json.dumps({**meta, "rows": rows}, indent=1) + "\n")
    print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
