"""Guided code over data: the grammar (only the session's frames and columns, the question's literals), the
prompt's worked example for a turn with data, a failed line not written again, and a notebook of small
questions answered by the bundled model through nbclient. Our own small DataFrames, not DABench's."""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from codecall import Agent
from codecall.models.data_grammar import IMPORT, data_line_grammar, import_grammar
from codecall.models.data_question import (
    answers_asked,
    cutoffs,
    line_names,
    named_read,
    question_filters,
    question_terms,
    thresholds,
    verdict_words,
)
from codecall.prompt import DATA_EXAMPLES, EXAMPLES, build_messages, data_schema, opening_request

SALES = pd.DataFrame({"region": ["north", "south", "north", "east"], "amount": [10, 20, 30, 45]})
STAFF = pd.DataFrame({"team": ["a", "b", "a", "b", "b"], "age": [30, 40, 50, 20, 30],
                      "city": ["x", "y", "x", "x", "y"]})  # fmt: skip


def _names(code: str) -> tuple[set[str], set[str]]:
    """The plain names a piece of code reads, and the strings it indexes with (`df['col']`, groupby('col'))."""
    tree = ast.parse(code)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    keys = {n.slice.value for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant)}
    keys |= {a.value for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "groupby"
             for a in n.args if isinstance(a, ast.Constant)}  # fmt: skip
    return names, {k for k in keys if isinstance(k, str)}


def test_a_turn_with_data_and_no_tools_shows_the_data_example() -> None:
    messages = build_messages("What is the total amount?", [], {"sales": SALES})
    assert DATA_EXAMPLES[0][1] in messages[2]["content"] and "multiply" not in json.dumps(messages)
    assert EXAMPLES[0][1] in build_messages("What is 2 + 3?", [])[2]["content"]  # the tool example stays


def test_the_request_carries_each_frames_columns_and_a_few_text_values() -> None:
    request = opening_request("How many in the north?", [], {"sales": SALES, "n": 3})
    assert request.columns == {"sales": {"region": str(SALES.region.dtype), "amount": "int64"}}
    assert request.values["sales"]["region"][:3] == ["north", "south", "east"]
    assert data_schema({"n": 3}) == {"columns": {}, "values": {}}


def _matches(grammar: str, text: str) -> bool:
    import llguidance

    tokenizer = _tokenizer()
    matcher = llguidance.LLMatcher(_lltokenizer(), llguidance.LLMatcher.grammar_from_lark(grammar), log_level=0)
    return all(matcher.consume_token(t) for t in tokenizer.encode(text)) and matcher.is_accepting()


def _tokenizer():  # the bundled model's tokenizer, from the converted cache
    from transformers import AutoTokenizer

    from codecall.models.transformers import bundled_gguf, cache_root

    gguf = bundled_gguf()
    return AutoTokenizer.from_pretrained(cache_root() / f"{gguf.stem}-{gguf.stat().st_size}", local_files_only=True)


def _lltokenizer():
    import llguidance.hf

    return llguidance.hf.from_tokenizer(_tokenizer())


@pytest.mark.model
def test_the_grammar_allows_the_frames_columns_and_the_questions_literals_only() -> None:
    schema = data_schema({"sales": SALES})
    grammar = data_line_grammar(schema["columns"], numbers=["2"])
    for line in ("result = sales['amount'].sum()\n", "result = sales.groupby('region')['amount'].sum().idxmax()\n",
                 "result = sales['region'].value_counts().idxmax()\n", "result = round(sales['amount'].mean(), 2)\n",
                 "result = len(sales)\n"):  # fmt: skip
        assert _matches(grammar, line), line
    for line in ("result = sales['profit'].sum()\n", "result = orders['amount'].sum()\n", "result = multiply(7, 6)\n",
                 "result = sales['amount'].apply(print)\n", "result = sales['amount']\n", "result = sales.describe()\n",
                 "result = sales['region'].sum()\n", "result = len(sales) * sales['amount'].sum()\n", "result = 15\n",
                 "result = len(sales[sales['amount'] > 15])\n"):  # fmt: skip
        assert not _matches(grammar, line), line  # not a Series, a table, a text column summed, free arithmetic
    filtered = data_line_grammar(schema["columns"], conditions={"sales": {"region": ["north"]}}, compare=["15"])
    for line in ("result = len(sales[sales['amount'] > 15])\n",
                 "result = sales[sales['region'] == 'north']['amount'].mean()\n"):  # fmt: skip
        assert _matches(filtered, line), line
    for line in ("result = sales['amount'].mean()\n", "result = len(sales[sales['region'] == 'south'])\n",
                 "result = len(sales[sales['amount'] > 99])\n"):  # fmt: skip
        assert not _matches(filtered, line), line  # the rows are the ones the question names
    final = data_line_grammar(schema["columns"], answers=["result", "result2"])
    assert _matches(final, "final_answer([result, result2])")


