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
  nothing, and the same reply with `result` for the fields' names), plus the tool guide's
  `RELEVANCE_WEIGHT` times the piece's match with the question: a column by the share of its name's words
  the question has, an operation by its documentation's summary (`data_question.operation_shares`), or
  its name's words begun alike (`skew` in "skewness"), `.groupby(` by the best match of a text column no
  filter uses;
- a line that raised an error in an earlier step (`GenerationRequest.failed`) is not written again,
  under any name (`LineConstraint._refuse_again`): the error is something to act on, and a small model
  otherwise repeats its line until the run's steps run out;
- each value line is named after the answer format's field it fills (`mean_fare = df['Fare'].mean()`), so
  the model reads which value it is writing, and an operation is matched with that field's words where
  they name one (`std_dev_fare`: std) rather than with the whole question's ("mean and standard
  deviation" matched `mean` on both lines, and half the dev half's pairs came out swapped);
- where a line's words match a test better than any other operation, the line before it is `from scipy
  import stats`, and a test is one of its choices; where the format quotes the words an answer takes
  ("yes"/"no", "normal"/"not normal"), a p-value is followed by its verdict in those words.
"""

from __future__ import annotations

import re
from typing import Any

from codecall.extract import assigned_names
from codecall.models.base import GenerationRequest
from codecall.models.choices import WholeChoice, share_named
from codecall.models.data_grammar import (
    IMPORT,
    PAIRED_TESTS,
    PICKS,
    REDUCTIONS,
    TEST_READS,
    TESTS,
    data_line_grammar,
    import_grammar,
    is_numeric,
)
from codecall.models.data_question import (
    answer_fields,
    asks_for_chart,
    cutoffs,
    line_names,
    named_read,
    operation_shares,
    question_filters,
    question_terms,
    share_begun,
    thresholds,
    verdict_words,
)
from codecall.models.guide import RELEVANCE_WEIGHT, Guide, LineConstraint, Scorer, expression_of, result_name
from codecall.retrieve import terms

_LABELS = ("idxmax()", "idxmin()")  #: picks that answer with a group's label, not its value
_TESTS = (*TESTS, *PAIRED_TESTS, "zscore")


class DataConstraint(LineConstraint):
    """A logits processor for one `generate()` of a reply over `request.columns`' DataFrames."""

    def __init__(self, guide: Guide, request: GenerationRequest, n_prompt: int, scorer: Scorer | None = None):
        super().__init__(guide, [], list(request.variables), n_prompt, request.task, None, {})
        self.names = list(request.variables)  # an earlier step's `result` is data here, not a call to redo
        self.columns = dict(request.columns)
        self.line_names = line_names(request.task, self.names)
        fields = answer_fields(request.task)
        self.fields = [set(terms(f)) for f in fields]
        numeric = any(is_numeric(t) for schema in self.columns.values() for t in schema.values())
        #: what of a test each field names, where a test can be written (a frame has numbers)
        self.reads = [named_read(f) if numeric else None for f in fields]
        self.conditions, self.compare = question_filters(request.task, self.columns, request.values)
        self.plot = asks_for_chart(request.task)
        self.words, self.thresholds = verdict_words(request.task, self.columns), thresholds(request.task)
        self.refused = list(dict.fromkeys(expression_of(line.strip()) for line in request.failed if line.strip()))
        self.task_terms = question_terms(request.task)  #: what a piece's match is measured against
        #: z-scores an outlier lies beyond: only where `zscore` is the test the question matches best (else
        #: the model counted outliers for a normality question)
        self.cutoffs = cutoffs(request.task) if _best_test(operation_shares(self.task_terms)) == "zscore" else []
        self.choice = WholeChoice(scorer, guide.tokenizer, RELEVANCE_WEIGHT) if scorer else None
        self.written = 0  #: value lines written (a verdict too)
        self.imported = False  #: whether `IMPORT` is written
        self.pending: str | None = None  #: a p-value whose verdict the format asks for and no line gave yet
        self.pieces: list[tuple[str, float, str]] = []
        self.encoded: dict[str, list[int]] = {}

    def _name(self) -> str:
        return self.line_names[min(self.written, len(self.line_names) - 1)]

    def _line_matcher(self, input_ids: Any, scores: Any) -> Any:
        import llguidance

        done = self.written >= len(self.line_names) and not self.pending
        verdict = (self.pending, self.words, self.thresholds) if self.pending else None
        if self.choice:
            self.pieces = self._pieces()
        if not (self.imported or done or verdict) and self._asks_for_test():
            grammar = import_grammar()
        else:
            grammar = data_line_grammar(
                self.columns, name=self._name(), answers=list(dict.fromkeys(self.line_names)) if done else (),
                conditions=self.conditions, compare=self.compare, numbers=self.numbers, plot=self.plot,
                tests=self.imported, read=self._read(), cutoffs=self.cutoffs, verdict=verdict,
            )  # fmt: skip
        return llguidance.LLMatcher(self.guide.lltokenizer, llguidance.LLMatcher.grammar_from_lark(grammar))

    def _note_line(self, text: str) -> None:
        if text == IMPORT:
            self.imported = True
            return
        name = next(iter(assigned_names(text)), None)
        if self.pending:
            self.pending = None  # the grammar made this line its verdict
        elif self.words and text.strip().endswith(".pvalue"):
            field = self._field()  # a p-value's own field: `norm_test_pvalue`, `shapiro_p_value` (`p` is no term)
            if not (share_named("pvalue", field) or share_named("value", field)):
                self.pending = name  # the verdict, next, is this field's value (`is_normal`)
                return
            if self.written + 1 < len(self.line_names):
                self.pending = name  # the p-value's own field (`shapiro_p_value`); the next takes the verdict
        self.written += 1

    def _field(self) -> set[str]:
        """The words of the field this line fills (none without a format)."""
        return self.fields[min(self.written, len(self.fields) - 1)] if self.fields else set()

    def _read(self) -> str | None:
        """The read of a test's result the field of this line names (`p_value`: pvalue), where a test can
        be written: then the line is a test that gives it ("p_value" has no word of an operation's summary
        but "value", which half of them have, so a correlation question's p-value line was `.corr(` again)."""
        return self.reads[min(self.written, len(self.reads) - 1)] if self.reads else None

    def _reply_for_bias(self, reply: list[int]) -> list[int] | None:
        """The reply with `result`, `result2`, ... for the fields' names: a name says which column it reads
        (`mean_batting_average = df['`), and after the same name the task-free prompt says so as well, so
        the bias taken away took the name's evidence with it (a salary column read for a batting average).
        None for a verdict: which word goes with a large p-value is what the model knows of tests, whatever
        the task, and taking that away as bias left 'not normal' for a p-value of 0.92."""
        if self.pending:
            return None
        text = self.guide.tokenizer.decode(reply)
        for i, name in enumerate(self.line_names):
            text = re.sub(rf"\b{re.escape(name)}\b", result_name(i), text)
        return self.guide.tokenizer.encode(text, add_special_tokens=False)

    def _asks_for_test(self) -> bool:
        """Whether this line's operations (`_op_shares`) match a test better than any other. Then the line
        is `IMPORT`, by rule, not by the model's choice: scored against the line's name, which the prompt
        shows and the task-free prompt does not, the import lost even where the field was named
        `shapiro_wilk_pvalue`. A field that names a read of a test's result (`_read`) asks for one too."""
        if self._read():
            return True
        shares = self._op_shares()
        test = max(shares[t] for t in _TESTS)
        return test > max(v for op, v in shares.items() if op not in _TESTS)

    def _op_shares(self) -> dict[str, float]:
        """Each operation's match on this line: with its field's words where they match one (`std_dev_fare`),
        else with the question's."""
        shares = operation_shares(self._field())
        return shares if any(shares.values()) else operation_shares(self.task_terms)

    def _pieces(self) -> list[tuple[str, float, str]]:
        """Every whole piece a choice on this line may be among: (text, match with the question, the column
        it names). A verdict is chosen whole, words and comparison together (`'normal' if p > 0.05 else
        'not normal'`), and on the model's likelihood alone (`_reply_for_bias`)."""
        if self.pending:  # also without its opening quote, where a token joins it to ` = ` (see below)
            lines = [f"{a!r} if {self.pending} > {t} else {b!r}" for a in self.words for b in self.words if a != b
                     for t in self.thresholds]  # fmt: skip
            return [(line[k:], 0.0, "") for line in lines for k in (0, 1)]
        task_terms, ops = self.task_terms, self._op_shares()
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
            pieces.append((f".{op}()", ops[op], ""))
        pieces += [(".isnull().sum()", ops["isnull"], ""), (".value_counts().idxmax()", ops["value_counts"], ""),
                   (".corr(", ops["corr"], ""), *((f"{t}(", ops[t], "") for t in _TESTS),
                   ("(abs(stats.zscore(", ops["zscore"], "")]  # fmt: skip
        pieces += [(f".{r}", share_begun(r, task_terms), "") for r in TEST_READS]
        pieces += [("stats.", max(ops[t] for t in _TESTS), ""), *((t, 0.0, "") for t in self.cutoffs)]
        # each also without the brackets, dot or quote it opens with: where the grammar forces those bytes,
        # llguidance allows only the token that joins them to what came before (`('` after `.groupby`, `'].`
        # after a column), so a piece begun earlier is cut there and the choice is made after that token
        pieces += [(p[k:], share, column) for p, share, column in pieces for k in (1, 2) if p[:k].strip(".(['")
                   == "" and len(p) > k + 1]  # fmt: skip
        return list({p[0]: p for p in pieces}.values())

    def _alternatives(self, scores: Any) -> list[tuple[str, float]]:
        """The whole pieces the line may go on with here, once its name is written (see the module's
        docstring); a column is not offered twice in one correlation, paired test or group
        (`df['a'].corr(df['a'])`)."""
        if self.choice is None or self.choice.forced:
            return []
        text = self.guide.tokenizer.decode(self.line)
        if " = " not in text:
            return []
        pairs = any(opener in text for opener in (".corr(", ".groupby(", *(f"{t}(" for t in PAIRED_TESTS)))
        used = re.findall(r"\[?'([^']*)'[\])]", text.rsplit(" = ", 1)[-1]) if pairs else []
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


def _best_test(shares: dict[str, float]) -> str | None:
    """The test the `shares` match best, where one matches at all and better than every other test."""
    best = max(_TESTS, key=shares.__getitem__)
    return best if shares[best] > 0 and all(shares[t] < shares[best] for t in _TESTS if t != best) else None
