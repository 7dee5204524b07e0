"""Model backends: the real bundled model, and the HTTP backend against a real server on loopback."""

from __future__ import annotations

import ast
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from codecall.errors import ModelError
from codecall.extract import extract_code
from codecall.models import Generation, GenerationRequest, Model, OpenAICompatible, Transformers, resolve_model
from codecall.models.transformers import cache_root
from codecall.prompt import opening_request
from codecall.tools import Tool

MESSAGES = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "Count from 1 to 20, separated by commas."},
]


@pytest.fixture(scope="module")
def bundled() -> Transformers:
    return Transformers()


@pytest.mark.model
def test_bundled_model_loads_from_the_safetensors_cache(bundled):
    assert (bundled.path / "model.safetensors").is_file()
    assert bundled.path.parent == cache_root()
    assert not any(p.name.startswith(".") for p in cache_root().iterdir())  # no half-written cache


@pytest.mark.model
def test_generate_is_greedy_and_counts_tokens(bundled):
    first = bundled.generate(GenerationRequest(MESSAGES, max_new_tokens=12))
    again = bundled.generate(GenerationRequest(MESSAGES, max_new_tokens=12))
    assert isinstance(first, Generation) and first.text == again.text
    assert first.text.startswith("1, 2, 3")
    assert first.completion_tokens == 12 and first.finish_reason == "length"
    assert first.prompt_tokens > 10 and first.duration_s > 0


@pytest.mark.model
def test_stop_strings_end_generation_and_are_trimmed(bundled):
    g = bundled.generate(GenerationRequest(MESSAGES, stop=["5,"], max_new_tokens=60))
    assert g.text.rstrip().endswith("4,") and "5," not in g.text
    assert g.finish_reason == "stop" and g.completion_tokens < 20


@pytest.mark.model
def test_prefilled_reply_is_continued(bundled):
    g = bundled.generate(GenerationRequest(MESSAGES, prefill="1, 2, 3,", max_new_tokens=6))
    assert g.text.lstrip().startswith("4")


@pytest.mark.model
def test_reused_kv_cache_gives_the_same_text(bundled):
    follow = [*MESSAGES, {"role": "assistant", "content": "1, 2, 3"}, {"role": "user", "content": "Now 30 to 35."}]
    bundled.reuse_cache = False
    expected = bundled.generate(GenerationRequest(follow, max_new_tokens=15)).text
    bundled.reuse_cache = True
    bundled.generate(GenerationRequest(MESSAGES, max_new_tokens=5))
    assert bundled.generate(GenerationRequest(follow, max_new_tokens=15)).text == expected


