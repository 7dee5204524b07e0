"""The code-action loop: the model writes code, the sandbox runs it, the output goes back, until an answer."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from codecall.errors import InputError, ModelError
from codecall.extract import assigned_names, extract_code
from codecall.models import Generation, GenerationRequest, Model, resolve_model
from codecall.prompt import CODE_PREFILL, observation, opening_request
from codecall.result import Result, Step, ToolCall, recording, tool_source
from codecall.retrieve import select_tools
from codecall.tools import Tool
from sandbox import Limits, Policy, Session
from sandbox.errors import SandboxError

StepCallback = Callable[[Step], None]
DEFAULT_MAX_STEPS = 5  #: model turns before a run gives up
DEFAULT_MAX_NEW_TOKENS = 384  #: tokens a model may write per turn


def as_tools(tools: Iterable[Tool | Callable[..., Any]]) -> list[Tool]:
    """Tools as given: `Tool`s stay, plain typed functions become tools."""
    return [t if isinstance(t, Tool) else Tool.from_function(t) for t in tools]


class Agent:
    """A model, the tools it may call, and the sandbox its code runs in.

    With more than `max_tools` tools, each task's prompt shows only the `max_tools` that match it best
    (`codecall.retrieve`); the session can still call them all.

    >>> agent = Agent(tools=[add])          # the bundled SmolLM2 model, the kernel sandbox
    >>> agent.run("What is 2 + 3?").answer
    5
    """

    def __init__(
        self,
        model: Model | str | None = None,
        tools: Iterable[Tool | Callable[..., Any]] = (),
        *,
        sandbox: str = "kernel",
        limits: Limits | None = None,
        policy: Policy | None = None,
        max_steps: int = DEFAULT_MAX_STEPS,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
        max_tools: int = 6,
        observation_limit: int = 2000,
        pool: Any = None,
        mcp: Iterable[str] = (),
    ) -> None:
        self.model = model if isinstance(model, Model) else resolve_model(model)
        self.tools = as_tools(tools)
        self.sandbox, self.pool = sandbox, pool
        self.limits, self.policy = limits or Limits(), policy or Policy()
        self.max_steps, self.max_new_tokens, self.max_tools = max_steps, max_new_tokens, max_tools
        self.observation_limit = observation_limit
        self.mcp = None  #: the MCP servers given by `mcp` (command lines, URLs): started here, stopped by close()
        if mcp := list(mcp):
            from codecall.mcp import MCPServers

            self.mcp = MCPServers(mcp, timeout=self.limits.timeout, taken=[t.name for t in self.tools])
            self.tools += self.mcp.tools
            weakref.finalize(self, self.mcp.close)

    def close(self) -> None:
        """Stop the MCP servers this agent started (a no-op without any)."""
        if self.mcp is not None:
            self.mcp.close()

    def __enter__(self) -> Agent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, task: str, *, on_step: StepCallback | None = None, **variables: Any) -> Result:
        """Solve `task`; keyword arguments become variables in the sandbox (DataFrames included)."""
        started = time.perf_counter()
        sources = {t.name: tool_source(t.fn) for t in self.tools if t.server is None}  # MCP tools: no source
        box = self.pool if self.pool is not None else self  # a pool's sessions run under its policy and limits
        result = Result(task, None, "error", [], 0.0, model=self.model.name, tool_sources=sources,
                        variables=dict(variables), backend=self.sandbox, limits=box.limits,
                        policy=box.policy, mcp=[s.spec for s in self.mcp.servers] if self.mcp else [])  # fmt: skip
        try:
            calls: list[ToolCall] = []
            with self._session(calls) as session:
                for name, value in variables.items():
                    session.put(name, value)
                self._loop(session, task, variables, result, on_step, calls)
        except SandboxError as error:
            result.status, result.error = "error", f"sandbox: {error}"
        except ModelError as error:
            result.status, result.error = "error", f"model: {error}"
        result.duration_s = time.perf_counter() - started
        return result

    def _session(self, calls: list[ToolCall]) -> Session:
        tools = {t.name: recording(t, calls) for t in self.tools}  # a Tool: calls are checked against its signature
        if self.pool is not None:
            return self.pool.session(tools=tools)
        return Session(self.sandbox, policy=self.policy, limits=self.limits, tools=tools)

    def _loop(self, session: Session, task: str, variables: dict, result: Result, on_step: StepCallback | None,
              calls: list[ToolCall]) -> None:  # fmt: skip
        shown = select_tools(task, self.tools, self.max_tools)
        prefill = self.model.continues_reply
        request = opening_request(task, shown, variables, prefill=prefill, max_new_tokens=self.max_new_tokens)
        messages = request.messages
        names = {t.name for t in self.tools}
        defined = list(variables)  # names the code may use: the data, then what earlier steps assigned
        failed: list[str] = []  # lines that raised an error: a guided reply does not write them again
        for index in range(1, self.max_steps + 1):
            step_started = time.perf_counter()
            generation = self._generate(replace(request, messages=messages, variables=list(defined), failed=failed))
            text = f"{CODE_PREFILL}{generation.text}\n```" if prefill else generation.text
            code = extract_code(text, names)
            step = Step(index, text, code, None, None, generate_s=generation.duration_s,
                        first_token_s=generation.first_token_s,
                        prompt_tokens=generation.prompt_tokens, completion_tokens=generation.completion_tokens,
                        tools_shown=[t.name for t in shown])  # fmt: skip
            result.steps.append(step)
            if code is None:
                result.answer, result.status = text.strip(), "text"
                self._finish_step(step, step_started, on_step)
                return
            step.execution = session.execute(code)
            step.tool_calls, calls[:] = list(calls), []
            defined += assigned_names(code)
            error = step.execution.error
            if error is not None and error.line and 0 < error.line <= len(lines := code.splitlines()):
                failed = [*failed, lines[error.line - 1]]
            step.execute_s = step.execution.duration_s
            if step.execution.answered:
                result.answer, result.status = step.execution.answer, "answered"
                self._finish_step(step, step_started, on_step)
                return
            step.observation = observation(step.execution.summary(), self.observation_limit)
            messages = messages + [
                {"role": "assistant", "content": text},
                {"role": "user", "content": step.observation},
            ]
            self._finish_step(step, step_started, on_step)
        result.status = "max_steps"
        result.error = f"no final answer after {self.max_steps} steps"

    def _generate(self, request: GenerationRequest) -> Generation:
        """The model's reply; whatever a backend raises is the model's failure, reported as such."""
        try:
            return self.model.generate(request)
        except ModelError:
            raise
        except Exception as error:  # noqa: BLE001 - a backend's own bug or library error, not the loop's
            raise ModelError(f"{type(error).__name__}: {error}") from error

    @staticmethod
    def _finish_step(step: Step, started: float, on_step: StepCallback | None) -> None:
        step.engine_s = max(0.0, time.perf_counter() - started - step.generate_s - step.execute_s)
        if on_step is not None:
            on_step(step)


def load_data(paths: Iterable[str | Path]) -> dict[str, Any]:
    """Data files as sandbox variables: a CSV/TSV/JSON/Parquet/Excel file becomes a DataFrame named after
    the file (`sales.csv` -> `sales`); names that are not identifiers are made so."""
    import re

    import pandas as pd

    readers = {".csv": pd.read_csv, ".tsv": lambda p: pd.read_csv(p, sep="\t"), ".json": pd.read_json,
               ".parquet": pd.read_parquet, ".xlsx": pd.read_excel}  # fmt: skip
    variables = {}
    for path in map(Path, paths):
        reader = readers.get(path.suffix.lower())
        if reader is None:
            raise InputError(f"{path}: unsupported data file (use {', '.join(readers)})")
        name = re.sub(r"\W|^(?=\d)", "_", path.stem) or "data"
        try:
            variables[name] = reader(path)
        except (OSError, ValueError, ImportError) as error:  # pandas' parser errors are ValueErrors
            raise InputError(f"{path}: cannot read it as {path.suffix.lstrip('.')} data: {error}") from error
    return variables
