"""Guided decoding: the grammar admits only calls of permitted tools with parseable arguments, and ends.

The property tests drive the real constraint with random logits (a "model" that would write anything)
over the bundled model's tokenizer; the `model` tests run the bundled model itself.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import torch

from codecall.agent import Agent
from codecall.models.grammar import line_grammar, takes_fraction
from codecall.models.guide import MAX_CALLS, Guide, expression_of, result_name
from codecall.models.literals import (
    list_item_left,
    percent_numbers,
    quoted,
    task_numbers,
    task_strings,
)
from codecall.models.transformers import Transformers
from codecall.prompt import opening_request
from codecall.tools import Tool

ROOT = Path(__file__).resolve().parent.parent


def current_year() -> int:
    """The current year."""
    return 2025


def average(numbers: list[float]) -> float:
    """The average of a list of numbers."""
    return sum(numbers) / len(numbers)


def lookup(city: str, unit: str = "celsius") -> int:
    """Today's temperature in a city."""
    return 20


TOOLS = [Tool.from_function(f) for f in (current_year, average, lookup)]
PERMITTED = {t.name for t in TOOLS}


@pytest.fixture(scope="module")
def model() -> Transformers:
    return Transformers()


@pytest.fixture(scope="module")
def guide(model: Transformers) -> Guide:
    return Guide(model.tokenizer, model.model.config.vocab_size)


def random_walk(guide: Guide, seed: int, max_tokens: int = 120, task: str = "") -> tuple[str, bool]:
    """Decode under the constraint from random logits that favour structural tokens; returns the
    text and whether it ended (EOS)."""
    generator = torch.Generator().manual_seed(seed)
    constraint = guide.constraint(TOOLS, ["data"], 0, task=task)
    eos = guide.tokenizer.eos_token_id
    ids = torch.zeros((1, 0), dtype=torch.long)
    for _ in range(max_tokens):
        scores = torch.randn((1, guide.vocab_size), generator=generator) + guide_bias(guide)
        token = int(constraint(ids, scores)[0].argmax())
        if token == eos:
            return guide.tokenizer.decode(ids[0]), True
        ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
    return guide.tokenizer.decode(ids[0]), False


_BIAS: dict[int, torch.Tensor] = {}
_STRUCTURAL = set('"()[]\n, =0123456789')


def guide_bias(guide: Guide) -> torch.Tensor:
    """+8 for EOS and tokens made of punctuation and digits, so random walks close what they open."""
    if id(guide) not in _BIAS:
        pieces = [guide.tokenizer.decode([i]) for i in range(guide.vocab_size)]
        bias = torch.tensor([8.0 if p and set(p) <= _STRUCTURAL else 0.0 for p in pieces])
        bias[guide.tokenizer.eos_token_id] = 8.0
        _BIAS[id(guide)] = bias
    return _BIAS[id(guide)]


def check_guided_code(code: str, permitted: set[str], names: set[str] = frozenset()) -> ast.Call:
    """Assert the shape guided code must have; returns the final_answer call."""
    tree = ast.parse(code)
    defined = set(names)
    *calls, last = tree.body
    for stmt in calls:
        assert isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call), code
        check_call(stmt.value, permitted, defined)
        defined.add(stmt.targets[0].id)
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call), code
    assert last.value.func.id == "final_answer", code
    return last.value


def check_call(call: ast.Call, permitted: set[str], defined: set[str]) -> None:
    assert isinstance(call.func, ast.Name) and call.func.id in permitted, ast.unparse(call)
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(arg, ast.Name):
            assert arg.id in defined, f"{arg.id} used before it is defined"
        else:
            ast.literal_eval(arg)  # a literal of the parameter's type


@pytest.mark.model
def test_random_decoding_only_calls_permitted_tools(guide: Guide) -> None:
    finished = 0
    for seed in range(8):
        text, ended = random_walk(guide, seed)
        if ended:
            finished += 1
            final = check_guided_code(text, PERMITTED, {"data"})
            assert len(final.args) == 1
    assert finished >= 4, "most random walks must reach final_answer"


