"""The code-action loop: the model writes code, the sandbox runs it, the output goes back, until an answer."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from codecall.errors import InputError, ModelError
from codecall.events import Answer, Code, Done, Event, Observation, Output, StepEnd, Token
from codecall.extract import assigned_names, extract_code
from codecall.models import Generation, GenerationRequest, Model, resolve_model
from codecall.models.grammar import with_makers
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
    (`codecall.retrieve`), with the tools that make a parameter of theirs (`grammar.with_makers`: the
    `GetUserToken` of a tool that takes a token); the session can still call them all.

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
        for event in self.stream(task, **variables):
            if isinstance(event, StepEnd) and on_step is not None:
                on_step(event.step)
            elif isinstance(event, Done):
                return event.result
        raise AssertionError("unreachable: a stream always ends with Done")

    def stream(self, task: str, **variables: Any) -> Iterator[Event]:
        """The events of solving `task` as they happen (`codecall.events`), `Done(result)` last."""
        started, result = time.perf_counter(), self._new_result(task, variables)
        calls: list[ToolCall] = []  # the tool calls of the step running, for its trace
        try:
            with self._open(variables, calls) as session:
                steps, reply = self._steps(task, variables, result, calls), None
                while (item := advance(steps, reply)) is not None:
                    reply = None
                    if isinstance(item, Generate):
                        for piece in self._model_stream(item.request):
                            if isinstance(piece, Generation):
                                reply = piece
                            else:
                                yield Token(item.step, piece)
                    elif isinstance(item, Execute):
                        reply = session.execute(item.code)
                    else:
                        yield item
        except SandboxError as error:
            result.status, result.error = "error", f"sandbox: {error}"
        except ModelError as error:
            result.status, result.error = "error", f"model: {error}"
        yield done(result, started)

    async def arun(self, task: str, *, on_step: StepCallback | None = None, **variables: Any) -> Result:
        """`run` for an event loop: the model awaited, the sandbox's blocking work in threads (`codecall.aio`)."""
        from codecall.aio import arun

        return await arun(self, task, on_step=on_step, **variables)

    def astream(self, task: str, **variables: Any) -> AsyncIterator[Event]:
        """`stream` for an event loop: `async for event in agent.astream(task)`."""
        from codecall.aio import astream

        return astream(self, task, **variables)

    def _new_result(self, task: str, variables: dict[str, Any]) -> Result:
        sources = {t.name: tool_source(t.fn) for t in self.tools if t.server is None}  # MCP tools: no source
        box = self.pool if self.pool is not None else self  # a pool's sessions run under its policy and limits
        return Result(task, None, "error", [], 0.0, model=self.model.name, tool_sources=sources,
                      variables=dict(variables), backend=self.sandbox, limits=box.limits,
                      policy=box.policy, mcp=[s.spec for s in self.mcp.servers] if self.mcp else [])  # fmt: skip

    def _open(self, variables: dict[str, Any], calls: list[ToolCall],
              loop: asyncio.AbstractEventLoop | None = None) -> Session:  # fmt: skip
        """A session with the tools (async ones awaited on `loop`, else each on a loop of its own; each call
        recorded in `calls`) and the data."""
        tools = {t.name: recording(t, calls) for t in self.tools}  # a Tool: calls are checked against its signature
        if self.pool is not None:
            session = self.pool.session(tools=tools, tool_loop=loop)
        else:
            session = Session(self.sandbox, policy=self.policy, limits=self.limits, tools=tools, tool_loop=loop)
        try:
            for name, value in variables.items():
                session.put(name, value)
        except BaseException:
            session.close()
            raise
        return session

    def _steps(self, task: str, variables: dict, result: Result,
               calls: list[ToolCall]) -> Generator[Event | Generate | Execute, Any, None]:  # fmt: skip
        """The loop itself, as a generator a driver runs: it yields an event to pass on, or a `Generate` or
        `Execute` whose outcome (the Generation, the Execution) the driver sends back."""
        shown = with_makers(select_tools(task, self.tools, self.max_tools), self.tools)
        prefill = self.model.continues_reply
        request = opening_request(task, shown, variables, prefill=prefill, max_new_tokens=self.max_new_tokens)
        messages = request.messages
        names = {t.name for t in self.tools}
        defined = list(variables)  # names the code may use: the data, then what earlier steps assigned
        failed: list[str] = []  # lines that raised an error: a guided reply does not write them again
        for index in range(1, self.max_steps + 1):
            step_started = time.perf_counter()
            generation = yield Generate(index, replace(request, messages=messages, variables=list(defined),
                                                       failed=failed))  # fmt: skip
            text = f"{CODE_PREFILL}{generation.text}\n```" if prefill else generation.text
            code = extract_code(text, names)
            step = Step(index, text, code, None, None, generate_s=generation.duration_s,
                        first_token_s=generation.first_token_s,
                        prompt_tokens=generation.prompt_tokens, completion_tokens=generation.completion_tokens,
                        tools_shown=[t.name for t in shown])  # fmt: skip
            result.steps.append(step)
            if code is None:
                result.answer, result.status = text.strip(), "text"
                yield self._step_end(step, step_started)
                yield Answer(result.answer, result.status)
                return
            yield Code(index, code)
            step.execution = yield Execute(code)
            step.tool_calls, calls[:] = list(calls), []
            yield Output(index, step.execution)
            defined += assigned_names(code)
            error = step.execution.error
            if error is not None and error.line and 0 < error.line <= len(lines := code.splitlines()):
                failed = [*failed, lines[error.line - 1]]
            step.execute_s = step.execution.duration_s
            if step.execution.answered:
                result.answer, result.status = step.execution.answer, "answered"
                yield self._step_end(step, step_started)
                yield Answer(result.answer, result.status)
                return
            step.observation = observation(step.execution.summary(), self.observation_limit)
            yield Observation(index, step.observation)
            messages = messages + [
                {"role": "assistant", "content": text},
                {"role": "user", "content": step.observation},
            ]
            yield self._step_end(step, step_started)
        result.status = "max_steps"
        result.error = f"no final answer after {self.max_steps} steps"

    def _model_stream(self, request: GenerationRequest) -> Iterator[str | Generation]:
        """The model's reply as it is written; whatever a backend raises is the model's failure, reported as such."""
        with model_failures():
            yield from self.model.stream(request)

    @staticmethod
    def _step_end(step: Step, started: float) -> StepEnd:
        step.engine_s = max(0.0, time.perf_counter() - started - step.generate_s - step.execute_s)
        return StepEnd(step)


@dataclass(frozen=True)
class Generate:
    """The loop asks its driver for the model's reply to `request` (streamed as `Token`s of step `step`)."""

    step: int
    request: GenerationRequest


@dataclass(frozen=True)
class Execute:
    """The loop asks its driver to run `code` in the run's session."""

    code: str


def advance(steps: Generator[Any, Any, None], reply: Any) -> Any:
    """The loop's next event or request, given the outcome of the last request; None once it is over."""
    try:
        return steps.send(reply)
    except StopIteration:
        return None


def done(result: Result, started: float) -> Done:
    """The run's last event: its result, timed from `started`."""
    result.duration_s = time.perf_counter() - started
    return Done(result)


@contextmanager
def model_failures() -> Iterator[None]:
    """A backend's own bug or library error, raised while it generates, as the model's failure (`ModelError`)."""
    try:
        yield
    except ModelError:
        raise
    except Exception as error:  # noqa: BLE001 - not the loop's failure: the model's
        raise ModelError(f"{type(error).__name__}: {error}") from error


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
