"""Batch model tasks: one JSON object a line in, one result row a line out, resumable after a crash.

Input rows: `id` (string or integer), `task`, optional `tools` (a tools module, or a list), `data` (a
file, or a list) and `mcp` (an MCP server's command line or URL, or a list: each set starts once per worker),
paths relative to the tasks file; or, run without a model, `id` and `script` (a Python file, relative to
the tasks file) or `code` (the code itself). Every input line gets exactly one result row, a
`RunRecord`: a row about a task carries its `id`; a row about an input line that names no usable task (not
JSON, no valid id, a duplicate id) carries the extra key `line` as well (and `id` null, or the duplicate's).
A rerun skips the ids and lines the results file already has, so an interrupted batch picks up where it
stopped. The workers that run the tasks (threads here, or Ray actors) are in `codecall.interfaces.workers`.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codecall.errors import InputError
from codecall.interfaces.workers import Row, run_local, run_ray
from codecall.result import SUCCESS_STATUSES, RunRecord


@dataclass
class Plan:
    """A tasks file against a results file: what is already done, what to report, what to run."""

    total: int  #: input lines (blank lines excluded), so result rows when the batch is complete
    done: int  #: of them, rows the results file already has
    rejected: list[RunRecord] = field(default_factory=list)  #: for bad lines and tasks, written without running
    tasks: list[Row] = field(default_factory=list)  #: {"id", "task", "tools", "data", "mcp"} still to run


def read_results(path: Path) -> tuple[set[Any], set[int], Counter[str]]:
    """The ids and input lines `path` already has rows for, and their statuses; a torn last line (a crash
    in mid-write) is cut off so the file stays one JSON object a line."""
    ids: set[Any] = set()
    lines: set[int] = set()
    statuses: Counter[str] = Counter()
    if not path.exists():
        return ids, lines, statuses
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        with path.open("r+b") as handle:
            handle.truncate(len(data))
    for text in data.decode("utf-8", errors="replace").splitlines():
        try:
            row = json.loads(text)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("line"), int):
            lines.add(row["line"])
        elif isinstance(row, dict) and _valid_id(row.get("id")):
            ids.add(row["id"])
        else:
            continue
        statuses[str(row.get("status"))] += 1
    return ids, lines, statuses


def plan_batch(tasks_path: Path, results_path: Path) -> tuple[Plan, Counter[str]]:
    """Read the tasks file, check each line, and leave out what `results_path` already has."""
    done_ids, done_lines, statuses = read_results(results_path)
    plan = Plan(total=0, done=0)
    first_line: dict[Any, int] = {}
    for number, text in enumerate(tasks_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        plan.total += 1
        row, problem = _parse_line(text)
        key = row.get("id") if row is not None else None
        if problem is None and key in first_line:
            problem = f"duplicate id {key!r} (first on line {first_line[key]})"
        if problem is not None:
            if number in done_lines:
                plan.done += 1
            else:
                plan.rejected.append(RunRecord.failure(problem, id=key, task=_task_text(row), line=number))
            continue
        first_line[key] = number
        if key in done_ids:
            plan.done += 1
            continue
        task, trouble = _task_of(row)
        if trouble:
            plan.rejected.append(RunRecord.failure(trouble, id=key, task=_task_text(row)))
        else:
            plan.tasks.append(task)
    return plan, statuses


def _valid_id(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _task_text(row: Row | None) -> str | None:
    """The row's task (or script), for its record, where it is text."""
    task = row.get("task", row.get("script")) if row is not None else None
    return task if isinstance(task, str) else None


def _parse_line(text: str) -> tuple[Row | None, str | None]:
    """The line's object and the reason it cannot name a task, if any."""
    try:
        row = json.loads(text)
    except ValueError as error:
        return None, f"not JSON: {error}"
    if not isinstance(row, dict):
        return None, f"expected a JSON object, got {type(row).__name__}"
    if not _valid_id(row.get("id")):
        return None, "missing or invalid 'id' (a string or integer)"
    return row, None