@pytest.mark.model
def test_random_decoding_takes_literals_from_the_task_and_answers_with_every_unused_result(guide: Guide) -> None:
    task = "Average 3 and 8.5, then look up 'New York' and Paris"
    finished = 0
    for seed in range(8):
        text, ended = random_walk(guide, seed, max_tokens=200, task=task)
        if not ended:
            continue
        finished += 1
        final = check_guided_code(text, PERMITTED, {"data"})
        tree = ast.parse(text)
        literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
        assert all(v in task_strings(task) for v in literals if isinstance(v, str)), text
        numbers = {abs(v) for v in literals if type(v) in (int, float)}
        numbers |= {float(n) for v in literals if isinstance(v, str) for n in re.findall(r"\d+(?:\.\d+)?", v)}
        calls = [stmt for stmt in tree.body[:-1] if isinstance(stmt, ast.Assign)]
        assert numbers <= {3, 8.5}, text
        assert numbers == {3, 8.5} or len(calls) == MAX_CALLS, f"a number left unused: {text}"
        assert [c.targets[0].id for c in calls] == [result_name(i) for i in range(len(calls))]
        used = {n.id for c in calls for n in ast.walk(c.value) if isinstance(n, ast.Name)}
        unused = [c.targets[0].id for c in calls if c.targets[0].id not in used]
        answer = final.args[0]
        given = [e.id for e in answer.elts] if isinstance(answer, ast.List) else [answer.id]
        assert sorted(given) == sorted(unused), text
    assert finished >= 4, "most random walks must reach final_answer"


def city_of(country: str) -> str:
    """The capital city of a country."""
    return "Paris"


def test_grammar_passes_results_by_type_and_never_feeds_a_tool_its_own_result() -> None:
    city, lookup, average = Tool.from_function(city_of), TOOLS[2], TOOLS[1]
    names = {"result": city, "result2": lookup}  # a str and an int result
    grammar = line_grammar([city, lookup, average], names, result="result3", answer=None)
    assert 'ref_0: "result"' in grammar  # lookup(city: str) takes the str result...
    assert '"result2"' not in grammar  # ...and nothing takes lookup's int where a str or list is wanted
    assert 'city_of(" p_0_0 ")' in grammar and "p_0_0: STR\n" in grammar  # city_of not its own result
    chained = line_grammar([city, lookup], names, result="result3", answer="result", must_use=["result"])
    assert "call: call_1" in chained and 'lookup(" ref_0' in chained  # only a tool that can take it
    assert "city_of" not in chained
    ends = line_grammar([city], names, result="result3", answer="result", must_use=["result"])
    assert "call_line" not in ends  # nothing can build on the result: the reply ends


def test_a_list_in_the_task_keeps_the_reply_going_until_each_item_is_used() -> None:
    assert list_item_left("Which rivers run through Peru and Chile?", {"Peru"})
    assert not list_item_left("Which rivers run through Peru and Chile?", {"Peru", "Chile"})
    assert list_item_left("How many plums and how many figs are left?", {"plum"})
    assert list_item_left("秘鲁和智利的河流是什么?", {"智利"})
    assert not list_item_left("What is the area of Chile, in square km?", {"Chile"})
    assert not list_item_left("What river runs through Peru?", {"Peru"})


def test_task_numbers_and_strings() -> None:
    assert task_numbers("What is 17 + 25, minus -3 and 1.75?") == ["17", "25", "-3", "1.75"]
    assert task_numbers("Is the 9th Lucas number odd?") == ["9"]
    assert task_numbers("Days between 2024-01-01 and 2024-03-01 in room A4") == []  # dates and codes are text
    assert task_numbers("It costs $1,500.50, or 2,000 in 3 parts") == ["1500.50", "2000", "3"]
    assert percent_numbers("A 12% chance, 2.5 % a year, 40％ off") == {"0.12": "12", "0.025": "2.5", "0.4": "40"}
    strings = task_strings("How many apples are in 'the big box', and in New York?")
    assert {"the big box", "apples", "apple", "New York"} <= set(strings)  # a word, and less its ending
    assert "box', and" not in strings and "" not in strings
    assert {"秘鲁", "智利", "河流"} <= set(task_strings("秘鲁和智利的河流是什么?"))
    assert quoted("KeyError: 'plums' (known: \"plum\", “fig”)") == ["plums", "plum", "fig"]


