"""The enlarged evaluation set (examples/eval/codecall.jsonl and apibank.jsonl): well formed, split as its
rule says, and every task's reference code, run against the real tools in this process, gives the task's
expected answer. No model runs here."""

from __future__ import annotations

import ast
import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from codecall.evals.evaluate import matches
from codecall.tools import load_tools

EVAL = Path(__file__).resolve().parent.parent / "examples" / "eval"
#: Each task file with the tools modules its "tools" and "reference" name.
SETS = {"codecall.jsonl": ("tools.py", "story_tools.py"), "apibank.jsonl": ("apibank_tools.py",)}
SOURCES = {"codecall.jsonl": "codecall", "apibank.jsonl": "api-bank"}
CATEGORIES = {"single call", "several calls", "chained calls", "many tools", "implied arguments"}
FIELDS = {"id", "source", "category", "tags", "split", "lang", "task", "tools", "needs", "expected", "reference"}


def _rows(name: str) -> list[dict[str, Any]]:
    lines = (EVAL / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _tools(name: str) -> dict[str, Any]:
    return {t.name: t for module in SETS[name] for t in load_tools(EVAL / module)}


TASKS = {name: _rows(name) for name in SETS}
ALL = [task for rows in TASKS.values() for task in rows]


def _splits_module() -> Any:
    spec = importlib.util.spec_from_file_location("eval_splits", EVAL / "splits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _called(reference: str) -> set[str]:
    tree = ast.parse(reference)
    return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def _run(reference: str, tools: dict[str, Any]) -> Any:
    namespace: dict[str, Any] = dict(tools)
    exec(compile(reference, "<reference>", "exec"), namespace)
    return json.loads(json.dumps(namespace["answer"]))  # as plain data, the way an answer leaves the sandbox


def test_the_set_is_large_and_mixed() -> None:
    assert len(ALL) >= 250
    assert {t["source"] for t in ALL} == set(SOURCES.values())
    per_category = Counter(t["category"] for t in ALL)
    assert set(per_category) == CATEGORIES
    assert min(per_category.values()) >= 40, per_category
    assert {t["lang"] for t in TASKS["codecall.jsonl"]} == {"en", "zh"}


def test_ids_are_unique_across_files() -> None:
    ids = [t["id"] for t in ALL]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]


@pytest.mark.parametrize("name", list(SETS))
def test_tasks_are_well_formed(name: str) -> None:
    tools = _tools(name)
    for task in TASKS[name]:
        assert FIELDS <= set(task), (task["id"], FIELDS - set(task))
        assert task["source"] == SOURCES[name], task["id"]
        assert task["category"] in CATEGORIES and task["tags"][0] == task["category"], task["id"]
        assert set(task["tags"]) <= CATEGORIES and len(set(task["tags"])) == len(task["tags"]), task["id"]
        assert task["split"] in {"dev", "test"}, task["id"]
        assert task["task"].strip() and task["expected"] is not None, task["id"]
        offered = set(tools) if task["tools"] == "all" else set(task["tools"])
        assert offered <= set(tools), (task["id"], offered - set(tools))
        assert _called(task["reference"]) == set(task["needs"]), task["id"]
        assert set(task["needs"]) <= offered, (task["id"], set(task["needs"]) - offered)
        if "many tools" in task["tags"]:
            assert len(offered) >= 20, task["id"]


@pytest.mark.parametrize("name", list(SETS))
def test_every_reference_gives_the_expected_answer(name: str) -> None:
    tools = _tools(name)
    wrong = []
    for task in TASKS[name]:
        answer = _run(task["reference"], tools)
        if not matches(answer, task["expected"]):
            wrong.append((task["id"], answer, task["expected"]))
    assert not wrong


@pytest.mark.parametrize("name", list(SETS))
def test_answers_do_not_depend_on_the_order_tasks_run_in(name: str) -> None:
    """The tools keep no state between calls, so a task's answer is the same whatever ran before it."""
    tools = _tools(name)
    forward = [_run(t["reference"], tools) for t in TASKS[name]]
    backward = [_run(t["reference"], tools) for t in reversed(TASKS[name])]
    assert forward == backward[::-1]


def test_new_codecall_tasks_have_exact_answers() -> None:
    """The tasks written for this set store exactly what their reference returns (the first 68 keep the
    hand-rounded answers of tasks.jsonl, which the harness's tolerance accepts)."""
    tools = _tools("codecall.jsonl")
    for task in TASKS["codecall.jsonl"]:
        if task["id"].startswith("story-"):
            assert _run(task["reference"], tools) == task["expected"], task["id"]


def test_the_first_68_are_the_tasks_of_tasks_jsonl() -> None:
    old = {t["id"]: t for t in _rows("tasks.jsonl")}
    mine = {t["id"]: t for t in TASKS["codecall.jsonl"] if t["id"] in old}
    assert mine.keys() == old.keys()
    for key, task in old.items():
        assert {k: mine[key][k] for k in ("task", "expected", "lang", "tools", "needs")} == {
            k: task[k] for k in ("task", "expected", "lang", "tools", "needs")
        }, key


def test_splits_follow_the_rule_and_are_balanced() -> None:
    splits = _splits_module()
    assert splits.assign(ALL) == {t["id"]: t["split"] for t in ALL}
    by_group: dict[str, set[str]] = {}
    for task in ALL:
        by_group.setdefault(splits.group_of(task), set()).add(task["split"])
    assert all(len(sides) == 1 for sides in by_group.values())  # a group is never split
    cells = Counter((t["source"], t["category"], t["split"]) for t in ALL)
    for source in SOURCES.values():
        for category in CATEGORIES:
            dev, test = cells[(source, category, "dev")], cells[(source, category, "test")]
            assert min(dev, test) >= 0.35 * (dev + test), (source, category, dev, test)
    test_split = Counter(t["category"] for t in ALL if t["split"] == "test")
    assert min(test_split[c] for c in CATEGORIES) >= 20, test_split
