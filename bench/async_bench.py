"""Many async runs on one event loop: 20 concurrent `Agent.arun` calls against one run alone, in one
process run, with a scripted model (canned replies, not a language model) that waits 1 s per reply with an
async sleep, as an HTTP model's client would, over a warm pool of 4 sandbox sessions. Reports the ratio of
the 20 runs' wall time to one run's (20x would mean no overlap at all) and how late a 10 ms heartbeat on the
same loop ever ran (the loop being blocked); asserts nothing.

  .venv/bin/python bench/async_bench.py [--runs 20] [--pool 4] [--delay 1.0]

Each run takes two model turns (a tool call, then final_answer), so one run waits 2 x delay on the model.
Sessions are not reused: each run takes a fresh kernel, from the pool when one is ready, else started
cold; the pool refills in the background.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
from datetime import date
from pathlib import Path

from codecall import Agent, tool
from codecall.models import Scripted
from codecall.models.scripted import reply_by_task
from sandbox import WarmPool


@tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def replies(tasks: list[str]) -> dict[str, list[str]]:
    return {task: [f"```python\nx = add({i}, 1)\nprint(x)\n```", "```python\nfinal_answer(x)\n```"]
            for i, task in enumerate(tasks)}  # fmt: skip


async def heartbeat(lags: list[float], stop: asyncio.Event, period: float = 0.01) -> None:
    """How much later than asked each tick of a `period` sleep wakes: the time the loop was blocked."""
    while not stop.is_set():
        asked = time.perf_counter()
        await asyncio.sleep(period)
        lags.append(time.perf_counter() - asked - period)


async def measure(agent: Agent, tasks: list[str]) -> tuple[float, float]:
    """Wall seconds for all `tasks` at once, and the heartbeat's worst lag meanwhile; all must answer."""
    lags: list[float] = []
    stop = asyncio.Event()
    beat = asyncio.create_task(heartbeat(lags, stop))
    started = time.perf_counter()
    results = await asyncio.gather(*(agent.arun(task) for task in tasks))
    elapsed = time.perf_counter() - started
    stop.set()
    await beat
    wrong = [r for i, r in enumerate(results) if r.status != "answered" or r.answer != i + 1]
    if wrong:
        raise SystemExit(f"a benchmark run failed: {wrong[0].status} {wrong[0].error} {wrong[0].answer!r}")
    return elapsed, max(lags, default=0.0)


async def main_async(args: argparse.Namespace) -> dict:
    tasks = [f"What is {i} + 1?" for i in range(args.runs)]
    with WarmPool("kernel", size=args.pool) as pool:
        pool.wait_ready(timeout=120)
        agent = Agent(Scripted([reply_by_task(replies(tasks))], delay_s=args.delay), [add], pool=pool)
        one, one_lag = await measure(agent, tasks[:1])
        pool.wait_ready(timeout=120)  # the same warm start for the concurrent runs
        load = round(os.getloadavg()[0], 2)
        many, many_lag = await measure(agent, tasks)
    return {"one_run_s": round(one, 3), "concurrent_runs_s": round(many, 3), "ratio": round(many / one, 2),
            "loop_max_lag_ms_one": round(one_lag * 1000, 1), "loop_max_lag_ms_concurrent": round(many_lag * 1000, 1),
            "load_average_1m": load}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="concurrent runs (default 20)")
    parser.add_argument("--pool", type=int, default=4, help="warm sessions kept ready (default 4)")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds per model reply (default 1.0)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "async.json")
    args = parser.parse_args()
    row = asyncio.run(main_async(args))
    print(f"one run: {row['one_run_s']:.2f} s; {args.runs} concurrent runs: {row['concurrent_runs_s']:.2f} s "
          f"= {row['ratio']:.2f}x one run (no overlap would be {args.runs}x); the loop's worst lag "
          f"{row['loop_max_lag_ms_concurrent']:.1f} ms (one run alone: {row['loop_max_lag_ms_one']:.1f} ms); "
          f"load {row['load_average_1m']}")  # fmt: skip
    meta = {"date": date.today().isoformat(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "runs": args.runs, "pool": args.pool, "delay_s": args.delay, "model_turns_per_run": 2}  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({**meta, **row}, indent=1) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