@pytest.mark.model
def test_the_grammar_offers_a_test_after_its_import_and_a_verdict_in_the_formats_words() -> None:
    columns = data_schema({"staff": STAFF})["columns"]
    assert _matches(import_grammar(), IMPORT) and not _matches(data_line_grammar(columns, name="p"), IMPORT)
    tested = data_line_grammar(columns, name="p", tests=True, cutoffs=["3"])
    for line in ("p = stats.shapiro(staff['age'].dropna()).pvalue\n",
                 "p = stats.pearsonr(staff['age'], staff['age']).statistic\n",
                 "p = (abs(stats.zscore(staff['age'].dropna())) > 3).sum()\n"):  # fmt: skip
        assert _matches(tested, line), line
    assert not _matches(tested, "p = stats.shapiro(staff['team'].dropna()).pvalue\n")  # a text column
    assert not _matches(data_line_grammar(columns, name="p"), "p = stats.shapiro(staff['age'].dropna()).pvalue\n")
    verdict = data_line_grammar(columns, name="v", verdict=("p", ["even", "odd"], ["0.01"]))
    assert _matches(verdict, "v = 'odd' if p > 0.01 else 'even'\n")
    assert not _matches(verdict, "v = 'odd' if p > 0.05 else 'even'\n")
    assert not _matches(verdict, "v = staff['age'].mean()\n")
    only_p = data_line_grammar(columns, name="p", tests=True, read="pvalue", cutoffs=["3"])
    assert _matches(only_p, "p = stats.spearmanr(staff['age'], staff['age']).pvalue\n")
    for line in ("p = stats.shapiro(staff['age'].dropna()).statistic\n", "p = staff['age'].mean()\n",
                 "p = (abs(stats.zscore(staff['age'].dropna())) > 3).sum()\n"):  # fmt: skip
        assert not _matches(only_p, line), line


def test_the_format_names_the_lines_and_quotes_a_verdicts_words() -> None:
    task = ('Does age follow a bell curve?\nConstraints: a level of 0.01; use "age".\n'
            'Format: @bell[answer] @age_mean[m] where "answer" is "sure" or "no way".')  # fmt: skip
    columns = {"staff": {"age": "int64"}}
    assert verdict_words(task, columns) == ["sure", "no way"]  # not the placeholder, not the column
    assert verdict_words('How old?\nFormat: @age[a] where "a" is a number', columns) == []
    assert thresholds(task) == ["0.01"] and thresholds("Is it normal?") == ["0.05"]
    assert cutoffs("Outliers beyond a z-score of 2, in 2019?") == ["2"] and cutoffs(task) == ["3"]
    assert line_names(task, ["staff"]) == ["bell", "age_mean"]
    assert line_names("x\n@max[a] @staff[b] @for[c] @mean[d]", ["staff"]) == ["result", "result2", "result3", "mean"]
    assert line_names("What is the mean age?", []) == ["result"]
    reads = [named_read(f) for f in ("pValue", "bell_p_value", "f_statistic", "top_value", "answer")]
    assert reads == ["pvalue", "pvalue", "statistic", None, None]


def test_the_questions_form_sets_the_replys_shape() -> None:
    schema = data_schema({"staff": STAFF})
    columns, values = schema["columns"], schema["values"]
    assert question_filters("What is the mean age in city 'x'?", columns, values) == ({"staff": {"city": ["x"]}}, [])
    assert question_filters("How many are older than 35?", columns, values) == ({}, ["35"])
    later = 'What is the mean age?\nAnswer: "x" or "y"'
    assert question_filters(later, columns, values) == ({}, [])  # a later line is not the question
    assert question_filters("1. What is the mean age?", columns, values) == ({}, [])  # its place in a list
    assert answers_asked("What is the mean age?") == 1
    assert answers_asked("Mean and std of age.\nFormat: @mean_age[m] @std_age[s]; give @name[value]") == 2
    assert question_terms("Mean of age?\nThe table is loaded as `df`. @mean_age[m]") == {"mean", "of", "age"}


@pytest.fixture(scope="module")
def agent() -> Agent:
    return Agent()  # the bundled model, guided


@pytest.mark.model
def test_a_guided_reply_names_only_existing_variables_and_columns(agent: Agent) -> None:
    for task in ("What is the mean age by team?", "How many people live in city 'x'?", "What is the oldest age?"):
        result = agent.run(task, staff=STAFF)
        for step in result.steps:
            names, keys = _names(step.code)
            assigned = {n for s in result.steps for n in _assigned(s.code)}
            assert names <= {"staff", "final_answer", "round", "len", *assigned}, (task, step.code)
            assert keys <= {*STAFF.columns, "x", "y", "a", "b"}, (task, step.code)


def _assigned(code: str) -> set[str]:
    return {t.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Assign) for t in n.targets
            if isinstance(t, ast.Name)}  # fmt: skip


