"""`codecall eval`: run a set of tool-calling tasks with one or more models and report success by category.

A task file is JSONL, one task a line: `id`, `task`, `expected` (the final answer: numbers compare with a
small tolerance, strings without case, lists item by item), `category`, `lang`, `tools` (the names of
the tools it offers, or "all"), `needs` (the tools a right answer calls, for the retrieval's recall), and
optionally `source` (who wrote it), `split` ("dev" or "test": tune on dev, report test), `tags` and
`reference` (the right calls, as code; tests/test_eval_tasks.py checks they give `expected`).
Each task runs once per model, one after the other, so guided and unguided runs of the same weights sit
side by side in one report. A run is a `RunRecord` with the extra keys `mode`, `category`, `lang`,
`source`, `tools_offered`, `tools_shown`, `found_needed` (every tool in `needs` was among those shown),
`first_token_s` (the first step's time to its first token), `code` (each step's code, to read a failure by)
and `correct`.

`per_process` runs each task the way a user does, as its own `codecall ask --json` process (model load
and all); its record's `duration_s` is the process's wall time and `run_s` the run's own time inside it.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codecall.agent import Agent
from codecall.errors import InputError
from codecall.models import Model
from codecall.result import RunRecord
from codecall.tools import Tool

#: The evaluation's own defaults, smaller than a run's: the tasks are short, and a set runs twice.
EVAL_MAX_STEPS = 3
EVAL_MAX_NEW_TOKENS = 200


@dataclass
class EvalTask:
    """One task of an evaluation set."""

    id: str
    task: str
    expected: Any
    category: str = "other"
    lang: str = ""
    tools: list[str] | None = None  #: names of the tools offered; None for all of them
    needs: list[str] = field(default_factory=list)  #: tools a right answer calls
    source: str = ""  #: who wrote the task (the project, a public data set)
    split: str = ""  #: "dev" (tune on it) or "test" (report it)
    tags: list[str] = field(default_factory=list)  #: every kind of task it is (its category among them)
    reference: str = ""  #: the right calls, as code


def load_task_files(paths: Iterable[str | Path], split: str | None = None) -> list[EvalTask]:
    """The tasks of several files, in order, only those of `split` when given (every task must have one)."""
    tasks = [task for path in paths for task in load_tasks(path)]
    if split is None:
        return tasks
    unsplit = [t.id for t in tasks if t.split not in ("dev", "test")]
    if unsplit:
        raise InputError(f"tasks without a dev/test split: {unsplit[:5]}")
    return [t for t in tasks if t.split == split]


def load_tasks(path: str | Path) -> list[EvalTask]:
    """The tasks of a JSONL file (blank lines and `#` comments skipped)."""
    tasks = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            row = json.loads(line)
            if row.get("tools") == "all":
                row["tools"] = None
            try:
                tasks.append(EvalTask(**row))
            except TypeError as e:
                raise InputError(f"{path}:{number}: {e}") from e
    return tasks


def matches(answer: Any, expected: Any) -> bool:
    """Whether a run's answer is the expected one: numbers within 0.1% (or 0.01), strings ignoring case and
    surrounding space, lists and tuples item by item, booleans exactly."""
    if isinstance(expected, bool) or isinstance(answer, bool):
        return answer is expected or (isinstance(answer, str) and answer.strip().lower() == str(expected).lower())
    if isinstance(expected, int | float):
        try:
            return math.isclose(float(answer), expected, rel_tol=1e-3, abs_tol=1e-2)
        except (TypeError, ValueError):
            return False
    if isinstance(expected, list):
        return isinstance(answer, list | tuple) and len(answer) == len(expected) and all(map(matches, answer, expected))
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().lower() == expected.strip().lower()
    return answer == expected


def run_eval(
    tasks: Iterable[EvalTask],
    tools: list[Tool],
    models: Mapping[str, Model | PerProcess],
    *,
    on_run: Callable[[RunRecord], None] | None = None,
    **agent_options: Any,
) -> list[RunRecord]:
    """Run every task with every model (`models` maps a mode's label to its model, or to a `PerProcess`
    runner); `agent_options` go to `Agent` (sandbox, pool, max_steps, ...)."""
    by_name = {t.name: t for t in tools}
    runs = []
    for task in tasks:
        unknown = sorted(set(task.tools or []) - by_name.keys())
        if unknown:
            raise InputError(f"task {task.id}: no tools named {unknown}")
        offered = [by_name[n] for n in task.tools] if task.tools is not None else tools
        for mode, model in models.items():
            if isinstance(model, PerProcess):
                run = model.run(task, mode, offered)
            else:
                run = _run_one(task, mode, Agent(model, offered, **agent_options))
            runs.append(run)
            if on_run is not None:
                on_run(run)
    return runs


def _run_one(task: EvalTask, mode: str, agent: Agent) -> RunRecord:
    result = agent.run(task.task)
    first = result.steps[0] if result.steps else None
    shown = first.tools_shown if first else []
    return RunRecord.from_result(
        result, id=task.id, mode=mode, category=task.category, lang=task.lang, source=task.source,
        tools_offered=len(agent.tools), tools_shown=shown, found_needed=set(task.needs) <= set(shown),
        first_token_s=round(first.first_token_s, 3) if first else None, code=[s.code for s in result.steps],
        correct=result.status == "answered" and matches(result.answer, task.expected),
    )  # fmt: skip


@dataclass
class PerProcess:
    """Runs a task as its own `codecall ask --json` process, as a user would: `tool_files` maps each tool's
    name to the module file it comes from; `options` are more `ask` arguments (--model, --no-guide, ...)."""

    tool_files: dict[str, str]
    options: list[str] = field(default_factory=list)
    timeout_s: float = 600.0

    def run(self, task: EvalTask, mode: str, offered: list[Tool]) -> RunRecord:
        by_file: dict[str, list[str]] = {}
        for tool in offered:
            by_file.setdefault(self.tool_files[tool.name], []).append(tool.name)
        argv = [sys.executable, "-m", "codecall", "ask", task.task, "--json", *self.options]
        for path, names in by_file.items():
            argv += ["--tools", f"{path}:{','.join(names)}"]
        started = time.perf_counter()
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=self.timeout_s)
            record = RunRecord.from_json(json.loads(done.stdout.strip().splitlines()[-1]))
        except (subprocess.TimeoutExpired, ValueError, IndexError) as error:
            record = RunRecord.failure(f"codecall ask: {type(error).__name__}: {error}", task=task.task)
        wall = round(time.perf_counter() - started, 3)
        extra = {"mode": mode, "category": task.category, "lang": task.lang, "source": task.source,
                 "tools_offered": len(offered), "run_s": record.duration_s,
                 "first_token_s": record.extra.get("first_token_s"), "model_load_s": record.extra.get("model_load_s"),
                 "correct": record.status == "answered" and matches(record.answer, task.expected)}  # fmt: skip
        return RunRecord(task.id, task.task, record.status, record.answer, record.error, record.steps, wall,
                         record.tokens, extra)  # fmt: skip


def summarize(runs: list[RunRecord], many_tools: int = 20) -> dict[str, dict[str, dict[str, float]]]:
    """Success and time per group (each category, language and source, tasks offering at least `many_tools`
    tools, and all) and mode: {group: {mode: {"ok", "total", "rate", "mean_s", "median_s",
    "median_first_token_s"}}}."""
    groups: dict[str, list[RunRecord]] = {}
    for run in runs:
        keys = [f"category {run.category}", f"lang {run.lang}", "all"]
        if run.extra.get("source"):
            keys.append(f"source {run.source}")
        if run.tools_offered >= many_tools:
            keys.append(f"{many_tools}+ tools")
        for key in keys:
            groups.setdefault(key, []).append(run)
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for key in sorted(groups, key=lambda k: (k == "all", k)):
        for mode in dict.fromkeys(r.mode for r in groups[key]):
            mine = [r for r in groups[key] if r.mode == mode]
            ok = sum(r.correct for r in mine)
            first = [r.first_token_s for r in mine if r.extra.get("first_token_s")]
            summary.setdefault(key, {})[mode] = {
                "ok": ok, "total": len(mine), "rate": round(ok / len(mine), 3),
                "mean_s": round(sum(r.duration_s for r in mine) / len(mine), 2),
                "median_s": round(statistics.median(r.duration_s for r in mine), 2),
                "median_first_token_s": round(statistics.median(first), 2) if first else None,
            }  # fmt: skip
    many = [r for r in runs if r.tools_offered >= many_tools]
    if many:
        recall = sum(r.found_needed for r in many) / len(many)
        summary[f"{many_tools}+ tools"]["retrieval"] = {"recall": round(recall, 3), "total": len(many)}
    return summary


def format_summary(summary: dict[str, dict[str, dict[str, float]]]) -> str:
    """The summary as a text table: one row per group, `ok/total (rate) mean s/task` per mode."""
    modes = list(dict.fromkeys(m for row in summary.values() for m in row if m != "retrieval"))
    lines = [f"{'group':<18}" + "".join(f"{mode:>26}" for mode in modes)]
    for group, row in summary.items():
        cells = []
        for mode in modes:
            c = row.get(mode)
            cells.append(f"{c['ok']}/{c['total']} ({c['rate']:.0%}) {c['mean_s']:5.1f} s/task" if c else "-")
        lines.append(f"{group:<18}" + "".join(f"{cell:>26}" for cell in cells))
        if "retrieval" in row:
            lines.append(f"{'':<18}retrieval recall of the needed tools: {row['retrieval']['recall']:.0%}")
    return "\n".join(lines)


def report_json(runs: list[RunRecord], summary: dict) -> str:
    """--json output: the summary and every run's record."""
    return json.dumps({"summary": summary, "runs": [r.to_json() for r in runs]}, ensure_ascii=False)
