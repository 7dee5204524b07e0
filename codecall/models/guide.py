"""Guided decoding: a local model can only write code that calls the permitted tools.

A 135M model asked for code writes prose, its own helper functions, or `print(2 + 3)`; it called a given
tool in 0 of 90 tasks. Since codecall runs a local model itself, it constrains decoding instead: after the
```python prefill, every line the model writes must be

    resultN = TOOL(ARG, ...)     a permitted tool, positional arguments in signature order, then optional
                                 ones as `name=value`; results are named result, result2, result3, ...
    final_answer(RESULTS)        the last line, ending the reply: exactly the results no later call used
                                 (one, or a list of them), so an answer never drops a result it computed

where each argument is a Python literal of the parameter's JSON Schema type (int, float, str, bool, None,
non-empty lists, dicts, enums) or a name defined earlier (an earlier result, a sandbox variable). Literals
come from the task, since a small model otherwise copies the worked example's numbers or wanders off inside
a string: numbers are those it writes, strings are pieces of its text (`task_strings`), and where the
parameter's schema says how it wants a value the task implies, the task's value in that form: a parameter
that takes a share of one (`grammar.takes_fraction`: `maximum` <= 1, or its description says probability
or fraction) takes the task's "5%" as 0.05; a string parameter whose description gives a strftime format
("Format: %Y-%m-%d %H:%M:%S") takes the task's dates and times ("8:30 AM on March 25th, 2023") in that
format (`literals.task_moments`); a number parameter whose name holds a unit the task writes a number in
(`weight_kg`, `hours_per_day`: "68 kg", "10 hours a day") takes those numbers, converted across an SI
prefix ("175 cm" is 1.75 for `height_m`), and the task's numbers in no unit another of the tool's
parameters is named in (`literals.in_unit`; dev split, over the references' number arguments: 20 of
165 narrowed, none lost; with the model, codecall dev 28 -> 29 of 78, `bmi(68, 1.75)` for "175 cm tall
and weighs 68 kg", none lost; API-Bank's tools have no such names). Values an earlier step's
observation quotes (an error naming the value it wanted) may be passed too. No word lists choose
literals: no spelled-number table, no singular forms, no particles that end a piece of Chinese text (a
word less its last letter or two stands in for a singular); the units are the tool author's names.
Measured on the dev split without a model, as the tasks whose reference's every literal the grammar can
write: API-Bank 43 -> 81 of 132 (the dates and times), codecall 57 -> 58 of 78 (percentages as fractions
gained 4; dropping the spelled-number table lost 5: "two coats", "one door" are no longer writable). With
the model, the dev sample's task with a percentage taken as a probability went from failing to passing.

The model still decides, inside those bounds, with these aids:
- which tool: each permitted `resultN = NAME(` is scored by the model's log-likelihood of the whole name,
  less the same score after a task that says nothing (the model's bias: the worked example's tool, short
  names), plus `RELEVANCE_WEIGHT` times the tool's BM25 relevance to the task (`codecall.retrieve`, which
  no longer has a glossary or stop words). On the first 68 tasks the first-token greedy choice picked the
  right first tool in 42, the whole name 38, the debiased name 48, with relevance 59. On the dev sample,
  with `RELEVANCE_WEIGHT` 0 (and the rule below that a relevant tool not yet called keeps the reply
  going off) the chained task fibonacci -> is_prime failed, which passes with them;
- when to stop: at a line start after a call, if the model's likeliest token, unconstrained, begins
  `print(` or `final_answer(`, the line is final_answer (masking alone lets it wander into yet another
  call). It may stop only once every number of the task is used (when some offered tool takes a number at
  all: a task's dates, ids and times that no parameter takes as a number are not arguments left, and a
  number inside a string argument counts as used) and no list the calls took an item from ("France and
  Italy", "法国和德国") has an item left; after `max_calls` calls it must stop. A number counts as left
  only if the task writes it after the furthest number the calls used (`_numbers_left`): one left behind
  between used ones qualifies them ("bought in 2009", "per 100 km"). Without a model, over the dev split's
  references, the stop-or-go decision at each call boundary is right 87 of 117 times (codecall) and 179 of
  230 (API-Bank) with it, against 78 and 168 counting every unused number; with the model, together with
  the two rules below (one number spent per writing, one tool called again), the dev tasks both runs
  finished went 23 -> 25 of 59, none lost, median 8.3 -> 5.3 s a task under shared loads (2026-12-02;
  the test split: 18 -> 19 of 83, none lost). Measured on the codecall
  dev split (2026-12-02, the tasks each pair of runs finished): without the numbers rule 21 of 46 right
  against 22 (chains stop after their first call: "celsius_to_fahrenheit(25), then add 10"); a rule that
  kept the reply going while a tool at least half as relevant as the best was not yet called went: 22 of 48
  right without it against 21 (among 40 tools some unrelated one always passed the bar, and junk calls
  followed; fibonacci -> is_prime, and "how warm is it in Oslo, in Fahrenheit?", now stop early);
  scoring `final_answer(` against `resultN = ` on the whole, less their bias after the task-free prompt and
  the same reply, instead of the likeliest token:
  18 of 31 against 21, not kept (`bench/results/eval-dev-ablation.json`). The list rule
  (`literals.list_item_left`) is the one rule left that names words (English and Chinese conjunctions).
  Ablated on the dev split (2026-12-02): 24 of 78 without it against 28 with it, none gained; the four lost
  are lists of two ("France and Italy", "apples and ... pears", 法国和德国, 半径 1 和半径 2) answered by one call.
  Why numbers count only where a tool takes numbers: under the old rule the dev sample's
  first API-Bank task could not end while its date's numbers (8, 30, 25, 2023) were unused, and called
  `GetUserToken` four times (253 s, wrong);
- what a call builds on: a call for the next item of a list takes the task's literals; any other call
  after the first passes an earlier result (of a fitting type, and not a one-parameter tool's own);
- a call's literal arguments: as greedy decoding picks them, among those above, and an integer parameter
  also any of `COUNTS` (a count the task spells out: "two coats"; not measured apart). Scoring each number
  an argument may take on the whole, with the `,` or `)` after it, was tried on the dev split's story-like
  tasks: less its bias after the task-free prompt it preferred the task's rarest numbers (`fuel_cost(380,
  2009, 1.72)` for a van "bought in 2009" that "uses 8.5 litres per 100 km", which greedy decoding wrote
  right), and without the bias it wrote what greedy decoding wrote at 2-5 times the cost: not kept;
- a call's optional parameters: which one to give after `, ` and, once one is given, whether to close the
  call or give another, is chosen on the whole `, name=` (`codecall.models.choices`): likelihood less
  the same after the task-free prompt and the same reply, plus `RELEVANCE_WEIGHT` times the share of the
  name's words the task has; one is offered only with a value other than its default. Greedy decoding
  decided on first letters (`meals=6` for "a ferry ticket with a cabin"; `tests/test_guide.py`). The
  first `)` or `,` after the required arguments is left to greedy decoding: making it a whole choice too,
  together with ending a reply whose last call took no number or string of the task not used before, was
  neutral on the dev split (28 of 78 both ways, 2026-12-02: `paint_needed(4, 3.5, 2.5, coats=2,
  windows=2)` where greedy decoding closed the call, still wrong for the door) and was not kept;
- errors that teach: a call that raised an error in an earlier step of the run (`GenerationRequest.
  failed`) is not written again, under any result name: a token after which the grammar would force the
  rest of that call is masked, so the model changes the argument at its last real choice, and it may take
  a value the error quoted (`tests/test_guide.py`);
- a number per writing: one call writes a number of the task at most as often as the task writes it
  (`_spend_numbers`; `electricity_cost(10, 10, 200, 10)` for a task that writes 10 once). No dev reference
  call breaks it (347 calls);
- a tool called again: a call of the multi-parameter tool called last need not take an earlier result and
  may reuse the task's numbers (`percent_change(12400, 13950)`, then `percent_change(13950, 11160)`).
  Holding it, once the reply may finish, to build on a result like any other call changed nothing on the
  dev splits (the same 14 of 40 API-Bank sample tasks and 25 of 61 codecall tasks both ways, 2026-12-03),
  and was dropped;
- a parameter a tool exists to make (`grammar.produced_params`: the `token` that `GetUserToken`
  returns) takes that tool's result only, and a tool that needs it is not offered before it: the chosen
  tool's maker is called first (`_made_first`) and once a reply; the reply does not end while a made
  token waits, and the first call that takes it need not take another result;
- a string argument whose parameter the task names ("my username is JaneSmith", "password is abc123"):
  the strings written in the three words after that name are whole alternatives, chosen on the model's
  likelihood (`_named_values`, `literals.named_values`). Greedy decoding took "is", or the name itself;
  less the task-free bias, the longest won ("is abc123"). A whole quoted text counts as a value, first
  among those after its place of the name (`DocumentQA(url, "is")` for 'my question is "What ...?"').
  Keeping a reply going while a tool not yet called had such a value with a number left ("the appointment
  ID is 56789012") made the stop-or-go decision over the references right more often (API-Bank dev 175
  -> 184 of 230 call boundaries), but with the model no task more was right on dev or test and the
  several-calls test tasks took 4.4 times as long at 1.8 times the load (median 44 s against 10 s; single
  calls 5.3 s against 2.9 s): the replies went on and failed on their arguments
  (`ModifyRegistration("34567890", "2023-03-01", "2023")`); not kept;
- a list argument says no item twice (`_distinct_items`, `codecall.models.lists`): an item equal to an
  earlier one, or a string inside or around one, or one whose every place in the task overlaps an
  earlier item's, is masked at the last token that could still avoid it. A model that began a list
  repeated its item until the token limit (`["JohnDoe", "JohnDoe", ...]`: 50-100 s tasks);
- a line the grammar would force whole (one tool, each argument with one value) into a call already
  made is not offered (`_only_refused`): no token is left there for the refusal to mask.
  Together, on every third task of the API-Bank dev split (44; 2026-12-03, in-process, shared load), these
  took the guided score from 3 (the token rule alone) through 4 (with the call-again rule) to 10, median
  12.8 -> 9.6 s a task, and to 14 with a token made once a reply and no tool fed its own result once the
  reply may finish (median 11.1 s, beside a test-suite run); the codecall dev split stayed at 28 of 78,
  the same as on 2026-12-02, each step of the way (`bench/results/eval-dev-guided-*.json`);
- a tool choice after earlier lines takes away the bias read after the same reply: a model likes to repeat
  the call it just wrote, whatever the task;
- no call twice: a call this reply has made is refused the same way (a tool given the same arguments
  gives the same result; a small model that does not stop otherwise repeats its call until `max_calls`).
  Where the refusal cannot hold (every way on from where the model went is a call made before: it masks
  a token only while another is left), the repeated line ends the reply and is not answered twice
  (`stuck`). On the codecall dev split (2026-12-04, with Snowball stemming in retrieval) the same 29 of
  78 tasks were right, 215 calls against 217, mean 10.2 s a task against 12.4 s under a shared load.

Each line gets its own small grammar, built when the line starts, so a later line can refer to exactly the
names the earlier lines defined. The grammar engine is llguidance (Lark-like grammars over regex lexemes,
masks computed in Rust). Compared here on the bundled model's tokenizer (2 shared CPU cores, so noisy):

    library              fits here?                                   grammar build   mask per token
    llguidance 1.9       yes: one abi3 wheel, no dependencies          ~0.05 ms        ~0.1 ms
    xgrammar 0.2.8       yes, but pulls triton (a GPU wheel)           ~19 ms          ~0.08 ms
    lm-format-enforcer   its transformers integration fails to import  -               ~16 ms (regex)
                         under transformers 5
    transformers-cfg     "Tokenizer not supported: TokenizersBackend"  -               -
    outlines 1.3         CFGs go through llguidance anyway; regexes through outlines_core's index

llguidance is as fast as xgrammar per token, builds a grammar ~400x faster (which per-line grammars need),
and adds nothing else to install; the model's own forward pass (~50 ms a token) dominates either way.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from codecall.extract import assigned_names
from codecall.models.choices import WholeChoice, share_named
from codecall.models.grammar import can_take, expression_grammar, line_grammar, produced_params, takes_number
from codecall.models.lists import item_values, may_repeat, only_repeats, open_call, open_list
from codecall.models.literals import (
    in_unit,
    list_item_left,
    named_values,
    number_places,
    percent_numbers,
    quoted,
    task_moments,
    task_numbers,
    task_strings,
    unit_numbers,
)
from codecall.retrieve import terms
from codecall.tools import Tool

_RESULT = re.compile(r"result\d*")  #: the names a guided reply gives its results
RELEVANCE_WEIGHT = 5.0  #: nats added to the likeliest-named tool's score for the tool most relevant to the task
MAX_CALLS = 4  #: tool calls in one reply before only final_answer is allowed
#: Whole numbers an integer parameter may take besides the task's: a count the task spells out ("two coats",
#: "a dozen") in any language: the model reads it.
COUNTS = tuple(str(n) for n in range(13))
_CALL = re.compile(r"\w+ = (\w+)\(")  #: a call line begun: the tool's name
_FEW = 64  #: allowed tokens past which a line is taken to be inside an argument still


def _begins_output(piece: str) -> bool:
    """Whether a token's text starts a `print(` or `final_answer(` line (at least "pr" / "fin")."""
    piece = piece.lstrip()
    return any(
        len(piece) >= 2 and (word.startswith(piece) or piece.startswith(word)) for word in ("print(", "final_answer(")
    )


