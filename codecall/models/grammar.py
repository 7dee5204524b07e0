"""Lark grammars for guided code: one line at a time (`line_grammar`), or a whole reply for a server that
constrains decoding itself (`reply_grammar`). Each argument is a Python literal of its parameter's JSON
Schema type, limited to the task's own numbers and strings when given, or an earlier name of a fitting
type. `codecall.models.guide` says why the lines look as they do."""

from __future__ import annotations

import json
import keyword
import re
import typing
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from codecall.models.literals import in_unit, task_numbers, task_strings
from codecall.retrieve import terms
from codecall.tools import Tool

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
    fractions: Sequence[str] = (),
    moments: Sequence[datetime] = (),
    counts: Sequence[str] = (),
    produced: Mapping[str, Tool] | None = None,
    units: Sequence[tuple[str, str]] = (),
) -> str:
    """The Lark grammar of the next line: `RESULT = TOOL(ARGS)` (when `tools` is not empty), or the
    reply's last line `final_answer(ANSWER)` (when `answer` is given).

    `names` are the names arguments may use, each mapped to the tool whose result it holds (None for a
    sandbox variable): a parameter takes a result only of its type, and a one-parameter tool never its own
    result (`capital_of(capital_of(...))` is a loop, not a plan). `numbers` and `strings`, when given, are
    the only number and string literals allowed; a parameter that takes a fraction (`takes_fraction`) is
    given the task's numbers of at most 1 and `fractions` (its percentages as fractions) instead, and a
    string parameter whose description gives a strftime format the task's `moments` in that format, and an
    integer parameter `counts` too (small whole numbers a task may spell out: "two coats"); a number
    parameter named in a unit (`weight_kg`) the task's `units` (`literals.unit_numbers`) in that unit,
    converted across an SI prefix, and its numbers in no unit another parameter of the tool is named in
    (`bmi(weight_kg, height_m)` for "175 cm tall and 68 kg": 68 or nothing else, then 1.75). With
    `must_use`, a call passes one of those names; the tools that cannot are left out; when none can, the
    reply ends if `answer` is given, else any call goes. A parameter `produced` names (`produced_params`)
    takes its maker's result only: a tool is not offered until that result exists."""
    if not tools and answer is None:
        raise ValueError("a line needs a tool to call or an answer to give")
    sources = dict(names) if isinstance(names, Mapping) else dict.fromkeys(names)
    rules: list[str] = []
    starts = []
    refs = _Refs(sources, produced)
    share = [n for n in numbers if abs(float(n)) <= 1]
    fraction = " | ".join(map(json.dumps, dict.fromkeys([*share, *fractions]))) if numbers else ""
    implied = _Implied(fraction, moments, counts if numbers else (), units if numbers else (), numbers)
    calls = [_call_rule(t, f"p_{i}", rules, refs, must_use, implied) for i, t in enumerate(tools)] if must_use else []
    if must_use and not any(calls) and answer is not None:
        tools = []  # nothing can build on the results: the reply ends
    if tools:
        if not any(calls):
            rules, refs = [], _Refs(sources, produced)
            calls = [_call_rule(t, f"p_{i}", rules, refs, implied=implied) for i, t in enumerate(tools)]
        if not any(calls) and answer is None:
            raise ValueError("no tool offered can be called yet: each waits for a result another tool makes")
    if any(calls):
        starts.append("call_line")
        rules.append(f'call_line: {json.dumps(f"{result} = ")} call "\\n"')
        rules.append("call: " + " | ".join(f"call_{i}" for i, c in enumerate(calls) if c))
        rules += [f"call_{i}: {c}" for i, c in enumerate(calls) if c]
        rules += refs.rules()
    if answer is not None:
        starts.append("final_line")
        rules.append(f"final_line: {json.dumps(f'final_answer({answer})')}")
    rules.append(_VALUE_RULES.format(refs=""))
    return "\n".join([f"start: {' | '.join(starts)}", *rules, _lexemes(numbers, strings, counts)])


class _Refs:
    """The grammar rules naming the earlier names a parameter may take: those of a fitting type, and a
    result of a tool that `produced` names for a parameter (`produced_params`) only for that parameter."""

    def __init__(self, sources: Mapping[str, Tool | None], produced: Mapping[str, Tool] | None = None) -> None:
        self.sources = {n: t for n, t in sources.items() if n.isidentifier() and not keyword.iskeyword(n)}
        self.produced = dict(produced or {})
        self._rules: dict[str, str] = {}  # alternatives -> rule name

    def rule(self, tool: Tool, param: str, schema: dict[str, Any], among: Sequence[str] | None = None) -> str | None:
        """A rule matching the names (of `among`, else all) that `tool` may take for its parameter `param`
        of `schema`."""
        one_parameter = len(tool.parameters.get("required") or []) == 1
        pool = [n for n in (self.sources if among is None else among) if n in self.sources]
        maker = self.produced.get(param)
        makers = set(map(id, self.produced.values()))
        usable = sorted(n for n in pool if _fits(self.sources[n], schema)
                        and not (one_parameter and self.sources[n] is tool)
                        and (self.sources[n] is maker if maker else id(self.sources[n]) not in makers))  # fmt: skip
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

    def rule(self, tool: Tool, param: str, schema: dict[str, Any], among: Sequence[str] | None = None) -> str | None:
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


