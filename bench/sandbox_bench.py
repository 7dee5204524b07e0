"""Sandbox benchmarks, side by side with their anchors in one process run. Reports ratios, asserts nothing.

  .venv/bin/python bench/sandbox_bench.py [--repeat N] [--backend kernel|docker]

1. warm round trip of `x = 1 + 1`: codecall (checker + RestrictedPython + boxed kernel) vs a raw
   jupyter_client round trip to an unboxed ipykernel vs smolagents' LocalPythonExecutor (in-process);
2. compute: a pure-Python loop and a pandas groupby inside the sandbox vs plain in-process exec;
3. one host tool call from sandboxed code vs an in-process call;
4. session hand-out from the warm pool vs a cold start.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import date
from pathlib import Path

from boxes_bench import measure as measure_box  # this folder is on the path when run as a script
from jupyter_client import KernelManager

from sandbox import Limits, Session

LOOP = """
total = 0
for i in range(300_000):
    if i % 3 == 0:
        total += i * i
    else:
        total -= i
items = [str(i) for i in range(50_000)]
lengths = {}
for s in items:
    lengths[len(s)] = lengths.get(len(s), 0) + 1
"""
GROUPBY_SETUP = """
import numpy as np
import pandas as pd
rng = np.random.default_rng(0)
frame = pd.DataFrame({"k": rng.integers(0, 1000, 2_000_000), "v": rng.random(2_000_000)})
"""
GROUPBY = "summary = frame.groupby('k')['v'].agg(['mean', 'sum', 'count'])"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def time_calls(call, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def raw_kernel_round_trip(repeat: int) -> float:
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    client = manager.blocking_client()
    client.start_channels()
    client.wait_for_ready(timeout=60)

    def once() -> None:
        msg_id = client.execute("x = 1 + 1", store_history=False)
        while True:
            message = client.get_iopub_msg(timeout=10)
            if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "status" \
                    and message["content"]["execution_state"] == "idle":  # fmt: skip
                return

    time_calls(once, 20)  # warm-up
    result = median_ms(time_calls(once, repeat))
    client.stop_channels()
    manager.shutdown_kernel(now=True)
    return result


def smolagents_round_trip(repeat: int) -> float | None:
    try:
        from smolagents.local_python_executor import LocalPythonExecutor
    except ImportError:
        return None
    executor = LocalPythonExecutor(additional_authorized_imports=[])
    executor.send_tools({})
    time_calls(lambda: executor("x = 1 + 1"), 20)
    return median_ms(time_calls(lambda: executor("x = 1 + 1"), repeat))


def in_process(code: str, setup: str = "", repeat: int = 5) -> float:
    namespace: dict = {}
    exec(setup, namespace)
    compiled = compile(code, "<bench>", "exec")
    return median_ms(time_calls(lambda: exec(compiled, namespace), repeat))


def in_sandbox(session: Session, code: str, repeat: int = 5) -> float:
    """Time measured inside the sandbox (time.perf_counter around the code), so that only compute counts."""
    timed = f"import time as _t\n_s = _t.perf_counter()\n{code}\n_elapsed = _t.perf_counter() - _s"
    samples = []
    for _ in range(repeat):
        execution = session.execute(timed)
        assert execution.ok, execution.error
        samples.append(session.execute("_elapsed").value)
    return median_ms(samples)


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--backend", default="kernel", choices=["kernel", "docker"])
    args = parser.parse_args()
    rows = []

    with Session(args.backend, tools={"add": add}, limits=Limits(timeout=120)) as session:
        time_calls(lambda: session.execute("x = 1 + 1"), 20)
        ours = median_ms(time_calls(lambda: session.execute("x = 1 + 1"), args.repeat))
        raw = raw_kernel_round_trip(args.repeat)
        smol = smolagents_round_trip(args.repeat)
        rows.append(("warm round trip `x = 1 + 1`", "codecall (check + restrict + box)", ours, "raw jupyter_client, "
                     "unboxed ipykernel", raw))  # fmt: skip
        if smol is not None:
            rows.append(("warm round trip `x = 1 + 1`", "codecall", ours, "smolagents LocalPythonExecutor", smol))

        rows.append(("pure-Python loop", "in the sandbox (guards on)", in_sandbox(session, LOOP), "plain exec",
                     in_process(LOOP)))  # fmt: skip
        assert session.execute(GROUPBY_SETUP).ok
        rows.append(("pandas groupby, 2M rows", "in the sandbox", in_sandbox(session, GROUPBY), "plain exec",
                     in_process(GROUPBY, GROUPBY_SETUP)))  # fmt: skip

        calls = 2000
        code = f"for _i in range({calls}):\n    add(_i, 1)"
        per_call = in_sandbox(session, code, repeat=3) / calls
        local = in_process(code, "def add(a, b):\n    return a + b", repeat=3) / calls
        rows.append(("one host tool call", "sandbox -> bridge -> host", per_call, "in-process call", local))

    boxes = measure_box(args.backend, repeat=20)
    rows.append(("session hand-out", "from the warm pool", boxes["warm-pool hand-out"], "cold start",
                 boxes["cold start"]))  # fmt: skip

    print(f"# sandbox benchmarks — {date.today()} — {platform.machine()}, {platform.python_version()}, "
          f"backend {args.backend}\n")  # fmt: skip
    print("| measure | codecall | ms | anchor | ms | ratio |\n|---|---|---:|---|---:|---:|")
    for measure, ours_label, ours_ms, anchor_label, anchor_ms in rows:
        ratio = ours_ms / anchor_ms if anchor_ms else float("nan")
        print(f"| {measure} | {ours_label} | {ours_ms:.3f} | {anchor_label} | {anchor_ms:.3f} | {ratio:.2f}x |")
    out = Path(__file__).parent / "results" / f"sandbox_{args.backend}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"date": str(date.today()), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