class Guide:
    """Guided decoding for one tokenizer: its llguidance view is built once (about 0.3 s), then each
    generation gets a fresh `LineConstraint`."""

    def __init__(self, tokenizer: Any, vocab_size: int, *, max_calls: int = MAX_CALLS) -> None:
        import llguidance.hf

        self.tokenizer, self.vocab_size, self.max_calls = tokenizer, vocab_size, max_calls
        self.lltokenizer = llguidance.hf.from_tokenizer(tokenizer, n_vocab=vocab_size)
        self.pieces = [tokenizer.decode([i]) for i in range(len(tokenizer))]  #: each token's text
        #: tokens that begin `print(` or `final_answer(`: the model wants to show its result
        self.finish_ids = frozenset(i for i, piece in enumerate(self.pieces) if _begins_output(piece))

    def constraint(
        self,
        tools: Sequence[Tool],
        names: Sequence[str],
        n_prompt: int,
        task: str = "",
        scorer: Scorer | None = None,
        relevance: Mapping[str, float] | None = None,
        failed: Sequence[str] = (),
        observed: str = "",
    ) -> LineConstraint:
        """A logits processor for one `generate()` whose prompt is `n_prompt` tokens long; literal
        arguments are limited to the numbers and strings in `task` (when it has any), and the values quoted
        in `observed` (the observations of earlier steps: an error names the value it wanted). With a
        `scorer`, each call's tool is chosen by the model's likelihood of its whole name plus the tool's
        `relevance` to `task` (by name, 0 to 1, as the loop computed it once for the run). A line of
        `failed` (it raised an error in an earlier step) is not written again."""
        constraint = LineConstraint(self, list(tools), list(names), n_prompt, task, scorer, relevance or {})
        lines = [line.strip() for line in failed if line.strip() and not line.startswith("final_answer")]
        constraint.refused = list(dict.fromkeys(map(expression_of, lines)))
        constraint.strings = list(dict.fromkeys([*constraint.strings, *quoted(observed)]))
        return constraint