def can_take(tool: Tool, sources: Mapping[str, Tool | None], names: Sequence[str],
             produced: Mapping[str, Tool] | None = None) -> bool:  # fmt: skip
    """Whether a required parameter of `tool` can take one of `names` (by type, and not its own result)."""
    props = tool.parameters.get("properties") or {}
    refs = _Refs(sources, produced)
    return any(refs.rule(tool, p, props.get(p, {}), names) for p in tool.parameters.get("required") or [])


def produced_params(tools: Sequence[Tool]) -> dict[str, Tool]:
    """The string parameters that one of `tools` exists to make: `token` of `AddAlarm(token, time)` is what
    `GetUserToken(username, password)` returns, and a task never writes a token. Read from the schemas: a
    parameter is made by a tool that does not take it, whose name holds all the parameter's words, whose
    result is a string and whose documentation says it returns it (a line that begins "Return"). Such a
    parameter takes that tool's result only, and the result goes to no other parameter. API-Bank: 50 of
    its 125 test tasks need a token. Over both sets' tools the rule names `token` (GetUserToken) and, in
    one tool, `email` (SendEmail returns "the status of the email"); no codecall tool."""
    made: dict[str, Tool] = {}
    for tool in tools:
        props = tool.parameters.get("properties") or {}
        for param in tool.parameters.get("required") or []:
            if props.get(param, {}).get("type") != "string" or param in made:
                continue
            words = set(terms(param))
            for maker in tools:
                returns = " ".join(line for line in maker.doc.splitlines() if line.strip().startswith("Return"))
                if (maker is not tool and param not in (maker.parameters.get("properties") or {})
                        and maker.signature.return_annotation in (str, "str") and words <= set(terms(maker.name))
                        and words <= set(terms(returns))):  # fmt: skip
                    made[param] = maker
                    break
    return made


def with_makers(shown: Sequence[Tool], tools: Sequence[Tool]) -> list[Tool]:
    """`shown`, and for each parameter of theirs that another of `tools` exists to make (`produced_params`:
    `token`), that maker: a tool shown without it cannot be called (API-Bank dev: 3 of 26 tasks among 20+
    tools had `GetUserToken` left out by retrieval)."""
    made = produced_params(tools)
    makers = [made[p] for t in shown for p in t.parameters.get("required") or [] if p in made]
    return list({id(t): t for t in [*shown, *makers]}.values())


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", tuple: "array",
               dict: "object"}  # fmt: skip


def takes_number(schema: Any) -> bool:
    """Whether a parameter's JSON Schema takes a number (or a list of numbers, or either of some types)."""
    if not isinstance(schema, dict):
        return False
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    nested = [schema.get("items"), *(schema.get("anyOf") or []), *(schema.get("oneOf") or [])]
    return bool({"number", "integer"} & set(kinds)) or any(takes_number(s) for s in nested)


def _fits(source: Tool | None, schema: dict[str, Any]) -> bool:
    """Whether a result of `source` (None: of unknown type) may be passed where `schema` is expected."""
    if source is None or not isinstance(schema.get("type"), str):
        return True
    annotation = source.signature.return_annotation
    kind = _JSON_TYPES.get(typing.get_origin(annotation) or annotation)
    return kind is None or kind == schema["type"] or {kind, schema["type"]} <= {"integer", "number"}


def expression_grammar(names: Sequence[str], *, calls_left: int, need_line: bool, numbers: Sequence[str]) -> str:
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


def _lexemes(numbers: Sequence[str], strings: Sequence[str] = (), counts: Sequence[str] = ()) -> str:
    """The literal lexemes; numbers and strings limited to the task's own when it has any, so a model cannot
    copy the worked example's numbers or wander off inside a string."""
    lines = _LEXEMES.splitlines()
    if numbers:  # an integer parameter then takes the task's integers only (or, when it has none, a count)
        ints = [n for n in numbers if "." not in n] or list(counts) or ["0"]
        lines[1] = f"FLOAT: {' | '.join(map(json.dumps, numbers))}"
        lines[0] = f"INT: {' | '.join(map(json.dumps, ints))}"
    if strings:
        lines[2] = f"STR: {' | '.join(_literal_rule(s) for s in strings)}"
    return "\n".join(lines)


def _names_rule(names: Sequence[str]) -> str:
    usable = sorted({n for n in names if n.isidentifier() and not keyword.iskeyword(n)})
    return f"ref: {' | '.join(json.dumps(n) for n in usable)}" if usable else ""


