"""`codecall eval`: run a set of tool-calling tasks with one or more models and report success by category.

A task file is JSONL, one task a line: `id`, `task`, `expected` (the final answer: numbers compare with a
small tolerance, strings without case, lists item by item), `category`, `lang`, `tools` (the names of
the tools it offers, or "all") and `needs` (the tools a right answer calls, for the retrieval's recall).
Each task runs once per model, one after the other, so guided and unguided runs of the same weights sit
side by side in one report. A run is a `RunRecord` with the extra keys `mode`, `category`, `lang`,
`tools_offered`, `tools_shown`, `found_needed` (every tool in `needs` was among those shown) and `correct`.
"""

from __future__ import annotations

import json
import math
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
    models: Mapping[str, Model],
    *,
    on_run: Callable[[RunRecord], None] | None = None,
    **agent_options: Any,
) -> list[RunRecord]:
    """Run every task with every model (`models` maps a mode's label to its model); `agent_options` go to
    `Agent` (sandbox, pool, max_steps, ...)."""
    by_name = {t.name: t for t in tools}
    runs = []
    for task in tasks:
        unknown = sorted(set(task.tools or []) - by_name.keys())
        if unknown:
            raise InputError(f"task {task.id}: no tools named {unknown}")
        offered = [by_name[n] for n in task.tools] if task.tools is not None else tools
        for mode, model in models.items():
            run = _run_one(task, mode, Agent(model, offered, **agent_options))
            runs.append(run)
            if on_run is not None:
                on_run(run)
    return runs


def _run_one(task: EvalTask, mode: str, agent: Agent) -> RunRecord:
    result = agent.run(task.task)
    shown = result.steps[0].tools_shown if result.steps else []
    return RunRecord.from_result(
        result, id=task.id, mode=mode, category=task.category, lang=task.lang, tools_offered=len(agent.tools),
        tools_shown=shown, found_needed=set(task.needs) <= set(shown),
        correct=result.status == "answered" and matches(result.answer, task.expected),
    )  # fmt: skip


def summarize(runs: list[RunRecord], many_tools: int = 20) -> dict[str, dict[str, dict[str, float]]]:
    """Success and mean time per group (each category, each language, tasks offering at least
    `many_tools` tools, and all) and mode: {group: {mode: {"ok", "total", "rate", "mean_s"}}}."""
    groups: dict[str, list[RunRecord]] = {}
    for run in runs:
        keys = [f"category {run.category}", f"lang {run.lang}", "all"]
        if run.tools_offered >= many_tools:
            keys.append(f"{many_tools}+ tools")
        for key in keys:
            groups.setdefault(key, []).append(run)
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for key in sorted(groups, key=lambda k: (k == "all", k)):
        for mode in dict.fromkeys(r.mode for r in groups[key]):
            mine = [r for r in groups[key] if r.mode == mode]
            ok = sum(r.correct for r in mine)
            summary.setdefault(key, {})[mode] = {
                "ok": ok, "total": len(mine), "rate": round(ok / len(mine), 3),
                "mean_s": round(sum(r.duration_s for r in mine) / len(mine), 2),
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
