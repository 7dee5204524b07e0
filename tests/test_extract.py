"""Code extraction from what small models actually write."""

from __future__ import annotations

import pytest

from codecall.extract import extract_code

TOOLS = {"add"}


@pytest.mark.parametrize(
    "reply, code",
    [
        ("```python\nx = add(2, 3)\nfinal_answer(x)\n```", "x = add(2, 3)\nfinal_answer(x)"),
        ("```py\nprint(add(1, 2))\n```", "print(add(1, 2))"),
        ("```\nprint(add(1, 2))\n```", "print(add(1, 2))"),
        ("```Python\nprint(1)\n```", "print(1)"),
        # prose around the block
        ("Sure! Here is the code:\n```python\nprint(add(1, 2))\n```\nThis prints 3.", "print(add(1, 2))"),
        # unterminated fence
        ("```python\nresult = add(2, 3)\nfinal_answer(result)", "result = add(2, 3)\nfinal_answer(result)"),
        # no fence at all
        ("result = add(2, 3)\nfinal_answer(result)", "result = add(2, 3)\nfinal_answer(result)"),
        ("final_answer(5)", "final_answer(5)"),
        # no fence, prose before and after
        (
            "I will call the tool.\nresult = add(2, 3)\nfinal_answer(result)\nThat gives 5.",
            "result = add(2, 3)\nfinal_answer(result)",
        ),
        # several blocks build on each other: joined in order
        ("```python\na = add(1, 2)\n```\nthen\n```python\nfinal_answer(a)\n```", "a = add(1, 2)\n\nfinal_answer(a)"),
        # a block repeated verbatim is taken once
        ("```python\nprint(add(1, 2))\n```\n```python\nprint(add(1, 2))\n```", "print(add(1, 2))"),
        # an unlabelled block of sample output is not code
        ("```python\nx = 1\n```\n```\nOutput: 1\n```", "x = 1"),
        # console transcripts
        ("```python\n>>> x = add(2, 3)\n>>> print(x)\n5\n```", "x = add(2, 3)\nprint(x)"),
    ],
)
def test_finds_the_code(reply, code):
    assert extract_code(reply, TOOLS) == code


@pytest.mark.parametrize(
    "reply",
    ["The answer is 5.", "5", "Hello", "I think the result is add(2, 3) which is 5.", "", "```\n\n```"],
)
def test_plain_text_is_not_code(reply):
    assert extract_code(reply, TOOLS) is None


def test_tool_redefinition_is_removed_so_it_cannot_shadow_the_tool():
    reply = "```python\ndef add(a, b):\n    return a + b\n\nresult = add(2, 3)\nfinal_answer(result)\n```"
    assert extract_code(reply, TOOLS) == "result = add(2, 3)\nfinal_answer(result)"


def test_decorated_and_class_redefinitions_are_removed_but_other_functions_kept():
    code = "@cache\ndef add(a, b):\n    return a + b\n\nclass add:\n    pass\n\n"
    code += "def helper(x):\n    return x\n\nprint(add(1, 2))"
    assert extract_code(code, TOOLS) == "def helper(x):\n    return x\n\nprint(add(1, 2))"


def test_redefinition_removed_even_when_the_code_does_not_parse():
    reply = "```python\ndef add(a, b)\n    return a+b\nfinal_answer(add(2, 3))\n```"
    assert extract_code(reply, TOOLS) == "final_answer(add(2, 3))"


def test_nothing_but_a_redefinition_is_no_code():
    assert extract_code("```python\ndef add(a, b):\n    return a + b\n```", TOOLS) is None


def test_without_tool_names_definitions_stay():
    assert extract_code("```python\ndef add(a, b):\n    return a + b\n```", set()) == "def add(a, b):\n    return a + b"
