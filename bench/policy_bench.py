"""Policy-layer benchmarks, side by side with their anchors in one process run. Reports ratios, asserts nothing.

  .venv/bin/python bench/policy_bench.py [--repeat N]

1. the static check of a 20-line cell vs `ast.parse` of the same cell (the floor any AST checker pays);
2. a pure-Python loop compiled by the restricted compiler and run with the guards vs plain `exec`.
"""

from __future__ import annotations

import argparse
import ast
import json
import platform
import statistics
import time
from datetime import date
from pathlib import Path

from sandbox.policy import DEFAULT_POLICY, Policy
from sandbox.policy.check import check
from sandbox.policy.guards import make_user_globals
from sandbox.policy.restrict import compile_cell

CELL = "\n".join(f"x{i} = [v.real for v in range({i}) if v % 2]  # line {i}" for i in range(20))
LOOP = "def work(n):\n    t = 0\n    for i in range(n):\n        t += i * i % 7\n    return t"


def median_ms(call, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def loop_ms(policy: Policy, repeat: int) -> float:
    cell = compile_cell(LOOP, policy)
    namespace = make_user_globals(policy) if policy.restrict else {}
    exec(cell.body, namespace)
    return median_ms(lambda: namespace["work"](200_000), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    check(CELL)  # warm-up
    rows = [
        ("static check, 20-line cell", "sandbox.policy.check", median_ms(lambda: check(CELL), args.repeat),
         "ast.parse", median_ms(lambda: ast.parse(CELL), args.repeat)),
        ("pure-Python loop, 200k iterations", "restricted compile + guards", loop_ms(DEFAULT_POLICY, 7),
         "plain exec", loop_ms(Policy.off(), 7)),
    ]  # fmt: skip
    print(f"# policy benchmarks — {date.today()} — {platform.machine()}, {platform.python_version()}\n")
    print("| measure | codecall | ms | anchor | ms | ratio |\n|---|---|---:|---|---:|---:|")
    for measure, ours_label, ours_ms, anchor_label, anchor_ms in rows:
        print(f"| {measure} | {ours_label} | {ours_ms:.3f} | {anchor_label} | {anchor_ms:.3f} | "
              f"{ours_ms / anchor_ms:.2f}x |")  # fmt: skip
    out = Path(__file__).parent / "results" / "policy.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"date": str(date.today()), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