class _Implied:
    """The values a task implies for a parameter whose schema says how it wants them: a share of one
    (`takes_fraction`: the task's percentages as fractions), a date in a strftime format, or a count."""

    def __init__(self, fraction: str = "", moments: Sequence[datetime] = (), counts: Sequence[str] = (),
                 units: Sequence[tuple[str, str]] = (), numbers: Sequence[str] = ()) -> None:  # fmt: skip
        self.fraction, self.moments, self.counts = fraction, list(moments), list(counts)
        self.units, self.numbers = list(units), list(numbers)

    def rule(self, tool: Tool, param: str, schema: dict[str, Any]) -> str | None:
        if self.fraction and takes_fraction(schema):
            return f"({self.fraction})"
        if self.units and schema.get("type") in ("number", "integer") and not {"enum", "const"} & schema.keys():
            mine = in_unit(self.units, param)
            if mine:
                props = tool.parameters.get("properties") or {}
                claimed = {n for p in props if takes_number(props[p]) for n in in_unit(self.units, p).values()}
                values = [*mine, *(n for n in self.numbers if n not in claimed)]
                if schema["type"] == "integer":
                    values = [v for v in values if "." not in v] + self.counts
                return "(" + " | ".join(map(json.dumps, dict.fromkeys(values))) + ")" if values else None
        if self.counts and schema.get("type") == "integer" and not {"enum", "const"} & schema.keys():
            return "(INT | " + " | ".join(map(json.dumps, self.counts)) + ")"
        fmt = _STRFTIME.search(str(schema.get("description") or "")) if schema.get("type") == "string" else None
        if fmt and self.moments:
            values = dict.fromkeys(m.strftime(fmt.group()) for m in self.moments)
            return "(" + " | ".join(_literal_rule(v) for v in values) + ")"
        return None


#: A strftime format in a parameter's description ("Format: %Y-%m-%d %H:%M:%S"): the form it takes a date in.
_STRFTIME = re.compile(r"%[YmdHMSbBy](?:[-/:. T]?%[YmdHMSbBy])+")


def _call_rule(tool: Tool, prefix: str, rules: list[str], refs: _Refs, must_use: Sequence[str] = (),
               implied: _Implied | None = None) -> str | None:  # fmt: skip
    """`"add(" arg ", " arg ")"` for `tool`, appending each parameter's value rule to `rules`; with
    `must_use`, one required argument is one of those names (None when no parameter can take one);
    `implied` gives the values of a parameter whose schema says how it wants them.

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
        if pname not in required:
            schema = _other_than_default(schema)
        value = (implied and implied.rule(tool, pname, schema)) or _value_rule(schema, f"{rule}_", rules)
        ref = refs.rule(tool, pname, schema)
        if pname in required and pname in refs.produced:  # its maker's result, or the tool waits for one
            if ref is None:
                return None
            rules.append(f"{rule}: {ref}")
        else:
            rules.append(f"{rule}: {value} | {ref}" if ref else f"{rule}: {value}")
        if pname in required:
            positional.append((rule, refs.rule(tool, pname, schema, must_use) if must_use else None))
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


def _other_than_default(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional parameter is written by keyword only to give it a value other than its default
    (`first_class=False` says what leaving it out says): a boolean's or an enum's default is not offered."""
    default = schema.get("default")
    if schema.get("type") == "boolean" and isinstance(default, bool):
        return {**schema, "const": not default}
    options = schema.get("enum") or []
    if "default" in schema and default in options and len(options) > 1:
        return {**schema, "enum": [v for v in options if v != default]}
    return schema


#: A number parameter's description that says it is a share of one. Read from the schema the tool's author
#: wrote (its description), as a probability or fraction is documented; `maximum` <= 1 says so outright.
_FRACTION_DOC = re.compile(r"\b(probabilit(y|ies)|fraction|chance)\b|\d%\s+is\s+0?\.\d", re.IGNORECASE)


def takes_fraction(schema: dict[str, Any]) -> bool:
    """Whether a number parameter takes a share of one (a probability, a rate as a fraction): its schema's
    `maximum` (or `exclusiveMaximum`) is at most 1, or its description says so. A task's "5%" is then
    passed as 0.05 (dev split: 4 more tasks whose every literal can be written; the guide's docstring)."""
    if schema.get("type") not in ("number", "integer") and not ("anyOf" in schema or "oneOf" in schema):
        return False
    top = schema.get("maximum", schema.get("exclusiveMaximum"))
    if isinstance(top, int | float):
        return top <= 1
    return bool(_FRACTION_DOC.search(str(schema.get("description") or "")))


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


def _literal_rule(value: Any) -> str:
    """A grammar string matching the Python source of one JSON value (an enum member)."""
    source = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)
    return json.dumps(source, ensure_ascii=False)