def test_a_parameter_that_takes_a_fraction_gets_the_tasks_percentages_as_fractions() -> None:
    assert takes_fraction({"type": "number", "maximum": 1})
    assert takes_fraction({"type": "number", "description": "A probability."})
    assert takes_fraction({"type": "number", "description": "The rate as a fraction (4% is 0.04)."})
    assert not takes_fraction({"type": "number", "maximum": 100})
    assert not takes_fraction({"type": "string", "maximum": 1})
    assert not takes_fraction({"type": "number", "description": "The tip in percent (18 for 18%)."})

    def chance(tries: int, p: float) -> float:
        """The chance of at least one success.

        Args:
            tries: How many tries.
            p: The probability of one success.
        """
        return 1 - (1 - p) ** tries

    grammar = line_grammar([Tool.from_function(chance)], [], result="result", answer=None, numbers=["8", "15"],
                           fractions=["0.15"])  # fmt: skip
    assert 'p_0_1: ("0.15")' in grammar and "p_0_0: INT" in grammar and 'INT: "8" | "15"' in grammar


def pace(distance_km: float, minutes: float) -> float:
    """Minutes per kilometre of a run."""
    return minutes / distance_km


def test_a_number_parameter_named_in_a_unit_takes_the_tasks_numbers_in_that_unit() -> None:
    from codecall.models.literals import in_unit, unit_numbers

    written = unit_numbers("I ran 5000 m in 25 minutes, then 3 laps.")
    assert written == [("5000", "m"), ("25", "minutes"), ("3", "laps")]
    assert in_unit(written, "distance_km") == {"5": "5000"}  # across the SI prefix
    assert in_unit(written, "minutes") == {"25": "25"}
    assert in_unit(unit_numbers("a 175 cm tall man"), "height_m") == {"1.75": "175"}
    grammar = line_grammar([Tool.from_function(pace)], [], result="result", answer=None,
                           numbers=["5000", "25", "3"], units=written)  # fmt: skip
    assert 'p_0_0: ("5" | "3")' in grammar and 'p_0_1: ("25" | "3")' in grammar  # 3 laps: no parameter's unit


@pytest.mark.model
def test_a_run_in_metres_goes_to_a_parameter_in_kilometres_and_counts_as_used(guide: Guide) -> None:
    task = "I ran 5000 m in 25 minutes. What was my pace?"
    tools = [Tool.from_function(pace)]
    assert allowed_by_guide(guide, "result = pace(5, 25)\n", task, tools)
    assert not allowed_by_guide(guide, "result = pace(25, 5000)\n", task, tools)
    constraint = guide.constraint(tools, [], 0, task=task)
    feed(constraint, guide, "result = pace(5, 25)\n")
    assert constraint._may_finish()  # the 5000 is used, as 5 km


def allowed_by_guide(guide: Guide, text: str, task: str, tools: Sequence[Tool] = ()) -> bool:
    """Whether guided decoding lets `text` through, token by token (the tokenizer's own split of it)."""
    constraint = guide.constraint(tools, [], 0, task=task)
    ids = torch.zeros((1, 0), dtype=torch.long)
    for token in guide.tokenizer(text, add_special_tokens=False).input_ids:
        scores = constraint(ids, torch.zeros((1, guide.vocab_size)))
        if scores[0, token] == float("-inf"):
            return False
        ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
    return True