class Scorer(Protocol):
    """Scores candidate continuations by their summed log-probabilities under the model."""

    def __call__(self, input_ids: Any, scores: Any, candidates: list[list[int]]) -> list[float]:
        """After the sequence so far, whose next-token logits are `scores`."""

    def baseline(self, candidates: list[list[int]], after: Sequence[int] = ()) -> list[float]:
        """After a prompt whose task says nothing (then `after`): the model's bias towards each, to take away."""


_ASSIGNED = re.compile(r"[A-Za-z_]\w* = ")
_STRINGS = re.compile(r'"[^"]*"?')  #: string literals (and one begun), whose digits are not numbers
_NUMBER_LITERAL = r"(?:(?<=[(\[=, ])|^)(-?\d+(?:\.\d+)?)"
_CLOSED_NUMBER = re.compile(_NUMBER_LITERAL + r"[,)\]]\s*$")  #: a number argument just closed
_BEGUN_NUMBER = re.compile(r"(?:(?<=[(\[=, ])|^)(-?\d+\.?\d*)$")  #: a number argument being written
_MANY = 512  #: allowed tokens past which a line is not at a number (a string, a name)


def _literal_numbers(clean: str) -> list[str]:
    """The number literals a line's call has closed so far, as written (the grammar writes the task's
    numbers as `task_numbers` gives them), in the line with its strings emptied (`_STRINGS`)."""
    return [m.group(1) for m in re.finditer(_NUMBER_LITERAL + r"(?=[,)\]])", clean)]


