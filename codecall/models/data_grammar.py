"""The Lark grammar of one guided line of code over data: pandas over the DataFrames the session holds.

A turn with data and no tools (`%%fc -i sales`, a DABench table as `df`) has no tool to constrain a reply
to, and left free the bundled model copied the worked example's tool (`multiply(7, 6)`) or printed the
same name until its tokens ran out. Guided, each line of the reply is

    NAME = EXPR          a new name (not a variable of the session), an expression over the data
    final_answer(EXPR)   the last line, ending the reply

where an expression is built only from what the session and the question give:

- frames: a DataFrame variable, or its rows under a filter: `df[df['col'] > 5]`, `df[df['col'] == 'x']`,
  two conditions joined by `&`; a number compared with comes from the question, a text from the values
  the column holds (`values`: those the prompt shows, then the most frequent) or the question's quotes;
- columns: `frame['col']` for a column that frame has (its schema, `columns`), `frame.groupby('col')['col2']`;
- operations, a curated set: the reductions (mean, sum, min, max, count, median, std, var, nunique),
  `value_counts()`, `idxmax()`/`idxmin()`, `sort_values()`, `unique()`, `describe()`, `corr`, `head(n)`,
  `len(frame)`, `round(n)`; on an earlier name of the reply, the same tails;
- arithmetic between such values and the question's numbers (`len(a) / len(df) * 100`);
- with `plot`, a chart: `SERIES.plot(kind='bar')` and the other kinds (only where the question asks for one).

Which variable, column, operation and literal is the model's own greedy choice inside these bounds.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Mapping, Sequence

from codecall.models.grammar import _var_rule

#: Reductions of a column or a group's column, written `.NAME()`.
REDUCTIONS = ("mean", "sum", "min", "max", "count", "median", "std", "var", "nunique")
#: Chart kinds of `.plot(kind=...)`.
PLOT_KINDS = ("bar", "line", "hist", "pie", "scatter", "box")
_NUMERIC = ("int", "uint", "float", "bool")


def _lit(text: str) -> str:
    """A Lark string literal matching `text` exactly."""
    return json.dumps(text, ensure_ascii=False)


def _alts(options: Sequence[str]) -> str:
    return " | ".join(_lit(o) for o in options)


def is_numeric(dtype: str) -> bool:
    """Whether a dtype's name (as `str(series.dtype)` writes it) is of numbers."""
    return dtype.lower().startswith(_NUMERIC)


def data_line_grammar(
    columns: Mapping[str, Mapping[str, str]],
    *,
    names: Sequence[str] = (),
    taken: Sequence[str] = (),
    values: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    numbers: Sequence[str] = (),
    strings: Sequence[str] = (),
    assign: bool = True,
    final: bool = True,
    plot: bool = False,
) -> str:
    """The Lark grammar of the next line: `NAME = EXPR\\n` (with `assign`) or `final_answer(EXPR)` (with
    `final`). `columns` holds each DataFrame's columns with their dtypes; `names` are other names the line
    may use (earlier results); `taken` are names a new name may not be (the session's variables); `values`
    a few values of each text column; `numbers` and `strings` the question's literals; `plot` offers
    `.plot(kind=...)` on a column or a group's column."""
    if not (assign or final):
        raise ValueError("a line must either assign or answer")
    values = values or {}
    ints = [n for n in numbers if "." not in n and not n.startswith("-")]
    rules = [
        f"start: {' | '.join(s for s, on in (('assign_line', assign), ('final_line', final)) if on)}",
        'assign_line: VAR " = " expr "\\n"',
        'final_line: "final_answer(" expr ")"',
        _var_rule([*taken, *names, *columns, "final_answer", "df", "pd", "np"]),
        "expr: term (OP (term" + (" | NUM" if numbers else "") + "))?",  # a number alone is no analysis
        'OP: " + " | " - " | " * " | " / "',
        "term: value" + (' | "round(" value ", " INT ")"' if ints else ""),
        'rtail: ".round(" INT ")"' if ints else "",
        "tail: " + " | ".join([
            *(f'".{r}()"' for r in REDUCTIONS), '".value_counts()"', '".idxmax()"', '".idxmin()"', '".unique()"',
            '".describe()"', '".sort_values()"', '".sort_values(ascending=False)"',
            *(['".head(" INT ")"'] if ints else []),
        ]),  # fmt: skip
        "tails: tail tail? tail?" + (" rtail?" if ints else "") + (" | rtail" if ints else ""),
    ]
    if ints:
        rules.append(f"INT: {_alts(ints)}")
    if numbers:
        rules += [f"NUM: {_alts(numbers)}", 'CMP: " > " | " < " | " >= " | " <= " | " == " | " != "']
    rules.append('EQ: " == " | " != "')
    values_rule = []
    for i, (frame, schema) in enumerate(columns.items()):
        values_rule.append(_frame_rules(i, frame, schema, values.get(frame, {}), numbers, strings, rules, plot))
    usable = sorted({n for n in names if n.isidentifier() and not keyword.iskeyword(n) and n not in columns})
    if usable:
        rules.append(f"ref: {_alts(usable)}")
        values_rule.append("ref tails?")
    rules.append("value: " + " | ".join(values_rule))
    return "\n".join(r for r in rules if r)


def _frame_rules(
    i: int,
    frame: str,
    schema: Mapping[str, str],
    values: Mapping[str, Sequence[str]],
    numbers: Sequence[str],
    strings: Sequence[str],
    rules: list[str],
    plot: bool,
) -> str:
    """Append DataFrame `frame`'s rules (its rows, columns, filters) to `rules`; return its value rule."""
    # Literals are cut at the brackets and operators, so no two that may come next are one the other's
    # prefix: llguidance's lexer matches greedily, and `sales[` next to `sales['region'] == ` fails on `'a`.
    cols = [c for c in schema if isinstance(c, str)]
    name, col = _lit(frame), f"c{i}"
    rules.append(f"{col}: {_alts([repr(c) for c in cols])}")
    numeric = [c for c in cols if is_numeric(schema[c])]
    conditions = []
    if numeric and numbers:
        rules.append(f"n{i}: {_alts([repr(c) for c in numeric])}")
        conditions.append(f'{name} "[" n{i} "]" CMP NUM')
    for j, column in enumerate(c for c in cols if not is_numeric(schema[c])):
        texts = list(dict.fromkeys([*values.get(column, ()), *strings]))
        if texts:
            rules.append(f"t{i}_{j}: {_alts([repr(t) for t in texts])}")
            conditions.append(f'{name} "[" {_lit(repr(column))} "]" EQ t{i}_{j}')
    rows = name
    if conditions:
        rules.append(f"cond{i}: " + " | ".join(conditions))
        rules.append(f'rows{i}: {name} | {name} "[" cond{i} "]" | {name} "[(" cond{i} ") & (" cond{i} ")" "]"')
        rows = f"rows{i}"
    series = f'{rows} "[" {col} "]"'
    group = f'{rows} ".groupby(" {col} ")" "[" {col} "]"'
    alternatives = [
        f"{series} tails?",
        f"{group} tails",
        f'{series} ".corr(" {name} "[" {col} "]" ")"',
        f'"len(" {rows} ")"',
        f'{rows} ".describe()"',
    ]
    if plot:
        rules.append(f"kind{i}: {_alts([repr(k) for k in PLOT_KINDS])}")
        alternatives += [f'({series} | {group} tail) ".plot(kind=" kind{i} ")"']
    return " | ".join(f"({a})" for a in alternatives)
