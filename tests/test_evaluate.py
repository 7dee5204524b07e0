"""The evaluation harness with a scripted model (not a language model): loading, matching, summary, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codecall.errors import InputError, ToolDefinitionError
from codecall.evals.evaluate import EvalTask, format_summary, load_task_files, load_tasks, matches, run_eval, summarize
from codecall.models import Scripted
from codecall.retrieve import select_tools
from codecall.tools import Tool, load_tools

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "examples" / "eval"


def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def capital_of(country: str) -> str:
    """Return the capital city of a country."""
    return {"france": "Paris"}[country.lower()]


@pytest.mark.parametrize(
    ("answer", "expected", "ok"),
    [(5.0, 5, True), (5.004, 5, True), (6, 5, False), ("paris ", "Paris", True), ([1, "a"], [1, "A"], True),
     ((1, 2), [1, 2], True), ([1], [1, 2], False), (True, True, True), (1, True, False), (None, 5, False)],
)  # fmt: skip
def test_matches(answer: object, expected: object, ok: bool) -> None:
    assert matches(answer, expected) is ok


def test_eval_set_is_well_formed() -> None:
    tasks = load_tasks(EVAL / "tasks.jsonl")
    tools = {t.name for t in load_tools(EVAL / "tools.py")}
    assert len(tasks) >= 60 and len(tools) >= 30
    assert {t.category for t in tasks} == {"single", "choice", "multi", "chain"}
    assert {t.lang for t in tasks} == {"en", "zh"}
    assert sum(t.tools is None for t in tasks) >= 15  # tasks that run with every tool offered
    for task in tasks:
        assert set(task.tools or []) <= tools and set(task.needs) <= tools, task.id


def test_retrieval_finds_the_needed_tools_among_all() -> None:
    tools = load_tools(EVAL / "tools.py")
    for task in load_tasks(EVAL / "tasks.jsonl"):
        if task.tools is None:
            shown = {t.name for t in select_tools(task.task, tools)}
            assert set(task.needs) <= shown, (task.id, shown)


def test_retrieval_matches_a_word_to_a_tool_named_by_another_form_of_it() -> None:
    from codecall.retrieve import terms

    assert terms("calculate")[0] == terms("Calculator")[0]  # Snowball: both "calcul"
    assert terms("meetings")[0] == terms("meeting")[0]


def test_run_eval_side_by_side_with_scripted_models() -> None:
    tasks = [
        EvalTask("a", "What is 2 + 3?", 5, category="single", lang="en"),
        EvalTask("b", "法国的首都是哪里?", "Paris", category="single", lang="zh", tools=["capital_of"]),
    ]
    calling = Scripted([lambda r: "```python\nfinal_answer(add(2, 3))\n```" if "2 + 3" in r.task
                        else '```python\nfinal_answer(capital_of("France"))\n```'])  # fmt: skip
    guessing = Scripted(["The answer is 5."])
    tools = [Tool.from_function(add), Tool.from_function(capital_of)]
    runs = run_eval(tasks, tools, {"calls": calling, "guesses": guessing}, max_steps=2)
    assert [(r.id, r.mode, r.correct) for r in runs] == [
        ("a", "calls", True), ("a", "guesses", False), ("b", "calls", True), ("b", "guesses", False)]  # fmt: skip
    assert runs[2].tools_shown == ["capital_of"]
    summary = summarize(runs)
    assert summary["all"]["calls"]["rate"] == 1.0 and summary["all"]["guesses"]["rate"] == 0.0
    assert summary["lang zh"]["calls"]["total"] == 1
    table = format_summary(summary)
    assert "category single" in table and "calls" in table and "guesses" in table


def test_cli_eval_json_with_scripted_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from codecall.interfaces.cli import main

    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps(["```python\nfinal_answer(add(17, 25))\n```"]))
    code = main(["eval", str(EVAL / "tasks.jsonl"), "--tools", str(EVAL / "tools.py"), "--limit", "1",
                 "--model", f"scripted:{replies}", "--json"])  # fmt: skip
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["all"]["plain"]["ok"] == 1 and len(report["runs"]) == 1


def test_split_and_per_process_runs_are_what_a_user_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--split` keeps one half; `--per-process` runs each task as its own `codecall ask --json` process
    (here with a scripted model, not a language model), offering only the task's tools."""
    from codecall.interfaces.cli import main

    tasks = tmp_path / "tasks.jsonl"
    rows = [{"id": "a", "task": "What is 17 + 25?", "expected": 42, "tools": ["add"], "split": "test"},
            {"id": "b", "task": "What is 2 + 2?", "expected": 4, "tools": ["add"], "split": "dev"}]  # fmt: skip
    tasks.write_text("".join(json.dumps(r) + "\n" for r in rows))
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps({"What is 17 + 25?": "```python\nfinal_answer(add(17, 25))\n```"}))
    argv = ["eval", str(tasks), "--tools", str(EVAL / "tools.py"), "--split", "test", "--modes", "plain",
            "--model", f"scripted:{replies}", "--json"]  # fmt: skip
    assert main([*argv, "--per-process"]) == 0
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    assert (run["id"], run["correct"], run["tools_offered"]) == ("a", True, 1)
    assert run["duration_s"] > run["run_s"] > 0  # the process's wall time holds the run's own
    with pytest.raises(InputError, match="without a dev/test split"):
        load_task_files([EVAL / "tasks.jsonl"], "test")


def test_a_tools_file_can_give_only_some_of_its_tools() -> None:
    assert [t.name for t in load_tools(f"{EVAL / 'tools.py'}:multiply,add")] == ["multiply", "add"]  # as named
    with pytest.raises(ToolDefinitionError, match="no tools named"):
        load_tools(f"{EVAL / 'tools.py'}:nope")
