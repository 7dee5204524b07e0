"""A deterministic scripted model: it replies from a list (or a function of the conversation).

For testing the loop's logic and the batch machinery without a real model; name it as such wherever it
is used. It is not a language model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from codecall.errors import ModelError
from codecall.models.base import Generation, Model, cut_at_stop
from codecall.tools import Tool

Reply = str | Callable[[list[dict[str, str]]], str]
TASK_PREFIX = "Task: "  #: how the prompt opens the user's task message (codecall.prompt.build_messages)


class Scripted(Model):
    """Replies with `replies` in turn (each a string, or a function of the messages); then repeats the last."""

    name = "scripted"

    def __init__(self, replies: Sequence[Reply]) -> None:
        if not replies:
            raise ValueError("a scripted model needs at least one reply")
        self.replies = list(replies)
        self.calls = 0
        self.seen: list[list[dict[str, str]]] = []  #: the conversations it was given, for assertions

    def generate(
        self,
        messages: list[dict[str, str]],
        *,
        stop: list[str] | None = None,
        max_new_tokens: int = 512,
        tools: Sequence[Tool] | None = None,
        variables: Sequence[str] = (),
    ) -> Generation:
        reply = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        self.seen.append(messages)
        text = reply(messages) if callable(reply) else reply
        text, _ = cut_at_stop(text, stop)
        return Generation(text, prompt_tokens=0, completion_tokens=len(text.split()), duration_s=0.0)

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


def reply_by_task(replies: Mapping[str, str | list[str]]) -> Callable[[list[dict[str, str]]], str]:
    """A reply function that looks the conversation's task up in `replies` and answers its step (the number
    of model turns since the task): stateless, so concurrent runs of one model do not interfere."""

    def reply(messages: list[dict[str, str]]) -> str:
        for index in range(len(messages) - 1, -1, -1):
            content = messages[index]["content"]
            if messages[index]["role"] != "user" or not content.startswith(TASK_PREFIX):
                continue
            body = content[len(TASK_PREFIX) :]  # the task, perhaps followed by a note on a new line
            matches = [task for task in replies if body == task or body.startswith(task + "\n")]
            if not matches:
                raise ModelError(f"no scripted reply for the task {body[:80]!r}")
            answer = replies[max(matches, key=len)]
            steps = [answer] if isinstance(answer, str) else answer
            return steps[min(sum(m["role"] == "assistant" for m in messages[index + 1 :]), len(steps) - 1)]
        raise ModelError("no task in the conversation")

    return reply
