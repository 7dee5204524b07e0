"""Any OpenAI-compatible chat-completions server (OpenAI, vLLM, llama.cpp server, Ollama, transformers serve),
through the `openai` SDK: its clients give the timeouts, the retries (with backoff, honouring Retry-After),
streamed replies (server-sent events) and an async client; this module maps its errors to `ModelError`s
that say what to fix."""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import openai

from codecall.errors import ModelError
from codecall.models.base import FinishReason, Generation, GenerationRequest, Model, cut_at_stop
from codecall.models.grammar import reply_grammar

API_KEY_ENV = "OPENAI_API_KEY"  #: read when no api_key is given
NO_KEY = "none"  #: sent when there is no key at all (local servers ignore it; the SDK wants one)
MAX_SERVER_STOPS = 4  #: OpenAI accepts at most 4 stop strings; the rest are applied here


class OpenAICompatible(Model):
    """Chat completions over HTTP, greedy (temperature 0), with timeouts and retries.

    `base_url` is the API root that `/chat/completions` is appended to, e.g. `http://127.0.0.1:8000/v1`.
    Transient failures (connection errors, timeouts, 408/409/429/5xx) are retried `max_retries` times with
    exponential backoff (honouring Retry-After); 401/403 and 404 fail at once with a `ModelError` that says
    what to fix. `stream` and `astream` read the reply as the server writes it (`stream=True`); `astream`
    uses the SDK's async client, one per event loop.

    `grammar=True` sends, on a turn with tools, a Lark grammar of the whole reply (`grammar.reply_grammar`)
    as `structured_outputs.grammar`: vLLM (0.12+) run with its llguidance backend
    (`--structured-outputs-config.backend guidance`) then keeps the reply to calls of the tools. Off by
    default: other servers, OpenAI's own included, refuse the unknown field.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60,
        max_retries: int = 2,
        *,
        temperature: float = 0.0,
        grammar: bool = False,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ModelError(f"base_url must start with http:// or https://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.model = self.name = model
        self.api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        self.timeout, self.max_retries = timeout, max_retries
        self.temperature = temperature
        self.grammar = grammar
        self._client = openai.OpenAI(**self._client_options())
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary()
        )

    def generate(self, request: GenerationRequest) -> Generation:
        started = time.perf_counter()
        with self._errors():
            completion = self._client.chat.completions.create(**self._body(request))
        try:
            choice = completion.choices[0]
            raw = choice.message.content or ""
        except (IndexError, TypeError, AttributeError) as e:
            raise ModelError(f"{self._url}: unexpected reply (no choices[0].message): {completion!r:.200}") from e
        usage = completion.usage
        return _generation(raw, request, started, choice.finish_reason, usage)

    def stream(self, request: GenerationRequest) -> Iterator[str | Generation]:
        reply = _Reply(request)
        with self._errors():
            with self._client.chat.completions.create(**self._body(request, stream=True)) as chunks:
                for chunk in chunks:
                    if text := reply.add(chunk):
                        yield text
        yield reply.generation()

    async def astream(self, request: GenerationRequest) -> AsyncIterator[str | Generation]:
        reply = _Reply(request)
        with self._errors():
            chunks = await self._async_client().chat.completions.create(**self._body(request, stream=True))
            async with chunks:
                async for chunk in chunks:
                    if text := reply.add(chunk):
                        yield text
        yield reply.generation()

    @property
    def _url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def _client_options(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "api_key": self.api_key or NO_KEY, "timeout": self.timeout,
                "max_retries": self.max_retries}  # fmt: skip

    def _async_client(self) -> openai.AsyncOpenAI:
        """The async client of the running event loop (its connections belong to that loop)."""
        loop = asyncio.get_running_loop()
        if loop not in self._async_clients:
            self._async_clients[loop] = openai.AsyncOpenAI(**self._client_options())
        return self._async_clients[loop]

    def _body(self, request: GenerationRequest, *, stream: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": request.messages,
                                "max_tokens": request.max_new_tokens, "temperature": self.temperature}  # fmt: skip
        if request.stop:
            body["stop"] = request.stop[:MAX_SERVER_STOPS]
        if self.grammar and request.tools:
            body["extra_body"] = {"structured_outputs": {"grammar": reply_grammar(request.tools, request.task)}}
        if stream:
            body.update(stream=True, stream_options={"include_usage": True})
        return body

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """The SDK's errors (after its retries) as `ModelError`s that say what to fix."""
        url = self._url
        try:
            yield
        except (openai.AuthenticationError, openai.PermissionDeniedError) as e:
            raise ModelError(f"{url}: credentials refused ({e.status_code}: {_detail(e)}); check the API key "
                             f"(api_key= or ${API_KEY_ENV})") from None  # fmt: skip
        except openai.NotFoundError as e:
            raise ModelError(f"{url}: not found (404: {_detail(e)}); the server does not know model "
                             f"{self.model!r}, or base_url is not the API root (it usually ends in /v1)") from None
        except openai.APIStatusError as e:
            raise ModelError(f"{url}: HTTP {e.status_code}: {_detail(e)}") from None
        except openai.APIConnectionError as e:
            why = "timed out" if isinstance(e, openai.APITimeoutError) else str(e.__cause__ or e)
            raise ModelError(f"{url}: no answer after {self.max_retries + 1} attempts ({why}); "
                             "is the server running?") from None  # fmt: skip
        except openai.OpenAIError as e:  # a malformed reply or stream
            raise ModelError(f"{url}: {type(e).__name__}: {e}") from None


class _Reply:
    """A streamed reply put together from its chunks: the text, the finish reason, the usage."""

    def __init__(self, request: GenerationRequest) -> None:
        self.request, self.started = request, time.perf_counter()
        self.parts: list[str] = []
        self.first_token_s = 0.0
        self.finish_reason: str | None = None
        self.usage: Any = None

    def add(self, chunk: Any) -> str:
        """The chunk's new text ("" for a chunk without any)."""
        self.usage = getattr(chunk, "usage", None) or self.usage
        if not chunk.choices:
            return ""
        choice = chunk.choices[0]
        self.finish_reason = choice.finish_reason or self.finish_reason
        text = (choice.delta.content if choice.delta else None) or ""
        if text and not self.parts:
            self.first_token_s = time.perf_counter() - self.started
        self.parts.append(text)
        return text

    def generation(self) -> Generation:
        generation = _generation("".join(self.parts), self.request, self.started, self.finish_reason, self.usage)
        generation.first_token_s = self.first_token_s
        return generation


def _generation(raw: str, request: GenerationRequest, started: float, finish: str | None, usage: Any) -> Generation:
    text, stopped = cut_at_stop(raw, request.stop)  # servers differ on honouring stop: apply it here too
    reason: FinishReason = "length" if finish == "length" and not stopped else "stop"
    return Generation(text=text, prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                      completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
                      duration_s=time.perf_counter() - started, finish_reason=reason)  # fmt: skip


def _detail(e: openai.APIStatusError) -> str:
    """The server's own message: OpenAI's `{"error": {"message": ...}}` (the SDK keeps the inner object),
    FastAPI's `{"detail": ...}`, or the text."""
    body = e.body
    if isinstance(body, dict):
        body = body.get("message") or body.get("detail") or body
    return str(body or e.message)[:300]
