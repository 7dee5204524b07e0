"""Any OpenAI-compatible chat-completions server (OpenAI, vLLM, llama.cpp server, Ollama, transformers serve).

Plain `urllib` from the standard library: one POST per call needs no HTTP client dependency.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Any

from codecall.errors import ModelError
from codecall.models.base import Generation, GenerationRequest, Model, cut_at_stop
from codecall.models.grammar import reply_grammar

API_KEY_ENV = "OPENAI_API_KEY"  #: read when no api_key is given
MAX_SERVER_STOPS = 4  #: OpenAI accepts at most 4 stop strings; the rest are applied here
RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class OpenAICompatible(Model):
    """Chat completions over HTTP, greedy (temperature 0), with timeouts and retries.

    `base_url` is the API root that `/chat/completions` is appended to, e.g. `http://127.0.0.1:8000/v1`.
    Transient failures (connection errors, timeouts, 408/429/5xx) are retried `max_retries` times with
    exponential backoff (honouring Retry-After); 401/403 and 404 fail at once with a `ModelError` that says
    what to fix.

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
        backoff_s: float = 0.5,
        grammar: bool = False,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ModelError(f"base_url must start with http:// or https://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.model = self.name = model
        self.api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        self.timeout = timeout
        self.max_retries = max_retries
        self.temperature = temperature
        self.backoff_s = backoff_s
        self.grammar = grammar

    def generate(self, request: GenerationRequest) -> Generation:
        started = time.perf_counter()
        body: dict[str, Any] = {
            "model": self.model,
            "messages": request.messages,
            "max_tokens": request.max_new_tokens,
            "temperature": self.temperature,
        }
        if request.stop:
            body["stop"] = request.stop[:MAX_SERVER_STOPS]
        if self.grammar and request.tools:
            body["structured_outputs"] = {"grammar": reply_grammar(request.tools, request.task)}
        reply = self._post("/chat/completions", body)
        try:
            choice = reply["choices"][0]
            raw = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError) as e:
            raise ModelError(f"{self.base_url}: unexpected reply (no choices[0].message): {reply!r:.200}") from e
        text, stopped = cut_at_stop(raw, request.stop)  # servers differ on honouring stop: apply it here too
        usage = reply.get("usage") or {}
        return Generation(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            duration_s=time.perf_counter() - started,
            finish_reason="length" if choice.get("finish_reason") == "length" and not stopped else "stop",
        )

    def _post(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.base_url + route
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = json.dumps(body).encode()
        for attempt in range(self.max_retries + 1):
            request = urllib.request.Request(url, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as e:
                detail = _error_detail(e)
                if e.code in (401, 403):
                    raise ModelError(
                        f"{url}: credentials refused ({e.code}: {detail}); check the API key "
                        f"(api_key= or ${API_KEY_ENV})"
                    ) from None
                if e.code == 404:
                    raise ModelError(
                        f"{url}: not found (404: {detail}); the server does not know model "
                        f"{self.model!r}, or base_url is not the API root (it usually ends in /v1)"
                    ) from None
                if e.code not in RETRY_STATUSES or attempt == self.max_retries:
                    raise ModelError(f"{url}: HTTP {e.code}: {detail}") from None
                wait = _retry_after(e) or self.backoff_s * 2**attempt
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                reason = getattr(e, "reason", e)
                if attempt == self.max_retries:
                    raise ModelError(
                        f"{url}: no answer after {attempt + 1} attempts ({reason}); is the server running?"
                    ) from None
                wait = self.backoff_s * 2**attempt
            except json.JSONDecodeError as e:
                raise ModelError(f"{url}: the reply is not JSON ({e})") from None
            time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _error_detail(e: urllib.error.HTTPError) -> str:
    """The server's own message, from an OpenAI-style `{"error": {"message": ...}}` body or its text."""
    try:
        raw = e.read().decode(errors="replace")
    except OSError:
        return e.reason or ""
    try:
        err = json.loads(raw).get("error")
        message = err.get("message") if isinstance(err, dict) else err
        return str(message or raw)[:300]
    except (ValueError, AttributeError):
        return raw[:300] or str(e.reason)


def _retry_after(e: urllib.error.HTTPError) -> float | None:
    """Seconds the server asked us to wait (Retry-After), capped so a run does not stall."""
    try:
        return min(float(e.headers.get("Retry-After", "")), 30.0)
    except ValueError:
        return None