def _properties(tool: Tool) -> dict[str, Any]:
    return tool.parameters.get("properties") or {}


def expression_of(line: str) -> str:
    """What a line computes, whatever it names it: `add(2, 3)` of `result2 = add(2, 3)` (or of a line so
    far); a line that assigns nothing, itself."""
    assigned = _ASSIGNED.match(line)
    return line[assigned.end() :] if assigned else line


def torch_nonzero(scores: Any) -> list[int]:
    """The tokens a masked row of scores still allows."""
    import torch

    return torch.nonzero(scores[0] > float("-inf")).flatten().tolist()


def result_name(index: int) -> str:
    """The name of a reply's `index`-th result: result, result2, result3, ..."""
    return "result" if index == 0 else f"result{index + 1}"


def masked(scores: Any, bitmask: Any) -> Any:
    """`scores` with every token the bitmask (bit i of word j: token 32j + i) forbids set to -inf, in place.
    llguidance's own helper is a torch.compile'd kernel: about 3 s of compiling in each new process (most
    of a `codecall ask`'s time to first token), where unpacking one row's bits costs a fraction of a ms."""
    import numpy as np
    import torch

    bits = np.unpackbits(bitmask[0].view(np.uint8), bitorder="little")
    allowed = np.zeros(scores.shape[-1], dtype=bool)
    allowed[: min(len(bits), len(allowed))] = bits[: len(allowed)].astype(bool)
    scores[:, torch.from_numpy(~allowed).to(scores.device)] = float("-inf")
    return scores


