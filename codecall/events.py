"""What a run reports as it happens: `Agent.stream` and `Agent.astream` yield these, in this order per step
(`Token`s while the model writes, `Code` when its code is about to run, `Output` once it ran, `Observation`
when that goes back to the model, `StepEnd`), then `Answer` when there is one, and always `Done` last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codecall.result import Result, Step
from sandbox import Execution


@dataclass(frozen=True)
class Token:
    """A piece of the model's reply as it is generated (raw: a stop string may still follow)."""

    step: int
    text: str


@dataclass(frozen=True)
class Code:
    """The code extracted from the step's reply, about to run in the sandbox."""

    step: int
    code: str


@dataclass(frozen=True)
class Output:
    """What running the step's code produced."""

    step: int
    execution: Execution


@dataclass(frozen=True)
class Observation:
    """What goes back to the model after a step that did not answer."""

    step: int
    text: str


@dataclass(frozen=True)
class StepEnd:
    """A step is over; `step` is its full record (the `on_step` callback's argument)."""

    step: Step


@dataclass(frozen=True)
class Answer:
    """The run's answer: given by the code (`status` "answered") or written as text ("text")."""

    value: Any
    status: str


@dataclass(frozen=True)
class Done:
    """The run is over, whatever its outcome: the last event, carrying what `Agent.run` returns."""

    result: Result


Event = Token | Code | Output | Observation | StepEnd | Answer | Done
