"""What a notebook cell shows of a run: each step as it runs (the reply as the model writes it, then the
step's code and outputs), the answer; and an execution shown as a plain cell would show it."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from IPython.display import Image, display

from codecall.events import Done, Event, StepEnd, Token
from codecall.result import Result, Step
from sandbox import Execution


def markdown(text: str, plain: str | None = None) -> None:
    """Markdown for notebooks, with a plain-text twin for terminals and text-only readers."""
    display(_data(text, plain), raw=True)


def _data(text: str, plain: str | None = None) -> dict[str, str]:
    return {"text/markdown": text, "text/plain": text if plain is None else plain}


def _fenced(text: str, language: str = "") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


class NotebookView:
    """The notebook's counterpart of `codecall.interfaces.view.StepPrinter`: `follow` a run's events, or
    `step` as the Agent's on_step callback. Followed, each reply shows as the model writes it, in an output
    that the step's own view then takes over."""

    def __init__(self, show_code: bool = True) -> None:
        self.show_code = show_code
        self._live: Any = None  #: the display handle of the reply being written
        self._written = ""

    def status(self, text: str) -> None:
        markdown(f"*{text}…*")

    def follow(self, events: Iterable[Event]) -> Result:
        """Show a run's events (`Agent.stream`) as they come; the run's result."""
        for event in events:
            if isinstance(event, Token) and self.show_code:
                self._written += event.text
                data = _data(f"**Step {event.step}** · *the model writes…*\n\n{_fenced(self._written)}")
                if self._live is None:
                    self._live = display(data, raw=True, display_id=True)
                else:
                    self._live.update(data, raw=True)
            elif isinstance(event, StepEnd):
                self.step(event.step)
            elif isinstance(event, Done):
                return event.result
        raise ValueError("the events ended without Done")

    def step(self, step: Step) -> None:
        timing = f"model {step.generate_s:.1f} s, {step.completion_tokens} tokens"
        if step.code is None:
            self._head(f"**Step {step.index}** · answer in text · {timing}")
            return
        execution = step.execution
        if execution is not None:
            timing += f" · sandbox {execution.duration_s * 1000:.0f} ms"
        status = execution.status if execution else "not run"
        head = f"**Step {step.index}** · `{status}` · {timing}"
        self._head(f"{head}\n\n{_fenced(step.code, 'python')}" if self.show_code else head)
        if execution is not None:
            self._execution(execution)

    def _head(self, text: str) -> None:
        """A step's heading (and code), in place of its reply as it was being written."""
        if self._live is None:
            markdown(text)
            return
        self._live.update(_data(text), raw=True)
        self._live, self._written = None, ""

    @staticmethod
    def _execution(execution: Execution) -> None:
        if execution.violations:
            violations = "\n".join(str(v) for v in execution.violations)
            markdown(f"**Blocked by policy**\n\n{_fenced(violations)}")
        if execution.stdout:
            markdown(_fenced(execution.stdout), execution.stdout)
        if execution.stderr:
            markdown(f"**stderr**\n\n{_fenced(execution.stderr)}", execution.stderr)
        for shown in execution.displays:
            if shown.path:
                display(Image(filename=shown.path))
            elif shown.data:
                display(shown.data, raw=True)
        value = execution.value_repr
        if value is not None and execution.ok and all(d.data.get("text/plain") != value for d in execution.displays):
            markdown(f"**Out:**\n\n{_fenced(value)}", value)
        if execution.error:
            markdown(f"**{execution.error.type}**\n\n{_fenced(execution.error.traceback or str(execution.error))}")
        if execution.notice:
            markdown(f"*{execution.notice}*")

    def final(self, result: Result, notebook: str | None = None) -> None:
        """The answer as Markdown (a DataFrame or any other value through IPython's own display)."""
        if result.status == "answered" and not isinstance(result.answer, str):
            markdown("### Answer")
            display(result.answer)
        elif result.succeeded:
            note = "" if result.status == "answered" else " (in text: no code gave it)"
            markdown(f"### Answer{note}\n\n{result.answer}", f"Answer{note}: {result.answer}")
        else:
            why = f"No answer ({result.status})"
            markdown(f"### {why}\n\n{result.error}", f"{why}: {result.error}")
        footer = f"{len(result.steps)} step(s) · {result.duration_s:.1f} s · {result.tokens} tokens · {result.model}"
        markdown(f"*{footer}*" + (f" · trace: `{notebook}`" if notebook else ""))

    @staticmethod
    def error(error: BaseException) -> None:
        """Why the cell could not run, in one clear line; the kernel goes on."""
        markdown(f"### codecall error\n\n**{type(error).__name__}:** {error}",
                  f"codecall error: {type(error).__name__}: {error}")  # fmt: skip



class _Repr:
    """A value shown by the repr it had in the sandbox (the value itself stays there)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def show_plainly(execution: Execution) -> _Repr | None:
    """An execution as a plain cell would show it: streams, displays, refusals and errors on stderr; the
    last expression's value is returned for IPython to show as the cell's result."""
    if execution.stdout:
        sys.stdout.write(execution.stdout)
    if execution.stderr:
        sys.stderr.write(execution.stderr)
    for shown in execution.displays:
        if shown.path:
            display(Image(filename=shown.path))
        elif shown.data:
            display(shown.data, raw=True)
    if execution.violations:
        sys.stderr.write("Blocked by policy:\n" + "\n".join(str(v) for v in execution.violations) + "\n")
    if execution.error:
        sys.stderr.write((execution.error.traceback or str(execution.error)).rstrip("\n") + "\n")
    if execution.notice:
        sys.stderr.write(f"[{execution.status}] {execution.notice}\n")
    value = execution.value_repr
    if value is None or not execution.ok or any(d.data.get("text/plain") == value for d in execution.displays):
        return None
    return _Repr(value)
