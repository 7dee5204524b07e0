"""One `codecall ask` per task against the same task inside the one-process harness, side by side.

For each task, in turn: the harness (one process, one loaded model, a warm sandbox pool: how `codecall
eval` runs), then the task as its own `codecall ask --json` process twice: with an empty prompt store (the
first ask with these tools: the prompt is read through the model from its first token) and with the store
the earlier asks left (a later ask with the same tools). Reports the medians and the ratio of an ask's own
run (model load excluded) to the harness's, and writes bench/results/ask_speed.json.

    OMP_NUM_THREADS=1 .venv/bin/python bench/ask_speed.py --limit 8
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from codecall.evals import evaluate
from codecall.models import Transformers
from codecall.tools import load_tools
from sandbox import WarmPool

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TOOLS = [ROOT / "examples" / "eval" / "tools.py", ROOT / "examples" / "eval" / "story_tools.py"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default=str(ROOT / "examples" / "eval" / "codecall.jsonl"))
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=8, help="the split's first N tasks")
    args = parser.parse_args()
    tasks = evaluate.load_task_files([args.tasks], args.split)[: args.limit]
    by_file = {str(path): load_tools(path) for path in TOOLS}
    tools = [t for found in by_file.values() for t in found]
    files = {t.name: path for path, found in by_file.items() for t in found}
    ask = evaluate.PerProcess(files, ["--max-steps", "3", "--max-new-tokens", "200"])
    cache_home = Path(tempfile.mkdtemp(prefix="codecall-ask-speed-"))  # this run's own prompt store
    models_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "codecall" / "models"
    (cache_home / "codecall").mkdir()
    (cache_home / "codecall" / "models").symlink_to(models_cache)  # the converted weights, not converted again
    os.environ["XDG_CACHE_HOME"] = str(cache_home)
    model = Transformers(prompt_store=False)  # the harness keeps what it read in memory, as `codecall eval` does
    rows = []
    with WarmPool("kernel", size=1) as pool:
        for task in tasks:
            harness = evaluate.run_eval([task], tools, {"guided": model}, pool=pool, max_steps=3,
                                        max_new_tokens=200)[0]  # fmt: skip
            shutil.rmtree(cache_home / "codecall" / "prompts", ignore_errors=True)
            cold = evaluate.run_eval([task], tools, {"guided": ask})[0]
            warm = evaluate.run_eval([task], tools, {"guided": ask})[0]
            row = {"id": task.id, "harness_s": harness.duration_s,
                   "harness_first_token_s": harness.extra["first_token_s"],
                   "harness_correct": harness.extra["correct"]}  # fmt: skip
            for name, run in (("cold", cold), ("warm", warm)):
                row |= {f"{name}_wall_s": run.duration_s, f"{name}_run_s": run.extra["run_s"],
                        f"{name}_first_token_s": run.extra["first_token_s"],
                        f"{name}_model_load_s": run.extra["model_load_s"],
                        f"{name}_correct": run.extra["correct"]}  # fmt: skip
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    shutil.rmtree(cache_home, ignore_errors=True)

    def median(key: str) -> float:
        return round(statistics.median(r[key] for r in rows if r[key] is not None), 3)

    summary = {key: median(key) for key in rows[0] if key.endswith("_s")}
    for name in ("cold", "warm"):
        summary[f"{name}_run_over_harness"] = round(summary[f"{name}_run_s"] / summary["harness_s"], 2)
        summary[f"{name}_correct"] = sum(r[f"{name}_correct"] for r in rows)
    summary["harness_correct"] = sum(r["harness_correct"] for r in rows)
    out = {"when": time.strftime("%Y-%m-%d %H:%M"), "load": os.getloadavg(), "tasks": len(rows),
           "omp_threads": os.environ.get("OMP_NUM_THREADS"), "summary": summary, "rows": rows}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ask_speed.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
