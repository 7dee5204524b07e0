"""Batch script execution: each script runs under the full policy in a fresh session of a warm pool."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from sandbox import Execution, Limits, Policy, WarmPool
from sandbox.errors import SandboxError


@dataclass
class ScriptResult:
    """One script's outcome, as `codecall run --json` prints it."""

    script: str
    status: str
    stdout: str
    stderr: str
    error: str | None
    duration_s: float

    @classmethod
    def from_execution(cls, script: str, execution: Execution) -> ScriptResult:
        return cls(script, execution.status, execution.stdout, execution.stderr, _error_text(execution),
                   round(execution.duration_s, 4))  # fmt: skip

    def to_json(self) -> dict:
        return asdict(self)


def _error_text(execution: Execution) -> str | None:
    if execution.violations:
        return "; ".join(str(v) for v in execution.violations)
    if execution.error:
        text = str(execution.error)
        return f"{text} [{execution.notice}]" if execution.notice else text
    return None


def run_scripts(
    paths: Sequence[str | Path],
    *,
    backend: str = "kernel",
    jobs: int = 1,
    policy: Policy | None = None,
    limits: Limits | None = None,
) -> Iterator[ScriptResult]:
    """Run each script in its own clean session, `jobs` at a time; results come in input order."""
    policy, limits = policy or Policy(), limits or Limits()
    with WarmPool(backend, policy=policy, limits=limits, size=max(1, jobs)) as pool:

        def run_one(path: str | Path) -> ScriptResult:
            try:
                code = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                return ScriptResult(str(path), "error", "", "", f"cannot read the script: {error}", 0.0)
            try:
                with pool.session() as session:
                    return ScriptResult.from_execution(str(path), session.execute(code))
            except SandboxError as error:  # a box that failed to start costs this script, not the batch
                return ScriptResult(str(path), "error", "", "", f"sandbox: {error}", 0.0)

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as executor:
            yield from executor.map(run_one, paths)