@pytest.mark.model
def test_without_tools_the_code_works_the_answer_out_from_the_task(guide: Guide) -> None:
    task = "What is 12 times 9?"
    assert allowed_by_guide(guide, "total = 12 * 9\nfinal_answer(total)", task)
    assert allowed_by_guide(guide, 'city = "Paris"\nfinal_answer(city)', task)
    assert not allowed_by_guide(guide, "total = 7 * 6\n", task)  # only the task's numbers
    assert not allowed_by_guide(guide, "import os\n", task)
    assert not allowed_by_guide(guide, "final_answer(108)", task)  # a line of work comes first


def test_grammar_per_parameter_type() -> None:
    grammar = line_grammar(TOOLS, ["x"], result="result", answer=None)
    assert 'call_line: "result = " call' in grammar and "final_line" not in grammar  # a call must come first
    assert '"current_year()"' in grammar  # a tool with no parameters
    assert '"[" p_1_0_item (", " p_1_0_item)* "]"' in grammar  # list[float], not empty
    assert '("unit=" ' not in grammar and '(", unit=" p_2_1)?' in grammar  # optional parameter by keyword
    only_final = line_grammar([], ["x", "result"], result="result2", answer="result")
    assert "call_line" not in only_final and 'final_line: "final_answer(result)"' in only_final
    spans = line_grammar(TOOLS, [], result="result", answer=None, numbers=["3"], strings=["Paris", "法国"])
    assert 'STR: "\\"Paris\\"" | "\\"法国\\""' in spans and 'INT: "3"' in spans


@pytest.mark.model
@pytest.mark.parametrize(
    ("task", "tool"),
    [("What year is it now?", "current_year"), ("What is the average of 2, 4 and 9?", "average")],
)
def test_bundled_model_calls_tool_without_and_with_list_parameter(model: Transformers, task: str, tool: str) -> None:
    generation = model.generate(opening_request(task, TOOLS, max_new_tokens=80))
    assert generation.finish_reason == "stop"
    check_guided_code(generation.text, PERMITTED)
    calls = [n for n in ast.walk(ast.parse(generation.text)) if isinstance(n, ast.Call) and n.func.id == tool]
    assert calls, generation.text
    if tool == "average":
        assert ast.literal_eval(calls[0].args[0]) == [2, 4, 9]


def weather_in(city: str) -> int:
    """Return today's temperature in a city, in degrees Celsius."""
    return {"rome": 24, "oslo": 3}[city.lower()]


def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from degrees Celsius to degrees Fahrenheit."""
    return celsius * 9 / 5 + 32


def capital_of(country: str) -> str:
    """Return the capital city of a country."""
    return {"france": "Paris", "italy": "Rome", "norway": "Oslo"}[country.lower()]


@pytest.mark.model
@pytest.mark.parametrize(
    ("task", "expected", "calls"),
    [
        ("Which cities are the capitals of Norway and Italy?", ["Oslo", "Rome"], 2),  # one call per list item
        ("What is the capital of Norway?", "Oslo", 1),  # and no more calls than the task needs
    ],
)
def test_bundled_model_chains_lists_and_stops(model: Transformers, task: str, expected: object, calls: int) -> None:
    result = Agent(model, [weather_in, celsius_to_fahrenheit, capital_of], max_steps=2).run(task)
    assert result.status == "answered" and result.answer == expected, result.steps[-1].code
    assert result.steps[-1].code.count(" = ") == calls, result.steps[-1].code


@pytest.mark.model
def test_unguided_view_shares_weights_and_writes_freely(model: Transformers) -> None:
    plain = model.with_guide(False)
    assert plain.model is model.model and not plain.guide and model.guide


@pytest.mark.model
def test_runtime_error_goes_back_for_another_guided_try(model: Transformers) -> None:
    calls: list[str] = []

    def capital_of(country: str) -> str:
        """Return the capital city of a country."""
        calls.append(country)
        if len(calls) == 1:
            raise ValueError("the service is busy, call again")
        return "Paris"

    result = Agent(model, [capital_of], max_steps=3).run("What is the capital of France?")
    assert len(result.steps) >= 2 and "busy" in result.steps[0].observation
    assert result.status == "answered" and result.answer == "Paris"


@pytest.mark.model
@pytest.mark.parametrize("tools", [[], ["--tools", str(ROOT / "examples/tools.py")]], ids=["no-tools", "tools"])
def test_cli_answers_2_plus_3_in_english_and_chinese(tools: list[str]) -> None:
    for task in ("What is 4 + 5?", "计算 4 + 5 的结果"):
        out = subprocess.run([sys.executable, "-m", "codecall", "ask", task, *tools, "--json"],
                             capture_output=True, text=True, timeout=300, cwd=ROOT)  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout.splitlines()[-1])["answer"] == 9, (task, out.stdout)


@pytest.mark.model
def test_cli_answers_chinese_task_by_calling_the_tool(tmp_path: Path) -> None:
    notebook = tmp_path / "run.ipynb"
    out = subprocess.run(
        [sys.executable, "-m", "codecall", "ask", "计算 4 + 5 的结果", "--tools", str(ROOT / "examples/tools.py"),
         "--json", "--notebook", str(notebook)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1])["answer"] == 9
    cells = ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    assert any("add(4, 5)" in c for c in cells), cells


def feed(constraint, guide: Guide, text: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Drive `constraint` through `text` token by token (flat logits); the ids and the next masked scores."""
    ids = torch.zeros((1, 0), dtype=torch.long)
    for token in guide.tokenizer(text, add_special_tokens=False).input_ids:
        constraint(ids, torch.zeros((1, guide.vocab_size)))
        ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
    return ids, constraint(ids, torch.zeros((1, guide.vocab_size)))


