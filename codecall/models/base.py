"""What every model backend fills in: one method, a generation request in, text and token counts out."""

from __future__ import annotations

import asyncio
import queue
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from codecall.tools import Tool

FinishReason = Literal["stop", "length"]


@dataclass(frozen=True)
class GenerationRequest:
    """What the loop asks of a model, as data: the conversation, and on a code-action turn what a backend
    that constrains decoding needs, so no backend has to read it back out of the prompt's text."""

    messages: list[dict[str, str]]  #: OpenAI-style dicts with "role" (system, user, assistant) and "content"
    stop: list[str] | None = None  #: end where any of these appears, leaving it out of the text
    max_new_tokens: int = 512
    prefill: str = ""  #: the start of the reply, continued by a backend that `continues_reply`
    #: a code-action turn's tools (possibly none), the only functions the reply's code may call; None: a chat
    #: turn, never constrained
    tools: Sequence[Tool] | None = None
    task: str = ""  #: the user's task, as written
    variables: Sequence[str] = ()  #: names already defined in the reply's session (data, earlier results)
    relevance: dict[str, float] = field(default_factory=dict)  #: each tool's relevance to the task, 0 to 1
    task_free: list[dict[str, str]] = field(default_factory=list)  #: `messages` with a task that says nothing
    #: each DataFrame variable's columns and their dtypes ({"sales": {"region": "object", "amount": "int64"}}),
    #: the schema the prompt shows, for a backend that guides code over the data
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    #: a few distinct values of each text column, by variable, for the literals a filter may compare with
    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: code lines that failed in an earlier step of the run (an error was raised there): not to write again
    failed: Sequence[str] = ()


@dataclass
class Generation:
    """One completion: plain data, so a run's trace can keep it as it is."""

    text: str  #: the completion, cut before the first stop string
    prompt_tokens: int  #: 0 where a server does not report usage
    completion_tokens: int  #: tokens actually generated (a stop string's own tokens included)
    duration_s: float
    finish_reason: FinishReason = "stop"  #: "length" when max_new_tokens ran out first
    first_token_s: float = 0.0  #: seconds from the call to the first new token (0 where a backend cannot tell)


class Model(ABC):
    """A chat model; `messages` are OpenAI-style dicts with "role" (system, user, assistant) and "content"."""

    name: str = "model"
    #: True when a trailing assistant message is continued rather than answered (a prefilled reply)
    continues_reply: bool = False

    @abstractmethod
    def generate(self, request: GenerationRequest) -> Generation:
        """Complete `request.messages` (after `request.prefill`, where the backend `continues_reply`); a
        backend that constrains decoding (a guided local model) reads the code-action fields, others
        ignore them."""

    def stream(self, request: GenerationRequest) -> Iterator[str | Generation]:
        """The reply as it is written: pieces of its text, then the whole `Generation` last. A backend that
        cannot stream gives its text in one piece."""
        generation = self.generate(request)
        if generation.text:
            yield generation.text
        yield generation

    async def astream(self, request: GenerationRequest) -> AsyncIterator[str | Generation]:
        """`stream` for an event loop; by default the blocking `stream`, each piece fetched in a worker
        thread, so the loop is free while the model works. An async client overrides it."""
        pieces = self.stream(request)
        try:
            while (piece := await asyncio.to_thread(next, pieces, None)) is not None:
                yield piece
        finally:
            await asyncio.to_thread(pieces.close)


#: what a streaming backend's generation is given: a function to call with each new piece of text
OnText = Callable[[str], None]


def stream_in_thread(generate: Callable[[OnText], Generation]) -> Iterator[str | Generation]:
    """`Model.stream` for a backend whose generation reports text through a callback (a transformers
    streamer): it runs in a thread while the pieces are yielded here, and the Generation (or its error)
    comes last. Closing the stream early waits for the generation to end, so a caller's lock still covers it."""
    pieces: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()

    def work() -> None:
        try:
            pieces.put(("done", generate(lambda text: pieces.put(("text", text)))))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, raised there
            pieces.put(("error", error))

    thread = threading.Thread(target=work, name="codecall-generate", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = pieces.get()
            if kind == "error":
                raise value  # type: ignore[misc]
            yield value  # type: ignore[misc]
            if kind == "done":
                return
    finally:
        thread.join()


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

    def generate(self, request: GenerationRequest) -> Generation:
        with self._lock:
            return self.inner.generate(request)

    def stream(self, request: GenerationRequest) -> Iterator[str | Generation]:
        with self._lock:  # held until the stream is over or closed
            yield from self.inner.stream(request)

    def __getattr__(self, name: str) -> Any:  # anything else a backend offers, as it is
        if name == "inner":  # not set yet (copying, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)
