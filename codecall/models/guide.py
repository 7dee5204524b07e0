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
come from the task: numbers are those it writes, strings are pieces of its text (`task_strings`), since a
small model otherwise copies the worked example's numbers or wanders off inside a string.

The model still decides, inside those bounds, with three aids:
- which tool: each permitted `resultN = NAME(` is scored by the model's log-likelihood of the whole name,
  less the same score after a task that says nothing (the model's bias: the worked example's tool, short
  names), plus `RELEVANCE_WEIGHT` times the tool's BM25 relevance to the task (`codecall.retrieve`).
  First-token greedy choice picked the right first tool in 42 of 68 tasks here, the whole name 38, the
  debiased name 48, with relevance 59;
- when to stop: at a line start after a call, if the model's likeliest token, unconstrained, begins
  `print(` or `final_answer(`, the line is final_answer (masking alone lets it wander into yet another
  call). It may stop only once every number of the task is used and no list the calls took an item from
  ("France and Italy", "法国和德国") has an item left; after `max_calls` calls it must stop;
- a call's literal arguments: as greedy decoding picks them, among the task's.

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
import keyword
import re
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from codecall.extract import assigned_names
from codecall.tools import Tool

_RESULT = re.compile(r"result\d*")  #: the names a guided reply gives its results
RELEVANCE_WEIGHT = 5.0  #: nats added to the likeliest-named tool's score for the tool most relevant to the task
#: A tool at least this relevant to the task (the best scores 1) that the reply has not called, and that can
#: take a result, keeps the reply going when the model would stop.
PENDING_RELEVANCE = 0.5
MAX_CALLS = 4  #: tool calls in one reply before only final_answer is allowed
#: What a small model starts a line with when it would rather print, define or import: a result's name
#: must not begin with these, or `def add...` comes out as a variable called `defadd`.
_WISHES = ("print", "final_answer", "def", "class", "import", "from", "return", "lambda")

#: Lexemes every line grammar shares: Python literals as a model writes them.
_LEXEMES = r"""
INT: /-?(0|[1-9][0-9]{0,17})/
FLOAT: /-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,12})?/
STR: /"([^"\\\n]|\\[\\"nt]){1,200}"/
""".strip()
_VALUE_RULES = r"""
any_value: FLOAT | STR | "True" | "False" | "None" | any_list | any_dict{refs}
any_list: "[" (any_value (", " any_value)*)? "]"
any_dict: "{{" (STR ": " any_value (", " STR ": " any_value)*)? "}}"
""".strip()


def line_grammar(
    tools: Sequence[Tool],
    names: Mapping[str, Tool | None] | Sequence[str],
    *,
    result: str,
    answer: str | None,
    numbers: Sequence[str] = (),
    strings: Sequence[str] = (),
    must_use: Sequence[str] = (),
) -> str:
    """The Lark grammar of the next line: `RESULT = TOOL(ARGS)` (when `tools` is not empty), or the
    reply's last line `final_answer(ANSWER)` (when `answer` is given).

    `names` are the names arguments may use, each mapped to the tool whose result it holds (None for a
    sandbox variable): a parameter takes a result only of its type, and a one-parameter tool never its own
    result (`capital_of(capital_of(...))` is a loop, not a plan). `numbers` and `strings`, when given, are
    the only number and string literals allowed. With `must_use`, a call passes one of those names; the
    tools that cannot are left out; when none can, the reply ends if `answer` is given, else any call goes."""
    if not tools and answer is None:
        raise ValueError("a line needs a tool to call or an answer to give")
    sources = dict(names) if isinstance(names, Mapping) else dict.fromkeys(names)
    rules: list[str] = []
    starts = []
    refs = _Refs(sources)
    calls = [_call_rule(t, f"p_{i}", rules, refs, must_use) for i, t in enumerate(tools)] if must_use else []
    if must_use and not any(calls) and answer is not None:
        tools = []  # nothing can build on the results: the reply ends
    if tools:
        if not any(calls):
            rules, refs = [], _Refs(sources)
            calls = [_call_rule(t, f"p_{i}", rules, refs) for i, t in enumerate(tools)]
        starts.append("call_line")
        rules.append(f'call_line: {json.dumps(f"{result} = ")} call "\\n"')
        rules.append("call: " + " | ".join(f"call_{i}" for i, c in enumerate(calls) if c))
        rules += [f"call_{i}: {c}" for i, c in enumerate(calls) if c]
        rules += refs.rules()
    if answer is not None:
        starts.append("final_line")
        rules.append(f"final_line: {json.dumps(f'final_answer({answer})')}")
    rules.append(_VALUE_RULES.format(refs=""))
    return "\n".join([f"start: {' | '.join(starts)}", *rules, _lexemes(numbers, strings)])


