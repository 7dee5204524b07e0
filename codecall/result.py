"""A run's trace: every step as plain data, written out as JSON or as a notebook that re-runs it."""

from __future__ import annotations

import base64
import inspect
import json
import shlex
import textwrap
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from codecall.tools import Tool
from sandbox import Execution, Limits, Policy
from sandbox.execution import jsonable

RunStatus = Literal["answered", "text", "max_steps", "error"]
#: The statuses that count as success: a model run's answer (given by code, or in text), a script run to its end.
SUCCESS_STATUSES = frozenset({"answered", "text", "ok"})


@dataclass
class ToolCall:
    """One call the code made to a tool: which, where it ran, and the error it raised, if any."""

    tool: str
    server: str | None = None  #: the MCP server that ran it; None for a host function
    error: str | None = None


def recording(tool: Tool, calls: list[ToolCall]) -> Tool:
    """`tool`, with each call it gets appended to `calls` (the trace's record of the step's calls)."""

    def failed(error: Exception) -> None:
        calls.append(ToolCall(tool.name, tool.server, f"{type(error).__name__}: {error}"))

    async def awaited(pending: Any) -> Any:  # an async tool's call is over once its coroutine is
        try:
            value = await pending
        except Exception as error:
            failed(error)
            raise
        calls.append(ToolCall(tool.name, tool.server))
        return value

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            value = tool.fn(*args, **kwargs)
        except Exception as error:
            failed(error)
            raise
        if inspect.iscoroutine(value):
            return awaited(value)
        calls.append(ToolCall(tool.name, tool.server))
        return value

    return replace(tool, fn=call)


@dataclass
class Step:
    """One model turn and what running its code produced."""

    index: int
    model_text: str  #: what the model wrote (after any prefill)
    code: str | None  #: the code extracted from it; None for a plain-text answer
    execution: Execution | None
    observation: str | None  #: what went back to the model
    generate_s: float = 0.0
    execute_s: float = 0.0
    engine_s: float = 0.0  #: prompting, extraction and bookkeeping around generate and execute
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tools_shown: list[str] = field(default_factory=list)  #: the tools the prompt offered
    first_token_s: float = 0.0  #: seconds from asking the model to its first new token
    tool_calls: list[ToolCall] = field(default_factory=list)  #: the calls its code made, in order


