"""What one execution produced, as an `Execution`: from the `Reply` a kernel session's call collected or
a script session's run (sandbox.host.script_run), the same way for both, so a script's result means the
same whichever session ran it."""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from sandbox.boxes.base import Box
from sandbox.execution import Display, ErrorInfo, Execution, Violation
from sandbox.host.kernel import BoxedKernel, Reply
from sandbox.inside import wire
from sandbox.limits import Limits


def to_execution(reply: Reply, timeout: float | None, limits: Limits,
                 save_display: Callable[[dict], Display]) -> Execution:  # fmt: skip
    """The execution `reply` reports (its result, output, displays); a timeout is the host's own verdict.
    A result that cannot be read marks `reply` as died of a broken message, and the execution as killed."""
    try:
        return _read(reply, timeout, limits, save_display)
    except Exception as error:  # noqa: BLE001 - the result comes from the box: untrusted, never fatal
        reply.died, reply.broken = True, f"a malformed result: {type(error).__name__}: {error}"
        return Execution("killed")


def _read(reply: Reply, timeout: float | None, limits: Limits, save_display: Callable[[dict], Display]) -> Execution:
    result = reply.result or {}
    status = result.get("status", "error")
    execution = Execution(
        status=status,
        stdout=capped("".join(reply.stdout), reply.dropped_output, limits.output),
        stderr="".join(reply.stderr),
        value_repr=result.get("value_repr"),
        value=result.get("value"),
        violations=[Violation(**v) for v in result.get("violations", [])],
        refusals=result.get("refusals", []),
        answer=wire.decode(result.get("answer")),
        answered=result.get("answered", False),
        displays=[save_display(d) for d in reply.displays],
    )
    if result.get("error"):
        execution.error = ErrorInfo(**result["error"])
    elif reply.kernel_error:
        execution.error = ErrorInfo(**reply.kernel_error)
    if reply.timed_out:  # only the host's own interrupt is a timeout; code raising KeyboardInterrupt is an error
        execution.status = "timeout"
        execution.notice = f"interrupted at the time limit of {timeout:g} s; the session keeps its state"
        where = execution.error or ErrorInfo("", "")
        execution.error = ErrorInfo("TimeoutError", f"the step ran longer than {timeout:g} s and was interrupted",
                                    where.traceback, where.line)  # fmt: skip
    elif reply.result is None and not reply.died:
        execution.error = execution.error or ErrorInfo("SandboxError", "the sandbox gave no result")
    return execution


def mark_death(execution: Execution, reply: Reply, box: Box, kernel: BoxedKernel, limits: Limits) -> str:
    """Why the session of a `reply.died` execution is gone, said in `execution` (killed, unless it is a
    timeout), and returned."""
    if reply.broken:
        execution.status = "killed"
        cause = f"the sandbox sent a malformed protocol message ({reply.broken[:200]}), so it was killed"
    elif reply.timed_out:
        cause = "it did not stop when interrupted, so the sandbox was killed"
    elif box.oom_killed(kernel.spec):
        execution.status = "killed"
        cause = f"it exceeded the memory limit of {limits.memory // (1024 * 1024)} MiB"
    else:
        execution.status = "killed"
        tail = kernel.log_tail(2)
        cause = "the sandboxed process died" + (f" ({tail})" if tail else "")
    if execution.status == "killed":
        execution.error = ErrorInfo("SandboxKilled", cause)
    return cause


def artifacts_folder(folder: Path | None) -> Path:
    """Where a session's images go: `folder`, or a temporary folder made for them."""
    folder = folder or Path(tempfile.mkdtemp(prefix="codecall-artifacts-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_display(data: dict, image_path: Callable[[], Path]) -> Display:
    """A display, its PNG image (if any) written to the file `image_path()` names."""
    display = Display({k: v for k, v in data.items() if k != "image/png"})
    if "image/png" in data:
        path = image_path()
        path.write_bytes(base64.b64decode(data["image/png"]))
        display.path = str(path)
    return display


def capped(text: str, dropped: int, limit: int) -> str:
    if not dropped:
        return text
    return text + f"\n[... {dropped} more characters not shown: the output limit is {limit} characters]\n"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    state = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            state[os.path.relpath(path, folder)] = (info.st_mtime_ns, info.st_size)
    return state


def changed(before: dict, after: dict) -> list[str]:
    return sorted(path for path, stamp in after.items() if before.get(path) != stamp)
