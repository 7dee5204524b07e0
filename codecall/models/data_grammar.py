"""The Lark grammar of one guided line of code over data: pandas over the DataFrames the session holds.

A turn with data and no tools (`%%fc -i sales`, a DABench table as `df`) has no tool to constrain a reply
to, and left free the bundled model copied the worked example's tool (`multiply(7, 6)`) or printed the
same name until its tokens ran out. Guided, a reply is

    NAME = SCALAR        one line for each value the question asks for (its `@name[...]` fields, else one)
    final_answer(NAME)   the last line, naming those lines' names (a list of them for several)

because a question asks for values, not tables: given room for a Series, a `describe()` or a second line
of free arithmetic (`len(x) * total`), the bundled model took it. A SCALAR is built only from what the
session and the question give:

- rows: a DataFrame variable, or its rows under a filter, `df[df['col'] > 5]`, `df[df['col'] == 'x']`, two
  conditions joined by `&`; the filter is there when the question's own sentence names a number or a value
  of the data (`conditions`), and only then (a number compared with is one of the question's, a text one of
  the values the question names);
- a column of the rows (`frame['col']`, from its schema) reduced to one value: the reductions (mean, sum,
  min, max, count, median, std, var, nunique, skew, kurt), missing values counted (`.isnull().sum()`), the
  most frequent value (`.value_counts().idxmax()`), its correlation with another column;
- `len(rows)`; a group's reduction picked out (`.groupby('g')['col'].sum().idxmax()`, or `.max()`); the
  column with the most missing values (`df.isnull().sum().idxmax()`);
- `round(value, n)` and `.round(n)` with the question's whole numbers (no arithmetic between values);
- with `plot`, a chart: `COLUMN.plot(kind='bar')` and the other kinds (only where the question asks for one);
- once `from scipy import stats` is written (a line of its own, `IMPORT`), a test of a column or of two:
  `stats.shapiro(df['x'].dropna()).pvalue`, `stats.pearsonr(df['x'], df['y']).statistic` (`TESTS`; a line
  whose field names a read, `p_value`, is that read of a test and nothing else), and the count of a
  column's outliers by z-score, `(abs(stats.zscore(df['x'].dropna())) > 3).sum()`;
- a verdict on a test's p-value in the words the answer format quotes: `NAME = 'yes' if p > 0.05 else 'no'`.

Which variable, column, operation and literal is the model's own choice inside these bounds (see
`codecall.models.data_guide`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

#: Reductions of a column or a group's column to one value, written `.NAME()`.
REDUCTIONS = ("mean", "sum", "min", "max", "count", "median", "std", "var", "nunique", "skew", "kurt")
#: What picks one value out of a group's reductions: its label, or the value itself.
PICKS = ("idxmax", "idxmin", "max", "min")
#: Chart kinds of `.plot(kind=...)`.
PLOT_KINDS = ("bar", "line", "hist", "pie", "scatter", "box")
#: Comparisons of a filter with a number.
COMPARISONS = (" > ", " < ", " >= ", " <= ", " == ", " != ")
IMPORT = "from scipy import stats\n"  #: the line that makes `TESTS` available
#: Tests of `scipy.stats` on one numeric column (its missing values dropped) or on two.
TESTS = ("shapiro", "normaltest")
PAIRED_TESTS = ("pearsonr", "spearmanr")
TEST_READS = ("pvalue", "statistic")  #: what a line reads of a test's result
_NUMERIC = ("int", "uint", "float", "bool")


def _lit(text: str) -> str:
    """A Lark string literal matching `text` exactly."""
    return json.dumps(text, ensure_ascii=False)


def _alts(options: Sequence[str]) -> str:
    return " | ".join(_lit(o) for o in options)


def is_numeric(dtype: str) -> bool:
    """Whether a dtype's name (as `str(series.dtype)` writes it) is of numbers."""
    return dtype.lower().startswith(_NUMERIC)


def final_text(names: Sequence[str]) -> str:
    """The reply's last line: its answers, one name or a list of them."""
    return f"final_answer({names[0] if len(names) == 1 else '[' + ', '.join(names) + ']'})"


def import_grammar() -> str:
    """The grammar of the line `IMPORT`."""
    return f"start: {_lit(IMPORT)}"