@pytest.mark.model
def test_a_call_line_that_failed_is_not_written_again_and_an_errors_quoted_value_may_be(guide: Guide) -> None:
    city = Tool.from_function(city_of)
    task = "What is the capital of Peru or Chile?"
    failed = 'result = city_of("Peru")'
    free = guide.constraint([city], [], 0, task=task)
    _, scores = feed(free, guide, 'result = city_of("Peru')
    closing = [t for t, piece in enumerate(guide.pieces) if piece.startswith('"')]
    retry = guide.constraint([city], [], 0, task=task, failed=[failed], observed="KeyError: 'Lima' is not a country")
    _, again = feed(retry, guide, 'result = city_of("Peru')
    assert any(scores[0, t] > float("-inf") for t in closing)
    assert all(again[0, t] == float("-inf") for t in closing)  # "Peru" again is refused; "Peru or Chile" is not
    assert torch.isfinite(again[0]).any()
    quoting = guide.constraint([city], [], 0, task=task, observed="KeyError: 'Lima'")
    _, quote = feed(quoting, guide, 'result = city_of("')
    lima = guide.tokenizer.encode('Lima', add_special_tokens=False)[0]
    assert quote[0, lima] > float("-inf")  # the value an observation quotes may be passed


def country_code(country: str, year: int = 2024) -> str:
    """The ISO code of a country."""
    return "PE"


def label(code: str) -> str:
    """A label for a code."""
    return code


@pytest.mark.model
def test_a_number_no_parameter_can_take_does_not_keep_the_reply_going(guide: Guide) -> None:
    task = "Label the ISO code of Peru as of 2019."
    numeric = guide.constraint([Tool.from_function(country_code)], [], 0, task=task)
    numeric.results = ["result"]
    assert not numeric._may_finish()  # 2019 can be a year: it is an argument left
    text = guide.constraint([Tool.from_function(label)], [], 0, task=task)
    text.results = ["result"]
    assert text._may_finish()  # no tool takes a number: 2019 is not an argument


def trip_cost(city: str, nights: int) -> float:
    """What a trip to a city costs for some nights."""
    return 100.0 * nights


