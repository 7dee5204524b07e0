"""Every task of the enlarged evaluation set through the real agent, bridge and sandbox, with a scripted
model whose reply is the task's reference code: checks that the tools take the reference's arguments across
the bridge and that the harness accepts the answer. No language model. `python bench/eval_references.py`"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from codecall.evals.evaluate import EvalTask, run_eval
from codecall.models.scripted import Scripted
from codecall.tools import load_tools
from sandbox import WarmPool

EVAL = Path(__file__).resolve().parent.parent / "examples" / "eval"
SETS = {"codecall.jsonl": ("tools.py", "story_tools.py"), "apibank.jsonl": ("apibank_tools.py",)}
REPLY = "```python\n{}\nfinal_answer(answer)\n```"
FIELDS = ("id", "task", "expected", "category", "lang", "tools", "needs")  # what EvalTask knows


def main() -> int:
    failed = 0
    for name, modules in SETS.items():
        rows = [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines() if line.strip()]
        reference = {row["task"]: row["reference"] for row in rows}
        tasks = [EvalTask(**{k: None if k == "tools" and row[k] == "all" else row[k] for k in FIELDS}) for row in rows]
        tools = [t for module in modules for t in load_tools(EVAL / module)]
        model = Scripted([lambda request, code=reference: REPLY.format(code[request.task])])
        started = time.perf_counter()
        with WarmPool("kernel", size=1) as pool:
            runs = run_eval(tasks, tools, {"reference": model}, pool=pool, max_steps=2)
        print(f"{name}: {sum(r.ok for r in runs)}/{len(runs)} right, {time.perf_counter() - started:.0f} s")
        for run in runs:
            if not run.ok:
                failed += 1
                print(f"  {run.id}: {run.status} {run.answer!r:.100} {run.error or ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
