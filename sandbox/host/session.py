"""A sandbox session: checked code runs in a boxed kernel whose state persists between executions.

The session is always recoverable: a timeout interrupts and keeps the state; a crash, a kill or an
exhausted memory limit restarts the kernel (tools and data put in are restored) and the Execution says
what happened.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.boxes.base import WORK_DIR_IN_BOX, Box
from sandbox.errors import BoxUnavailable, SessionClosed
from sandbox.execution import Execution
from sandbox.host.kernel import BoxedKernel, Reply
from sandbox.host.outcome import artifacts_folder, changed, mark_death, save_display, snapshot, to_execution
from sandbox.inside import wire
from sandbox.limits import DEFAULT_LIMITS, Limits
from sandbox.policy import DEFAULT_POLICY, Policy
from sandbox.policy.check import check

BACKENDS = ("kernel", "fork", "docker")


def make_box(backend: str | Box, limits: Limits) -> Box:
    """The box for a backend name; raises BoxUnavailable with what is missing."""
    if isinstance(backend, Box):
        return backend
    if backend == "kernel":
        from sandbox.boxes.bubblewrap import BubblewrapBox as box_class
    elif backend == "fork":
        from sandbox.boxes.forked import ForkedBox as box_class
    elif backend == "docker":
        from sandbox.boxes.docker import DockerBox as box_class
    else:
        raise BoxUnavailable(f"unknown backend {backend!r} (choose from: {', '.join(BACKENDS)})")
    missing = box_class.unavailable()
    if missing:
        raise BoxUnavailable(f"the {backend} backend is not available: {missing}")
    return box_class(limits)


class Session:
    """Run untrusted code under a policy, in a box, with host tools and data.

    >>> with Session(tools={"add": add}) as s:
    ...     s.execute("x = add(2, 3)\\nx").value
    5
    """

    def __init__(
        self,
        backend: str | Box = "kernel",
        *,
        policy: Policy = DEFAULT_POLICY,
        limits: Limits = DEFAULT_LIMITS,
        tools: dict[str, Callable[..., Any]] | None = None,
        pool: Any = None,
        artifacts_dir: str | os.PathLike | None = None,
        tool_loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if pool is not None:  # the pool's kernels were booted with its policy and limits
            policy, limits = pool.policy, pool.limits
        self.policy, self.limits = policy, limits
        self._pool = pool
        self.box = pool.box if pool is not None else make_box(backend, limits)
        self._artifacts_dir = Path(artifacts_dir) if artifacts_dir else None
        self._tool_loop = tool_loop  #: the event loop async tools are awaited on (else each on a fresh one)
        self._tools: dict[str, Callable[..., Any]] = {}
        self._puts: list[tuple[str, bytes]] = []
        self._count = 0  # executions, to name their artifacts
        self._images = 0
        self._kernel: BoxedKernel | None = self._new_kernel()
        for name, function in (tools or {}).items():
            self.register_tool(function, name)

    # -- life cycle -------------------------------------------------------------------------------
    def _new_kernel(self) -> BoxedKernel:
        if self._pool is not None:
            return self._pool.acquire()
        return BoxedKernel(self.box, self.policy, self.limits).start()

    @property
    def kernel(self) -> BoxedKernel:
        if self._kernel is None:
            raise SessionClosed("this session is closed")
        return self._kernel

    @property
    def work_dir(self) -> Path:
        """The host folder the code sees as its work folder."""
        return self.kernel.work_dir

    @property
    def artifacts_dir(self) -> Path:
        """Where images the code drew are saved (outside the box); made on first use, kept after close."""
        self._artifacts_dir = artifacts_folder(self._artifacts_dir)
        return self._artifacts_dir

    @property
    def notices(self) -> list[str]:
        return self.box.notices

    def restart(self) -> None:
        """A fresh kernel, with this session's tools and data restored (variables are lost)."""
        old = self.kernel
        self._kernel = None
        old.shutdown()
        self._kernel = self._new_kernel()
        self._define_tools(list(self._tools))
        for name, payload in self._puts:
            self._send_value(name, payload)

    def close(self) -> None:
        if self._kernel is not None:
            self._kernel.shutdown()
            self._kernel = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    # -- tools and data ---------------------------------------------------------------------------
    def register_tool(self, function: Callable[..., Any], name: str | None = None) -> None:
        """Make a host function callable from the sandbox (as a stub with the same signature)."""
        name = name or function.__name__
        self._tools[name] = function
        self._define_tools([name])

    def _define_tools(self, names: list[str]) -> None:
        self.kernel.bridge.loop = self._tool_loop
        specs = [self.kernel.bridge.register(name, self._tools[name]) for name in names]
        self._runtime("define_tools", json.dumps(specs))

    def put(self, name: str, value: Any) -> None:
        """Bind `name` in the sandbox to a copy of `value` (JSON-able, bytes, arrays, DataFrames)."""
        if not name.isidentifier():
            raise ValueError(f"{name!r} is not a valid Python name")
        payload = wire.dumps(value)
        self._send_value(name, payload)
        self._puts = [(n, p) for n, p in self._puts if n != name] + [(name, payload)]

    def _send_value(self, name: str, payload: bytes) -> None:
        path = self.kernel.session_dir / f"put-{name}.json"
        path.write_bytes(payload)
        os.chown(path, self.kernel.uid, self.kernel.uid)
        try:
            self._runtime("put", name, str(path))
        finally:
            path.unlink(missing_ok=True)

    def put_file(self, source: str | os.PathLike, name: str | None = None) -> str:
        """Copy a host file into the work folder; returns its path as the code sees it."""
        target = self.work_dir / (name or Path(source).name)
        shutil.copyfile(source, target)
        os.chown(target, self.kernel.uid, self.kernel.uid)
        return f"{WORK_DIR_IN_BOX}/{target.name}"

    def get(self, name: str) -> Any:
        """A copy of the sandbox variable `name` (it must be able to cross: see sandbox.inside.wire)."""
        result = self._runtime("get", name)
        if result["status"] != "ok":
            raise KeyError(result["error"]["message"])
        return wire.decode(result["encoded"])

    def reset(self) -> None:
        """Forget every variable (tools stay), without restarting the kernel."""
        self._runtime("reset")
        self._define_tools(list(self._tools))

    def _runtime(self, method: str, *args: Any) -> dict:
        return self.kernel.runtime_call(method, *args, timeout=max(self.limits.timeout, 60.0))

    # -- execution --------------------------------------------------------------------------------
    def execute(self, code: str, timeout: float | None = None) -> Execution:
        """Check `code`, run it in the box, and report everything it produced."""
        started = time.perf_counter()
        self._count += 1
        if self.policy.check:
            violations = check(code, self.policy)
            if violations:
                return Execution("blocked", violations=violations, duration_s=time.perf_counter() - started)
        before = snapshot(self.work_dir)
        timeout = self.limits.timeout if timeout is None else timeout
        reply = self.kernel.call(f"_codecall_.run({code!r})", timeout, self.limits.output)
        execution = to_execution(reply, timeout, self.limits, lambda data: save_display(data, self._image_path))
        if reply.died:
            self._recover(execution, reply)
        else:
            execution.files = changed(before, snapshot(self.work_dir))
        execution.duration_s = time.perf_counter() - started
        return execution

    def _recover(self, execution: Execution, reply: Reply) -> None:
        cause = mark_death(execution, reply, self.box, self.kernel, self.limits)
        self.restart()
        execution.notice = f"{cause}; the session was restarted: variables are lost, tools and data are restored"

    def _image_path(self) -> Path:
        self._images += 1
        return self.artifacts_dir / f"image-{self._count}-{self._images}.png"
