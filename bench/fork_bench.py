"""Forked sessions against cold ones, side by side in one process run: time to a ready session, and the
memory an idle session adds. Reports medians and ratios, asserts nothing.

  .venv/bin/python bench/fork_bench.py [--repeat N] [--idle N]

1. time to a ready session: `Session("fork")` vs `Session("kernel")` (cold: a bubblewrap box and a new
   Python that imports the kernel), alternating, each from construction to a kernel that answers; and
   the CPU time that took, in every process (host, template, session; launcher, bwrap, kernel): unlike
   wall time, it hardly depends on what else the machine runs;
2. memory an idle session adds: PSS (each shared page split among its sharers, so a sum counts it once)
   of every process of N idle sessions, divided by N; for forked sessions it is the growth of the
   template's process tree (the template's own memory is reported apart, paid once per host process).
   Idle, and again after `import numpy, pandas` (which a forked session finds already imported).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import date
from pathlib import Path

from batch_throughput import tree_pss_kib  # this folder is on the path when run as a script

from sandbox import Limits, Session
from sandbox.host.template import ForkedKernel, template_for

#: The template's pid, once a forked session has shown it.
_TEMPLATE: list[int] = []


def ready(backend: str) -> tuple[float, float]:
    """(wall ms, CPU ms) from constructing a session to a kernel that answers. A forked session's CPU is
    its own since it was forked (as a spare, ahead) and the template's meanwhile (which forks the next
    spare: one fork a session)."""
    template_before = cpu_s(_TEMPLATE[0]) if backend == "fork" and _TEMPLATE else None
    started, host_cpu = time.perf_counter(), time.process_time()
    session = Session(backend, limits=Limits())
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - host_cpu + sum(cpu_s(pid) for pid in _tree(session_root_pid(session)))
    if isinstance(session.kernel.manager, ForkedKernel):
        template = _parent(session.kernel.manager.pid)
        if template_before is not None and _TEMPLATE == [template]:
            cpu += cpu_s(template) - template_before
        _TEMPLATE[:] = [template]
    assert session.execute("1 + 1").value == 2
    session.close()
    return elapsed * 1000, cpu * 1000


def cpu_s(pid: int) -> float:
    """CPU seconds of `pid`'s live threads so far (schedstat: nanoseconds, where /proc/PID/stat counts
    10 ms ticks)."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1e9


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def session_root_pid(session: Session) -> int:
    """The host pid of the session's outermost process: a forked one itself, the launcher of a cold one."""
    manager = session.kernel.manager
    if isinstance(manager, ForkedKernel):
        return manager.pid
    return manager.provisioner.process.pid


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def idle_memory(count: int, code: str) -> dict:
    """PSS (and the kernels' RSS) per idle session that ran `code`, forked and cold, MiB."""
    first = Session("fork")
    template = template_for(first.box).process.pid
    first.close()
    time.sleep(0.5)
    template_alone = tree_pss_kib(template)
    forked = [Session("fork") for _ in range(count)]
    for session in forked:
        assert session.execute(code).ok
    time.sleep(1.0)
    forked_added = (tree_pss_kib(template) - template_alone) / count
    forked_rss = statistics.mean(rss_kib(s.kernel.manager.pid) for s in forked)
    for session in forked:
        session.close()
    cold = [Session("kernel") for _ in range(count)]
    for session in cold:
        assert session.execute(code).ok
    time.sleep(1.0)
    cold_added = sum(tree_pss_kib(session_root_pid(s)) for s in cold) / count
    kernels = [max(_tree(session_root_pid(s)), key=rss_kib) for s in cold]
    cold_rss = statistics.mean(rss_kib(p) for p in kernels)
    for session in cold:
        session.close()
    mib = 1024
    return {"code": code, "sessions": count, "template_pss_mib": round(template_alone / mib, 1),
            "forked_pss_added_mib": round(forked_added / mib, 1), "cold_pss_mib": round(cold_added / mib, 1),
            "forked_kernel_rss_mib": round(forked_rss / mib, 1),
            "cold_kernel_rss_mib": round(cold_rss / mib, 1)}  # fmt: skip


def _tree(root: int) -> list[int]:
    found, frontier = [], [root]
    parents = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            parents[int(entry)] = _parent(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    while frontier:
        pid = frontier.pop()
        found.append(pid)
        frontier += [child for child, parent in parents.items() if parent == pid]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=40, help="sessions timed per kind (default 40)")
    parser.add_argument("--idle", type=int, default=8, help="idle sessions for the memory figure (default 8)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "fork.json")
    args = parser.parse_args()
    load_before = round(os.getloadavg()[0], 2)
    ready("fork")  # the template starts once per host process: not counted
    ready("kernel")
    samples: dict[str, list[tuple[float, float]]] = {"fork": [], "kernel": []}
    for _ in range(args.repeat):
        for backend, taken in samples.items():
            taken.append(ready(backend))
    summary = {}
    for backend, taken in samples.items():
        walls = [wall for wall, _ in taken]
        summary[backend] = {"median_ms": round(statistics.median(walls), 1),
                            "p90_ms": round(statistics.quantiles(walls, n=10)[-1], 1),
                            "cpu_ms_mean": round(statistics.mean(cpu for _, cpu in taken), 1)}  # fmt: skip
    memory = [idle_memory(args.idle, code) for code in ("None", "import numpy, pandas")]
    load_after = round(os.getloadavg()[0], 2)
    fork, cold = summary["fork"], summary["kernel"]
    print(f"# forked vs cold sessions — {date.today()} — {os.cpu_count()} CPUs, load {load_before} -> {load_after}\n")
    print("| measure | forked | cold | cold / forked |\n|---|---:|---:|---:|")
    for label, key in (("time to a ready session, median ms", "median_ms"), ("p90 ms", "p90_ms"),
                       ("CPU time to a ready session, all processes, mean ms", "cpu_ms_mean")):  # fmt: skip
        print(f"| {label} | {fork[key]} | {cold[key]} | {cold[key] / fork[key]:.1f}x |")
    for row in memory:
        what = "idle" if row["code"] == "None" else f"after `{row['code']}`"
        print(f"| memory a session adds ({what}), PSS MiB | {row['forked_pss_added_mib']} | {row['cold_pss_mib']} "
              f"| {row['cold_pss_mib'] / max(row['forked_pss_added_mib'], 0.1):.1f}x |")  # fmt: skip
        print(f"| its kernel's RSS ({what}; shared pages counted in full), MiB | {row['forked_kernel_rss_mib']} | "
              f"{row['cold_kernel_rss_mib']} | |")  # fmt: skip
    print(f"\nthe template itself (paid once per host process): PSS {memory[0]['template_pss_mib']} MiB")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    result = {"date": str(date.today()), "cpus": os.cpu_count(), "python": platform.python_version(),
              "load_average_1m_before": load_before, "load_average_1m_after": load_after, "repeat": args.repeat,
              "ready": summary, "memory": memory}  # fmt: skip
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
