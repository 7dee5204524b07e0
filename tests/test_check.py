"""The static checker: each rule with a refusing and an accepting case, and its messages
(its speed is measured in bench/policy_bench.py, not asserted here)."""

from __future__ import annotations

import pytest

from sandbox.check import RULES, check
from sandbox.policy import DEFAULT_POLICY, Policy

REFUSED = [
    ("import subprocess", "import", 1),
    ("import os\nos.system('ls')", "facade", 2),
    ("import sys\nsys.modules", "facade", 2),
    ("x = 1\nfrom subprocess import run", "import", 2),
    ("import numpy.ctypeslib", "import", 1),
    ("from math import *", "import-star", 1),
    ("from . import x", "relative-import", 1),
    ("import io\nio.open('f')", "module-attribute", 2),
    ("import pandas as pd\npd.read_pickle('x')", "module-attribute", 2),
    ("import dataclasses\ndataclasses._create_fn", "module-internals", 2),
    ("import json\njson.dumps = print", "module-write", 2),
    ("eval('1 + 1')", "forbidden-call", 1),
    ("eval('1')", "forbidden-call", 1),
    ("f = globals", "forbidden-call", 1),
    ("def f(): pass\nf.__globals__", "dangerous-attribute", 2),
    ("().__class__.__base__", "dangerous-attribute", 1),
    ("g.gi_frame", "dangerous-attribute", 1),
    ("getattr(f, '__code__')", "dangerous-attribute", 1),
    ("getattr(int, 'mro')", "dangerous-attribute", 1),
    ("'{0.__globals__}'.format(f)", "dangerous-attribute", 1),
    ("_getattr_ = None", "runtime-name", 1),
    ("def f(_write_): pass", "runtime-name", 1),
    ("__builtins__['open']", "runtime-name", 1),
    ("_cc_tmp0 = 1", "runtime-name", 1),
    ("match x:\n    case C(__globals__=d): pass", "dangerous-attribute", 2),
    ("async def f(): pass", "unsupported-syntax", 1),
    ("try:\n    pass\nexcept* ValueError:\n    pass", "unsupported-syntax", 1),
    ("x = (", "syntax", 1),
]

ALLOWED = [
    "import math, json\nfrom collections import Counter\nimport numpy as np\nimport pandas as pd",
    "from __future__ import annotations",
    "class A:\n    def __init__(self):\n        self._x = 1\n"
    "    def __repr__(self):\n        return type(self).__name__",
    "class B(A):\n    def __init__(self):\n        super().__init__()\nprint(B.__name__, B.__doc__, B().__dict__)",
    "def input(prompt):\n    return prompt\ninput('ok')",
    "df = pd.DataFrame({'a': [1]})\ndf['b'] = df['a'] * 2\nx: int = 3",
    "print('{0.real} {1[k]}'.format(1, {'k': 2}))",
    "match p:\n    case Point(x=0): pass",
    "def f():\n    n = 0\n    def g():\n        nonlocal n\n        n += 1\n    return g",
]


@pytest.mark.parametrize(("code", "rule", "line"), REFUSED, ids=[r[1] + ":" + r[0][:25] for r in REFUSED])
def test_refused(code: str, rule: str, line: int) -> None:
    violations = check(code)
    assert violations, code
    assert any(v.rule == rule and v.line == line for v in violations), violations
    assert all(v.rule in RULES for v in violations)


@pytest.mark.parametrize("code", ALLOWED)
def test_allowed(code: str) -> None:
    assert check(code) == []


def test_import_message_lists_allowed_modules() -> None:
    (v,) = check("import math\nimport subprocess")
    assert str(v).startswith("line 2: import of 'subprocess' is not allowed (allowed: ")
    assert "collections" in v.message and "pandas" in v.message


def test_forbidden_call_message_has_a_hint() -> None:
    (v,) = check("data = eval('1')")
    assert "compute the value directly" in v.message and v.col == 7


def test_facades_and_files_in_the_work_folder_are_allowed() -> None:
    code = "import os, sys\nfrom os.path import join\nprint(sys.version_info, os.path.basename(join('a', 'b')))\n"
    assert check(code + "with open('notes.txt', 'w') as f:\n    f.write('x')") == []


def test_syntax_error_has_line() -> None:
    (v,) = check("a = 1\nb = = 2")
    assert (v.rule, v.line) == ("syntax", 2)


def test_policy_off_checks_nothing() -> None:
    assert check("import subprocess", Policy.off()) == []
    assert check("import subprocess", Policy(allowed_imports=DEFAULT_POLICY.allowed_imports | {"subprocess"})) == []


def test_extra_denied_attributes() -> None:
    policy = Policy(extra_denied_attributes=frozenset({"secret_attr"}))
    assert check("obj.secret_attr", policy)[0].rule == "dangerous-attribute"

