"""What one execution produced: plain data, serialisable to JSON as it is."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sandbox.policy.rules import Violation  # a static refusal: the policy's own record, listed here

__all__ = ["Display", "ErrorInfo", "Execution", "Status", "Violation"]

Status = Literal["ok", "blocked", "error", "timeout", "killed"]


@dataclass
class ErrorInfo:
    """An exception raised by the user's code, its traceback trimmed to the user's own lines."""

    type: str
    message: str
    traceback: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.type}: {self.message}{where}"


@dataclass
class Display:
    """One rich output (a figure, a table): its MIME bundle; images are saved as files on the host."""

    data: dict[str, Any]
    path: str | None = None  #: where an image/png was saved


@dataclass
class Execution:
    """The outcome of `Session.execute`."""

    status: Status
    stdout: str = ""
    stderr: str = ""
    value_repr: str | None = None  #: repr of the last expression's value
    value: Any = None  #: the value itself where JSON-able
    error: ErrorInfo | None = None
    violations: list[Violation] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  #: run-time policy refusals, caught by the code or not
    displays: list[Display] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  #: work-folder files created or changed
    answer: Any = None  #: the argument of final_answer(...), if the code called it
    answered: bool = False
    duration_s: float = 0.0
    notice: str | None = None  #: what the session did about it (interrupted, restarted, ...)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict:
        """Plain JSON data: a DataFrame (or any other) answer as `jsonable` gives it."""
        return jsonable(asdict(self))

    def summary(self) -> str:
        """A one-paragraph account for people and models: output, value, error, notice."""
        parts = []
        if self.violations:
            parts.append("Blocked by policy:\n" + "\n".join(str(v) for v in self.violations))
        if self.stdout:
            parts.append(self.stdout.rstrip("\n"))
        if self.stderr:
            parts.append("[stderr]\n" + self.stderr.rstrip("\n"))
        if self.value_repr is not None:
            parts.append(f"Out: {self.value_repr}")
        if self.error:
            parts.append(self.error.traceback or str(self.error))
        elif self.refusals:
            parts.append("[the policy refused: " + "; ".join(self.refusals[:3]) + "]")
        if self.notice:
            parts.append(f"[{self.status}] {self.notice}")
        return "\n".join(parts)


def jsonable(value: Any) -> Any:
    """`value` as JSON data: containers item by item; a pandas DataFrame or Series as pandas' "split"
    orient (`{"columns", "index", "data"}`, a Series `{"name", "index", "data"}`: `pd.DataFrame(**it)`
    rebuilds a frame), dates as ISO text; numpy arrays and scalars as lists and numbers; anything else by
    its repr."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    kind = type(value)
    if kind.__module__.startswith("pandas") and kind.__name__ in ("DataFrame", "Series"):
        return json.loads(value.to_json(orient="split", date_format="iso"))
    if kind.__module__ == "numpy" and hasattr(value, "tolist"):
        return jsonable(value.tolist())
    return repr(value)
