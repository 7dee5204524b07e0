"""One script in a session of its own, forked from the template and gone when the script ends, with no
kernel on either side: the light path of `codecall run` (sandbox.inside.script is the session's side).

The session is isolated as a forked kernel session is (the same template, namespaces, view, uid,
cgroups, rlimits, seccomp and lifeline: sandbox.inside.forked_session), the code is checked here and
compiled under the policy there as `Session.execute` does, and the `Execution` is made from what the
session sent by the same function as a kernel session's (sandbox.host.outcome), so a script's result
means the same on both paths. What differs: a script session runs no tools (`codecall run` gives none)
and keeps no state, so a session that died is not restarted; it was ending anyway. And its `duration_s`
includes the session's start (about 15 ms), which a kernel session from a warm pool has made ahead.
"""

from __future__ import annotations

import codecs
import json
import os
import select
import time
from pathlib import Path

from sandbox.boxes.forked import ForkedBox
from sandbox.errors import KernelDied
from sandbox.execution import Execution
from sandbox.host.kernel import BoxedKernel, Reply
from sandbox.host.outcome import artifacts_folder, changed, mark_death, save_display, snapshot, to_execution
from sandbox.host.template import template_for
from sandbox.limits import Limits
from sandbox.policy import Policy
from sandbox.policy.check import check

#: Seconds a session may take from its go to its script's start before it counts as hung.
START_S = 30.0
#: Bytes of result a session may send (its value's repr is capped in the box; an answer may be a frame).
RESULT_LIMIT = 256 * 1024 * 1024


def available(box: ForkedBox) -> bool:
    """Whether scripts can run forked here: not where forking was given up (then they run cold)."""
    return template_for(box).given_up is None


def run_script(box: ForkedBox, code: str, policy: Policy, limits: Limits, timeout: float | None = None,
               artifacts_dir: Path | None = None) -> Execution:  # fmt: skip
    """Check `code`, run it in a fresh script session of `box`, and report everything it produced.
    Raises KernelDied when no session could be forked (the caller may run it in a kernel session)."""
    started = time.perf_counter()
    if policy.check:
        violations = check(code, policy)
        if violations:
            return Execution("blocked", violations=violations, duration_s=time.perf_counter() - started)
    timeout = limits.timeout if timeout is None else timeout
    session = BoxedKernel(box, policy, limits)  # the session's folders, uid and boot arguments
    try:
        before = snapshot(session.work_dir)
        template = template_for(box)
        handle, pipes = template.fork_script(box, session.spec, session.log_path, code, timeout)
        try:
            reply, ran = collect(pipes, timeout, limits)
        finally:
            for pipe in pipes:
                os.close(pipe)
            handle.shutdown_kernel()  # waits until the template says the session is gone
        if not ran and not template.worked:  # no session of this template ever started: fork no more
            said = session.log_tail(1) or "".join(reply.stderr).strip().splitlines()[-1:] or [handle.exit_status]
            reason = f"a script session did not start: {said if isinstance(said, str) else said[0]}"
            template.give_up(reason)
            box.add_notice(f"sessions start cold: {reason}")
            raise KernelDied(reason)
        template.worked = True
        images = _Images(artifacts_dir)
        execution = to_execution(reply, timeout, limits, lambda data: save_display(data, images.next))
        if reply.died:
            execution.notice = f"{mark_death(execution, reply, box, session, limits)}; the script's session ended"
        else:
            execution.files = changed(before, snapshot(session.work_dir))
    finally:
        session.shutdown()
    execution.duration_s = time.perf_counter() - started
    return execution


def collect(pipes: list[int], timeout: float | None, limits: Limits) -> tuple[Reply, bool]:
    """Read the session's stdout, stderr (each kept up to the output limit) and result until it closes
    them all, or until the time limit and its grace are past (then it is killed: `died`); and whether the
    script started."""
    out, err, result_pipe = pipes
    reply, payload, started = Reply(), bytearray(), False
    streams = {out: (reply.stdout, codecs.getincrementaldecoder("utf-8")("replace")),
               err: (reply.stderr, codecs.getincrementaldecoder("utf-8")("replace"))}  # fmt: skip
    budget = {out: limits.output, err: limits.output}
    deadline = time.monotonic() + START_S
    open_ = set(pipes)
    while open_:
        left = deadline - time.monotonic()
        readable = select.select(list(open_), [], [], max(left, 0))[0] if left > 0 else []
        if not readable:
            reply.died, reply.timed_out = True, started
            break
        for fd in readable:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                open_.discard(fd)
            elif fd != result_pipe:
                kept, decoder = streams[fd]
                budget[fd] = _keep(reply, kept, decoder.decode(chunk), budget[fd])
            elif not started:
                started, payload = True, payload + chunk[1:]
                if timeout is not None:
                    deadline = time.monotonic() + timeout + limits.interrupt_grace
                else:
                    deadline = float("inf")
            elif len(payload) + len(chunk) > RESULT_LIMIT:
                reply.died, reply.broken = True, f"a result of more than {RESULT_LIMIT} bytes"
                return reply, started
            else:
                payload += chunk
    for fd, (kept, decoder) in streams.items():
        budget[fd] = _keep(reply, kept, decoder.decode(b"", final=True), budget[fd])
    if not reply.died:
        _read_result(reply, bytes(payload))
    return reply, started


def _read_result(reply: Reply, payload: bytes) -> None:
    """The session's result into `reply`: none at all means the session died before it could send one."""
    if not payload:
        reply.died = True
        return
    try:
        result = json.loads(payload)
        reply.timed_out = result.pop("timed_out") is True
        reply.displays = [d for d in result.pop("displays") if isinstance(d, dict)]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        reply.died, reply.broken = True, f"a malformed result: {type(error).__name__}: {error}"
        return
    reply.result = result


def _keep(reply: Reply, kept: list[str], text: str, budget: int) -> int:
    """Keep what fits of `text` in the budget (the rest counts as dropped, as a kernel session's does)."""
    if text:
        kept.append(text[: max(budget, 0)])
        reply.dropped_output += max(0, len(text) - max(budget, 0))
    return budget - len(text)


class _Images:
    """Where a script's images go: `artifacts_dir`, or a folder made for them when the first one comes."""

    def __init__(self, folder: Path | None) -> None:
        self.folder, self.count = folder, 0

    def next(self) -> Path:
        self.folder = artifacts_folder(self.folder)
        self.count += 1
        return self.folder / f"image-1-{self.count}.png"
