"""The two boxes side by side in one run: cold start, warm-pool hand-out, warm round trip. Asserts nothing.

.venv/bin/python bench/boxes_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import date
from pathlib import Path

from sandbox import Session, WarmPool


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(backend: str, repeat: int) -> dict[str, float]:
    cold = []
    for _ in range(3):
        started = time.perf_counter()
        session = Session(backend)
        cold.append(time.perf_counter() - started)
        session.close()
    with WarmPool(backend, size=1) as pool:
        handout, round_trip = [], []
        for _ in range(5):
            pool.wait_ready(timeout=120)
            started = time.perf_counter()
            session = pool.session()
            handout.append(time.perf_counter() - started)
            session.close()
        with pool.session() as session:
            for _ in range(repeat + 20):
                started = time.perf_counter()
                session.execute("x = 1 + 1")
                round_trip.append(time.perf_counter() - started)
    return {"cold start": median_ms(cold), "warm-pool hand-out": median_ms(handout),
            "warm round trip": median_ms(round_trip[20:])}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    kernel, docker = measure("kernel", args.repeat), measure("docker", args.repeat)
    print(f"# kernel vs docker box — {date.today()} — {platform.machine()}, Python {platform.python_version()}\n")
    print("| measure | kernel (bwrap) ms | docker ms | docker / kernel |\n|---|---:|---:|---:|")
    for name in kernel:
        print(f"| {name} | {kernel[name]:.2f} | {docker[name]:.2f} | {docker[name] / kernel[name]:.2f}x |")
    print(f"\nwarm-pool hand-out vs cold container start: {docker['warm-pool hand-out'] / docker['cold start']:.4f}x")
    out = Path(__file__).parent / "results" / "boxes.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"date": str(date.today()), "kernel": kernel, "docker": docker}, indent=1))


if __name__ == "__main__":
    main()