def insist(guide: Guide, constraint, line: str, max_tokens: int = 40, ids: torch.Tensor | None = None) -> str:
    """Decode a line (after `ids`, the reply so far) while the logits push hard for `line`, token by token,
    as a model set on it would."""
    wanted = guide.tokenizer.encode(line + "\n", add_special_tokens=False)
    ids = torch.zeros((1, 0), dtype=torch.long) if ids is None else ids
    start = ids.shape[1]
    for _ in range(max_tokens):
        scores = torch.zeros((1, guide.vocab_size))
        text = guide.tokenizer.decode(ids[0, start:])
        for token in wanted:  # the failed line's next token where the text so far is still on it
            if (line + "\n").startswith(text + guide.pieces[token]) and len(guide.pieces[token]) > 0:
                scores[0, token] += 10.0
        token = int(constraint(ids, scores)[0].argmax())
        ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
        if guide.tokenizer.decode(ids[0, start:]).endswith("\n"):
            break
    return guide.tokenizer.decode(ids[0, start:]).strip()


@pytest.mark.model
def test_a_failed_line_is_left_where_the_grammar_would_force_the_rest_of_it(guide: Guide) -> None:
    tool = Tool.from_function(trip_cost)
    task = "What does a trip to Lima for 3 nights cost, or to Cusco?"
    failed = 'result = trip_cost("Lima", 3)'  # after "Lima", the only number left forces the rest
    assert insist(guide, guide.constraint([tool], [], 0, task=task), failed) == failed
    retried = insist(guide, guide.constraint([tool], [], 0, task=task, failed=[failed]), failed)
    assert retried != failed and retried.startswith("result = trip_cost("), retried


def ferry_ticket(port: str, cabin: bool = False, pets: bool = False, meals: int = 0) -> float:
    """The price of a ferry ticket from a port.

    Args:
        port: The port of departure.
        cabin: Whether the ticket includes a cabin.
        pets: Whether a pet travels along.
        meals: How many meals are booked.
    """
    return 50.0 + 30 * cabin + 10 * pets + 12 * meals


@pytest.mark.model
def test_an_optional_parameter_by_keyword_is_offered_only_other_than_its_default(guide: Guide) -> None:
    import llguidance

    grammar = line_grammar([Tool.from_function(ferry_ticket)], [], result="result", answer=None,
                           strings=["Oban"], numbers=["2"])  # fmt: skip

    def takes(line: str) -> bool:
        matcher = llguidance.LLMatcher(guide.lltokenizer, llguidance.LLMatcher.grammar_from_lark(grammar))
        tokens = guide.tokenizer.encode(line, add_special_tokens=False)
        return all(matcher.consume_token(t) for t in tokens) and matcher.is_accepting()

    assert takes('result = ferry_ticket("Oban", cabin=True)\n')
    assert takes('result = ferry_ticket("Oban", meals=2)\n')
    assert not takes('result = ferry_ticket("Oban", cabin=False)\n')  # says what leaving it out says


@pytest.mark.model
def test_an_optional_parameter_the_task_names_is_given_by_keyword(model: Transformers) -> None:
    task = "How much is a ferry ticket from Oban with a cabin?"
    result = Agent(model, [ferry_ticket], max_steps=2).run(task)
    code = result.steps[0].code
    assert "cabin=True" in code and "pets" not in code, code
    assert result.answer == 80.0, code


def pair(a: int, b: int) -> list[int]:
    """Two numbers as a pair."""
    return [a, b]


@pytest.mark.model
def test_a_reply_that_could_only_repeat_a_call_ends_without_answering_it_twice(guide: Guide) -> None:
    constraint = guide.constraint([Tool.from_function(pair)], [], 0, task="Pair 3 with 4, then with 5.")
    ids, _ = feed(constraint, guide, "result = pair(3, 4)\nresult2 = pair(3, 4)\n")  # a dead end, as if forced
    assert constraint.stuck
    final = insist(guide, constraint, "final_answer([result, result2])", ids=ids, max_tokens=8)
    assert final.startswith("final_answer(result)"), final  # 5 is left, but the reply was stuck


