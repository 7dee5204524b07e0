"""The opening messages of a run and the observations fed back."""

from __future__ import annotations

import pandas as pd

from codecall.prompt import (
    CODE_PREFILL,
    CODE_STOP,
    EXAMPLES,
    build_messages,
    describe_variable,
    observation,
    system_prompt,
)
from codecall.tools import tool


@tool
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def test_system_prompt_has_stubs_rules_and_final_answer():
    text = system_prompt([add])
    assert 'def add(a: float, b: float) -> float:\n    """Add two numbers."""\n    ...' in text
    assert "def final_answer(value)" in text
    assert "exactly one ```python code block" in text
    assert "print()" in text


def test_messages_are_system_worked_examples_then_task():
    messages = build_messages("计算 2 + 3 的结果", [add])
    assert [m["role"] for m in messages] == ["system", *["user", "assistant"] * len(EXAMPLES), "user"]
    for reply in messages[2:-1:2]:
        assert reply["content"].startswith(CODE_PREFILL) and "final_answer(" in reply["content"]
        assert reply["content"].rstrip().endswith(CODE_STOP[0])
    assert messages[-1]["content"].startswith("Task: 计算 2 + 3 的结果")
    # the example's tools are not the user's: the task says so
    assert "use the tools you have" in messages[-1]["content"]


def test_variables_are_described_with_dataframe_schema():
    df = pd.DataFrame({"city": ["Paris", "Rome"], "temp": [21.5, 25.0]})
    text = system_prompt([add], {"df": df, "n": 3, "name": "x" * 200})
    dtype = str(df["city"].dtype)  # "object" or, from pandas 3, "str"
    assert f"- df: DataFrame with 2 rows and 2 columns: city ({dtype}), temp (float64)" in text
    assert "Paris" in text  # the head
    assert "- n: int, 3" in text
    assert "- name: str of length 200" in text and "..." in text


def test_describe_variable_keeps_head_short():
    df = pd.DataFrame({"x": range(100)})
    assert describe_variable("df", df).count("\n") == 1 + 4  # header line, "first rows:", header + 3 rows


def test_observation_truncates_visibly_in_the_middle():
    out = observation("A" * 3000 + "END", limit=300)
    assert "characters cut" in out and out.count("A") < 400
    assert "END" in out and out.startswith("Output:\nAAA")
    assert "final_answer" in out


def test_observation_of_nothing_says_so():
    assert "printed nothing" in observation("  \n", limit=100)
