"""A deterministic scripted model: it replies from a list (or a function of the conversation).

For testing the loop's logic and the batch machinery without a real model; name it as such wherever it
is used. It is not a language model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from codecall.models.base import Generation, Model, cut_at_stop

Reply = str | Callable[[list[dict[str, str]]], str]


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
        self, messages: list[dict[str, str]], *, stop: list[str] | None = None, max_new_tokens: int = 512
    ) -> Generation:
        reply = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        self.seen.append(messages)
        text = reply(messages) if callable(reply) else reply
        text, _ = cut_at_stop(text, stop)
        return Generation(text, prompt_tokens=0, completion_tokens=len(text.split()), duration_s=0.0)
