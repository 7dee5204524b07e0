"""The restricted compiler and the guards, in process, on harmless snippets only (attack code runs
in a subprocess: see test_escape_policy.py)."""

from __future__ import annotations

import contextlib
import io

import pytest

from sandbox.errors import AttributeRefused, ImportRefused, PolicyRejected, PolicyViolationError, WriteRefused
from sandbox.policy import DEFAULT_POLICY, Policy
from sandbox.policy.guards import make_user_globals
from sandbox.policy.restrict import CompiledCell, compile_cell


def run(code: str, policy: Policy = DEFAULT_POLICY) -> tuple[str, object]:
    """Compile and run a harmless cell; returns (stdout, last value)."""
    cell = compile_cell(code, policy)
    user_globals = make_user_globals(policy) if policy.restrict else {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(cell.body, user_globals)
        value = eval(cell.last, user_globals) if cell.last is not None else None
    return out.getvalue(), value


def rejected(code: str) -> list[str]:
    with pytest.raises(PolicyRejected) as info:
        compile_cell(code, DEFAULT_POLICY)
    return [v.rule for v in info.value.violations]


def test_compiled_cell_splits_the_trailing_expression() -> None:
    cell = compile_cell("x = 2\nx * 21", DEFAULT_POLICY)
    assert isinstance(cell, CompiledCell) and cell.last is not None
    assert compile_cell("x = 2", DEFAULT_POLICY).last is None
    assert run("x = 2\nx * 21") == ("", 42)
    assert run("x = 2\nx * 21", Policy.off()) == ("", 42)


def test_line_numbers_are_the_users() -> None:
    cell = compile_cell("a = 1\n\nb = a.real\nraise ValueError(b)", DEFAULT_POLICY)
    with pytest.raises(ValueError) as info:
        exec(cell.body, make_user_globals(DEFAULT_POLICY))
    assert info.traceback[-1].lineno + 1 == 4
    assert rejected("x = 1\ny = (")[0] == "syntax"


def test_ordinary_python_keeps_working() -> None:
    code = """
from dataclasses import dataclass
from typing import NamedTuple
import enum
@dataclass
class P:
    x: int
    y: int = 0
    def __repr__(self):
        return f"P({self.x},{self.y})"
class N(NamedTuple):
    a: int
class Color(enum.Enum):
    RED = 1
class Base:
    def __init__(self, v):
        self._v = v
class Kid(Base):
    def __init__(self):
        super().__init__(5)
p = P(1)
p.x += 2
d = {"k": [1]}
d["k"][0] += 1
def counter():
    n = 0
    def inc():
        nonlocal n
        n += 1
        return n
    return inc
c = counter(); c()
match Color.RED:
    case Color.RED:
        hit = "red"
print(p, N(1), type(p).__name__, d, c(), hit, Kid()._v, Kid.__name__)
"""
    out, _ = run(code)
    assert out == "P(3,0) N(a=1) P {'k': [2]} 2 red 5 Kid\n"


def test_prints_from_functions_and_with_options() -> None:
    code = "import io\ndef f():\n    print('in f', end='|')\nf()\nb = io.StringIO()\n"
    code += "print(1, 2, sep='-', file=b)\nprint(b.getvalue().strip(), flush=True)"
    out, _ = run(code)
    assert out == "in f|1-2\n"


def test_dataframe_and_array_writes() -> None:
    out, _ = run("import pandas as pd, numpy as np\ndf = pd.DataFrame({'a': [1, 2]})\ndf['b'] = df['a'] * 2\n"
                 "df.loc[0, 'a'] = 9\na = np.zeros(3)\na[1] += 5\nprint(df.values.tolist(), a.tolist())")  # fmt: skip
    assert out == "[[9, 2], [2, 4]] [0.0, 5.0, 0.0]\n"


def test_strftime_and_lazy_stdlib_imports() -> None:
    out, _ = run("import datetime\nprint(datetime.datetime.strptime('2024-01-02', '%Y-%m-%d').strftime('%A'))")
    assert out == "Tuesday\n"


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("import subprocess", "import"),
        ("(lambda: 0).__code__", "dangerous-attribute"),
        ("g = (i for i in [])\ng.gi_frame", "dangerous-attribute"),
        ("eval('x')", "forbidden-call"),
        ("_write_ = 1", "runtime-name"),
        ("async def f(): pass", "unsupported-syntax"),
        ("try:\n    pass\nexcept* ValueError:\n    pass", "unsupported-syntax"),
        ("class E:\n    __match_args__ = ('__traceback__',)", "dangerous-attribute"),
        ("from pandas import read_pickle", "module-attribute"),
    ],
)
def test_refused_statically(code: str, rule: str) -> None:
    assert rule in rejected(code)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("import pandas\npandas.io.common.os", AttributeRefused),
        ("from pandas.io.common import os", ImportRefused),
        ("import numpy\nnumpy.load('x.npy', allow_pickle=True)", PolicyViolationError),
        ("import os\nos.path.os", AttributeError),
        ("import sys\ngetattr(sys, 'mod' + 'ules')", AttributeError),
        ("getattr(len, '__se' + 'lf__')", AttributeRefused),
        ("import json\njson.JSONEncoder.__dict__", AttributeRefused),
        ("import json\nsetattr(json, 'dumps', 1)", WriteRefused),
        ("import json\njson.JSONEncoder.encode = 1", WriteRefused),
        ("def f(): pass\n'{0.__glob' 'als__}'.format(f)", AttributeRefused),
        ("import typing\ntyping.get_type_hints", AttributeRefused),
        ("import collections\ncollections._sys", AttributeRefused),
        ("import operator\noperator.attrgetter('__glob' + 'als__')", AttributeRefused),
        ("import pandas\npandas.eval('(1).__class__')", PolicyViolationError),
    ],
)
def test_refused_at_run_time(code: str, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        run(code)
    assert "[policy rule: " in str(info.value)


def test_open_is_the_plain_builtin(tmp_path) -> None:
    """Which files exist is the box's to decide (README, Policy): open() and io.open are allowed."""
    path = tmp_path / "f.txt"
    path.write_text("hi")
    assert (
        run(f"from io import open as io_open\nopen({str(path)!r}).read() + io_open({str(path)!r}).read()")[1] == "hihi"
    )


def test_hasattr_and_getattr_default_treat_refusals_as_missing() -> None:
    assert run("def f(): pass\nhasattr(f, '__glob' + 'als__'), getattr(f, '__cl' + 'osure__', 'no')")[1] == (
        False,
        "no",
    )


def test_user_classes_are_writable_library_classes_not() -> None:
    assert run("class A:\n    n = 0\nA.n += 1\nsetattr(A, 'm', 2)\nA.n + A.m")[1] == 3
    with pytest.raises(WriteRefused):
        run("int.x = 1")


def test_safe_format_keeps_ordinary_formatting() -> None:
    code = "class B:\n    w = 3\n'{0.w}-{1[k]}-{2:>4}-{x:.1f}'.format(B(), {'k': 1}, 'a', x=2.25)"
    assert run(code)[1] == "3-1-   a-2.2"
    assert run("'{a}'.format_map({'a': 1}) + str.format('{0.real}', 2)")[1] == "12"
