"""Tools: decorator, stubs, JSON Schema, OpenAI specs, loading a module's tools."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from codecall.errors import CodecallError, ToolDefinitionError
from codecall.tools import Tool, load_tools, tool

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "tools.py"


@tool
def add(a: int, b: int = 2) -> int:
    """Add two numbers.

    Args:
        a: the first number
        b: the second number
    """
    return a + b


def test_decorator_makes_a_callable_tool_with_the_functions_signature():
    assert isinstance(add, Tool)
    assert add(1, b=4) == 5
    assert str(inspect.signature(add)) == "(a: int, b: int = 2) -> int"
    assert add.name == "add" and add.description == "Add two numbers."


def test_stub_is_python_with_docstring_and_ellipsis():
    stub = add.stub()
    assert stub.startswith('def add(a: int, b: int = 2) -> int:\n    """Add two numbers.')
    assert stub.endswith('    """\n    ...')
    compile(stub, "<stub>", "exec")


def test_json_schema_comes_from_signature_and_docstring():
    assert add.parameters == {
        "type": "object",
        "properties": {
            "a": {"type": "integer", "description": "the first number"},
            "b": {"type": "integer", "default": 2, "description": "the second number"},
        },
        "required": ["a"],
    }
    assert add.to_openai()["function"]["name"] == "add"


def test_decorator_with_name_and_description_and_dataframes():
    @tool(name="rows", description="Count rows.")
    def nrows(df: pd.DataFrame, col: str | None = None) -> int:
        return len(df)

    assert nrows.name == "rows" and nrows.description == "Count rows."
    assert nrows.stub().startswith("def rows(df: DataFrame, col: str | None = None) -> int:")
    assert nrows.parameters["properties"]["df"]["type"] == "object"
    assert nrows(pd.DataFrame({"x": [1, 2]})) == 2


def test_untyped_and_star_args_are_refused_clearly():
    def untyped(a, b: int) -> int:
        return 0

    def star(*args: int) -> int:
        return 0

    with pytest.raises(ToolDefinitionError, match="parameter 'a' has no type annotation"):
        tool(untyped)
    with pytest.raises(ToolDefinitionError, match=r"\*args"):
        tool(star)
    assert issubclass(ToolDefinitionError, CodecallError)


SPEC = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city now.",
        "parameters": {
            "type": "object",
            "properties": {
                "units": {"type": ["string", "null"], "description": "c or f"},
                "city": {"type": "string", "description": "City name"},
            },
            "required": ["city"],
        },
    },
}


@pytest.mark.parametrize("spec", [SPEC, SPEC["function"]])
def test_from_openai_accepts_wrapped_and_inner_specs(spec):
    t = Tool.from_openai(spec, lambda city, units=None: f"sunny in {city}")
    assert t.name == "get_weather"
    assert str(inspect.signature(t)) == "(city: str, units: str | None = None)"
    assert "Args:\n        city: City name" in t.stub()
    assert t("Paris") == "sunny in Paris"
    assert t.parameters["required"] == ["city"]


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"description": "x"}, "no 'name'"),
        ({"name": "bad name"}, "not a valid Python identifier"),
        ({"name": "f", "parameters": {"type": "array"}}, "type 'object'"),
        ({"name": "f", "parameters": {"type": "object", "properties": {}, "required": ["x"]}}, "not in"),
        ("not a dict", "must be a dict"),
    ],
)
def test_from_openai_refuses_bad_specs(spec, message):
    with pytest.raises(ToolDefinitionError, match=message):
        Tool.from_openai(spec, print)


def test_load_tools_takes_only_decorated_functions_when_there_are_some(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(
        textwrap.dedent(
            """
            from codecall.tools import tool

            @tool
            def double(x: int) -> int:
                '''Twice x.'''
                return 2 * x

            def helper(x):
                return x
            """
        )
    )
    assert [t.name for t in load_tools(path)] == ["double"]


def test_load_tools_falls_back_to_public_functions_defined_in_the_module(tmp_path):
    path = tmp_path / "plain.py"
    path.write_text(
        textwrap.dedent(
            """
            from __future__ import annotations
            from dataclasses import dataclass
            from os.path import join  # imported: not a tool

            @dataclass
            class Point:  # classes are not tools
                x: int

            def area(w: float, h: float) -> float:
                '''Area of a rectangle.'''
                return w * h

            def _private(x: int) -> int:
                return x
            """
        )
    )
    tools = load_tools(path)
    assert [t.name for t in tools] == ["area"]
    assert tools[0](2, 3) == 6


def test_load_tools_example_module():
    tools = {t.name: t for t in load_tools(EXAMPLES)}
    assert {"add", "multiply", "word_count", "capital_of"} <= set(tools)
    assert tools["add"](2, 3) == 5
    assert tools["add"].stub().startswith("def add(a: float, b: float) -> float:")


def test_named_tools_come_in_the_order_named():
    """`codecall eval --per-process` names a task's tools in the task's order: its prompt must be the one
    the one-process harness shows, not the file's order."""
    tools = load_tools(f"{EXAMPLES}:word_count,add,capital_of,add")
    assert [t.name for t in tools] == ["word_count", "add", "capital_of"]


def test_load_tools_errors(tmp_path):
    with pytest.raises(ToolDefinitionError, match="not found"):
        load_tools(tmp_path / "missing.py")
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    with pytest.raises(ToolDefinitionError, match="boom"):
        load_tools(broken)
    untyped = tmp_path / "untyped.py"
    untyped.write_text("def f(x):\n    return x\n")
    with pytest.raises(ToolDefinitionError, match="no type annotation"):
        load_tools(untyped)
    empty = tmp_path / "empty.py"
    empty.write_text("X = 1\n")
    with pytest.raises(ToolDefinitionError, match="no tools"):
        load_tools(empty)