class _Refs:
    """The grammar rules naming the earlier names a parameter may take: those of a fitting type."""

    def __init__(self, sources: Mapping[str, Tool | None]) -> None:
        self.sources = {n: t for n, t in sources.items() if n.isidentifier() and not keyword.iskeyword(n)}
        self._rules: dict[str, str] = {}  # alternatives -> rule name

    def rule(self, tool: Tool, schema: dict[str, Any], among: Sequence[str] | None = None) -> str | None:
        """A rule matching the names (of `among`, else all) that `tool` may take for a parameter of `schema`."""
        one_parameter = len(tool.parameters.get("required") or []) == 1
        pool = [n for n in (self.sources if among is None else among) if n in self.sources]
        usable = sorted(n for n in pool if _fits(self.sources[n], schema)
                        and not (one_parameter and self.sources[n] is tool))  # fmt: skip
        if not usable:
            return None
        body = " | ".join(map(json.dumps, usable))
        return self._rules.setdefault(body, f"ref_{len(self._rules)}")

    def rules(self) -> list[str]:
        return [f"{name}: {body}" for body, name in self._rules.items()]


class _AnyName(_Refs):
    """For a grammar without per-line state: any new-style name may be passed anywhere."""

    def __init__(self) -> None:
        super().__init__({})

    def rule(self, tool: Tool, schema: dict[str, Any], among: Sequence[str] | None = None) -> str | None:
        return "VAR"


def reply_grammar(tools: Sequence[Tool], task: str) -> str:
    """One Lark grammar for a whole reply (with its ```python fence), for a server that constrains decoding
    itself: vLLM's `structured_outputs.grammar` with its llguidance ("guidance") backend. Without per-line
    state it is looser than `line_grammar`: names are the model's, any name may be passed and answered,
    and the reply ends when the model chooses; tools, argument types and the task's literals hold."""
    if not tools:
        raise ValueError("a reply grammar needs tools to call")
    rules: list[str] = []
    calls = [_call_rule(t, f"p_{i}", rules, _AnyName()) for i, t in enumerate(tools)]
    return "\n".join([
        'start: "```python\\n" call_line+ final_line "\\n```"',
        'call_line: VAR " = " call "\\n"',
        "call: " + " | ".join(f"call_{i}" for i in range(len(calls))),
        *(f"call_{i}: {c}" for i, c in enumerate(calls)),
        'final_line: "final_answer(" (VAR | "[" VAR (", " VAR)* "]") ")"',
        _var_rule([t.name for t in tools]),
        *rules,
        _VALUE_RULES.format(refs=""),
        _lexemes(task_numbers(task), task_strings(task)),
    ])  # fmt: skip


def _takes_one(tool: Tool, sources: Mapping[str, Tool | None], names: Sequence[str]) -> bool:
    """Whether a required parameter of `tool` can take one of `names` (by type, and not its own result)."""
    props = tool.parameters.get("properties") or {}
    refs = _Refs(sources)
    return any(refs.rule(tool, props.get(p, {}), names) for p in tool.parameters.get("required") or [])


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", tuple: "array",
               dict: "object"}  # fmt: skip


def _fits(source: Tool | None, schema: dict[str, Any]) -> bool:
    """Whether a result of `source` (None: of unknown type) may be passed where `schema` is expected."""
    if source is None or not isinstance(schema.get("type"), str):
        return True
    annotation = source.signature.return_annotation
    kind = _JSON_TYPES.get(typing.get_origin(annotation) or annotation)
    return kind is None or kind == schema["type"] or {kind, schema["type"]} <= {"integer", "number"}


