"""Guided decoding of code over data: a turn with DataFrames and no tools (see `codecall.models.data_grammar`
for what a line may be).

It reuses the tool-call guide's per-line machinery (`LineConstraint`: a matcher per line, built when the
line starts, fed the tokens as they come, the mask applied to the logits); only which grammar a line gets,
and what a finished line records, are its own:

- the first line defines a name (the worked example's shape) unless the model, unconstrained, would start
  with `print(` or `final_answer(`; after a line, the reply ends with `final_answer(...)` when the model
  wants to print or answer, or after `MAX_LINES` lines;
- a line that raised an error in an earlier step (`GenerationRequest.failed`) is not written again,
  under any name (`LineConstraint._refuse_again`, the final answer's line included): the error is something
  to act on, and a small model otherwise repeats its line until the run's steps run out.
"""

from __future__ import annotations

import re
from typing import Any

from codecall.extract import assigned_names
from codecall.models.base import GenerationRequest
from codecall.models.data_grammar import data_line_grammar
from codecall.models.guide import Guide, LineConstraint, expression_of
from codecall.models.literals import _QUOTED

MAX_LINES = 3  #: `NAME = ...` lines in one reply before only final_answer is allowed
#: Words of a question that asks for a chart: only then may a line call `.plot(...)`.
_CHART = re.compile(r"\b(plot|chart|graph|histogram|visuali[sz]e|draw)", re.IGNORECASE)


def asks_for_chart(task: str) -> bool:
    return bool(_CHART.search(task))


class DataConstraint(LineConstraint):
    """A logits processor for one `generate()` of a reply over `request.columns`' DataFrames."""

    def __init__(self, guide: Guide, request: GenerationRequest, n_prompt: int, *, max_lines: int = MAX_LINES):
        super().__init__(guide, [], list(request.variables), n_prompt, request.task, None, {})
        self.names = list(request.variables)  # an earlier step's `result` is data here, not a call to redo
        self.columns, self.values, self.max_lines = dict(request.columns), dict(request.values), max_lines
        self.quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(request.task)]
        self.plot = asks_for_chart(request.task)
        self.refused = list(dict.fromkeys(expression_of(line.strip()) for line in request.failed if line.strip()))

    def _line_matcher(self, input_ids: Any, scores: Any) -> Any:
        import llguidance

        wants = int(scores[0].argmax()) in self.guide.finish_ids
        final = wants or len(self.results) >= self.max_lines
        grammar = data_line_grammar(
            self.columns, names=[*self.names, *self.results], taken=[*self.names, *self.results],
            values=self.values, numbers=self.numbers, strings=self.quoted,
            assign=not final, final=final, plot=self.plot,
        )  # fmt: skip
        return llguidance.LLMatcher(self.guide.lltokenizer, llguidance.LLMatcher.grammar_from_lark(grammar))

    def _note_line(self, text: str) -> None:
        self.results += [n for n in assigned_names(text) if n not in self.results]