@pytest.mark.model
def test_an_unknown_column_in_the_question_does_not_loop(agent: Agent) -> None:
    result = agent.run("What is the total profit in the sales table?", sales=SALES)
    codes = [s.code for s in result.steps]
    assert result.status == "answered" and len(codes) == len(set(codes)), codes  # answers; never the same code twice
    assert all(s.completion_tokens < agent.max_new_tokens for s in result.steps)


STOCK = pd.DataFrame({"kind": ["toys", "food", "toys", "books", "food", "food"],
                      "cost": [12.0, 3.5, 25.0, 8.0, 4.5, 30.0], "qty": [5, 40, 2, 7, 12, 3]})  # fmt: skip


@pytest.mark.model
def test_questions_of_each_shape_are_answered_over_the_right_columns_and_rows(agent: Agent) -> None:
    """Our own table and questions (the notebook's are other ones): each answer is the pandas value."""
    toys = STOCK[STOCK["kind"] == "toys"]
    for task, expected in (("What is the mean cost of kind 'toys'?", toys["cost"].mean()),
                           ("How many products have a cost greater than 10?", len(STOCK[STOCK["cost"] > 10])),
                           ("What is the highest cost?", STOCK["cost"].max())):  # fmt: skip
        result = agent.run(task, inv=STOCK)
        assert result.status == "answered" and result.answer == expected, (task, [s.code for s in result.steps])


def test_a_line_that_failed_is_not_written_again() -> None:
    from codecall.models import Scripted

    model = Scripted(["```python\nx = sales['region'].sum() + 1\nfinal_answer(x)\n```",
                      "```python\nfinal_answer(1)\n```"])  # fmt: skip
    seen = []
    original = model.generate
    model.generate = lambda request: (seen.append(list(request.failed)), original(request))[1]  # type: ignore[method-assign]
    Agent(model).run("Total?", sales=SALES)
    assert seen == [[], ["x = sales['region'].sum() + 1"]]


@pytest.mark.model
def test_the_refused_line_is_masked_in_a_guided_reply(agent: Agent) -> None:
    from dataclasses import replace

    request = opening_request("What is the total amount?", [], {"sales": SALES}, max_new_tokens=80)
    first = agent.model.generate(request).text.strip()
    line = first.splitlines()[0]
    again = agent.model.generate(replace(request, failed=[line])).text.strip()
    assert again.splitlines()[0] != line, (first, again)


QUESTIONS = {  # our own small tables: a total, a mean by group, the largest group, a filtered count
    "total": ("sales", "What is the total amount in the sales table?", 105),
    "mean": ("staff", "What is the mean age of team 'a'?", 40.0),
    "largest": ("sales", "Which region has the largest total amount?",
                SALES.groupby("region")["amount"].sum().idxmax()),  # east (45) over north (10 + 30)
    "count": ("sales", "How many sales have an amount greater than 15?", 3),
}


def _notebook() -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell(
        "%load_ext codecall\nimport pandas as pd\n"
        f"sales = pd.DataFrame({SALES.to_dict(orient='list')!r})\n"
        f"staff = pd.DataFrame({STAFF.to_dict(orient='list')!r})"
    ), nbformat.v4.new_code_cell("%%fc -i sales -o warm --max-steps 1\nHow many rows?")]  # loads the model
    for key, (frame, question, _) in QUESTIONS.items():
        cells.append(nbformat.v4.new_code_cell(f"%%fc -i {frame} -o {key}\n{question}"))
    cells.append(nbformat.v4.new_code_cell(
        f"import json\nprint(json.dumps({{k: [str(v.answer), v.status] for k, v in {{**{{k: globals()[k] for k in "
        f"{list(QUESTIONS)!r}}}}}.items()}}))"
    ))  # fmt: skip
    return nbformat.v4.new_notebook(cells=cells)


@pytest.mark.model
def test_a_notebook_of_small_questions_runs_guided_with_the_bundled_model(tmp_path: Path) -> None:
    notebook = _notebook()
    resources = {"metadata": {"path": str(tmp_path)}}
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources=resources)
    times = {}
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            started = time.perf_counter()
            client.execute_cell(cell, index)
            times[cell.source.splitlines()[0]] = round(time.perf_counter() - started, 1)
    print("cell seconds:", json.dumps(times))  # measured, reported; not asserted (a shared machine)
    (tmp_path / "cell_times.json").write_text(json.dumps(times))
    streams = [o.text for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "stream"]
    assert not any("Warning" in text for text in streams), streams  # no stray warnings from the model
    answers = json.loads(notebook.cells[-1].outputs[0].text)
    right = {k for k, (_, _, expected) in QUESTIONS.items() if answers[k] == [str(expected), "answered"]}
    assert right == set(QUESTIONS), answers  # a total, a mean by group, the largest group, a filtered count
