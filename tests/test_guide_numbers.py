"""How a guided reply spends the task's numbers: each as often as the task writes it within one call, a
number the task leaves behind does not keep the reply going, and a tool called again may share the
numbers of its last call. Cases of their own, not tasks of the evaluation."""

from __future__ import annotations

import pytest
import torch

from codecall.models.guide import Guide
from codecall.models.transformers import Transformers
from codecall.tools import Tool


@pytest.fixture(scope="module")
def guide() -> Guide:
    model = Transformers()
    return Guide(model.tokenizer, model.model.config.vocab_size)


def crate_volume(length: float, width: float, height: float) -> float:
    """The volume of a crate, in cubic metres."""
    return length * width * height


def miles(km: float) -> float:
    """Kilometres in miles."""
    return km * 0.621371


def plus(a: float, b: float) -> float:
    """The sum of two numbers."""
    return a + b


def rise_percent(old: float, new: float) -> float:
    """By what percent a value rose from old to new."""
    return (new - old) / old * 100


def step(constraint, guide: Guide, text: str) -> tuple[torch.Tensor, list[bool]]:
    """Drive `constraint` through `text` token by token (flat logits): the scores masked for the token after
    it, and whether each token was allowed where it came."""
    ids = torch.zeros((1, 0), dtype=torch.long)
    allowed = []
    for token in guide.tokenizer(text, add_special_tokens=False).input_ids:
        scores = constraint(ids, torch.zeros((1, guide.vocab_size)))
        allowed.append(bool(scores[0, token] > float("-inf")))
        ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
    return constraint(ids, torch.zeros((1, guide.vocab_size)))[0], allowed


@pytest.mark.model
def test_a_call_writes_a_number_no_more_often_than_the_task_does(guide: Guide) -> None:
    tool = Tool.from_function(crate_volume)
    three = guide.tokenizer.encode("3", add_special_tokens=False)[0]
    once = guide.constraint([tool], [], 0, task="The crate is 3 m long, 2 m wide and 1.5 m high.")
    assert step(once, guide, "result = crate_volume(3, ")[0][three] == float("-inf")
    task = "The crate is 3 m long, 3 m wide and 1.5 m high."
    twice = guide.constraint([tool], [], 0, task=task)
    assert step(twice, guide, "result = crate_volume(3, ")[0][three] > float("-inf")
    line = "result = crate_volume(3, 3, 1.5)\n"
    _, allowed = step(guide.constraint([tool], [], 0, task=task), guide, line)
    assert all(allowed)


@pytest.mark.model
def test_a_number_the_task_leaves_behind_the_used_ones_does_not_keep_the_reply_going(guide: Guide) -> None:
    task = "My car from 2009 has done 120000 km. How many miles is that?"
    behind = guide.constraint([Tool.from_function(miles), Tool.from_function(plus)], [], 0, task=task)
    step(behind, guide, "result = miles(120000)\n")
    assert behind._may_finish()  # 2009 qualifies the car, it is not an argument to come
    task = "Convert 5 km to miles, then add 3."
    ahead = guide.constraint([Tool.from_function(miles), Tool.from_function(plus)], [], 0, task=task)
    step(ahead, guide, "result = miles(5)\n")
    assert not ahead._may_finish()  # 3 comes after: the task asks for more


@pytest.mark.model
def test_a_tool_called_again_needs_no_earlier_result_and_may_share_the_last_calls_numbers(guide: Guide) -> None:
    task = "Sales went from 100 to 120 in May, then to 90 in June. By what percent did they change each month?"
    constraint = guide.constraint([Tool.from_function(rise_percent)], [], 0, task=task)
    lines = "result = rise_percent(100, 120)\nresult2 = rise_percent(120, 90)\n"
    _, allowed = step(constraint, guide, lines)
    assert all(allowed)