class LineConstraint:
    """A transformers logits processor: masks every token the current line's grammar forbids. Each line's
    grammar is built when the line starts, knowing which results and numbers the reply has used, whether
    the model wants to finish, and (with a scorer) which tool this line calls."""

    def __init__(
        self,
        guide: Guide,
        tools: list[Tool],
        names: list[str],
        n_prompt: int,
        task: str,
        scorer: Scorer | None,
        relevance: Mapping[str, float],
    ) -> None:
        import llguidance.numpy  # not llguidance.torch: importing it runs torch.compile (about 1.2 s a process)

        self.guide, self.tools, self.scorer = guide, tools, scorer
        #: each tool's relevance to the task, 0 to 1 (none without a scorer or with a single tool)
        self.relevance = {t: relevance.get(t.name, 0.0) for t in tools} if scorer and len(tools) > 1 else {}
        # an earlier step's results are rewritten by this reply, not referred to
        self.names = [n for n in names if not _RESULT.fullmatch(n)]
        self.numbers, self.strings = task_numbers(task), task_strings(task)
        self.places = number_places(task)  #: where the task writes each number
        #: the task's percentages as fractions, for a parameter that takes one (`grammar.takes_fraction`):
        #: allowed, not required; using one uses the number it came from
        self.fractions = percent_numbers(task)
        self.moments = task_moments(task)  #: the task's dates and times, for a parameter with a date format
        #: the task's numbers with the word after each, for a parameter named in a unit (`literals.in_unit`),
        #: and each value a parameter may take in its unit, with the number it came from ("1.75": "175")
        self.units = unit_numbers(task)
        self.converted = {v: n for t in tools for p in _properties(t) for v, n in in_unit(self.units, p).items()
                          if v != n}  # fmt: skip
        #: what a line may not be again (`expression_of` it): calls that raised an error in an earlier step,
        #: and the calls this reply made
        self.refused: list[str] = []
        #: whether any tool has a number parameter: only then is a number of the task an argument to use
        self.takes_numbers = any(takes_number(s) for t in tools for s in _properties(t).values())
        #: parameters a tool's result is made for (`grammar.produced_params`: a token), each with its maker
        self.produced = produced_params(tools)
        self.makers = list({id(t): t for t in self.produced.values()}.values())
        self.seen = self.n_prompt = n_prompt  #: tokens of the sequence already fed to the matcher (or the prompt)
        self.results: list[str] = []  #: names this reply's lines defined, in order
        self.made_by: dict[str, Tool | None] = {}  #: the tool whose result each name holds
        self.asked_at: dict[str, int] = {}  #: where in the task a result's literal arguments first appear
        self.consumed: set[str] = set()  #: results a later call took as an argument (or a repeat's)
        #: whether the last line repeated a call made before: every way on the model took was refused
        #: (`_refuse_again` masks a token only while another is left), so the reply ends: a model stuck
        #: there wrote the same call again until `max_calls` (`bmi(16, 1.80)` three times)
        self.stuck = False
        self.used: set[float] = set()  #: numbers the calls have used (absolute values)
        self.texts: set[str] = set()  #: strings the calls have used
        self.task = task
        self.line: list[int] = []  #: tokens of the current line
        self.matcher: Any = None  #: the current line's matcher; None between lines
        self.bitmask = llguidance.numpy.allocate_token_bitmask(1, guide.vocab_size)
        #: with a scorer, open choices inside a line are made on whole alternatives (`codecall.models.choices`)
        self.choice = WholeChoice(scorer, guide.tokenizer, RELEVANCE_WEIGHT) if scorer and tools else None
        self.task_terms = set(terms(task))

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import llguidance.numpy

        for token in input_ids[0, self.seen :].tolist():
            self._consume(token)
        self.seen = input_ids.shape[1]
        if self.matcher is None:
            self.matcher = self._line_matcher(input_ids, scores)
        if self.matcher.is_error():  # cannot happen with a valid grammar; end the reply rather than loop
            raise RuntimeError(f"guided decoding failed: {self.matcher.get_error()}")
        logits = scores.clone() if self.choice else scores  # the model's own, for scoring alternatives
        llguidance.numpy.fill_next_token_bitmask(self.matcher, self.bitmask, 0)
        scores = masked(scores, self.bitmask)
        spending = bool(self.tools and self.numbers)
        line = self.guide.tokenizer.decode(self.line) if self.tools or self.refused else ""  # decoded once
        if self.tools:
            self._distinct_items(scores, line)
        if self.refused or spending:  # what the line computes so far
            text = expression_of(line)
            if self.refused:
                self._refuse_again(scores, text)
            if spending:
                self._spend_numbers(scores, text)
        if self.choice:
            reply = self._reply_for_bias(input_ids[0, self.n_prompt :].tolist())
            named = self._named_values(line)  # chosen on the model's likelihood alone: no bias to take away
            alternatives = named or self._alternatives(scores)
            self.choice.step(self.matcher, input_ids, logits, scores, alternatives, None if named else reply)
        return scores

    def _reply_for_bias(self, reply: list[int]) -> list[int] | None:
        """The reply so far as the bias of a choice is read after it (the same reply, here); None for a
        choice made on the model's likelihood alone."""
        return reply

    def _alternatives(self, scores: Any) -> list[tuple[str, float]]:
        """The whole alternatives a call line may go on with, where it has a choice to make: once the
        required arguments are written, whether to close the call or give an optional parameter by keyword,
        and which, each parameter matched by its name's words with the task's (`cabin` for "a ticket with a
        cabin"). Greedy decoding chose by first letters: `meals=6` for that task, from `m`."""
        text = self.guide.tokenizer.decode(self.line)
        call = _CALL.match(text)
        tool = next((t for t in self.tools if call and t.name == call.group(1)), None)
        if tool is None or self.choice is None or self.choice.forced:
            return []
        required = set(tool.parameters.get("required") or [])
        given = set(re.findall(r"(\w+)=", text))
        left = [p for p in tool.parameters.get("properties") or {} if p not in required and p not in given]
        if text.endswith((",", ", ")):  # which keyword
            space = "" if text.endswith(" ") else " "
            return [(f"{space}{p}=", share_named(p, self.task_terms)) for p in left]
        allowed = torch_nonzero(scores)
        ends = len(allowed) <= _FEW and all(self.guide.pieces[t].startswith((")", ",")) for t in allowed)
        if given and ends:  # a keyword's value is written: close the call, or another keyword
            return [(")", 0.0), *((f", {p}=", share_named(p, self.task_terms)) for p in left)]
        return []

    def _named_values(self, text: str) -> list[tuple[str, float]]:
        """Where a string argument begins and the task writes its parameter's name, the strings written
        just after that name (`literals.named_values`: "username is JaneSmith"), each as a whole
        alternative scored by the model's likelihood: greedy decoding took the word after the name ("is")
        or the name itself ("password"). Less the bias after the task-free prompt, the longest string won
        ("is abc123": a task-free prompt makes any string of the task unlikely). `text`: the line so far."""
        call = _CALL.match(text)
        tool = next((t for t in self.tools if call and t.name == call.group(1)), None)
        begun = open_call(text) if tool and self.choice and not self.choice.forced else None
        if begun is None:
            return []
        args, current = begun
        required = tool.parameters.get("required") or []
        opened = current.endswith('"')  # the quote may come with the token before: `("`, `="`
        current = current[:-1] if opened else current
        if current.endswith("=") and current[:-1].isidentifier():
            param = current[:-1]
        elif not current and len(args) < len(required) and not any("=" in a for a in args):
            param = required[len(args)]
        else:
            return []
        schema = (tool.parameters.get("properties") or {}).get(param) or {}
        if schema.get("type") != "string" or {"enum", "const"} & schema.keys():
            return []
        space = " " if text.endswith(",") else ""
        values = [json.dumps(s, ensure_ascii=False) for s in named_values(self.task, param, self.strings)]
        return [(value[1:] if opened else space + value, 0.0) for value in values]

    def _refuse_again(self, scores: Any, text: str) -> None:
        """Mask each token after which the grammar forces the rest of a refused line (all that would be
        left of it is what llguidance fast-forwards: the end of an enumerated literal, closing brackets),
        unless nothing else is allowed: the model then changes the argument it was writing last, at the
        last point where it still had a choice. `text` is what the line computes so far."""
        near = [f for f in self.refused if f.startswith(text)]
        if not near:
            return
        allowed = torch_nonzero(scores)
        banned = [token for token in allowed if self._forces_a_refused_line(text, token, near)]
        if banned and len(banned) < len(allowed):
            scores[0, banned] = float("-inf")

    def _forces_a_refused_line(self, text: str, token: int, near: list[str]) -> bool:
        """Whether writing `token` after `text` leaves the grammar no way but on to one of the `near` lines."""
        pieces = self.guide.pieces
        whole = text + (pieces[token] if token < len(pieces) else "")
        if not any(line.startswith(whole) or whole.rstrip("\n") == line for line in near):
            return False
        probe = self.matcher.deep_copy()
        probe.consume_token(token)
        forced = probe.compute_ff_bytes().decode("utf-8", errors="ignore")
        return (whole + forced).rstrip("\n") in near

    def _distinct_items(self, scores: Any, line: str) -> None:
        """Mask each token after which the list argument being written can only say again what an
        earlier item of it says (`lists.repeats`: an item already given, or a piece of one), unless
        nothing else is allowed: the model closes the list or writes another item instead."""
        begun = open_list(line)
        if begun is None or not begun[0]:
            return
        earlier, current = begun
        allowed = torch_nonzero(scores)
        if len(allowed) > _MANY:
            return
        seen = item_values(earlier)  # read once, not once per token
        pieces, banned = self.guide.pieces, []
        for token in allowed:
            item = current + (pieces[token] if token < len(pieces) else "")
            if not may_repeat(item, earlier):
                continue
            if not item.startswith('"'):  # a number or dict is judged whole, with what the grammar forces
                probe = self.matcher.deep_copy()
                probe.consume_token(token)
                item += probe.compute_ff_bytes().decode("utf-8", errors="ignore")
            if only_repeats(item, seen, self.strings, self.task):
                banned.append(token)
        if banned and len(banned) < len(allowed):
            scores[0, banned] = float("-inf")

    def _spend_numbers(self, scores: Any, text: str) -> None:
        """Mask each token that would write a number of the task into this call more often than the task
        writes it (`electricity_cost(10, 10, 200, 10)` for a task that says 10 once): a number begun that
        can only become a spent one, or one closed that is spent. Numbers the task does not write (a count
        it spells out) are not limited. On the dev split no reference call writes a written number more
        often than its task does (347 calls)."""
        allowed = torch_nonzero(scores)
        if len(allowed) > _MANY:
            return
        clean = _STRINGS.sub('""', text)
        written = Counter(_literal_numbers(clean))
        left = [n for n in self.numbers if written[n] < len(self.places.get(abs(float(n)), ()))]
        spent = {n for n in self.numbers if n not in left}
        if not spent:
            return
        free = [*left, *(c for c in COUNTS if c not in spent), *self.fractions, *self.converted]
        pieces, inside = self.guide.pieces, bool(_BEGUN_NUMBER.search(clean))
        banned = []
        for token in allowed:
            whole = _STRINGS.sub('""', text + (pieces[token] if token < len(pieces) else ""))
            closed = inside and _CLOSED_NUMBER.search(whole)  # this token ends the number being written
            begun = _BEGUN_NUMBER.search(whole)
            if closed and closed.group(1) in spent:
                banned.append(token)
            elif begun and not any(n.startswith(begun.group(1)) for n in free):
                banned.append(token)
        if banned and len(banned) < len(allowed):
            scores[0, banned] = float("-inf")

    def _unused_numbers(self) -> list[str]:
        return [n for n in self.numbers if abs(float(n)) not in self.used]

    def _numbers_left(self) -> list[str]:
        """The unused numbers still to pass: those the task writes after the furthest place it writes a
        number the calls used. A task is read in order, so a number left behind between used ones is a
        qualifier of theirs ("bought in 2009", "per 100 km"), not an argument to come."""
        furthest = max((p for n in self.used for p in self.places.get(n, ())), default=-1)
        return [n for n in self._unused_numbers() if max(self.places.get(abs(float(n)), [len(self.task)])) > furthest]

    def _may_finish(self) -> bool:
        """Whether the reply may end now: after a call, once every number of the task has been used (when a
        tool offered takes a number at all: by its schema, a task's dates, ids and times that no parameter
        can take as a number are not arguments left) and every item of a list the calls took an item from
        ("France and Italy", "法国和德国")."""
        if len(self.results) >= self.guide.max_calls:
            return True
        numbers_left = self.takes_numbers and self._numbers_left()
        made_for_a_call = any(self.made_by.get(r) in self.makers for r in self.results if r not in self.consumed)
        return bool(self.results) and not numbers_left and not made_for_a_call and not self._list_item_left()

    def _list_item_left(self) -> bool:
        """Whether a list in the task ("France and Italy", "8 乘 9 和 6 乘 7") has an item no call used."""
        numbers = {n for n in self.numbers if abs(float(n)) in self.used}
        return bool(self.results) and list_item_left(self.task, self.texts | numbers)

    def _line_matcher(self, input_ids: Any, scores: Any) -> Any:
        """The matcher of the line starting now. The model finishes when it may and wants to: its likeliest
        token, unconstrained, begins `print(` or `final_answer(` (masking alone would let it wander into
        yet another call, which small models do)."""
        import llguidance

        wants = int(scores[0].argmax()) in self.guide.finish_ids
        if not self.tools:
            finishing = bool(self.results) and (wants or len(self.results) >= self.guide.max_calls)
            numbers = [*self.numbers, *self.fractions]
            grammar = expression_grammar([*self.names, *self.results], calls_left=0 if finishing else 1,
                                         need_line=not self.results, numbers=numbers)  # fmt: skip
        else:
            unconsumed = [r for r in self.results if r not in self.consumed]
            ordered = sorted(unconsumed, key=lambda r: self.asked_at.get(r, len(self.task)))  # as the task asks
            answer = unconsumed[0] if len(unconsumed) == 1 else f"[{', '.join(ordered)}]"
            # a call for the next item of a list the task gives is independent of the earlier results; so
            # may be a call again of the tool called last, when it takes several arguments (a tool is seldom
            # given its own result: 4 of 82 chained calls on the dev split, while 23 dev tasks call one tool
            # again on other arguments; a one-parameter tool called again wrote `celsius_to_fahrenheit(10)`
            # for "then add 10"); any other call builds on an earlier result, and only tools that can take
            # one are offered
            parallel = self._list_item_left()
            made = {r: t for r, t in self.made_by.items() if t in self.makers}  # a token goes to every call
            names = {**dict.fromkeys(self.names), **(made if parallel else self.made_by)}
            must_use = [] if parallel else unconsumed
            # a token is made once: every call that takes one takes the same
            made_once = {id(t) for t in self.made_by.values()} & set(map(id, self.makers))
            finish = self._may_finish()
            able = [t for t in self.tools if id(t) not in made_once and (not must_use or self._first_with_token(t)
                    or can_take(t, names, self._builds_on(t, must_use, finish), self.produced))]  # fmt: skip
            last = self.made_by.get(self.results[-1]) if self.results else None
            last = last if last and len(last.parameters.get("required") or []) > 1 else None
            full = len(self.results) >= self.guide.max_calls
            stop = (finish and (wants or not able or full)) or self.stuck
            repeat = [last] if last and last not in able and id(last) not in made_once else []
            offered = [] if stop else [*able, *repeat] or list(self.tools)
            while True:
                tools = self._choose_tool(input_ids, scores, offered) if offered else []
                again = last is not None and tools == [last]
                # a call again may share arguments with the last ("January to February, and February to March")
                numbers = self.numbers if again else self._unused_numbers() or self.numbers
                # a first call taking a token builds on the call that made it: it need not take another result
                linked = able and not again and not (len(tools) == 1 and self._first_with_token(tools[0]))
                builds_on = self._builds_on(tools[0], must_use, finish) if len(tools) == 1 else must_use
                grammar = line_grammar(tools, names, result=result_name(len(self.results)),
                                       answer=answer if finish or not offered else None, numbers=numbers,
                                       strings=self.strings, must_use=builds_on if linked else [],
                                       fractions=list(self.fractions), moments=self.moments, counts=COUNTS,
                                       produced=self.produced, units=self.units)  # fmt: skip
                matcher = llguidance.LLMatcher(self.guide.lltokenizer, llguidance.LLMatcher.grammar_from_lark(grammar))
                if not tools or not self._only_refused(matcher):
                    return matcher
                left = [t for t in offered if t not in tools]  # each line they could write was written
                offered = left if len(left) < len(offered) else []  # (a maker chosen for them: the reply ends)
        return llguidance.LLMatcher(self.guide.lltokenizer, llguidance.LLMatcher.grammar_from_lark(grammar))

    def _builds_on(self, tool: Tool, results: list[str], finish: bool) -> list[str]:
        """The `results` a call of `tool` may build on: once the reply may finish, not `tool`'s own (a
        small model that goes on feeds a tool its own result: `ModifyAlarm(token, t, result2)`; no
        reference of the codecall split does, 4 API-Bank dev references do, in a two-step ForgotPassword,
        and none of its test split)."""
        return [r for r in results if not (finish and self.made_by.get(r) is tool)]

    def _only_refused(self, matcher: Any) -> bool:
        """Whether the line `matcher` starts can only be one already refused: the grammar forces all of it
        (one tool, every argument with one value), so no token is left to mask (`_refuse_again`)."""
        forced = matcher.compute_ff_bytes().decode("utf-8", errors="ignore")
        return forced.endswith("\n") and expression_of(forced.strip()) in self.refused

    def _choose_tool(self, input_ids: Any, scores: Any, offered: list[Tool]) -> list[Tool]:
        """The tools this call line may use: with a scorer, the best by the model's debiased likelihood of
        `resultN = NAME(` plus relevance to the task; otherwise all, and greedy decoding picks by the first
        tokens that differ (`add` over `multiply` on one token's evidence)."""
        tools = [t for t in offered if self._fillable(t)] or offered
        if not self.relevance or len(tools) == 1:
            return self._made_first(tools)
        head = f"{result_name(len(self.results))} = "
        candidates = [self.guide.tokenizer.encode(f"{head}{t.name}(", add_special_tokens=False) for t in tools]
        likelihood = self.scorer(input_ids, scores, candidates)  # type: ignore[misc]  # relevance needs a scorer
        # the bias after the same reply: a model likes to repeat the call it just wrote, whatever the task
        bias = self.scorer.baseline(candidates, after=input_ids[0, self.n_prompt :].tolist())  # type: ignore[union-attr]
        totals = [
            lp - b + RELEVANCE_WEIGHT * self.relevance[t] for lp, b, t in zip(likelihood, bias, tools, strict=True)
        ]
        return self._made_first([tools[max(range(len(totals)), key=totals.__getitem__)]])

    def _made_first(self, tools: list[Tool]) -> list[Tool]:
        """`tools`, or, when none can be called yet for a parameter whose maker has not been called (a
        token), that maker: `GetUserToken(...)` comes before the `AddAlarm(token, ...)` the model chose."""
        if any(self._bound(t) or not self._waiting(t) for t in tools):
            return tools
        return [self.produced[next(p for p in t.parameters.get("required") or [] if p in self.produced)]
                for t in tools[:1]]  # fmt: skip

    def _waiting(self, tool: Tool) -> bool:
        """Whether `tool` takes a parameter made by another tool (`produced`)."""
        return any(p in self.produced and self.produced[p] is not tool for p in tool.parameters.get("required") or [])

    def _bound(self, tool: Tool) -> bool:
        """Whether each parameter of `tool` that another tool makes has a result of that tool to take."""
        made = [self.produced[p] for p in tool.parameters.get("required") or [] if p in self.produced]
        return bool(made) and all(any(self.made_by.get(r) is m for r in self.results) for m in made)

    def _first_with_token(self, tool: Tool) -> bool:
        """Whether `tool` has the results it needs from the tools that make its parameters (`_bound`) and
        has not been called yet: called again, it is held to what any call again is held to."""
        return self._bound(tool) and tool not in self.made_by.values()

    def _fillable(self, tool: Tool) -> bool:
        """Whether the reply has something to pass to each required number parameter of `tool`: a number of
        the task or an earlier name. A task without numbers is not asking for `celsius_to_fahrenheit`."""
        if self.numbers or self.names or self.results:
            return True
        props = tool.parameters.get("properties") or {}
        required = tool.parameters.get("required") or []
        return all(props.get(name, {}).get("type") not in ("number", "integer") for name in required)

    def _consume(self, token: int) -> None:
        self.matcher.consume_token(token)
        self.line.append(token)
        if not self.matcher.is_accepting():
            return
        text = self.guide.tokenizer.decode(self.line)
        if text.endswith("\n"):  # a finished line: the next may use the name it defined
            self._note_line(text)
            self.line = []
            self.matcher = None
            if self.choice:
                self.choice.reset()

    def _note_line(self, text: str) -> None:
        """Record what a finished `NAME = ...` line defined and used."""
        expression = expression_of(text.strip())
        self.stuck = expression in self.refused  # the grammar could not keep the line from a call made before
        self.refused.append(expression)
        statement = ast.parse(text).body[0]
        self.results += assigned_names(text)
        if self.stuck and any(r not in self.consumed for r in self.results[:-1]):
            self.consumed.add(self.results[-1])  # the same value again: not answered twice
        called = statement.value.func.id if self.tools else None  # type: ignore[attr-defined]
        self.made_by[self.results[-1]] = next((t for t in self.tools if t.name == called), None)
        literals = []
        for node in ast.walk(statement.value):  # type: ignore[attr-defined]  # an assignment, by the grammar
            if isinstance(node, ast.Name) and node.id in self.results:
                self.consumed.add(node.id)
            elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
                self.used.add(abs(node.value))
                literal = ast.unparse(node)  # as the grammar wrote it: 0.05 for the task's 5%, 1.75 for its 175 cm
                source = self.fractions.get(literal) or self.converted.get(literal)
                if source is not None:  # the number it came from is used
                    self.used.add(abs(float(source)))
                literals.append(node.value)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                self.texts.add(node.value)
                self.used.update(float(n) for n in re.findall(r"\d+(?:\.\d+)?", node.value))  # 2023 in "2023-03-25"
                literals.append(node.value)
        places = [self.task.find(str(v)) for v in literals]
        if any(p >= 0 for p in places):
            self.asked_at[self.results[-1]] = min(p for p in places if p >= 0)