def _expression_grammar(names: Sequence[str], *, calls_left: int, need_line: bool, numbers: Sequence[str]) -> str:
    """With no tools to call: lines `NAME = EXPR` (arithmetic over the task's numbers, literals and earlier
    names), then `final_answer(EXPR)`. A small model wants to write `total = 2 + 3` and then print it; the
    finishing rule turns that print into final_answer(total)."""
    refs = _names_rule(names)
    atom = 'any_value | "(" expr ")"' + (" | ref" if refs else "")
    rules = ["expr: atom (OP atom)*", f"atom: {atom}", r"OP: / ?(\+|-|\*\*?|\/\/?|%) ?/",
             'final_line: "final_answer(" expr ")"']  # fmt: skip
    starts = []
    if calls_left > 0:
        starts.append("assign_line")
        rules += ['assign_line: VAR " = " expr "\\n"', _var_rule([])]
    if not need_line or not starts:
        starts.append("final_line")
    if refs:
        rules.append(refs)
    rules.append(_VALUE_RULES.format(refs=" | ref" if refs else ""))
    return "\n".join([f"start: {' | '.join(starts)}", *rules, _lexemes(numbers)])


def _var_rule(taken: Sequence[str]) -> str:
    """A new name: not a keyword or a tool, nor glued to what the model would rather write (`print(...)`,
    `def ...`)."""
    words = " | ".join(map(json.dumps, [*keyword.kwlist, *keyword.softkwlist, *taken]))
    return f"VAR: /[a-z_][a-z0-9_]{{0,24}}/ & ~/({'|'.join(_WISHES)}).*/ & ~({words})"


def task_numbers(text: str) -> list[str]:
    """The numbers written in a task, as Python literals ("45", "1.75", "-3"); those inside a longer token
    such as a date or a code ("2025-01-01", "A4") are its text, not numbers."""
    found = re.findall(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\d-]|\.\d)", text)
    return list(dict.fromkeys(n if "." in n else str(int(n)) for n in found))


#: Quoted text in a task, in ASCII or CJK quotes.
_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"|“([^”\n]+)”|‘([^’\n]+)’|「([^」\n]+)」|《([^》\n]+)》")
_WORD = re.compile(r"[^\W_](?:[\w@.+/:-]*[^\W_])?")  #: a word, a date, an email, a code
#: Chinese particles and joining words, which end a piece of text rather than belong to it.
_PARTICLES = re.compile(r"[的了和与是在把吗呢吧及或跟]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")


def task_strings(text: str, *, max_words: int = 3, max_cjk: int = 4) -> list[str]:
    """The strings a call may take from a task: quoted text, runs of up to `max_words` words (and a word's
    singular: "apples" -> "apple"), and pieces of up to `max_cjk` characters of Chinese, Japanese or
    Korean text, which has no spaces to split on (but particles such as 的 and 和 end a piece). Free
    strings are where a small model wanders off (it wrote `reverse_text(")")` and `weather_in(",\n\n...")`);
    the task is where a call's text comes from."""
    spans = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
    for phrase in re.split(r"[^\w\s@.+/:'-]|(?<!\w)[.'-]|[.'-](?!\w)", _QUOTED.sub(" , ", text)):
        words = [w for w in _WORD.findall(phrase) if not _CJK_RUN.search(w)]
        for i in range(len(words)):
            spans += [" ".join(words[i:j]) for j in range(i + 1, min(i + max_words, len(words)) + 1)]
        spans += [w[:-1] for w in words if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3]
    for run in _CJK_RUN.findall(_PARTICLES.sub(" ", text)):
        spans += [run[i:j] for i in range(len(run)) for j in range(i + 1, min(i + max_cjk, len(run)) + 1)]
    return list(dict.fromkeys(s for s in spans if s.strip()))


#: A conjunction between two items of a list, in English or Chinese (with the quote that may close an item).
_AND = r"(?:['\"”’」]?\s*(?:(?:,\s*)?(?:and|or)\b|和|与|及|以及|跟|、)\s*)"


def list_item_left(task: str, texts: set[str], reach: int = 24) -> bool:
    """Whether a string the calls used stands in a list of the task ("France and Italy") whose neighbour
    item (the text within `reach` characters across the conjunction) no call has used yet."""
    for text in texts:
        for match in re.finditer(re.escape(text), task):
            after = re.match(r"[A-Za-z]*" + _AND, task[match.end() :])  # past a plural's "s" too
            before = re.search(_AND + r"$", task[: match.start()])
            sides = [task[match.end() + after.end() :][:reach]] if after else []
            sides += [task[: match.start() - len(before.group())][-reach:]] if before else []
            if any(side.strip() and not any(t in side for t in texts if t != text) for side in sides):
                return True
    return False


