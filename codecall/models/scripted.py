"""A deterministic scripted model: it replies from a list (or a function of the conversation).

For testing the loop's logic and the batch machinery without a real model; name it as such wherever it
is used. It is not a language model.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path

from codecall.errors import ModelError
from codecall.models.base import Generation, GenerationRequest, Model, cut_at_stop

Reply = str | Callable[[GenerationRequest], str]


class Scripted(Model):
    """Replies with `replies` in turn (each a string, or a function of the request); then repeats the last.

    `delay_s` is how long each reply takes, as a remote model's would: a blocking sleep in `generate` and
    `stream`, an async one in `astream` (as an async HTTP client waits). It streams a reply word by word.
    """

    name = "scripted"

    def __init__(self, replies: Sequence[Reply], *, delay_s: float = 0.0) -> None:
        if not replies:
            raise ValueError("a scripted model needs at least one reply")
        self.replies = list(replies)
        self.delay_s = delay_s
        self.calls = 0
        self.seen: list[list[dict[str, str]]] = []  #: the conversations it was given, for assertions

    def generate(self, request: GenerationRequest) -> Generation:
        time.sleep(self.delay_s)
        return self._reply(request)

    def stream(self, request: GenerationRequest) -> Iterator[str | Generation]:
        generation = self.generate(request)
        yield from _words(generation.text)
        yield generation

    async def astream(self, request: GenerationRequest) -> AsyncIterator[str | Generation]:
        await asyncio.sleep(self.delay_s)
        generation = self._reply(request)
        for word in _words(generation.text):
            yield word
        yield generation

    def _reply(self, request: GenerationRequest) -> Generation:
        reply = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        self.seen.append(request.messages)
        text = reply(request) if callable(reply) else reply
        text, _ = cut_at_stop(text, request.stop)
        return Generation(text, prompt_tokens=0, completion_tokens=len(text.split()), duration_s=self.delay_s)

    @classmethod
    def from_file(cls, path: str | Path) -> Scripted:
        """The model of the spec `scripted:FILE.json`, so the CLI (batch, eval) can run without a real model:
        the file holds a list of replies given in turn, or an object mapping each task's text to its reply
        (or to a list of replies, one per step), which serves any number of concurrent runs."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ModelError(f"cannot read the scripted replies {path}: {error}") from error
        if isinstance(data, list) and data and all(isinstance(r, str) for r in data):
            return cls(data)
        if isinstance(data, dict) and all(isinstance(r, str | list) for r in data.values()):
            return cls([reply_by_task(data)])
        raise ModelError(f"{path}: expected a list of replies or an object mapping task text to replies")


def reply_by_task(replies: Mapping[str, str | list[str]]) -> Callable[[GenerationRequest], str]:
    """A reply function that looks the request's task up in `replies` and answers its step (the number of
    model turns since the task): stateless, so concurrent runs of one model do not interfere."""

    def reply(request: GenerationRequest) -> str:
        if request.task not in replies:
            raise ModelError(f"no scripted reply for the task {request.task[:80]!r}")
        answer = replies[request.task]
        steps = [answer] if isinstance(answer, str) else answer
        return steps[min(_turns_since_task(request), len(steps) - 1)]

    return reply


def _turns_since_task(request: GenerationRequest) -> int:
    """The model turns since the task: assistant messages after it (the task-free conversation ends
    where the task stands)."""
    task_at = max(len(request.task_free) - 1, 0)
    return sum(m["role"] == "assistant" for m in request.messages[task_at + 1 :])


def _words(text: str) -> list[str]:
    """`text` in pieces that join back to it: each word with the space after it."""
    return re.findall(r"\s*\S+\s*|\s+", text)