@pytest.mark.model
def test_a_gguf_file_is_converted_once_atomically(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = Transformers()
    second = Transformers()
    assert first.converted and not second.converted
    assert second.load_s < first.load_s
    assert [p.name for p in (tmp_path / "codecall" / "models").iterdir()] == [first.path.name]


def test_bad_paths_and_specs_are_model_errors(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        Transformers(tmp_path / "nope")
    with pytest.raises(ModelError, match="no config.json"):
        Transformers(tmp_path)
    with pytest.raises(ModelError, match="neither"):
        resolve_model("no-such-model")
    with pytest.raises(ModelError, match="which model"):
        resolve_model("http://127.0.0.1:9/v1")
    remote = resolve_model("http://127.0.0.1:9/v1#smol")
    assert isinstance(remote, OpenAICompatible) and remote.model == "smol" and isinstance(remote, Model)


# --- a real OpenAI-compatible server on loopback, serving the bundled model ---------------------------


class _Server:
    """A small chat-completions server: key "secret", model "smol", and a switch to fail with 503."""

    def __init__(self, model: Transformers) -> None:
        self.model, self.fail_next, self.requests, self.bodies = model, 0, 0, []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                owner.requests += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                if self.headers.get("Authorization") != "Bearer secret":
                    return self._send(401, {"error": {"message": "Incorrect API key provided"}})
                if body["model"] != "smol":
                    return self._send(404, {"error": {"message": f"The model {body['model']} does not exist"}})
                if owner.fail_next:
                    owner.fail_next -= 1
                    return self._send(503, {"error": {"message": "overloaded"}})
                owner.bodies.append(body)
                grammar = (body.get("structured_outputs") or {}).get("grammar")
                if grammar:  # as vLLM's llguidance backend does
                    g = _generate_under_grammar(owner.model, body["messages"], grammar, body["max_tokens"])
                else:
                    g = owner.model.generate(GenerationRequest(body["messages"], stop=body.get("stop"),
                                                              max_new_tokens=body["max_tokens"]))
                return self._send(
                    200,
                    {
                        "object": "chat.completion",
                        "model": "smol",
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": g.text},
                                "finish_reason": g.finish_reason,
                            }
                        ],
                        "usage": {"prompt_tokens": g.prompt_tokens, "completion_tokens": g.completion_tokens},
                    },
                )

            def _send(self, code: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


def _generate_under_grammar(model: Transformers, messages: list[dict], grammar: str, max_tokens: int) -> Generation:
    """Greedy decoding masked by a Lark grammar through llguidance: a grammar-taking server's side."""
    import llguidance
    import llguidance.hf
    import llguidance.torch
    import torch

    tok, vocab = model.tokenizer, model.model.config.vocab_size
    matcher = llguidance.LLMatcher(llguidance.hf.from_tokenizer(tok, n_vocab=vocab),
                                   llguidance.LLMatcher.grammar_from_lark(grammar))  # fmt: skip
    bitmask = llguidance.torch.allocate_token_bitmask(1, vocab)
    prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    ids = tok(prompt, add_special_tokens=False, return_tensors="pt").input_ids
    new: list[int] = []
    with torch.inference_mode():
        out = model.model(ids, use_cache=True)
        while len(new) < max_tokens and not matcher.is_stopped():
            logits = out.logits[:, -1]
            llguidance.torch.fill_next_token_bitmask(matcher, bitmask, 0)
            llguidance.torch.apply_token_bitmask_inplace(logits, bitmask)
            token = int(logits.argmax())
            if token == tok.eos_token_id:
                break
            matcher.consume_token(token)
            new.append(token)
            kw = model._cache_kw  # "cache" from transformers 5, "past_key_values" before
            out = model.model(torch.tensor([[token]]), use_cache=True, **{kw: getattr(out, kw)})
    return Generation(tok.decode(new), ids.shape[1], len(new), 0.0, "stop")


@pytest.fixture(scope="module")
def server(bundled) -> Iterator[_Server]:
    s = _Server(bundled)
    thread = threading.Thread(target=s.httpd.serve_forever, daemon=True)
    thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.mark.model
def test_http_round_trip_matches_the_local_model(server, bundled):
    remote = OpenAICompatible(server.url, "smol", api_key="secret")
    g = remote.generate(GenerationRequest(MESSAGES, stop=["5,"], max_new_tokens=30))
    assert g.text == bundled.generate(GenerationRequest(MESSAGES, stop=["5,"], max_new_tokens=30)).text
    assert g.prompt_tokens > 10 and g.completion_tokens > 0


@pytest.mark.model
def test_http_bad_credentials_and_unknown_model_fail_at_once(server):
    before = server.requests
    with pytest.raises(ModelError, match="credentials refused.*Incorrect API key"):
        OpenAICompatible(server.url, "smol", api_key="wrong").generate(GenerationRequest(MESSAGES, max_new_tokens=3))
    with pytest.raises(ModelError, match="does not know model 'gpt-9'"):
        OpenAICompatible(server.url, "gpt-9", api_key="secret").generate(GenerationRequest(MESSAGES, max_new_tokens=3))
    assert server.requests - before == 2  # neither was retried


@pytest.mark.model
def test_http_transient_503_is_retried(server):
    server.fail_next = 2
    remote = OpenAICompatible(server.url, "smol", api_key="secret", max_retries=2)
    assert remote.generate(GenerationRequest(MESSAGES, max_new_tokens=3)).completion_tokens == 3
    server.fail_next = 3
    with pytest.raises(ModelError, match="503: overloaded"):
        remote.generate(GenerationRequest(MESSAGES, max_new_tokens=3))
    server.fail_next = 0


@pytest.mark.model
def test_http_server_that_takes_a_grammar_keeps_the_reply_to_tool_calls(server):
    def multiply(a: float, b: float) -> float:
        """Multiply two numbers."""
        return a * b

    tools = [Tool.from_function(multiply)]
    request = opening_request("What is 12 times 9?", tools, prefill=False, max_new_tokens=5)
    plain = OpenAICompatible(server.url, "smol", api_key="secret")
    plain.generate(request)
    assert "structured_outputs" not in server.bodies[-1]  # off unless asked: most servers refuse the field
    remote = OpenAICompatible(server.url, "smol", api_key="secret", grammar=True, timeout=300)
    g = remote.generate(replace(request, max_new_tokens=60))
    assert "structured_outputs" in server.bodies[-1]
    code = extract_code(g.text)
    assert code is not None, g.text
    *calls, last = ast.parse(code).body
    assert calls and all(c.value.func.id == "multiply" for c in calls), code
    assert {ast.literal_eval(a) for a in calls[0].value.args} <= {12, 9}, code  # the task's numbers only
    assert ast.unparse(last).startswith("final_answer("), code


def test_http_connection_refused_is_retried_then_explained():
    remote = OpenAICompatible("http://127.0.0.1:9/v1", "smol", max_retries=1, timeout=2)
    with pytest.raises(ModelError, match="no answer after 2 attempts.*server running"):
        remote.generate(GenerationRequest(MESSAGES))