@dataclass
class Result:
    """What `Agent.run` returns."""

    task: str
    answer: Any
    status: RunStatus
    steps: list[Step]
    duration_s: float
    model: str = ""
    error: str | None = None
    tool_sources: dict[str, str] = field(default_factory=dict, repr=False)  #: for the notebook
    variables: dict[str, Any] = field(default_factory=dict, repr=False)  #: the data given, for the notebook
    backend: str = "kernel"  #: the box the code ran in; the notebook re-runs it in the same kind of box
    limits: Limits = field(default_factory=Limits, repr=False)  #: the session's limits, for the notebook
    policy: Policy = field(default_factory=Policy, repr=False)  #: the session's policy, for the notebook
    mcp: list[str] = field(default_factory=list, repr=False)  #: the MCP servers of its tools, for the notebook

    @property
    def artifacts(self) -> list[str]:
        """Images the code drew (host paths) and files it wrote (work-folder paths), in order."""
        found = []
        for step in self.steps:
            if step.execution:
                found += [d.path for d in step.execution.displays if d.path]
                found += step.execution.files
        return found

    @property
    def tokens(self) -> int:
        return sum(s.prompt_tokens + s.completion_tokens for s in self.steps)

    @property
    def succeeded(self) -> bool:
        """The run gave an answer (from code or in text)."""
        return self.status in SUCCESS_STATUSES

    def to_json(self) -> dict:
        """Plain JSON, the whole trace: the answer (and every value) as `sandbox.execution.jsonable` gives it."""
        return {
            "task": self.task,
            "answer": jsonable(self.answer),
            "status": self.status,
            "error": self.error,
            "model": self.model,
            "duration_s": round(self.duration_s, 3),
            "steps": [jsonable(asdict(step)) for step in self.steps],
            "artifacts": self.artifacts,
        }

    def to_notebook(self, path: str | Path, *, sandboxed: bool = True) -> Path:
        """Write a real .ipynb: a set-up cell (tools, data), then one code cell per step with the outputs it
        had, so the notebook reads as the run and re-runs it.

        Sandboxed (the default), the set-up cell loads codecall and opens a sandboxed session with the run's
        box, policy and limits (`%fc_session`); each step's cell runs in it (`%%fc_run`), so "Run all"
        checks and boxes the model's code again, and its tools run in the notebook's kernel, called through
        the bridge as in the run. `sandboxed=False` writes plain cells instead: the model's code then runs
        in the reader's own kernel, outside every layer of the sandbox."""
        import nbformat
        from nbformat import v4

        where = ("Each step runs in a sandboxed session (`%%fc_run`) under the run's policy and limits."
                 if sandboxed else "**Unsandboxed:** these cells run the model's code in this notebook's "
                 "own kernel, outside the sandbox.")  # fmt: skip
        head = f"# codecall run\n\n**Task:** {self.task}\n\n**Model:** {self.model}\n\n{where}"
        cells = [v4.new_markdown_cell(head)]
        cells.append(v4.new_code_cell(self._setup_source(sandboxed)))
        for step in self.steps:
            note = f"**Step {step.index}** · model wrote:\n\n" + textwrap.indent(step.model_text.strip(), "    ")
            cells.append(v4.new_markdown_cell(note))
            if step.code is not None:
                cell = v4.new_code_cell(f"%%fc_run\n{step.code}" if sandboxed else step.code)
                cell.outputs = _outputs(step.execution)
                if not sandboxed and step.execution and step.execution.status != "ok":
                    cell.metadata["tags"] = ["raises-exception"]  # re-running goes on past it
                cells.append(cell)
        cells.append(v4.new_markdown_cell(f"**Status:** {self.status}\n\n**Answer:** {jsonable(self.answer)}"))
        notebook = v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name":
                                   "Python 3", "language": "python"}})  # fmt: skip
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(path))
        return path

    def _setup_source(self, sandboxed: bool) -> str:
        if sandboxed:
            lines = ["# Set-up: the run's tools (they run here, on the host: the sandbox calls them through its",
                     "# bridge, which validates their arguments), its data, and a sandboxed session with the run's",
                     "# box, policy and limits. Each step below runs in that session (%%fc_run); final_answer(x)",
                     "# there binds `answer` here.", "%load_ext codecall", "import json", ""]  # fmt: skip
        else:
            lines = ["# Set-up: the run's tools, its data, and final_answer", "import json", ""]
        lines += [source.rstrip() + "\n" for source in self.tool_sources.values()]
        if self.tool_sources and not sandboxed:  # the bridge validates (and coerces) arguments: so does this
            lines += [
                "import pydantic",
                "",
                "validated = pydantic.validate_call(config=pydantic.ConfigDict(arbitrary_types_allowed=True))",
            ]
            lines += [f"{name} = validated({name})" for name in self.tool_sources]  # fmt: skip
        for name, value in self.variables.items():
            if _is_dataframe(value):
                lines += [
                    "import io",
                    "import pandas as pd",
                    f"{name} = pd.read_json(io.StringIO({value.to_json(orient='split')!r}), orient='split')",
                ]
            else:
                lines.append(f"{name} = json.loads({json.dumps(jsonable(value))!r})")
        if sandboxed:
            limits = ", ".join(f"{f.name}={getattr(self.limits, f.name)!r}" for f in fields(self.limits))
            policy = ("Policy()" if self.policy == Policy() else
                      f"Policy.from_json(json.loads({json.dumps(self.policy.to_json())!r}))")  # fmt: skip
            options = "".join(f" -t {name}" for name in self.tool_sources)
            options += "".join(f" -i {name}" for name in self.variables)
            options += "".join(f" --mcp {shlex.quote(spec)}" for spec in self.mcp)  # their tools, started again
            limits = "\n".join(textwrap.wrap(f"codecall_limits = Limits({limits})", 110, subsequent_indent=" " * 25))
            lines += ["", "from sandbox import Limits, Policy", "", limits,
                      f"codecall_policy = {policy}",
                      f"%fc_session --backend {self.backend} --limits codecall_limits --policy codecall_policy"
                      + options]  # fmt: skip
            return "\n".join(lines)
        if self.mcp:
            lines += ["", f"# Not defined here: the tools of the MCP servers {self.mcp} (sandboxed, it has them)"]
        lines += ["", "answer = None", "", "def final_answer(value):",
                  '    """Keep the final answer in `answer`, as the run did."""',
                  "    global answer", "    answer = value"]  # fmt: skip
        return "\n".join(lines)


