"""The prompt store: what a model read of a prompt's task-free beginning, kept on disk for a new process."""

from __future__ import annotations

import pytest
import torch
from transformers import DynamicCache

from codecall.agent import Agent
from codecall.models import Transformers
from codecall.models import prompt_store as store_module
from codecall.models import transformers as transformers_module
from codecall.models.prompt_store import PromptStore
from codecall.tools import tool
from tests.test_agent import add


@tool
def power(base: float, exponent: float) -> float:
    """base raised to exponent."""
    return base**exponent


def _cache(length: int, layers: int = 2) -> DynamicCache:
    """A KV cache whose values tell the positions apart."""
    steps = torch.arange(length, dtype=torch.float32).reshape(1, 1, length, 1).expand(1, 2, length, 4)
    return DynamicCache(ddp_cache_data=[(steps + i, -steps - i) for i in range(layers)])


def test_the_longest_kept_beginning_shorter_than_the_prompt_is_loaded(tmp_path):
    store = PromptStore(tmp_path)
    ids = list(range(100, 200))
    store.save_prefix(ids[:40], _cache(60))
    store.save_prefix(ids[:70], _cache(80))
    store.save_prefix([7] * 50, _cache(50))  # another prompt's
    n, cache = store.load_prefix(ids, config=None)
    assert n == 70 and cache.get_seq_length() == 70
    assert torch.equal(cache.layers[1].keys, _cache(70).layers[1].keys)
    assert store.load_prefix(ids[:70], config=None)[0] == 40  # at least one token is left to read
    assert store.load_prefix(list(range(60)), config=None) is None


def test_a_damaged_file_is_dropped_and_old_files_go_first(tmp_path, monkeypatch):
    store = PromptStore(tmp_path)
    ids = list(range(64))
    store.save_prefix(ids[:40], _cache(40))
    (path,) = tmp_path.glob("prefix-*")
    path.write_bytes(b"not a safetensors file")
    assert store.load_prefix(ids, config=None) is None and not path.exists()
    monkeypatch.setattr(store_module, "MAX_PREFIXES", 2)
    for n in (33, 34, 35):
        store.save_prefix(ids[:n], _cache(n))
    assert sorted(int(p.name.split("-")[1]) for p in tmp_path.glob("prefix-*")) == [34, 35]
    assert PromptStore(tmp_path / "missing").load_prefix(ids, config=None) is None


def test_scores_round_trip_and_a_bad_file_reads_as_none(tmp_path):
    store = PromptStore(tmp_path)
    store.save_scores([1, 2, 3], {(4, 5): -1.5, (6,): -0.25})
    assert store.scores([1, 2, 3]) == {(4, 5): -1.5, (6,): -0.25}
    assert store.scores([1, 2]) == {}
    next(tmp_path.glob("scores-*")).write_text("[[", encoding="utf-8")
    assert store.scores([1, 2, 3]) == {}


def test_an_unwritable_store_costs_only_time(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    store = PromptStore(blocker / "store")  # its folder cannot be made
    store.save_prefix(list(range(40)), _cache(40))
    store.save_scores([1], {(2,): -1.0})
    assert store.load_prefix(list(range(50)), config=None) is None and store.scores([1]) == {}


@pytest.mark.model
def test_a_new_process_reads_the_stored_prompt_and_replies_the_same(tmp_path, monkeypatch):
    """Two model instances stand for two processes: the second has nothing in memory, only the store."""
    monkeypatch.setattr(transformers_module, "_store_folder", lambda *_: tmp_path / "store")
    loaded: list[int | None] = []
    load = PromptStore.load_prefix

    def spy(self, ids, config):
        found = load(self, ids, config)
        loaded.append(found[0] if found else None)
        return found

    monkeypatch.setattr(PromptStore, "load_prefix", spy)
    plain = Agent(Transformers(prompt_store=False), [add, power]).run("What is 17 + 25?")
    assert loaded == []
    first = Agent(Transformers(prompt_store=True), [add, power]).run("What is 17 + 25?")
    assert loaded == [None]
    (kept,) = (tmp_path / "store").glob("prefix-*")
    assert list((tmp_path / "store").glob("scores-*"))  # the tool choice's task-free scores
    second = Agent(Transformers(prompt_store=True), [add, power]).run("What is 17 + 25?")
    assert loaded[1] == int(kept.name.split("-")[1]) > 100  # the system message, tools and example: not read again
    assert plain.answer == first.answer == second.answer == 42
    assert [s.code for s in second.steps] == [s.code for s in first.steps] == [s.code for s in plain.steps]
