"""Choices among whole alternatives, for the guide's open decisions inside a line.

Greedy decoding under a grammar decides on an alternative's first token: `)` against `, first_class=` is
decided by `)` against `,`, before the model has read the parameter's name. Where a line comes to such a
choice, each alternative the grammar allows there is read through the model in full and scored as the
tool choice is: its log-likelihood, less the same after a task-free prompt and the same reply so far (the
model's bias), plus a weight times its match with the task; the best is then written token by token.
"""

from __future__ import annotations

from typing import Any

from codecall.retrieve import terms


def share_named(name: str, task_terms: set[str]) -> float:
    """The share of a name's words (`first_class`: first, class) that the task's words hold."""
    words = set(terms(name))
    return len(words & task_terms) / len(words) if words else 0.0


class WholeChoice:
    """Makes one choice at a time among whole alternatives and keeps to it until it is written."""

    def __init__(self, scorer: Any, tokenizer: Any, weight: float) -> None:
        self.scorer, self.tokenizer, self.weight = scorer, tokenizer, weight
        self.forced: list[int] = []  #: the rest of the alternative chosen last, token by token

    def reset(self) -> None:
        self.forced = []

    def step(self, matcher: Any, input_ids: Any, logits: Any, scores: Any, alternatives: list[tuple[str, float]],
             reply: list[int] | None) -> None:  # fmt: skip
        """Narrow the masked `scores` to the next token of the chosen alternative. `logits` are the model's
        own (unmasked); `alternatives` are texts that may come next, each with its match to the task (0-1);
        `reply` is the reply so far, after which the bias is read too (its own score taken away; None: no
        bias is taken away)."""
        if self.forced:
            token = self.forced.pop(0)
            if scores[0, token] > float("-inf"):
                _only(scores, token)
                return
            self.forced = []  # the grammar went another way: greedy decoding goes on from here
        offered = []
        for text, bonus in alternatives:
            ids = _allowed(self.tokenizer, matcher, text)
            if ids and scores[0, ids[0]] > float("-inf"):
                offered.append((ids, bonus))
        if len(offered) < 2:
            return
        candidates = [ids for ids, _ in offered]
        likelihood = self.scorer(input_ids, logits, candidates)
        bias = self.scorer.baseline(candidates, after=reply) if reply is not None else [0.0] * len(candidates)
        bonuses = [bonus for _, bonus in offered]
        totals = [lp - b + self.weight * w for lp, b, w in zip(likelihood, bias, bonuses, strict=True)]
        best = candidates[max(range(len(totals)), key=totals.__getitem__)]
        self.forced = best[1:]
        _only(scores, best[0])


def _allowed(tokenizer: Any, matcher: Any, text: str) -> list[int]:
    """`text`'s tokens if the line's grammar takes all of them next, else none."""
    ids = tokenizer.encode(text, add_special_tokens=False)
    probe = matcher.deep_copy()
    return ids if ids and probe.try_consume_tokens(ids) == len(ids) else []


def _only(scores: Any, token: int) -> None:
    """Leave `token` the one choice in a masked row of scores."""
    keep = float(scores[0, token])
    scores[0, :] = float("-inf")
    scores[0, token] = keep