def _lexemes(numbers: Sequence[str], strings: Sequence[str] = ()) -> str:
    """The literal lexemes; numbers and strings limited to the task's own when it has any, so a model cannot
    copy the worked example's numbers or wander off inside a string."""
    lines = _LEXEMES.splitlines()
    if numbers:
        ints = [n for n in numbers if "." not in n]
        lines[1] = f"FLOAT: {' | '.join(map(json.dumps, numbers))}"
        if ints:
            lines[0] = f"INT: {' | '.join(map(json.dumps, ints))}"
    if strings:
        lines[2] = f"STR: {' | '.join(_literal_rule(s) for s in strings)}"
    return "\n".join(lines)


def _names_rule(names: Sequence[str]) -> str:
    usable = sorted({n for n in names if n.isidentifier() and not keyword.iskeyword(n)})
    return f"ref: {' | '.join(json.dumps(n) for n in usable)}" if usable else ""


def _call_rule(tool: Tool, prefix: str, rules: list[str], refs: _Refs, must_use: Sequence[str] = ()) -> str | None:
    """`"add(" arg ", " arg ")"` for `tool`, appending each parameter's value rule to `rules`; with
    `must_use`, one required argument is one of those names (None when no parameter can take one).

    Required parameters are positional; optional ones follow as `name=value`, each may be left out. A tool
    whose parameters are all optional is offered its first one only (a leading comma would not parse).
    """
    props: dict[str, Any] = tool.parameters.get("properties") or {}
    required = set(tool.parameters.get("required") or [])
    ordered = list(tool.signature.parameters) or list(props)
    positional: list[tuple[str, str | None]] = []  # (the argument's rule, the rule of the names it must use)
    optional: list[str] = []
    for index, pname in enumerate(ordered):
        if pname not in required and not positional and index:
            break
        rule, schema = f"{prefix}_{index}", props.get(pname, {})
        value = _value_rule(schema, f"{rule}_", rules)
        ref = refs.rule(tool, schema)
        rules.append(f"{rule}: {value} | {ref}" if ref else f"{rule}: {value}")
        if pname in required:
            positional.append((rule, refs.rule(tool, schema, must_use) if must_use else None))
        else:
            optional.append(f'("{", " if positional else ""}{pname}=" {rule})?')
    plain = [rule for rule, _ in positional]
    if not must_use:
        forms = [plain]
    else:  # the same call with each argument that can in turn being the name it must use
        forms = [[*plain[:i], must, *plain[i + 1 :]] for i, (_, must) in enumerate(positional) if must]
        if not forms:
            return None
    calls = [" ".join([' ", " '.join(form), *optional]).strip() for form in forms]
    return " | ".join(f'"{tool.name}(" {inner} ")"' if inner else f'"{tool.name}()"' for inner in calls)


