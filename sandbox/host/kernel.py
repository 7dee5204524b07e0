"""One running kernel inside a box, seen from the host: start it, send it a call, collect what it said.

It knows the Jupyter protocol and the box's life cycle, nothing about policies or results; `Session`
turns what it collects into an `Execution`. jupyter_client's KernelManager does the launching, the
interrupts (message mode: no signals cross the box) and the shutdown; the box only supplies the command.
"""

from __future__ import annotations

import functools
import os
import queue
import shutil
import time
from dataclasses import dataclass, field
from typing import Any

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec

from sandbox.boxes.base import WORK_DIR_IN_BOX, Box, BoxSpec
from sandbox.errors import KernelDied
from sandbox.host.bridge import ToolBridge
from sandbox.host.host_process import HOST_PROCESS
from sandbox.inside.wire import RESULT_MIME
from sandbox.limits import Limits
from sandbox.policy import Policy


@dataclass
class Reply:
    """What the kernel sent for one call, until it went idle (or died, or ran out of time)."""

    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    displays: list[dict] = field(default_factory=list)
    result: dict | None = None
    kernel_error: dict | None = None  #: an error outside the runtime (the kernel's own)
    timed_out: bool = False
    died: bool = False  #: the kernel is gone, or can no longer be trusted (see `broken`)
    broken: str | None = None  #: the box sent a message that is not valid Jupyter protocol
    dropped_output: int = 0


