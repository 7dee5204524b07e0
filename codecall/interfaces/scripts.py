"""Batch script execution (`codecall run`): each script runs under the full policy in a fresh session, as a
batch: through the engine of `codecall batch` (one row per script, appended and fsynced to a results file
when one is given, resume, progress, the local or Ray executor), with no model.

A script's row is keyed by its path as given; a script that cannot be read gets its error row without
running, and a path given twice gets one (`line`: its position) for the repeat.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from codecall.interfaces.batch import Plan, Summary, read_results, run_plan
from codecall.result import RunRecord
from sandbox import Limits, Policy

#: The default backend of `codecall run`: sessions forked from a template (cold where none can run).
DEFAULT_BACKEND = "fork"


def default_jobs() -> int:
    """Scripts run at once by default: twice the cores this process may use, since a session spends part
    of its start waiting on another process (bench/batch_throughput.py: on 2 cores, -j 4 and 8 beat -j 2)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 * cores


def plan_scripts(paths: Sequence[str | Path], results_path: Path | None) -> tuple[Plan, Counter[str]]:
    """The scripts against the results file: read each one not yet done (on this machine, so the workers,
    here or on Ray, need no files), and report the unreadable and the repeated ones without running them."""
    done_ids, done_lines, statuses = read_results(results_path) if results_path else (set(), set(), Counter())
    plan = Plan(total=len(paths), done=0)
    first: dict[str, int] = {}
    for number, path in enumerate(paths, start=1):
        script = str(path)
        if script in first:
            if number in done_lines:
                plan.done += 1
            else:
                plan.rejected.append(RunRecord.failure(f"the script {script!r} is given twice (first as number "
                                                       f"{first[script]})", id=script, task=script, line=number,
                                                       stdout="", stderr=""))  # fmt: skip
            continue
        first[script] = number
        if script in done_ids:
            plan.done += 1
            continue
        try:
            code = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            plan.rejected.append(RunRecord.failure(f"cannot read the script: {error}", id=script, task=script,
                                                   stdout="", stderr=""))  # fmt: skip
            continue
        plan.tasks.append({"id": script, "script": script, "code": code})
    return plan, statuses


def run_scripts(
    paths: Sequence[str | Path],
    *,
    results_path: str | Path | None = None,
    backend: str = DEFAULT_BACKEND,
    jobs: int | None = None,
    executor: str = "local",
    ray_address: str | None = None,
    progress: bool = False,
    policy: Policy | None = None,
    limits: Limits | None = None,
    on_record: Callable[[RunRecord], None] | None = None,
) -> Summary:
    """Run each script not yet in `results_path` in its own clean session, `jobs` at a time (default: the
    cores); each record goes to `results_path` (appended, fsynced) and to `on_record` as it finishes."""
    results = Path(results_path) if results_path is not None else None
    plan, statuses = plan_scripts(paths, results)
    return run_plan(plan, statuses, results, jobs=jobs or default_jobs(), executor=executor,
                    ray_address=ray_address, progress=progress, on_record=on_record, backend=backend,
                    policy=policy or Policy(), limits=limits or Limits())  # fmt: skip
