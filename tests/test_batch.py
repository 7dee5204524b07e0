"""`codecall batch`: one row per input line, bad rows reported, resumable after SIGKILL, the same rows on Ray.

The batch tests use a scripted model (canned replies by task text, not a language model): the point is the
batch machinery; one small batch runs on the real bundled model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from codecall.errors import ModelError
from codecall.interfaces.batch import plan_batch, read_results, run_batch
from codecall.models import Scripted, resolve_model
from codecall.prompt import opening_request

from .conftest import TEST_LIMITS

TOOLS = '''from codecall import tool


@tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b
'''


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


def make_batch(folder: Path, size: int) -> dict:
    """Write tasks.jsonl (`size` lines, ten of them bad), its tools, data and scripted replies; return the
    expected (status, answer) by result key: ("id", id) for a task, ("line", n) for a bad input line."""
    (folder / "tools.py").write_text(TOOLS)
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "nums.csv").write_text("x,y\n1,2\n3,4\n")
    bad = [
        ("{not json", ("line", "error", None)),
        ("[1, 2]", ("line", "error", None)),
        (json.dumps({"task": "no id here"}), ("line", "error", None)),
        (json.dumps({"id": "t0", "task": "add 0 and 1"}), ("line", "error", None)),  # a duplicate id
        (json.dumps({"id": "no-task"}), ("id", "error", None)),
        (json.dumps({"id": "no-tools", "task": "add 0 and 1", "tools": "missing.py"}), ("id", "error", None)),
        (json.dumps({"id": "no-data", "task": "sum x times 1", "data": ["data/missing.csv"]}), ("id", "error", None)),
        (json.dumps({"id": "raises", "task": "divide by zero"}), ("id", "max_steps", None)),
        (json.dumps({"id": "blocked", "task": "list the files"}), ("id", "max_steps", None)),
        (json.dumps({"id": "unscripted", "task": "a task the model has no reply for"}), ("id", "error", None)),
    ]
    replies: dict[str, str | list[str]] = {
        "divide by zero": fenced("print(1 / 0)"),
        "list the files": fenced("import subprocess\nfinal_answer(subprocess.run(['ls', '/']))"),
    }
    good = []
    for i in range(size - len(bad)):
        if i % 3 == 0:
            task = f"add {i} and 1"
            row, answer = {"id": f"t{i}", "task": task, "tools": "tools.py"}, float(i + 1)
            replies[task] = fenced(f"final_answer(add({i}, 1))")
        elif i % 3 == 1:
            task = f"sum x times {i}"
            row, answer = {"id": f"t{i}", "task": task, "data": ["data/nums.csv"]}, 4 * i
            replies[task] = fenced(f"final_answer(int(nums['x'].sum()) * {i})")
        else:  # two steps: state persists between them
            task = f"square {i}"
            row, answer = {"id": i, "task": task}, i * i
            replies[task] = [fenced(f"y = {i} * {i}\nprint(y)"), fenced("final_answer(y)")]
        good.append((json.dumps(row), ("id", "answered", answer)))
    lines = good[:]
    for index, item in enumerate(bad):  # spread the bad rows over the file
        lines.insert(len(lines) * index // len(bad) + index, item)
    (folder / "tasks.jsonl").write_text("\n".join(text for text, _ in lines) + "\n")
    (folder / "replies.json").write_text(json.dumps(replies))
    expected = {}
    for number, (text, (kind, status, answer)) in enumerate(lines, start=1):
        key = ("line", number) if kind == "line" else ("id", json.loads(text)["id"])
        expected[key] = (status, answer)
    return expected


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def key_of(row: dict) -> tuple:
    return ("line", row["line"]) if "line" in row else ("id", row["id"])


def check_rows(rows: list[dict], expected: dict) -> None:
    """Exactly one row per input line, each with the expected status and answer."""
    keys = [key_of(row) for row in rows]
    assert len(keys) == len(set(keys)), "a row was written twice"
    assert set(keys) == set(expected)
    for row in rows:
        assert {"status", "answer", "error", "steps", "duration_s"} <= set(row)
        status, answer = expected[key_of(row)]
        assert (row["status"], row["answer"]) == (status, answer), row
        assert (row["error"] is not None) == (status != "answered"), row


def cli(folder: Path, results: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "codecall", "batch", str(folder / "tasks.jsonl"), "-o", str(folder / results),
            "--model", f"scripted:{folder / 'replies.json'}", "--max-steps", "2", *extra]  # fmt: skip


def test_scripted_replies_by_task_and_step(tmp_path: Path) -> None:
    spec = tmp_path / "replies.json"
    spec.write_text(json.dumps({"a": ["one", "two"], "a b": "three"}))
    model = resolve_model(f"scripted:{spec}")
    assert isinstance(model, Scripted)
    first = opening_request("a", [])
    assert model.generate(first).text == "one"
    followed = [*first.messages, {"role": "assistant", "content": "x"}, {"role": "user", "content": "seen"}]
    assert model.generate(replace(first, messages=followed)).text == "two"
    assert model.generate(opening_request("a b", [])).text == "three"
    with pytest.raises(ModelError, match="no scripted reply"):
        model.generate(opening_request("c", []))
    spec.write_text(json.dumps(["first", "second"]))
    assert [resolve_model(f"scripted:{spec}").generate(first).text for _ in range(2)] == ["first", "first"]


def test_plan_reports_bad_lines_and_skips_done_ones(tmp_path: Path) -> None:
    tasks, results = tmp_path / "tasks.jsonl", tmp_path / "results.jsonl"
    tasks.write_text('{"id": 1, "task": "a"}\n\nnot json\n{"id": 1, "task": "b"}\n{"id": "x", "task": "c", '
                     '"tools": 3}\n{"id": 2, "task": "d", "data": "f.csv"}\n')  # fmt: skip
    results.write_text('{"id": 1, "status": "answered"}\n{"line": 3, "status": "error"}\n{"id": 2, "sta')
    plan, statuses = plan_batch(tasks, results)
    assert results.read_text().endswith('error"}\n')  # the torn last row is cut off
    assert (plan.total, plan.done, statuses) == (5, 2, {"answered": 1, "error": 1})
    assert [(r.extra.get("line"), r.id, r.task, r.error[:12]) for r in plan.rejected] == [
        (4, 1, "b", "duplicate id"), (None, "x", "c", "'tools' must")]  # fmt: skip
    assert plan.tasks == [{"id": 2, "task": "d", "tools": [], "data": ["f.csv"], "mcp": []}]
    assert read_results(tmp_path / "none.jsonl") == (set(), set(), {})


def kill_halfway(argv: list[str], results: Path, total: int) -> str:
    """Run the CLI `argv`, SIGKILL it (its whole process group) once half of the `total` rows are in
    `results`, and return the complete rows written by then."""
    process = subprocess.Popen(argv, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and results.read_text().count("\n") >= total // 2:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the batch ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = results.read_text()
    written = before[: before.rfind("\n") + 1]
    assert total // 2 <= written.count("\n") < total
    return written


def test_200_tasks_killed_halfway_then_resumed(tmp_path: Path) -> None:
    """SIGKILL the CLI once about half the rows are written; the rerun neither loses nor redoes a row."""
    expected = make_batch(tmp_path, 200)
    results = tmp_path / "results.jsonl"
    written = kill_halfway(cli(tmp_path, "results.jsonl", "-j", "2"), results, 200)

    rerun = subprocess.run(cli(tmp_path, "results.jsonl", "-j", "2"), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 1, rerun.stderr  # 1: some rows failed (the bad ones)
    assert results.read_text().startswith(written)  # nothing written before the kill was lost or rewritten
    check_rows(rows_of(results), expected)
    assert "200/200 rows" in rerun.stderr and "were already done" in rerun.stderr

    again = subprocess.run(cli(tmp_path, "results.jsonl"), capture_output=True, text=True, timeout=120)
    assert "wrote 0" in again.stderr and len(rows_of(results)) == 200


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[dict]]:
    """A 14-line batch (ten bad lines among them) run by the local executor: the reference rows."""
    folder = tmp_path_factory.mktemp("small")
    expected = make_batch(folder, 14)
    summary = run_batch(folder / "tasks.jsonl", folder / "local.jsonl", jobs=2, progress=False, max_steps=2,
                        model=f"scripted:{folder / 'replies.json'}", limits=TEST_LIMITS)  # fmt: skip
    assert summary.ran == 14 and summary.failed == 10
    return folder, expected, rows_of(folder / "local.jsonl")


def test_local_executor_rows(small_batch: tuple[Path, dict, list[dict]]) -> None:
    _, expected, rows = small_batch
    check_rows(rows, expected)


def test_ray_executor_gives_the_same_rows(small_batch: tuple[Path, dict, list[dict]]) -> None:
    pytest.importorskip("ray")
    folder, expected, local = small_batch
    started = time.perf_counter()
    summary = run_batch(folder / "tasks.jsonl", folder / "ray.jsonl", jobs=2, executor="ray", progress=False,
                        max_steps=2, model=f"scripted:{folder / 'replies.json'}", limits=TEST_LIMITS)  # fmt: skip
    print(f"ray batch of 14 rows: {time.perf_counter() - started:.1f} s")
    remote = rows_of(folder / "ray.jsonl")
    check_rows(remote, expected)
    same = ("status", "answer", "steps")
    assert {key_of(r): [r[k] for k in same] for r in remote} == {key_of(r): [r[k] for k in same] for r in local}
    assert summary.ran == 14


@pytest.mark.model
def test_small_batch_on_the_bundled_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real model through the batch: loaded once for both workers, a real run per task. Whether a
    135M model gets the sums right is not what this checks."""
    import codecall.interfaces.workers

    loads = []
    monkeypatch.setattr(codecall.interfaces.workers, "resolve_model",
                        lambda spec: loads.append(spec) or resolve_model(spec))  # fmt: skip
    (tmp_path / "tools.py").write_text(TOOLS)
    tasks = [{"id": f"q{i}", "task": f"What is {a} + {b}?", "tools": "tools.py"}
             for i, (a, b) in enumerate([(2, 3), (10, 32), (7, 8)])]  # fmt: skip
    (tmp_path / "tasks.jsonl").write_text("".join(json.dumps(t) + "\n" for t in tasks))
    run_batch(tmp_path / "tasks.jsonl", tmp_path / "results.jsonl", jobs=2, progress=False, max_steps=2,
              limits=TEST_LIMITS)  # fmt: skip
    rows = rows_of(tmp_path / "results.jsonl")
    print("bundled model:", [(r["id"], r["status"], r["answer"]) for r in rows])
    assert loads == [None]
    assert sorted(r["id"] for r in rows) == ["q0", "q1", "q2"]
    assert all(r["status"] != "error" and r["steps"] >= 1 and r["tokens"] > 0 for r in rows), rows