def data_line_grammar(
    columns: Mapping[str, Mapping[str, str]],
    *,
    name: str = "result",
    answers: Sequence[str] = (),
    conditions: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    compare: Sequence[str] = (),
    numbers: Sequence[str] = (),
    plot: bool = False,
    tests: bool = False,
    read: str | None = None,
    cutoffs: Sequence[str] = (),
    verdict: tuple[str, Sequence[str], Sequence[str]] | None = None,
) -> str:
    """The Lark grammar of the next line: with `answers` (the names the reply's lines defined), the final
    `final_answer(...)` of them; otherwise `NAME = SCALAR\\n`. `columns` holds each DataFrame's columns
    with their dtypes; `name` is the one this line defines. The rows are filtered when there is something
    to filter by: `conditions`, per frame, the values of a text column (by column) that the question
    names, and `compare`, the question's numbers a numeric column is compared with. `numbers` are the
    question's numbers (its whole ones round); `plot` offers `.plot(kind=...)` on a column or a group's
    reduction. `tests` offers the tests `IMPORT` made available, and with `cutoffs` the count of
    outliers by z-score beyond one of them; a `read` (one of `TEST_READS`) makes the line that read of a
    test and nothing else (where a frame has numbers); a `verdict` (a p-value's name, the words to answer with, the
    thresholds) makes the line a verdict on that p-value."""
    if answers:
        return f"start: {_lit(final_text(answers))}"
    if verdict:
        of, words, thresholds = verdict
        return "\n".join([
            f'start: {_lit(name + " = ")} word {_lit(" if " + of + " > ")} ALPHA " else " word "\\n"',
            f"word: {_alts([repr(w) for w in words])}",
            f"ALPHA: {_alts(thresholds)}",
        ])  # fmt: skip
    conditions = conditions or {}
    ints = [n for n in numbers if "." not in n and not n.startswith("-")]
    rules = [
        f'start: {_lit(name + " = ")} expr "\\n"',
        "expr: scalar" + (' | "round(" scalar ", " INT ")"' if ints else "") + (" | plot" if plot else ""),
        "red: " + " | ".join(_lit(f".{r}()") for r in REDUCTIONS) + (' | red ".round(" INT ")"' if ints else ""),
        "pick: " + " | ".join(_lit(f".{p}()") for p in PICKS),
        'counted: ".count()" | ".nunique()" | ".isnull()" ".sum()" | ".value_counts()" ".idxmax()"',
    ]
    if ints:
        rules.append(f"INT: {_alts(ints)}")
    if compare:
        rules += [f"NUM: {_alts(compare)}", f"cmp: {_alts(COMPARISONS)}"]
    if tests:
        rules += [f"test: {_alts(TESTS)}", f"paired: {_alts(PAIRED_TESTS)}",
                  "reads: " + " | ".join(_lit(f".{r}") for r in ([read] if read else TEST_READS))]  # fmt: skip
        rules += [f"CUTOFF: {_alts(cutoffs)}"] if cutoffs else []
    scalars, tested, plots = [], [], []
    for i, (frame, schema) in enumerate(columns.items()):
        scalar, frame_tests, chart = _frame_rules(i, frame, schema, conditions.get(frame, {}), compare, tests,
                                                  bool(cutoffs) and not read, rules)  # fmt: skip
        scalars.append(" | ".join(filter(None, [scalar, frame_tests])))
        tested += [frame_tests] if frame_tests else []
        plots.append(chart)
    rules.append("scalar: " + " | ".join(tested if read and tested else scalars))
    if plot:
        rules.append(f"kind: {_alts([repr(k) for k in PLOT_KINDS])}")
        rules.append("plot: " + " | ".join(plots))
    return "\n".join(rules)


def _frame_rules(
    i: int,
    frame: str,
    schema: Mapping[str, str],
    named: Mapping[str, Sequence[str]],
    compare: Sequence[str],
    tests: bool,
    zscores: bool,
    rules: list[str],
) -> tuple[str, str, str]:
    """Append DataFrame `frame`'s rules (its rows, columns, filters) to `rules`; return its scalar rule, its
    tests' rule (empty without `tests` or numbers) and its chart rule."""
    # Literals are cut at the brackets and operators, so no two that may come next are one the other's
    # prefix: llguidance's lexer matches greedily, and `sales[` next to `sales['region'] == ` fails on `'a`.
    cols = [c for c in schema if isinstance(c, str)]
    name, col = _lit(frame), f"c{i}"
    rules.append(f"{col}: {_alts([repr(c) for c in cols])}")
    numeric = [c for c in cols if is_numeric(schema[c])]
    if numeric:
        rules.append(f"n{i}: {_alts([repr(c) for c in numeric])}")
    conditions = []
    if numeric and compare:
        conditions.append(f'{name} "[" n{i} "]" cmp NUM')
    for j, (column, texts) in enumerate((c, t) for c, t in named.items() if c in cols and t):
        rules.append(f"t{i}_{j}: {_alts([repr(t) for t in texts])}")
        conditions.append(f'{name} "[" {_lit(repr(column))} "]" " == " t{i}_{j}')
    rows = name
    if conditions:
        rules.append(f"cond{i}: " + " | ".join(conditions))
        rules.append(f'rows{i}: {name} "[" cond{i} "]" | {name} "[(" cond{i} ") & (" cond{i} ")" "]"')
        rows = f"rows{i}"
    series = f'{rows} "[" {col} "]"'
    alternatives = [f"{series} counted", f'"len(" {rows} ")"']
    if not conditions:  # a question that names rows asks about them, not about the table's columns
        alternatives.append(f'{name} ".isnull()" ".sum()" ".idxmax()"')
    group = f'{rows} ".groupby(" {col} ")" "[" n{i} "]" red'
    if numeric:
        alternatives += [
            f'{rows} "[" n{i} "]" red',
            f'{rows} "[" n{i} "]" ".corr(" {rows} "[" n{i} "]" ")"',
            f"{group} pick",
        ]
    tested = []
    if numeric and tests:
        numbers_of = f'{rows} "[" n{i} "]"'
        tested = [f'"stats." test "(" {numbers_of} ".dropna())" reads',
                  f'"stats." paired "(" {numbers_of} ", " {numbers_of} ")" reads']  # fmt: skip
        if zscores:
            tested.append(f'"(abs(stats.zscore(" {numbers_of} ".dropna())) > " CUTOFF ").sum()"')
    chart = f'({series} | {group}) ".plot(kind=" kind ")"' if numeric else f'{series} ".plot(kind=" kind ")"'
    return " | ".join(f"({a})" for a in alternatives), " | ".join(f"({a})" for a in tested), chart