def _value_rule(schema: dict[str, Any], prefix: str, rules: list[str]) -> str:
    """A grammar expression for Python literals matching a JSON Schema (sub-rules appended to `rules`)."""
    if "enum" in schema:
        return " | ".join(_literal_rule(v) for v in schema["enum"])
    if "const" in schema:
        return _literal_rule(schema["const"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(f"({_value_rule(s, f'{prefix}{i}_', rules)})" for i, s in enumerate(schema[key]))
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(f"({_value_rule({**schema, 'type': k}, f'{prefix}{k}_', rules)})" for k in kind)
    if kind == "array":
        item = f"{prefix}item"
        rules.append(f"{item}: {_value_rule(schema.get('items') or {}, f'{item}_', rules)}")
        return f'"[" {item} (", " {item})* "]"'  # an empty list is nothing to call a tool with
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        item = f"{prefix}val"
        rules.append(f"{item}: {_value_rule(schema['additionalProperties'], f'{item}_', rules)}")
        return f'"{{" (STR ": " {item} (", " STR ": " {item})*)? "}}"'
    return {
        "integer": "INT",
        "number": "FLOAT",
        "string": "STR",
        "boolean": '"True" | "False"',
        "null": '"None"',
        "object": "any_dict",
    }.get(kind, "any_value")


def _begins_output(piece: str) -> bool:
    """Whether a token's text starts a `print(` or `final_answer(` line (at least "pr" / "fin")."""
    piece = piece.lstrip()
    return any(
        len(piece) >= 2 and (word.startswith(piece) or piece.startswith(word)) for word in ("print(", "final_answer(")
    )


def _literal_rule(value: Any) -> str:
    """A grammar string matching the Python source of one JSON value (an enum member)."""
    source = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)
    return json.dumps(source, ensure_ascii=False)


class Guide:
    """Guided decoding for one tokenizer: its llguidance view is built once (about 0.3 s), then each
    generation gets a fresh `LineConstraint`."""

    def __init__(self, tokenizer: Any, vocab_size: int, *, max_calls: int = MAX_CALLS) -> None:
        import llguidance.hf

        self.tokenizer, self.vocab_size, self.max_calls = tokenizer, vocab_size, max_calls
        self.lltokenizer = llguidance.hf.from_tokenizer(tokenizer, n_vocab=vocab_size)
        #: tokens that begin `print(` or `final_answer(`: the model wants to show its result
        self.finish_ids = frozenset(i for i in range(len(tokenizer)) if _begins_output(tokenizer.decode([i])))

    def constraint(
        self, tools: Sequence[Tool], names: Sequence[str], n_prompt: int, task: str = "", scorer: Scorer | None = None
    ) -> LineConstraint:
        """A logits processor for one `generate()` whose prompt is `n_prompt` tokens long; literal
        arguments are limited to the numbers and strings in `task` (when it has any). With a `scorer`,
        each call's tool is chosen by the model's likelihood of its whole name plus the tool's relevance
        to `task`."""
        return LineConstraint(self, list(tools), list(names), n_prompt, task, scorer)


class Scorer(Protocol):
    """Scores candidate continuations by their summed log-probabilities under the model."""

    def __call__(self, input_ids: Any, scores: Any, candidates: list[list[int]]) -> list[float]:
        """After the sequence so far, whose next-token logits are `scores`."""

    def baseline(self, candidates: list[list[int]]) -> list[float]:
        """After a prompt whose task says nothing: the model's bias towards each, to take away."""


def result_name(index: int) -> str:
    """The name of a reply's `index`-th result: result, result2, result3, ..."""
    return "result" if index == 0 else f"result{index + 1}"


class LineConstraint:
    """A transformers logits processor: masks every token the current line's grammar forbids. Each line's
    grammar is built when the line starts, knowing which results and numbers the reply has used, whether
    the model wants to finish, and (with a scorer) which tool this line calls."""

    def __init__(
        self, guide: Guide, tools: list[Tool], names: list[str], n_prompt: int, task: str, scorer: Scorer | None
    ) -> None:
        import llguidance.torch

        from codecall.retrieve import relevance

        self.guide, self.tools, self.scorer = guide, tools, scorer
        self.prior = [RELEVANCE_WEIGHT * r for r in relevance(task, tools)] if scorer and len(tools) > 1 else []
        # an earlier step's results are rewritten by this reply, not referred to
        self.names = [n for n in names if not _RESULT.fullmatch(n)]
        self.numbers, self.strings = task_numbers(task), task_strings(task)
        self.seen = n_prompt  #: tokens of the sequence already fed to the matcher (or the prompt)
        self.results: list[str] = []  #: names this reply's lines defined, in order
        self.made_by: dict[str, Tool | None] = {}  #: the tool whose result each name holds
        self.asked_at: dict[str, int] = {}  #: where in the task a result's literal arguments first appear
        self.consumed: set[str] = set()  #: results a later call took as an argument
        self.used: set[float] = set()  #: numbers the calls have used (absolute values)
        self.texts: set[str] = set()  #: strings the calls have used
        self.task = task
        self.chosen: list[str] = []  #: the tool each call line was given, when a scorer chose it
        self.line: list[int] = []  #: tokens of the current line
        self.matcher: Any = None  #: the current line's matcher; None between lines
        self.bitmask = llguidance.torch.allocate_token_bitmask(1, guide.vocab_size)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import llguidance.torch

        for token in input_ids[0, self.seen :].tolist():
            self._consume(token)
        self.seen = input_ids.shape[1]
        if self.matcher is None:
            self.matcher = self._line_matcher(input_ids, scores)
        if self.matcher.is_error():  # cannot happen with a valid grammar; end the reply rather than loop
            raise RuntimeError(f"guided decoding failed: {self.matcher.get_error()}")
        llguidance.torch.fill_next_token_bitmask(self.matcher, self.bitmask, 0)
        llguidance.torch.apply_token_bitmask_inplace(scores, self.bitmask.to(scores.device))
        return scores

    def _unused_numbers(self) -> list[str]:
        return [n for n in self.numbers if abs(float(n)) not in self.used]

    def _may_finish(self) -> bool:
        """Whether the reply may end now: after a call, once every number of the task has been used and
        every item of a list the calls took an item from ("France and Italy", "法国和德国")."""
        if len(self.results) >= self.guide.max_calls:
            return True
        return bool(self.results) and not self._unused_numbers() and not self._list_item_left()

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
            grammar = _expression_grammar([*self.names, *self.results], calls_left=0 if finishing else 1,
                                          need_line=not self.results, numbers=self.numbers)  # fmt: skip
        else:
            unconsumed = [r for r in self.results if r not in self.consumed]
            ordered = sorted(unconsumed, key=lambda r: self.asked_at.get(r, len(self.task)))  # as the task asks
            answer = unconsumed[0] if len(unconsumed) == 1 else f"[{', '.join(ordered)}]"
            # a call for the next item of a list the task gives is independent of the earlier results;
            # any other call builds on one, and only tools that can take one are offered
            parallel = self._list_item_left()
            names = {**dict.fromkeys(self.names), **({} if parallel else self.made_by)}
            must_use = [] if parallel else unconsumed
            able = [t for t in self.tools if not must_use or _takes_one(t, names, must_use)]
            finish = self._may_finish()
            # a tool the task asks for that this reply has not called, and that can take a result: the
            # model's wish to stop early is overruled (it stops after `weather_in` when asked in Fahrenheit)
            called = set(self.made_by.values())
            pending = [t for t in able if t not in called and self._relevance(t) >= PENDING_RELEVANCE]
            full = len(self.results) >= self.guide.max_calls
            if finish and wants and not full and must_use and pending:
                tools, finish = self._choose_tool(input_ids, scores, pending), False
            elif finish and (wants or not able or full):
                tools = []
            else:
                tools = self._choose_tool(input_ids, scores, able or self.tools)
            grammar = line_grammar(tools, names, result=result_name(len(self.results)),
                                   answer=answer if finish else None, numbers=self._unused_numbers() or self.numbers,
                                   strings=self.strings, must_use=must_use if able else [])  # fmt: skip
        return llguidance.LLMatcher(self.guide.lltokenizer, llguidance.LLMatcher.grammar_from_lark(grammar))

    def _choose_tool(self, input_ids: Any, scores: Any, offered: list[Tool]) -> list[Tool]:
        """The tools this call line may use: with a scorer, the best by the model's debiased likelihood of
        `resultN = NAME(` plus relevance to the task; otherwise all, and greedy decoding picks by the first
        tokens that differ (`add` over `multiply` on one token's evidence)."""
        tools = [t for t in offered if self._fillable(t)] or offered
        if not self.prior or len(tools) == 1:
            return tools
        head = f"{result_name(len(self.results))} = "
        candidates = [self.guide.tokenizer.encode(f"{head}{t.name}(", add_special_tokens=False) for t in tools]
        likelihood = self.scorer(input_ids, scores, candidates)  # type: ignore[misc]  # prior needs a scorer
        bias = self.scorer.baseline(candidates)  # type: ignore[union-attr]
        prior = [self.prior[self.tools.index(t)] for t in tools]
        totals = [lp - b + p for lp, b, p in zip(likelihood, bias, prior, strict=True)]
        best = tools[max(range(len(totals)), key=totals.__getitem__)]
        self.chosen.append(best.name)
        return [best]

    def _relevance(self, tool: Tool) -> float:
        """The tool's relevance to the task, 0 to 1 (0 without a scorer or with a single tool)."""
        return self.prior[self.tools.index(tool)] / RELEVANCE_WEIGHT if self.prior else 0.0

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

    def _note_line(self, text: str) -> None:
        """Record what a finished `NAME = ...` line defined and used."""
        statement = ast.parse(text).body[0]
        self.results += assigned_names(text)
        called = statement.value.func.id if self.tools else None  # type: ignore[attr-defined]
        self.made_by[self.results[-1]] = next((t for t in self.tools if t.name == called), None)
        literals = []
        for node in ast.walk(statement.value):  # type: ignore[attr-defined]  # an assignment, by the grammar
            if isinstance(node, ast.Name) and node.id in self.results:
                self.consumed.add(node.id)
            elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
                self.used.add(abs(node.value))
                literals.append(node.value)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                self.texts.add(node.value)
                literals.append(node.value)
        places = [self.task.find(str(v)) for v in literals]
        if any(p >= 0 for p in places):
            self.asked_at[self.results[-1]] = min(p for p in places if p >= 0)
