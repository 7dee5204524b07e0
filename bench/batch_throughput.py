"""Batch throughput: trivial scripts per second through `codecall run` (each script in a fresh boxed
session, under the full policy) at several -j, side by side with one plain `python -c` spawn per script at
the same parallelism, in one process run; then a long run through the resumable path (`-o RESULTS.jsonl`:
rows appended and fsynced) with its rate and peak memory. Reports rates, asserts nothing.

  .venv/bin/python bench/batch_throughput.py [--scripts N] [--jobs 1 2 4] [--backend fork|kernel|docker]
                                             [--long 10000]

Rates are end to end, as a user of `codecall run` sees them, template start included. Peak memory is of
this process (the host side) and, sampled every 0.2 s, of every process it started (template,
sessions, watchdog), with shared pages counted once (the sum of their PSS).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from codecall.interfaces.scripts import run_scripts
from codecall.result import RunRecord

SCRIPT = "x = 1 + 1\nprint(x)\n"


def codecall_rate(paths: list[Path], jobs: int, backend: str, results: Path | None = None) -> float:
    """Scripts per second through `run_scripts`; every script must succeed."""
    failed: list[RunRecord] = []

    def check(record: RunRecord) -> None:
        if record.status != "ok" or record.stdout != "2\n":
            failed.append(record)

    started = time.perf_counter()
    run_scripts(paths, backend=backend, jobs=jobs, results_path=results, on_record=check)
    elapsed = time.perf_counter() - started
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


def tree_pss_kib(root: int) -> int:
    """The PSS of `root` and every process below it, KiB: shared pages are split among their sharers, so
    the sum counts each page once."""
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, frontier = 0, [root]
    while frontier:
        pid = frontier.pop()
        frontier += children.get(pid, [])
        total += pss_kib(pid)
    return total


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakSampler(threading.Thread):
    """Samples the PSS of this process's tree until stopped; keeps the peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib, self._stop_event = 0, threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.2):
            self.peak_kib = max(self.peak_kib, tree_pss_kib(os.getpid()))

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_kib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=int, default=200, help="scripts per measurement (default 200)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4], help="parallelism levels (default 1 2 4)")
    parser.add_argument("--backend", choices=["fork", "kernel", "docker"], default="fork")
    parser.add_argument("--long", type=int, default=10_000, help="scripts in the resumable run (0: none)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "batch_throughput.json")
    args = parser.parse_args()

    rows, load = [], round(os.getloadavg()[0], 2)  # other work on the machine skews the rates: recorded
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"script_{i:05d}.py" for i in range(max(args.scripts, args.long))]
        for path in paths:
            path.write_text(SCRIPT)
        print(f"{args.scripts} trivial scripts per measurement, {os.cpu_count()} CPUs (load {load}), "
              f"backend {args.backend}\n")  # fmt: skip
        print(f"{'-j':>3}  {'codecall run (scripts/s)':>24}  {'python -c (scripts/s)':>22}  {'ratio':>6}")
        for jobs in args.jobs:
            ours = codecall_rate(paths[: args.scripts], jobs, args.backend)
            plain = python_rate(args.scripts, jobs)
            rows.append({"jobs": jobs, "codecall_run_per_s": round(ours, 2), "python_c_per_s": round(plain, 2),
                         "load_average_1m": round(os.getloadavg()[0], 2)})  # fmt: skip
            print(f"{jobs:>3}  {ours:>24.2f}  {plain:>22.2f}  {plain / ours:>5.1f}x")
        long_run = None
        if args.long:
            best = max(rows, key=lambda row: row["codecall_run_per_s"])["jobs"]
            sampler = PeakSampler()
            sampler.start()
            rate = codecall_rate(paths[: args.long], best, args.backend, results=Path(folder) / "results.jsonl")
            peak_tree = sampler.stop()
            written = (Path(folder) / "results.jsonl").read_text().count("\n")
            long_run = {"scripts": args.long, "jobs": best, "rows_written": written, "per_s": round(rate, 2),
                        "peak_host_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                        "peak_tree_pss_mib": round(peak_tree / 1024, 1),
                        "load_average_1m": round(os.getloadavg()[0], 2)}  # fmt: skip
            print(f"\n{args.long} scripts through -o RESULTS.jsonl at -j {best}: {rate:.2f} scripts/s, "
                  f"{written} rows; peak host RSS {long_run['peak_host_rss_mib']} MiB, peak PSS of the process "
                  f"tree {long_run['peak_tree_pss_mib']} MiB")  # fmt: skip

    args.output.parent.mkdir(parents=True, exist_ok=True)
    meta = {"date": date.today().isoformat(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "backend": args.backend, "scripts": args.scripts, "script": SCRIPT, "load_average_1m": load}  # fmt: skip
    args.output.write_text(json.dumps({**meta, "rows": rows, "long_run": long_run}, indent=1) + "\n")
    print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
