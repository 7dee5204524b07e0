"""What every model backend fills in: one method, chat messages in, text and token counts out."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from codecall.tools import Tool

FinishReason = Literal["stop", "length"]


@dataclass
class Generation:
    """One completion: plain data, so a run's trace can keep it as it is."""

    text: str  #: the completion, cut before the first stop string
    prompt_tokens: int  #: 0 where a server does not report usage
    completion_tokens: int  #: tokens actually generated (a stop string's own tokens included)
    duration_s: float
    finish_reason: FinishReason = "stop"  #: "length" when max_new_tokens ran out first


class Model(ABC):
    """A chat model; `messages` are OpenAI-style dicts with "role" (system, user, assistant) and "content"."""

    name: str = "model"
    #: True when a trailing assistant message is continued rather than answered (a prefilled reply)
    continues_reply: bool = False

    @abstractmethod
    def generate(
        self,
        messages: list[dict[str, str]],
        *,
        stop: list[str] | None = None,
        max_new_tokens: int = 512,
        tools: Sequence[Tool] | None = None,
        variables: Sequence[str] = (),
    ) -> Generation:
        """Complete the conversation; end where any string in `stop` appears, leaving it out of the text.

        `tools` (given for a code-action turn, possibly empty) are the tools the reply's code may call and
        `variables` the names already defined in its session; a backend that constrains decoding (a guided
        local model) uses them, others ignore them. None: an ordinary chat turn, never constrained.
        """


def cut_at_stop(text: str, stop: list[str] | None) -> tuple[str, bool]:
    """`text` up to the earliest stop string, and whether one was found."""
    cut = min((i for s in stop or [] if s and (i := text.find(s)) >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


class Serialized(Model):
    """One model shared by threads, one generation at a time: local models keep per-call state (the KV
    cache), and on a CPU a second concurrent generation only competes for the same cores."""

    def __init__(self, model: Model) -> None:
        self.inner, self.name, self.continues_reply = model, model.name, model.continues_reply
        self._lock = threading.Lock()

    def generate(self, messages: list[dict[str, str]], **options: Any) -> Generation:
        with self._lock:
            return self.inner.generate(messages, **options)

    def __getattr__(self, name: str) -> Any:  # anything else a backend offers, as it is
        if name == "inner":  # not set yet (copying, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)