@pytest.mark.model
def test_a_call_the_reply_made_is_not_made_again_under_another_name(guide: Guide) -> None:
    tool = Tool.from_function(trip_cost)
    task = "What does a trip to Lima cost for 3 nights, and for 5 nights?"  # the 5 keeps the reply going
    constraint = guide.constraint([tool], [], 0, task=task)
    first = 'result = trip_cost("Lima", 3)'
    ids, _ = feed(constraint, guide, first + "\n")
    assert constraint.refused == [expression_of(first)] == ['trip_cost("Lima", 3)']
    again = insist(guide, constraint, 'result2 = trip_cost("Lima", 3)', ids=ids)
    assert again.startswith("result2 = trip_cost(") and again != 'result2 = trip_cost("Lima", 3)', again


def coats_of_paint(area_m2: float, coats: int) -> float:
    """Litres of paint for a wall."""
    return area_m2 * coats / 10


@pytest.mark.model
def test_an_integer_parameter_takes_a_small_count_the_task_spells_out_and_nothing_else_free(guide: Guide) -> None:
    import llguidance

    from codecall.models.guide import COUNTS

    def takes(line: str, numbers: list[str]) -> bool:
        grammar = line_grammar([Tool.from_function(coats_of_paint)], [], result="result", answer=None,
                               numbers=numbers, counts=COUNTS)  # fmt: skip
        matcher = llguidance.LLMatcher(guide.lltokenizer, llguidance.LLMatcher.grammar_from_lark(grammar))
        tokens = guide.tokenizer.encode(line, add_special_tokens=False)
        return all(matcher.consume_token(t) for t in tokens) and matcher.is_accepting()

    assert takes("result = coats_of_paint(12.5, 2)\n", ["12.5"])  # "12.5 m², two coats"
    assert not takes("result = coats_of_paint(2, 2)\n", ["12.5"])  # a float parameter: the task's numbers only
    assert not takes("result = coats_of_paint(12.5, 40)\n", ["12.5"])  # no free integers when a task has numbers


def invite(host: str, guests: list[str]) -> str:
    """Send invitations to a party."""
    return f"{host} invited {', '.join(guests)}"


@pytest.mark.model
def test_a_list_argument_never_says_an_item_again(guide: Guide) -> None:
    task = "Nadia Fox is hosting: invite Tomas Berg and Ines Lund."
    constraint = guide.constraint([Tool.from_function(invite)], [], 0, task=task)
    wanted = 'result = invite("Nadia Fox", ["Tomas Berg", "Tomas Berg", "Tomas"])'  # a model stuck on one item
    line = insist(guide, constraint, wanted, max_tokens=60)
    assert line.startswith('result = invite("Nadia Fox", ["Tomas Berg", '), line
    guests = re.findall(r'"([^"]*)"', line.split("[", 1)[1])  # the items the line finished
    assert not [(a, b) for i, a in enumerate(guests) for b in guests[:i] if a in b or b in a], line
    assert not [g for g in guests[1:] if "Berg" in g], line  # nor one that overlaps it where the task writes it


def test_a_list_being_written_is_read_item_by_item() -> None:
    from codecall.models.lists import item_value, item_values, only_repeats, open_list, repeats

    assert open_list('r = f("a", ["x, y", "z", "') == (['"x, y"', '"z"'], '"')
    assert open_list('r = f([{"k": [1, 2]}, {"k"') == (['{"k": [1, 2]}'], '{"k"')
    assert open_list('r = f(["a"], "b') is None
    assert item_value("1") == (False, 1) and item_value("1, ") == (True, 1)  # 1 may still become 10
    berg, ines = item_values(['"Tomas Berg"']), item_values(['"Ines"'])  # finished items, as values
    assert berg == ["Tomas Berg"]
    assert repeats("Tomas", berg) and repeats("Tomas Berg and", berg)
    assert repeats({"k": 1}, item_values(['{"k": 1}'])) and not repeats(1, item_values(["10"]))
    assert not repeats("Ines", berg)
    assert repeats("Berg and", berg, "Tomas Berg and Ines") and not repeats("and", ines, "a and b")
    strings = ["Tomas", "Tomas Berg", "Ines"]
    assert only_repeats('"Tom', berg, strings)  # every string it can become overlaps the first
    assert not only_repeats('"Tom', ines, strings) and not only_repeats("1", item_values(["1"]), [])  # 1 may be 10