def _task_of(row: Row) -> tuple[Row, str | None]:
    """The task to run (paths as written), or why the row is not one."""
    if "code" in row or "script" in row:
        key = "code" if "code" in row else "script"
        if not isinstance(row[key], str) or not row[key].strip():
            return row, f"'{key}' must be a non-empty string"
        return {"id": row["id"], key: row[key]}, None
    task = row.get("task")
    if not isinstance(task, str) or not task.strip():
        return row, "missing 'task' (a non-empty string)"
    lists = {}
    for name, what in (("tools", "a path"), ("data", "a path"), ("mcp", "an MCP server (command line or URL)")):
        value = row.get(name, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return row, f"'{name}' must be {what} or a list of them"
        lists[name] = value
    return {"id": row["id"], "task": task, **lists}, None


class ResultsFile:
    """Appends rows to a JSONL file, each flushed and fsynced before the next, so a crash loses none."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("a", encoding="utf-8")

    def write(self, record: RunRecord) -> None:
        self.handle.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        self.handle.close()


@dataclass
class Summary:
    """What a batch run did: statuses over the whole results file, and the pace of this run."""

    statuses: Counter[str]
    total: int
    resumed: int  #: rows the results file already had
    ran: int  #: rows this run wrote
    duration_s: float

    @property
    def failed(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in SUCCESS_STATUSES)

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in self.statuses.most_common())
        rate = self.ran / self.duration_s if self.duration_s > 0 else 0.0
        resumed = f"; {self.resumed} were already done" if self.resumed else ""
        return (f"{sum(self.statuses.values())}/{self.total} rows: {counts or 'none'}{resumed}; this run wrote "
                f"{self.ran} in {self.duration_s:.1f} s ({rate:.2f} tasks/s)")  # fmt: skip


def run_batch(
    tasks_path: str | Path,
    results_path: str | Path,
    *,
    jobs: int = 1,
    executor: str = "local",
    ray_address: str | None = None,
    progress: bool = True,
    **options: Any,
) -> Summary:
    """Run every task of `tasks_path` not yet in `results_path`, appending one row per input line as each
    finishes. `options` go to each Worker (model, backend, limits, policy, max_steps)."""
    tasks_path, results_path = Path(tasks_path), Path(results_path)
    plan, statuses = plan_batch(tasks_path, results_path)
    folder = tasks_path.parent.resolve()
    inside = results_path.resolve().is_relative_to(folder)
    excludes = [str(results_path.resolve().relative_to(folder))] if inside else []
    return run_plan(plan, statuses, results_path, jobs=jobs, executor=executor, ray_address=ray_address,
                    progress=progress, folder=folder, excludes=excludes, **options)  # fmt: skip


def run_plan(
    plan: Plan,
    statuses: Counter[str],
    results_path: Path | None,
    *,
    jobs: int = 1,
    executor: str = "local",
    ray_address: str | None = None,
    progress: bool = True,
    folder: Path | None = None,
    excludes: list[str] | None = None,
    on_record: Callable[[RunRecord], None] | None = None,
    **options: Any,
) -> Summary:
    """Run a plan, appending each row to `results_path` (if any) and passing it to `on_record` as it comes.
    Relative paths in the tasks resolve in `folder` (shipped to Ray workers, less `excludes`)."""
    started = time.perf_counter()
    results = ResultsFile(results_path) if results_path is not None else None
    ran = 0
    rows = _rows(plan, jobs, executor, ray_address, options, folder, excludes or [])
    with _Progress(plan.total, plan.done, statuses, enabled=progress) as bar, closing(rows):
        try:
            for record in rows:
                if results is not None:
                    results.write(record)
                if on_record is not None:
                    on_record(record)
                statuses[record.status] += 1
                ran += 1
                bar.advance(not record.ok)
        finally:
            if results is not None:
                results.close()
    return Summary(statuses, plan.total, plan.done, ran, time.perf_counter() - started)


def _rows(plan: Plan, jobs: int, executor: str, ray_address: str | None, options: dict[str, Any],
          folder: Path | None, excludes: list[str]) -> Iterator[RunRecord]:  # fmt: skip
    """The rejected rows first, then the run tasks' rows as they finish; the executor is closed on exit."""
    yield from plan.rejected
    if not plan.tasks:
        return
    jobs = max(1, jobs)
    if executor == "local":
        rows = run_local(plan.tasks, jobs, {**options, "base": str(folder) if folder else None})
    elif executor == "ray":
        rows = run_ray(plan.tasks, jobs, options, address=ray_address, working_dir=folder, excludes=excludes)
    else:
        raise InputError(f"unknown executor {executor!r} (local or ray)")
    with closing(rows):
        yield from rows


class _Progress:
    """A progress bar on stderr: done of total, failed, rate and ETA."""

    def __init__(self, total: int, done: int, statuses: Counter[str], *, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        failed = sum(n for status, n in statuses.items() if status not in SUCCESS_STATUSES)
        columns = [TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TextColumn("failed {task.fields[failed]}"),
                   TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn()]  # fmt: skip
        self.progress = Progress(*columns, console=Console(stderr=True), disable=not enabled)
        self.task = self.progress.add_task("batch", total=total, completed=done, failed=failed, rate="")
        self.failed, self.ran, self.started = failed, 0, time.perf_counter()

    def advance(self, failed: bool) -> None:
        self.failed += failed
        self.ran += 1
        rate = self.ran / max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(self.task, advance=1, failed=self.failed, rate=f"{rate:.2f} tasks/s")

    def __enter__(self) -> _Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()
