"""Scoring complete candidates under a local model, for the guide's choices (which tool a call line uses).

A candidate is read in one forward pass after the sequence so far, on the KV cache `generate()` is filling,
and cut off again, so generation goes on as if nothing happened. Its bias, the same score after a prompt
whose task says nothing, is read the same way after that task-free prompt, whose KV cache and last logits
are kept: each task-free prompt is read once per process, not once per choice, and its scores are kept on
disk for the processes after it (`codecall.models.prompt_store`). And it is read from a copy
of the real prompt's cache, which holds the same system message and worked example: only the tokens from
the task on (a dozen or so) go through the model, not the whole prompt again.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codecall.models.prompt_store import PromptStore

#: Task-free prompts whose KV cache is kept (one per tool list shown; a batch over many lists reads the
#: oldest again when it comes back). The bundled model's cache of a 600-token prompt is about 28 MB.
MAX_TASK_FREE_PROMPTS = 4
MAX_KNOWN_PROMPTS = 256  #: task-free prompts whose scores (a few numbers each) are kept in memory


def shared_prefix(a: list[int], b: list[int]) -> int:
    """How many tokens `a` and `b` share from their start: what a KV cache over one holds of the other."""
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared


class TaskFreeMemo:
    """Per task-free prompt (its token ids): the scores already computed after it, and a scorer holding that
    prompt's KV cache and last logits, to compute more. Least recently used prompts are dropped first. With
    a `store`, scores are also kept on disk for later processes (`codecall.models.prompt_store`)."""

    def __init__(self, size: int = MAX_TASK_FREE_PROMPTS, store: PromptStore | None = None) -> None:
        self.size, self.store = size, store
        self._readers: OrderedDict[tuple[int, ...], tuple[CacheScorer, Any]] = OrderedDict()
        self._known: OrderedDict[tuple[int, ...], dict[tuple[int, ...], float]] = OrderedDict()

    def scores(self, model: Any, cache_kw: str, prompt: list[int], candidates: list[list[int]],
               warm: tuple[Any, list[int]]) -> list[float]:  # fmt: skip
        """The summed log-probability of each candidate after `prompt`; `warm` is a KV cache and the tokens it
        holds, whose common beginning with `prompt` need not be read again."""
        key = tuple(prompt)
        if key not in self._known:
            self._known[key] = self.store.scores(key) if self.store else {}
            while len(self._known) > MAX_KNOWN_PROMPTS:
                self._known.popitem(last=False)
        self._known.move_to_end(key)
        known = self._known[key]
        missing = [c for c in map(tuple, candidates) if c not in known]
        if missing:
            reader, last = self._reader(model, cache_kw, prompt, warm)
            for candidate in missing:
                known[candidate] = reader.score(last, list(candidate), len(prompt))
            if self.store:
                self.store.save_scores(key, known)
        return [known[tuple(c)] for c in candidates]

    def _reader(self, model: Any, cache_kw: str, prompt: list[int], warm: tuple[Any, list[int]]) -> tuple[Any, Any]:
        """A scorer over `prompt`'s KV cache and the logits after it, read once per prompt."""
        import torch

        key = tuple(prompt)
        if key not in self._readers:
            # the nearest cache to start from: the real prompt's, or a task-free one already read (the same
            # task-free prompt with a shorter reply after it, for a bias read after the reply so far)
            nearest = [warm, *((reader.cache, list(k)) for k, (reader, _) in self._readers.items())]
            cache, held = max(nearest, key=lambda n: shared_prefix(prompt[:-1], n[1]))
            shared = shared_prefix(prompt[:-1], held)  # at least one token is read, for its logits
            if held is not warm[1]:
                self._readers.move_to_end(tuple(held))  # the task-free prompt itself stays in the memo
            own = copy.deepcopy(cache)
            own.crop(shared - own.get_seq_length())
            reader = CacheScorer(model, own, cache_kw, None, self)
            last = reader.forward(torch.tensor([prompt[shared:]]), last_only=True)[0, -1]
            self._readers[key] = (reader, last)
            while len(self._readers) > self.size:
                self._readers.popitem(last=False)
        self._readers.move_to_end(key)
        return self._readers[key]


class CacheScorer:
    """Scores candidate continuations after the sequence on `cache`; `baseline` after `baseline_ids`, a
    prompt whose task says nothing (None: no bias is taken away), through `memo`."""

    def __init__(self, model: Any, cache: Any, cache_kw: str, baseline_ids: list[int] | None,
                 memo: TaskFreeMemo) -> None:  # fmt: skip
        self.model, self.cache, self.cache_kw = model, cache, cache_kw
        self.baseline_ids, self.memo = baseline_ids, memo
        self.held: list[int] = []  #: the tokens on `cache` when last called

    def __call__(self, input_ids: Any, scores: Any, candidates: list[list[int]]) -> list[float]:
        """The summed log-probability of each candidate's tokens after the sequence so far, whose next-token
        logits are `scores`."""
        length = self.cache.get_seq_length()
        if length != input_ids.shape[1]:
            raise RuntimeError(f"the cache holds {length} tokens, the sequence {input_ids.shape[1]}")
        self.held = input_ids[0].tolist()
        return [self.score(scores[0].float(), ids, length) for ids in candidates]

    def baseline(self, candidates: list[list[int]], after: Sequence[int] = ()) -> list[float]:
        """The same, after the task-free prompt and then `after` (the reply so far): the model's bias towards
        each candidate, to take away. The task-free prompt with a reply after it is read once per reply."""
        if self.baseline_ids is None:
            return [0.0] * len(candidates)
        prompt = [*self.baseline_ids, *after]
        return self.memo.scores(self.model, self.cache_kw, prompt, candidates, (self.cache, self.held))

    def forward(self, ids: Any, *, last_only: bool = False) -> Any:
        """The logits after each of `ids` (or the last only), read onto the cache."""
        import torch

        keep = {"logits_to_keep": 1} if last_only else {}
        with torch.inference_mode():
            return self.model(input_ids=ids, use_cache=True, **{self.cache_kw: self.cache}, **keep).logits.float()

    def score(self, last: Any, ids: list[int], length: int) -> float:
        """log P(ids) given the logits `last` after `length` cached tokens; the cache is left as it was."""
        import torch

        total = float(last.log_softmax(-1)[ids[0]])
        if len(ids) > 1:
            logits = self.forward(torch.tensor([ids[:-1]]))[0]
            self.cache.crop(length - self.cache.get_seq_length())
            total += float(logits.log_softmax(-1)[torch.arange(len(ids) - 1), torch.tensor(ids[1:])].sum())
        return total
