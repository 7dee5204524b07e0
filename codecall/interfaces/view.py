"""How a run looks in a terminal: each step as it happens (code, output), then the answer."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax

from codecall.result import Result, Step


class StepPrinter:
    """Prints steps to stderr-free stdout with rich; `step` is the Agent's on_step callback."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    def status(self, text: str) -> None:
        self.console.print(f"[dim]{text}...[/dim]")

    def step(self, step: Step) -> None:
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