def fetch_api_key(account: str) -> str:
    """Look up the key an account calls the storage API with.

    Returns the api key of the account.
    """
    return f"key-{account}"


def list_buckets(api_key: str, region: str) -> list[str]:
    """The storage buckets an API key can see in a region."""
    return [f"{region}-logs"]


def test_a_parameter_a_tool_exists_to_make_is_read_from_the_schemas() -> None:
    from codecall.models.grammar import produced_params, with_makers

    maker, user = Tool.from_function(fetch_api_key), Tool.from_function(list_buckets)
    assert produced_params([maker, user]) == {"api_key": maker}
    other = Tool.from_function(lookup)
    assert with_makers([user], [other, maker, user]) == [user, maker]  # shown with the tool its key comes from
    assert with_makers([other], [other, maker, user]) == [other]
    assert produced_params([user, Tool.from_function(lookup)]) == {}  # no tool returns an api key
    with pytest.raises(ValueError, match="waits for a result"):  # nothing to pass it yet
        line_grammar([user], [], result="result", answer=None, strings=["eu-west"], produced={"api_key": maker})


@pytest.mark.model
def test_a_made_parameter_takes_its_makers_result_and_the_maker_comes_first(guide: Guide) -> None:
    tools = [Tool.from_function(f) for f in (fetch_api_key, list_buckets)]
    task = "Which buckets does the account acme have in eu-west?"
    constraint = guide.constraint(tools, [], 0, task=task)
    first = insist(guide, constraint, 'result = list_buckets("acme", "eu-west")')  # a model that skips the key
    assert first.startswith("result = fetch_api_key("), first
    constraint = guide.constraint(tools, [], 0, task=task)
    ids, _ = feed(constraint, guide, 'result = fetch_api_key("acme")\n')
    second = insist(guide, constraint, 'result2 = list_buckets("acme", "eu-west")', ids=ids)
    assert second.startswith("result2 = list_buckets(result, "), second


def test_a_tasks_dates_come_with_its_times_and_alone_where_a_sentence_gives_no_time() -> None:
    from codecall.models.literals import task_moments

    def written(text: str) -> list[str]:
        return [m.strftime("%Y-%m-%d %H:%M:%S") for m in task_moments(text)]

    assert written("Water the ferns at 6:45 pm on 3 May 2031.") == ["2031-05-03 18:45:00"]
    assert written("The lease ends 2031-05-03 23:59:59.") == ["2031-05-03 23:59:59"]
    assert written("Rent is due on June 2nd, 2031. Call at 9 am.") == ["2031-06-02 00:00:00", "2031-06-02 09:00:00"]


def test_the_value_a_task_writes_after_a_parameters_name_is_found() -> None:
    from codecall.models.literals import named_values

    task = "Open a locker: my member ID is K-77, and the locker code is 4417. Thanks."
    strings = task_strings(task)
    assert "K-77" in named_values(task, "member_id", strings)
    assert "4417" in named_values(task, "lockerCode", strings)
    assert named_values(task, "pin", strings) == []  # the task does not name it
    asked = 'Search the archive: my query is "Which ships sailed in 1851?" and sort by date.'
    assert named_values(asked, "query", task_strings(asked))[0] == "Which ships sailed in 1851?"


def sign_up(login: str, secret: str, mail: str) -> str:
    """Open an account on the forum."""
    return f"welcome, {login}"


@pytest.mark.model
def test_a_string_argument_named_in_the_task_is_the_value_written_after_its_name(model: Transformers) -> None:
    task = "Sign me up please: my login is mira_k, my secret is tulip88, and my mail is mira@k.example."
    result = Agent(model, [sign_up], max_steps=1).run(task)
    code = result.steps[0].code
    assert code.startswith('result = sign_up("mira_k", "tulip88", "mira@k.example")'), code
