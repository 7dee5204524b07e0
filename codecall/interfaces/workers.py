"""The workers of `codecall batch` and `codecall run`: each holds a model (loaded on its first model task)
and a warm pool of sandboxes for all its tasks, and turns a task (a model task, or a script: code to run
as it is) into its `RunRecord`; `run_local` runs them as threads here, `run_ray` as Ray actors."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codecall.agent import DEFAULT_MAX_STEPS, Agent, load_data
from codecall.errors import InputError
from codecall.interfaces.ray_auth import enable_token_auth, join_error
from codecall.models import Serialized, resolve_model
from codecall.result import RunRecord
from codecall.tools import Tool, load_tools
from sandbox import Execution, Limits, Policy, SandboxError, WarmPool
from sandbox.errors import KernelDied
from sandbox.host.session import make_box

if TYPE_CHECKING:
    from codecall.mcp import MCPServers

#: a task as the tasks file gave it: {"id", "task", "tools", "data", "mcp"}, or a script: {"id", "code"}
#: or {"id", "script"} (a path; with "code" as well, only its label)
Row = dict[str, Any]


class Worker:
    """Runs tasks with one model and one warm pool of sandbox sessions, both kept for all its tasks: the
    model loads once per worker (on its first model task: a batch of scripts loads none), and each task
    gets a fresh session that was started ahead of it."""

    def __init__(
        self,
        model: str | None = None,
        *,
        backend: str = "kernel",
        limits: Limits | None = None,
        policy: Policy | None = None,
        max_steps: int = DEFAULT_MAX_STEPS,
        sessions: int = 1,
        base: str | None = None,
        owns_process: bool = False,
    ) -> None:
        self._model_spec, self._model, self._model_lock = model, None, threading.Lock()
        self.limits, self.policy = limits or Limits(), policy or Policy()
        self.box = make_box(backend, self.limits)  # an unknown or unavailable backend fails here, at once
        self.sessions, self._pool, self._pool_lock = max(1, sessions), None, threading.Lock()
        self.backend, self.max_steps = backend, max_steps
        self.base = Path(base) if base else Path()  #: relative paths resolve here (the tasks file's folder)
        self._tools: dict[str, list[Tool]] = {}
        self._mcp: dict[tuple[str, ...], MCPServers] = {}  #: each set of MCP servers the rows name, started once
        self._mcp_lock = threading.Lock()
        self.owns_process = owns_process  #: a Ray actor: its sandbox folders and templates go with it

    @property
    def pool(self) -> WarmPool:
        """The warm kernel sessions, started on first use: a batch of scripts on a forking box needs none."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = WarmPool(self.box, policy=self.policy, limits=self.limits, size=self.sessions)
            return self._pool

    @property
    def model(self) -> Serialized:
        with self._model_lock:
            if self._model is None:
                self._model = Serialized(resolve_model(self._model_spec))
            return self._model

    def run(self, task: Row) -> RunRecord:
        """One task's record; a failure of any kind becomes an error record, never an exception."""
        if "task" not in task:
            return self.run_script(task)
        started = time.perf_counter()
        try:
            tools = [t for path in task["tools"] for t in self._load_tools(path)]
            tools += self._mcp_tools(tuple(task.get("mcp", ())), taken=[t.name for t in tools])
            variables = load_data(self.base / path for path in task["data"])
            agent = Agent(self.model, tools, sandbox=self.backend, limits=self.limits, policy=self.policy,
                          max_steps=self.max_steps, pool=self.pool)  # fmt: skip
            result = agent.run(task["task"], **variables)
        except Exception as error:  # noqa: BLE001 - the record reports it; the batch goes on
            return RunRecord.failure(f"{type(error).__name__}: {error}", id=task["id"], task=task["task"],
                                     duration_s=time.perf_counter() - started)  # fmt: skip
        return RunRecord.from_result(result, id=task["id"])

    def run_script(self, task: Row) -> RunRecord:
        """A script's record: its code run as it is, under the policy, in a fresh session of the pool."""
        label = task.get("script", "<code>")
        try:
            code = task["code"] if "code" in task else (self.base / task["script"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            return RunRecord.failure(f"cannot read the script: {error}", id=task["id"], task=label, stdout="",
                                     stderr="")  # fmt: skip
        try:
            return RunRecord.from_execution(self._execute(code), id=task["id"], task=label)
        except SandboxError as error:  # a box that failed to start costs this script, not the batch
            return RunRecord.failure(f"sandbox: {error}", id=task["id"], task=label, stdout="", stderr="")

    def _execute(self, code: str) -> Execution:
        """`code` run in a script session of its own where the box forks (no kernel: sandbox.host.script_run),
        else in a fresh kernel session of the pool (cold where no session can be forked)."""
        if self.box.forks:
            from sandbox.host import script_run

            if script_run.available(self.box):
                try:
                    return script_run.run_script(self.box, code, self.policy, self.limits)
                except KernelDied:
                    pass  # forking was given up just now (the box's notices say why): a kernel session
        with self.pool.session() as session:
            return session.execute(code)

    def _load_tools(self, path: str) -> list[Tool]:
        if path not in self._tools:  # a module loads once per worker, not once per task
            self._tools[path] = load_tools(self.base / path)
        return self._tools[path]

    def _mcp_tools(self, specs: tuple[str, ...], taken: list[str]) -> list[Tool]:
        if not specs:
            return []
        from codecall.mcp import MCPServers  # the MCP SDK loads only where a row names a server

        with self._mcp_lock:
            if specs not in self._mcp:
                self._mcp[specs] = MCPServers(specs, timeout=self.limits.timeout, taken=taken, cwd=self.base)
        return self._mcp[specs].tools

    def close(self) -> None:
        for servers in self._mcp.values():
            servers.close()
        if self._pool is not None:
            self._pool.close()
        if self.owns_process:  # Ray kills an actor and its children (the watchdog too) without an exit
            from sandbox.host.host_process import HOST_PROCESS
            from sandbox.host.template import close_templates

            close_templates()
            HOST_PROCESS.remove_root()


def run_local(tasks: Sequence[Row], jobs: int, options: dict[str, Any]) -> Iterator[RunRecord]:
    """Records as tasks finish, from `jobs` threads sharing one Worker (so one model and a pool of `jobs`
    warm sessions). The threads are daemons: an interrupted batch exits without waiting for them."""
    worker = Worker(**options, sessions=jobs)
    todo: queue.SimpleQueue[Row] = queue.SimpleQueue()
    finished: queue.SimpleQueue[RunRecord] = queue.SimpleQueue()
    for task in tasks:
        todo.put(task)

    def work() -> None:
        while True:
            try:
                task = todo.get_nowait()
            except queue.Empty:
                return
            finished.put(worker.run(task))

    for index in range(min(jobs, len(tasks))):
        threading.Thread(target=work, name=f"codecall-batch-{index}", daemon=True).start()
    try:
        for _ in tasks:
            yield finished.get()
    finally:
        worker.close()


def run_ray(tasks: Sequence[Row], jobs: int, options: dict[str, Any], *, address: str | None = None,
            working_dir: Path | None = None, excludes: Sequence[str] = ()) -> Iterator[RunRecord]:  # fmt: skip
    """Records as tasks finish, from `jobs` Ray actors, each a Worker with its own model and warm sessions.

    Without `address` Ray starts a local cluster; with one (`ray://host:10001`, `host:6379` or `auto`) it
    joins that cluster, with its token where it uses token authentication (`ray_auth`). Either way
    `working_dir` (the tasks file's folder) is shipped to every worker and becomes its current folder, so
    relative tool and data paths resolve on any node. Where the caller has already connected to Ray, its
    job is used as it is, and paths resolve against `working_dir` itself (which the workers must see: a
    local cluster, or a shared file system).
    """
    try:
        import ray
    except ImportError as error:
        raise RuntimeError("the ray executor needs `pip install codecall[ray]`") from error
    started_here = not ray.is_initialized()
    if started_here:
        runtime_env = {"working_dir": str(working_dir), "excludes": list(excludes)} if working_dir else None
        token = address is not None and enable_token_auth()  # Ray does this itself only for `auto`
        try:
            ray.init(address=address, runtime_env=runtime_env, log_to_driver=False, include_dashboard=False,
                     configure_logging=False)  # fmt: skip
        except ConnectionError as error:
            raise InputError(join_error(address or "", error, token)) from error
    base = None if started_here or working_dir is None else str(working_dir)
    remote = ray.remote(num_cpus=1, max_restarts=1, max_task_retries=0)(Worker)
    cpus = int(ray.cluster_resources().get("CPU", 1))  # an actor takes a CPU: more would wait for ever
    actors = [remote.remote(**options, sessions=1, base=base, owns_process=True)
              for _ in range(min(jobs, len(tasks), cpus))]  # fmt: skip
    pending = list(reversed(tasks))
    running: dict[Any, tuple[Any, Row]] = {}

    def submit(actor: Any) -> None:
        if pending:
            task = pending.pop()
            running[actor.run.remote(task)] = (actor, task)

    try:
        for actor in actors:
            submit(actor)
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            actor, task = running.pop(ready[0])
            try:
                yield ray.get(ready[0])
            except ray.exceptions.RayError as error:  # the actor died (e.g. out of memory): Ray restarts it
                lost = f"worker lost: {type(error).__name__}: {error}"
                yield RunRecord.failure(lost, id=task["id"], task=task.get("task", task.get("script")))
            submit(actor)
    finally:
        try:  # each actor removes its sandboxes' folders, cgroups and templates before it is killed
            ray.get([actor.close.remote() for actor in actors], timeout=60)
        except ray.exceptions.RayError:
            pass
        for actor in actors:
            ray.kill(actor)
        if started_here:
            ray.shutdown()
