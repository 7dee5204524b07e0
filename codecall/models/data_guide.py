"""Guided decoding of code over data: a turn with DataFrames and no tools (see `codecall.models.data_grammar`
for what a line may be).

It reuses the tool-call guide's per-line machinery (`LineConstraint`: a matcher per line, built when the
line starts, fed the tokens as they come, the mask applied to the logits); what is its own:

- the reply's shape follows the question's form: one `NAME = SCALAR` line for each value the question asks
  for (its `@name[...]` fields, else one), then `final_answer` of those names; the rows are filtered when
  the question's sentence names a number or a value the data holds, by those (`question_filters`);
- with a scorer, each open choice inside a line (which column, which operation, `len(` or a column,
  `.groupby(` or a column, which comparison) is made on whole pieces (`codecall.models.choices.
  WholeChoice`): the model's log-likelihood of the piece, less its bias (the same after a task that says
  nothing), plus the tool guide's `RELEVANCE_WEIGHT` times the piece's match with the question: a column
  by the share of its name's words the question has, an operation by the same with words begun alike
  (`max` in "maximum", `skew` in "skewness"), `.groupby(` by the best match of a text column no filter uses;
- a line that raised an error in an earlier step (`GenerationRequest.failed`) is not written again,
  under any name (`LineConstraint._refuse_again`): the error is something to act on, and a small model
  otherwise repeats its line until the run's steps run out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from codecall.extract import assigned_names
from codecall.models.base import GenerationRequest
from codecall.models.choices import WholeChoice, share_named
from codecall.models.data_grammar import PICKS, REDUCTIONS, data_line_grammar, is_numeric
from codecall.models.guide import RELEVANCE_WEIGHT, Guide, LineConstraint, Scorer, expression_of, result_name
from codecall.models.literals import task_numbers
from codecall.retrieve import terms

MAX_ANSWERS = 6  #: value lines one reply may write, whatever the question's format lists
#: Words of a question that asks for a chart: only then may a line call `.plot(...)`.
_CHART = re.compile(r"\b(plot|chart|graph|histogram|visuali[sz]e|draw)", re.IGNORECASE)
_FIELD = re.compile(r"@(\w+)\[")  #: a field of an answer format (DABench's `@mean_fare[value]`)
_LABELS = ("idxmax()", "idxmin()")  #: picks that answer with a group's label, not its value
_ENUMERATED = re.compile(r"^\s*\d+[.)]\s+")  #: "1. What is ...": the question's place in a list


def asks_for_chart(task: str) -> bool:
    return bool(_CHART.search(task))


def answers_asked(task: str) -> int:
    """How many values the question asks for: the fields of its answer format (not `@name[value]`, which
    names the form), else one."""
    fields = dict.fromkeys(f for f in _FIELD.findall(task) if f != "name")  # `@name[value]`: the form itself
    return min(MAX_ANSWERS, len(fields)) or 1


def question_sentence(task: str) -> str:
    """The question itself: the task's first line, without a number that places it in a list. Later lines
    (DABench's constraints and answer format) quote values an answer may take ("yes" or "no"), not rows."""
    first = next((line for line in task.splitlines() if line.strip()), "")
    return _ENUMERATED.sub("", first)


def question_filters(
    task: str, columns: Mapping[str, Mapping[str, str]], values: Mapping[str, Mapping[str, Sequence[str]]]
) -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    """What the question's sentence filters the rows by: per frame, the values of each text column that
    it names (a one-letter value only when quoted), and the numbers it writes that are not part of a
    column's name (a numeric column is compared with them)."""
    sentence = question_sentence(task)
    named: dict[str, dict[str, list[str]]] = {}
    for frame, texts in values.items():
        for column, options in texts.items():
            hits = [v for v in options if _names_value(sentence, v)]
            if hits:
                named.setdefault(frame, {})[column] = hits
    names = " ".join(c for schema in columns.values() for c in schema)
    numbers = [n for n in task_numbers(sentence) if not re.search(rf"(?<!\d){re.escape(n)}(?!\d)", names)]
    numeric = any(is_numeric(t) for schema in columns.values() for t in schema.values())
    return named, numbers if numeric else []


def question_terms(task: str) -> set[str]:
    """The words a piece's match is measured against: the question's sentence and the names of its answer
    format's fields (`@mean_fare[...]`: mean, fare). Not the rest of a task, whose boilerplate ("the table
    is loaded as `df`, give every @name[value]") named a column `Name` in every DABench question."""
    fields = [f for f in _FIELD.findall(task) if f != "name"]
    return set(terms(" ".join([question_sentence(task), *fields])))


def _names_value(sentence: str, value: str) -> bool:
    if len(value) < 2:
        return bool(re.search(rf"['\"]{re.escape(value)}['\"]", sentence))
    return bool(re.search(rf"(?<!\w){re.escape(value)}(?!\w)", sentence))


def share_begun(name: str, task_terms: set[str]) -> float:
    """The share of a name's words that begin a word of the task or that a word of the task begins, at
    least three letters alike (`max` and "maximum", `skew` and "skewness", `isnull` and nothing)."""
    words = set(terms(name))
    alike = {w for w in words for t in task_terms if min(len(w), len(t)) >= 3 and (t.startswith(w) or w.startswith(t))}
    return len(alike) / len(words) if words else 0.0


class DataConstraint(LineConstraint):
    """A logits processor for one `generate()` of a reply over `request.columns`' DataFrames."""

    def __init__(self, guide: Guide, request: GenerationRequest, n_prompt: int, scorer: Scorer | None = None):
        super().__init__(guide, [], list(request.variables), n_prompt, request.task, None, {})
        self.names = list(request.variables)  # an earlier step's `result` is data here, not a call to redo
        self.columns = dict(request.columns)
        self.wanted = answers_asked(request.task)
        self.conditions, self.compare = question_filters(request.task, self.columns, request.values)
        self.plot = asks_for_chart(request.task)
        self.refused = list(dict.fromkeys(expression_of(line.strip()) for line in request.failed if line.strip()))
        self.task_terms = question_terms(request.task)  #: what a piece's match is measured against
        self.choice = WholeChoice(scorer, guide.tokenizer, RELEVANCE_WEIGHT) if scorer else None
        self.pieces = self._pieces() if scorer else []
        self.encoded: dict[str, list[int]] = {}

    def _line_matcher(self, input_ids: Any, scores: Any) -> Any:
        import llguidance

        done = len(self.results) >= self.wanted
        grammar = data_line_grammar(
            self.columns, name=result_name(len(self.results)), answers=self.results if done else (),
            conditions=self.conditions, compare=self.compare, numbers=self.numbers,
            plot=self.plot,
        )  # fmt: skip
        return llguidance.LLMatcher(self.guide.lltokenizer, llguidance.LLMatcher.grammar_from_lark(grammar))

    def _note_line(self, text: str) -> None:
        self.results += [n for n in assigned_names(text) if n not in self.results]

    def _pieces(self) -> list[tuple[str, float, str]]:
        """Every whole piece a choice may be among: (text, match with the question, the column it names)."""
        task_terms = self.task_terms
        filtered = {c for named in self.conditions.values() for c in named}
        pieces: list[tuple[str, float, str]] = [("len(", 0.0, "")]
        for frame, schema in self.columns.items():
            numbers = [share_named(c, task_terms) for c, t in schema.items() if is_numeric(t) and c not in filtered]
            pieces.append((frame, max(share_named(frame, task_terms), *numbers, 0.0), ""))
            for column in schema:
                # a text column is a group's key where the question names a number column too ("which
                # region has the largest amount"): its own counts do not read the column the question asks of
                share = share_named(column, task_terms)
                read = share if is_numeric(schema[column]) or not max(numbers, default=0) else 0.0
                pieces += [(f"[{column!r}]", read, column), (f"{column!r}]", read, column),
                           (f"{column!r})", share, column)]  # fmt: skip
        shares = [(share_named(c, task_terms), is_numeric(t)) for s in self.columns.values() for c, t in s.items()
                  if c not in filtered]  # fmt: skip
        key = max((share for share, numeric in shares if not numeric), default=0.0)
        value = max((share for share, numeric in shares if numeric), default=0.0)
        pieces.append((".groupby(", key + value if key else 0.0, ""))
        for op in [*REDUCTIONS, *PICKS]:
            pieces.append((f".{op}()", share_begun(op, task_terms), ""))
        pieces += [(".isnull().sum()", share_begun("isnull", task_terms), ""),
                   (".value_counts().idxmax()", 0.0, ""), (".corr(", share_begun("corr", task_terms), "")]  # fmt: skip
        # each also without the brackets, dot or quote it opens with: where the grammar forces those bytes,
        # llguidance allows only the token that joins them to what came before (`('` after `.groupby`, `'].`
        # after a column), so a piece begun earlier is cut there and the choice is made after that token
        pieces += [(p[k:], share, column) for p, share, column in pieces for k in (1, 2) if p[:k].strip(".(['")
                   == "" and len(p) > k + 1]  # fmt: skip
        return list({p[0]: p for p in pieces}.values())

    def _alternatives(self, scores: Any) -> list[tuple[str, float]]:
        """The whole pieces the line may go on with here, once its name is written (see the module's
        docstring); a column is not offered twice in one correlation or group (`df['a'].corr(df['a'])`)."""
        if self.choice is None or self.choice.forced:
            return []
        text = self.guide.tokenizer.decode(self.line)
        if " = " not in text:
            return []
        pairing = text.rsplit(".corr(", 1)[-1] if ".corr(" in text else text.rsplit(".groupby(", 1)[-1]
        used = re.findall(r"\[?'([^']*)'[\])]", text.rsplit(" = ", 1)[-1]) if pairing != text else []
        key = re.findall(r"\.groupby\('([^']*)'\)", text)
        offered = []
        for piece, share, column in self.pieces:
            if column and column in used[-1:]:
                continue
            if key and piece.lstrip(".") in _LABELS:  # a group's label answers a question that names the groups
                share = share_named(key[-1], self.task_terms)
            ids = self.encoded.setdefault(piece, self.guide.tokenizer.encode(piece, add_special_tokens=False))
            if ids and scores[0, ids[0]] > float("-inf"):
                offered.append((piece, share))
        return offered
