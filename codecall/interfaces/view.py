"""How a run looks in a terminal: each step as it happens (the code as the model writes it, the code run,
its output), then the answer."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.panel import Panel
from rich.syntax import Syntax

from codecall.events import Done, Event, StepEnd, Token
from codecall.result import Result, Step


class StepPrinter:
    """Prints a run's steps to stdout with rich (`follow` its events, or `step` as an on_step callback); on a
    terminal the reply shows as it is written, in a panel that the step's own panel then replaces."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self._live: Live | None = None
        self._written = ""

    def follow(self, events: Iterable[Event]) -> Result:
        """Show a run's events (`Agent.stream`) as they come; the run's result."""
        for event in events:
            if isinstance(event, Token) and self.console.is_terminal:
                self._token(event)
            elif isinstance(event, StepEnd):
                self.step(event.step)
            elif isinstance(event, Done):
                return event.result
        raise ValueError("the events ended without Done")

    def _token(self, token: Token) -> None:
        self._written += token.text
        panel = Panel(self._written.strip(), title=f"step {token.step}: the model writes", border_style="dim")
        if self._live is None:
            self._live = Live(panel, console=self.console, transient=True, auto_refresh=False)
            self._live.start()
        self._live.update(panel, refresh=True)

    def status(self, text: str) -> None:
        self.console.print(f"[dim]{text}...[/dim]")

    def step(self, step: Step) -> None:
        if self._live is not None:
            self._live.stop()
            self._live, self._written = None, ""
        timing = f"model {step.generate_s:.1f} s, {step.completion_tokens} tokens"
        if step.code is None:
            self.console.print(Panel(step.model_text.strip() or "(empty)", title=f"step {step.index}: answer in text",
                                     subtitle=timing))  # fmt: skip
            return
        self.console.print(Panel(Syntax(step.code, "python", theme="ansi_dark"), title=f"step {step.index}: code",
                                 subtitle=timing))  # fmt: skip
        execution = step.execution
        if execution is None:
            return
        summary = execution.summary() or "(no output)"
        color = "green" if execution.ok else "red"
        self.console.print(Panel(summary, title=f"[{color}]{execution.status}[/{color}]",
                                 subtitle=f"sandbox {execution.duration_s * 1000:.0f} ms"))  # fmt: skip

    def final(self, result: Result, notebook: str | None = None) -> None:
        if result.succeeded:
            self.console.print(f"[bold]Answer:[/bold] {result.answer}")
        else:
            self.console.print(f"[bold red]No answer[/bold red] ({result.status}): {result.error}")
        self.console.print(f"[dim]{len(result.steps)} step(s), {result.duration_s:.1f} s, {result.tokens} tokens[/dim]")
        if notebook:
            self.console.print(f"[dim]notebook: {notebook}[/dim]")


class TokenEcho:
    """The model's replies as they are written, as plain text to `out` (stderr: `codecall ask --stream`),
    each step's then closed by a line with what running it gave, so stdout stays the run's own output."""

    def __init__(self, out: TextIO = sys.stderr) -> None:
        self.out, self._step = out, 0

    def __call__(self, event: Event) -> Event:
        if isinstance(event, Token):
            if event.step != self._step:
                self._step = event.step
                self.out.write(f"[step {event.step}: the model writes]\n")
            self.out.write(event.text)
        elif isinstance(event, StepEnd):
            ran = event.step.execution.status if event.step.execution else "answer in text"
            self.out.write(f"\n[step {event.step.index}: {ran}]\n")
        self.out.flush()
        return event
