"""Batch script execution: each script runs under the full policy in a fresh session of a warm pool."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from codecall.result import RunRecord
from sandbox import Limits, Policy, SandboxError, WarmPool


def run_scripts(
    paths: Sequence[str | Path],
    *,
    backend: str = "kernel",
    jobs: int = 1,
    policy: Policy | None = None,
    limits: Limits | None = None,
) -> Iterator[RunRecord]:
    """Run each script in its own clean session, `jobs` at a time; records (id and task: the script's path,
    with its `stdout` and `stderr`) come in input order."""
    policy, limits = policy or Policy(), limits or Limits()
    with WarmPool(backend, policy=policy, limits=limits, size=max(1, jobs)) as pool:

        def run_one(path: str | Path) -> RunRecord:
            script = str(path)
            try:
                code = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                return RunRecord.failure(f"cannot read the script: {error}", id=script, task=script, stdout="",
                                         stderr="")  # fmt: skip
            try:
                with pool.session() as session:
                    return RunRecord.from_execution(session.execute(code), id=script, task=script)
            except SandboxError as error:  # a box that failed to start costs this script, not the batch
                return RunRecord.failure(f"sandbox: {error}", id=script, task=script, stdout="", stderr="")

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as executor:
            yield from executor.map(run_one, paths)
