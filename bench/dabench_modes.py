"""DABench on the bundled model, guided and plain, over one half of the split: accuracy by level and the
median seconds per question, written as JSON to bench/results/dabench_<mode>_<split>.json.

    .venv/bin/python bench/dabench_modes.py --mode guided --split test --sample 40 [--level easy] --data-dir DIR
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from codecall.evals import dabench
from codecall.models import Transformers

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("guided", "plain"), default="guided")
    parser.add_argument("--split", choices=dabench.SPLITS, default="test")
    parser.add_argument("--sample", type=int, default=0, help="questions spread evenly over the half (0: all)")
    parser.add_argument("--level", choices=dabench.LEVELS, default=None, help="one level only")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    data = dabench.data_folder(args.data_dir)
    ids = dabench.load_split(args.split)
    questions = dabench.select(dabench.load_questions(data), ids=ids, level=args.level, sample=args.sample)
    model = Transformers(guide=args.mode == "guided")
    started = time.perf_counter()

    RESULTS.mkdir(exist_ok=True)
    stem = f"dabench_{args.mode}_{args.split}" + (f"_{args.level}" if args.level else "")
    partial = RESULTS / f"{stem}.partial.jsonl"  # kept as questions finish
    partial.write_text("", encoding="utf-8")

    def progress(record) -> None:
        with open(partial, "a", encoding="utf-8") as out:
            out.write(json.dumps(record.to_json(), default=str) + "\n")
        print(f"{record.id:4d} {record.level:6s} {'ok ' if record.correct else '-- '} {record.duration_s:6.1f}s "
              f"{record.status:9s} {record.response[:60]!r}", file=sys.stderr, flush=True)  # fmt: skip

    records = dabench.evaluate(questions, model, data_dir=data, on_outcome=progress)
    summary = dabench.summarize(records)
    seconds = [r.duration_s for r in records]
    summary["median_s"] = round(statistics.median(seconds), 1) if seconds else None
    summary["by_level_median_s"] = {
        level: round(statistics.median(s), 1) if (s := [r.duration_s for r in records if r.level == level]) else None
        for level in dabench.LEVELS
    }
    out = {"mode": args.mode, "split": args.split, "level": args.level, "sample": args.sample,
           "questions": len(records), "model": model.name, "wall_s": round(time.perf_counter() - started, 1),
           "summary": summary,
           "records": [r.to_json() for r in records]}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{stem}.json"
    path.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("mode", "split", "questions", "wall_s", "summary")}, indent=1))


if __name__ == "__main__":
    main()