class BoxedKernel:
    """A kernel in a box, with its own session folder, work folder, uid and tool bridge."""

    def __init__(self, box: Box, policy: Policy, limits: Limits) -> None:
        self.box, self.policy, self.limits = box, policy, limits
        self.id = HOST_PROCESS.new_id()
        self.uid = HOST_PROCESS.next_uid()
        folder = HOST_PROCESS.root() / self.id
        self.session_dir, self.work_dir = folder / "run", folder / "work"
        for path in (folder, self.session_dir, self.work_dir):
            path.mkdir(mode=0o700)
            os.chown(path, self.uid, self.uid)
        folder.chmod(0o711)
        self.spec = BoxSpec(self.id, self.session_dir, self.work_dir, self.uid, self._boot_args())
        self.manager: KernelManager | None = None
        self.log_path = folder / "kernel.log"
        self.client = None
        self.started_at = 0.0

    def _boot_args(self) -> dict:
        limits = self.limits
        return {
            "connection_file": str(self.session_dir / "kernel.json"),
            "uid": self.uid,
            "gid": self.uid,
            "rlimits": {
                "memory": _address_space(limits),
                "cpu_time": limits.cpu_time,
                "processes": limits.processes,
                "open_files": limits.open_files,
                "file_size": limits.file_size,
            },
            "seccomp": True,
            "policy": self.policy.to_json(),
            "bridge": str(self.session_dir / "bridge.sock"),
            "work_dir": WORK_DIR_IN_BOX,
            "lifeline": HOST_PROCESS.lifeline() if self.box.inherits_lifeline else None,
        }

    @functools.cached_property
    def bridge(self) -> ToolBridge:
        """The session's tool bridge, made when a tool is first registered: a session without tools (a
        script's) needs no socket and thread for one."""
        return ToolBridge(str(self.session_dir / "bridge.sock"))

    # -- life cycle -------------------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> BoxedKernel:
        if self.box.forks and self._start_forked(timeout):
            return self
        self.manager = self._start_cold()
        try:
            self._connect(timeout)
        except RuntimeError as error:
            log = self.log_tail(8)
            self.shutdown()
            raise KernelDied(f"the sandboxed kernel did not start: {error}\n{log}") from error
        return self

    def _start_forked(self, timeout: float) -> bool:
        """Start forked from the box's template; False (with a notice) where it cannot, so a cold start
        follows. A template none of whose sessions ever started (say, no mount rights in its box) is given
        up on for good; one that has worked is kept (a session can fail to start for its own reasons)."""
        from sandbox.host.template import template_for

        template = template_for(self.box)
        try:
            self.manager = template.fork(self.box, self.spec, self.log_path)
            self._connect(timeout)
        except (KernelDied, RuntimeError) as error:
            reason = f"{str(error).splitlines()[0]} {self.log_tail(1)}".strip()
            self._stop_kernel()
            self.box.cleanup(self.spec)
            template.give_up(reason)
            self.box.add_notice(f"sessions start cold: {reason}")
            return False
        template.worked = True
        return True

    def _connect(self, timeout: float) -> None:
        client = self.manager.blocking_client()
        client.start_channels(hb=False)  # the kernel runs none (sandbox.inside.kernel_app); alive() watches it
        self.client = client
        wait_until_ready(client, self.manager, timeout)
        self.started_at = time.monotonic()

    def _start_cold(self) -> KernelManager:
        manager = KernelManager(transport="ipc", ip=str(self.session_dir / "ipc"))
        manager.connection_file = str(self.spec.connection_file)
        manager._kernel_spec = KernelSpec(
            argv=self.box.command(self.spec),
            display_name="codecall",
            language="python",
            interrupt_mode="message",
            env={},
        )
        # written (and made readable to the kernel's uid) before the kernel starts: chmod after the launch
        # raced a kernel that came up first (EACCES on kernel.json) whenever this thread was held up
        manager.write_connection_file()
        os.chmod(self.spec.connection_file, 0o644)
        with open(self.log_path, "wb") as log:  # the kernel's own fd output: startup noise, crashes
            lifeline = self.spec.boot["lifeline"]
            manager.start_kernel(stdout=log, stderr=log, pass_fds=() if lifeline is None else (lifeline,))
        return manager

    def alive(self) -> bool:
        return self.manager is not None and self.manager.is_alive()

    def interrupt(self) -> None:
        if self.manager is not None:
            try:
                self.manager.interrupt_kernel()
            except RuntimeError:
                pass

    def log_tail(self, lines: int = 5) -> str:
        """The last lines the kernel process wrote outside the protocol (why it died, often)."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def shutdown(self) -> None:
        """Stop the kernel at once and remove everything of it, host folders included."""
        self._stop_kernel()
        if "bridge" in self.__dict__:
            self.bridge.close()
        self.box.cleanup(self.spec)
        shutil.rmtree(self.session_dir.parent, ignore_errors=True)

    def _stop_kernel(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.manager is not None:
            try:
                self.manager.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - already dead is fine
                pass
            self.manager = None

    # -- calls ------------------------------------------------------------------------------------
    def call(self, code: str, timeout: float | None, output_limit: int) -> Reply:
        """Execute `code` in the kernel's own namespace and collect its messages until idle.

        On timeout the kernel is interrupted and given `interrupt_grace` seconds to settle; the reply
        then says timed_out (and died, if it had to be killed)."""
        if self.client is None:
            raise KernelDied("the kernel is not running")
        self._drain_shell()
        msg_id = self.client.execute(code, silent=True, store_history=False, allow_stdin=False)
        reply = Reply()
        budget = {"stdout": output_limit, "stderr": output_limit}
        deadline = None if timeout is None else time.monotonic() + timeout
        interrupted_at: float | None = None
        while True:
            now = time.monotonic()
            if interrupted_at is None and deadline is not None and now > deadline:
                reply.timed_out = True
                interrupted_at = now
                self.interrupt()
            if interrupted_at is not None and now - interrupted_at > self.limits.interrupt_grace:
                reply.died = True
                return reply
            try:
                message = self.client.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                if not self.alive():
                    reply.died = True
                    return reply
                continue
            except Exception as error:  # noqa: BLE001 - what the box sends is untrusted: never crash on it
                reply.died, reply.broken = True, f"{type(error).__name__}: {error}"
                return reply
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                name = "stdout" if content["name"] == "stdout" else "stderr"
                text = content["text"]
                if budget[name] <= 0:
                    reply.dropped_output += len(text)
                    continue
                getattr(reply, name).append(text[: budget[name]])
                reply.dropped_output += max(0, len(text) - budget[name])
                budget[name] -= len(text)
            elif kind in ("display_data", "execute_result"):
                data = content.get("data", {})
                if RESULT_MIME in data:
                    reply.result = data[RESULT_MIME]
                else:
                    reply.displays.append(data)
            elif kind == "error":
                reply.kernel_error = {"type": content["ename"], "message": content["evalue"]}
            elif kind == "status" and content["execution_state"] == "idle":
                return reply

    def _drain_shell(self) -> None:
        while True:
            try:
                self.client.get_shell_msg(timeout=0)
            except queue.Empty:
                return
            except Exception:  # noqa: BLE001 - a malformed reply is dropped; iopub decides the outcome
                continue

    def runtime_call(self, method: str, *args: Any, timeout: float = 60.0) -> dict:
        """Call a method of the in-box runtime and return its result message."""
        reply = self.call(f"_codecall_.{method}({', '.join(repr(a) for a in args)})", timeout, 1 << 20)
        if reply.result is None:
            detail = reply.kernel_error or "".join(reply.stderr) or "no result"
            raise KernelDied(f"the sandbox runtime did not answer {method}(): {detail}")
        return reply.result


def wait_until_ready(client: Any, manager: Any, timeout: float) -> None:
    """Return once the kernel answers on shell and iopub. jupyter_client's wait_for_ready always waits
    for 0.2 s of iopub silence on top; here a kernel_info request counts as answered on iopub when its
    own status message arrives there, so no time is spent waiting for nothing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not manager.is_alive():
            said = getattr(manager, "exit_status", None)
            raise RuntimeError("the kernel died while starting" + (f" ({said})" if said else ""))
        msg_id = client.kernel_info()
        if _reply_to(client.get_shell_msg, msg_id, 1.0) and _reply_to(client.get_iopub_msg, msg_id, 0.25):
            return
    raise RuntimeError(f"the kernel did not answer within {timeout:g} s")


def _reply_to(get: Any, msg_id: str, wait: float) -> bool:
    """Read messages until one that answers `msg_id` (True) or `wait` seconds of none (False)."""
    until = time.monotonic() + wait
    while (left := until - time.monotonic()) > 0:
        try:
            if get(timeout=left)["parent_header"].get("msg_id") == msg_id:
                return True
        except queue.Empty:
            return False
    return False


def _address_space(limits: Limits) -> int:
    """RLIMIT_AS for the session: the memory limit plus room for the kernel's own mappings
    (thread stacks and shared libraries reserve address space they never use)."""
    return limits.memory + 1024 * 1024 * 1024