@dataclass
class RunRecord:
    """The outcome of one run as one flat JSON object, the same for every interface and harness: `ask
    --json`, a batch row, an eval run, a DABench question, a `codecall run` script.

    The core keys are always there: `id` (the task's id, or None), `task` (the task's text, or the script's
    path), `status`, `answer` (JSON data: see `sandbox.execution.jsonable`; a DataFrame is pandas' "split"
    orient, `{"columns", "index", "data"}`), `error`, `steps`, `duration_s`, `tokens`. A harness adds its
    own keys beside them (`extra`: a batch's `line`, a script's `stdout` and `stderr`, eval's `mode` and
    `correct`, DABench's `level` and `pairs`, ...), readable as attributes (`record.correct`).
    `RunRecord.from_json(record.to_json()) == record`."""

    id: str | int | None
    task: str | None
    status: str
    answer: Any = None  #: JSON data already
    error: str | None = None
    steps: int = 0
    duration_s: float = 0.0
    tokens: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  #: the harness's own keys, flat beside the core

    def __post_init__(self) -> None:
        clash = CORE_KEYS & self.extra.keys()
        if clash:
            raise ValueError(f"extra keys {sorted(clash)} would overwrite the record's own")

    def __getattr__(self, name: str) -> Any:  # only for names that are not fields: the extra keys
        extra = self.__dict__.get("extra", {})
        if name.startswith("__") or name not in extra:
            raise AttributeError(f"{type(self).__name__!r} has no attribute or extra key {name!r}")
        return extra[name]

    @property
    def ok(self) -> bool:
        """The run succeeded (`SUCCESS_STATUSES`); whether its answer was right is a harness's `correct`."""
        return self.status in SUCCESS_STATUSES

    @classmethod
    def from_result(cls, result: Result, *, id: str | int | None = None, **extra: Any) -> RunRecord:
        """The record of an `Agent.run`."""
        return cls(id, result.task, result.status, jsonable(result.answer), result.error, len(result.steps),
                   round(result.duration_s, 3), result.tokens, extra)  # fmt: skip

    @classmethod
    def from_execution(cls, execution: Execution, *, id: str | int | None, task: str | None, **extra: Any) -> RunRecord:
        """The record of one script's execution, with its `stdout` and `stderr`."""
        answer = jsonable(execution.answer) if execution.answered else None
        extra = {"stdout": execution.stdout, "stderr": execution.stderr, **extra}
        return cls(id, task, execution.status, answer, execution_error(execution), 1, round(execution.duration_s, 3),
                   0, extra)  # fmt: skip

    @classmethod
    def failure(cls, error: str, *, id: str | int | None = None, task: str | None = None, duration_s: float = 0.0,
                **extra: Any) -> RunRecord:  # fmt: skip
        """The record of a run that failed before it could start (or ended in an exception)."""
        return cls(id, task, "error", None, error, 0, round(duration_s, 3), 0, extra)

    def to_json(self) -> dict[str, Any]:
        """The core keys, then the extra keys, in one flat object."""
        core = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        return {**core, **self.extra}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        """The record `to_json` wrote: the core keys back into their fields, every other key into `extra`."""
        core = {key: data[key] for key in CORE_KEYS if key in data}
        return cls(**core, extra={key: value for key, value in data.items() if key not in CORE_KEYS})


CORE_KEYS = frozenset(f.name for f in fields(RunRecord)) - {"extra"}


def execution_error(execution: Execution) -> str | None:
    """One line for what stopped an execution: the policy's violations, or the error (with the session's
    notice), or None."""
    if execution.violations:
        return "; ".join(str(v) for v in execution.violations)
    if execution.error:
        text = str(execution.error)
        return f"{text} [{execution.notice}]" if execution.notice else text
    return None


def tool_source(function: Any) -> str:
    """A tool's source for the notebook's set-up cell, without its decorators."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return f"# the source of {getattr(function, '__name__', function)!r} is not available"
    lines = source.splitlines()
    while lines and lines[0].lstrip().startswith("@"):
        lines.pop(0)
    return "\n".join(lines)


def _outputs(execution: Execution | None) -> list:
    from nbformat import v4

    if execution is None:
        return []
    outputs = []
    if execution.stdout:
        outputs.append(v4.new_output("stream", name="stdout", text=execution.stdout))
    if execution.stderr:
        outputs.append(v4.new_output("stream", name="stderr", text=execution.stderr))
    for display in execution.displays:
        data = dict(display.data)
        if display.path:
            data["image/png"] = base64.b64encode(Path(display.path).read_bytes()).decode()
        outputs.append(v4.new_output("display_data", data=data))
    if execution.value_repr is not None and execution.status == "ok":
        outputs.append(v4.new_output("execute_result", data={"text/plain": execution.value_repr},
                                     execution_count=None))  # fmt: skip
    if execution.error:
        outputs.append(v4.new_output("error", ename=execution.error.type, evalue=execution.error.message,
                                     traceback=execution.error.traceback.splitlines()))  # fmt: skip
    if execution.violations:
        text = "\n".join(str(v) for v in execution.violations)
        outputs.append(v4.new_output("stream", name="stderr", text=f"Blocked by policy:\n{text}\n"))
    return outputs


def _is_dataframe(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")
