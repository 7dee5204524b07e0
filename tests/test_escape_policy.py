"""The escape corpus against the policy layers: which layer stops each attack.

Layers, in the order code meets them: `check` (static checker, on the host), `restrict` (the
restricted compiler refuses it), `guard` (a run-time guard refuses, or a builtin is simply absent).
Attack code is never run in this process: the run-time layer runs it in a subprocess through
tests/run_restricted.py, with the placeholders pointing at a temporary secret, a marker path and a
listener on 127.0.0.1, so an attack that got through would be seen (and would touch only those).
The full-box runs of the same files (policy on and off) belong to the kernel backend's tests.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.errors import PolicyRejected
from sandbox.policy import DEFAULT_POLICY
from sandbox.policy.check import check
from sandbox.policy.restrict import compile_cell
from tests.run_restricted import REPORT_PREFIX

HERE = Path(__file__).resolve().parent
CORPUS = sorted((HERE / "corpus" / "escape").glob("*.py"))
RUNNER = HERE / "run_restricted.py"

#: Attacks that use only ordinary, allowed data-analysis APIs on paths or URLs; no policy layer can
#: tell them from real work, so only the box (no host files, no network) stops them.
BOX_ONLY = {
    "read_secret_pandas.py": "pandas.read_csv on a path is ordinary; the box has no host files",
    "socket_via_pandas_url.py": "pandas.read_csv on a URL is ordinary; the box has no network",
    "read_secret_io_open.py": "open() and io.open on a path are ordinary (pathlib reads any path too); "
    "which files exist is the box's to decide",
    "read_etc_shadow.py": "open() on a path is ordinary; the box's /etc has no readable shadow file",
}

#: Attacks the policy defeats without refusing anything: the facade hands out a copy, so the attack
#: runs and changes only the copy. Each must still reach nothing.
NEUTRALISED = {
    "environ_path_hijack.py": "os.environ is the session's own copy; libraries start programs with the real PATH",
    "sys_path_shadow.py": "sys.path is a copy; imports still look only where the real one says",
}

PLACEHOLDER_SAMPLE = {"__SECRET_PATH__": "/nonexistent/secret", "__MARKER_PATH__": "/nonexistent/marker",
                      "__HOST_PORT__": "9"}  # fmt: skip


def substitute(source: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        source = source.replace(name, value)
    return source


def static_layers(path: Path) -> list[str]:
    """The layers that refuse the file without running it (cheap: used in the test ids)."""
    source = substitute(path.read_text(), PLACEHOLDER_SAMPLE)
    layers = []
    if check(source, DEFAULT_POLICY):
        layers.append("check")
    try:
        compile_cell(source, DEFAULT_POLICY, path.name)
    except PolicyRejected:
        layers.append("restrict")
    return layers


STATIC = {p.name: static_layers(p) for p in CORPUS}


def _id(path: Path) -> str:
    return f"{path.stem}[{'+'.join(STATIC[path.name]) or 'runtime'}]"


class Listener:
    """A TCP listener on the host's 127.0.0.1 that records whether anyone connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.sock.close()


def test_corpus_is_large_and_documented() -> None:
    assert len(CORPUS) >= 25
    for path in CORPUS:
        head = path.read_text().splitlines()[:2]
        assert head[0].startswith("# family: ") and head[1].startswith("# goal: "), path.name
    assert set(BOX_ONLY) | set(NEUTRALISED) <= {p.name for p in CORPUS}


@pytest.mark.parametrize("path", CORPUS, ids=_id)
def test_escape_is_stopped(path: Path, tmp_path: Path, listener: Listener, record_property) -> None:
    token = secrets.token_hex(16)
    secret = tmp_path / "secret.txt"
    secret.write_text(f"TOKEN-{token}\n")
    marker = tmp_path / "marker"
    values = {"__SECRET_PATH__": str(secret), "__MARKER_PATH__": str(marker), "__HOST_PORT__": str(listener.port)}
    layers = list(STATIC[path.name])
    if path.name in BOX_ONLY and not any(name in path.read_text() for name in values):
        layers.append("box only (reads real host files: run in the box only, see test_corpus_box)")
    elif "restrict" not in layers:
        before = listener.connections
        proc = subprocess.run(
            [sys.executable, "-I", str(RUNNER), *[f"--define={k}={v}" for k, v in values.items()], str(path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith(REPORT_PREFIX)]
        assert lines, proc.stderr[-2000:]
        report = json.loads(lines[-1][len(REPORT_PREFIX) :])
        reached = []
        if token in proc.stdout:
            reached.append("printed the secret")
        if marker.exists():
            reached.append("created the marker")
        if listener.connections > before:
            reached.append("connected to the host")
        if report["refusals"]:
            layers.append("guard")
        elif report["error"] and not reached:
            layers.append(f"runtime ({report['error'].split(':')[0]})")
        if path.name in BOX_ONLY:
            layers.append("box only")
        else:
            assert not reached, f"{path.name} got through the policy layers: {reached}"
        if path.name in NEUTRALISED:
            layers.append("facade copy")
    record_property("stopped_by", "+".join(layers))
    print(f"{path.name}: stopped by {' + '.join(layers)}")
    if path.name not in BOX_ONLY:
        assert any(layer in ("check", "restrict", "guard", "facade copy") for layer in layers), layers


# -- each rule the policy changed: the allowed case runs, the refused case gives the rule and its reason --------

#: Runs harmless snippets (and refused ones) through compile_cell + make_user_globals in one fresh
#: process, each in its own namespace; prints one JSON line per snippet.
SNIPPET_RUNNER = """
import contextlib, io, json, os, sys
sys.path.insert(0, sys.argv[1])
from sandbox.policy import guards
from sandbox.policy import DEFAULT_POLICY
from sandbox.policy.restrict import compile_cell
environ = dict(os.environ)
path = list(sys.path)
for source in json.loads(sys.stdin.read()):
    out, error, rule = io.StringIO(), None, None
    refusals = []
    try:
        cell = compile_cell(source, DEFAULT_POLICY)
        namespace = guards.make_user_globals(DEFAULT_POLICY, refusals)
        with contextlib.redirect_stdout(out):
            exec(cell.body, namespace)
            value = eval(cell.last, namespace) if cell.last is not None else None
            if value is not None:
                print(repr(value))
    except BaseException as err:
        error = f"{type(err).__name__}: {err}"
        rule = getattr(err, "rule", None)
    result = {"stdout": out.getvalue(), "error": error, "rule": rule, "refusals": len(refusals),
              "environ_changed": dict(os.environ) != environ, "sys_path_changed": sys.path != path}
    print(json.dumps(result), flush=True)
"""


def run_snippets(sources: list[str], cwd: Path) -> list[dict]:
    proc = subprocess.run([sys.executable, "-I", "-c", SNIPPET_RUNNER, str(HERE.parent)], input=json.dumps(sources),
                          capture_output=True, text=True, timeout=300, cwd=cwd)  # fmt: skip
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(sources), proc.stderr[-3000:]
    return results


#: (what, allowed code, its stdout)
NOW_ALLOWED = [
    ("vars(obj)", "class C:\n    def __init__(self):\n        self.a = 1\nprint(vars(C()))", "{'a': 1}\n"),
    ("vars(own class)", "class K:\n    x = 1\nprint(vars(K)['x'], 'x' in K.__dict__)", "1 True\n"),
    ("memoryview", "print(bytes(memoryview(b'abcd')[1:3]), memoryview(bytearray(4)).nbytes)", "b'bc' 4\n"),
    (
        "__mro__ and friends",
        "print([c.__name__ for c in bool.__mro__], bool.__base__.__name__, int.__bases__, len(int.mro()))",
        "['bool', 'int', 'object'] int (<class 'object'>,) 2\n",
    ),
    (
        "__self__, __func__",
        "class A:\n    def m(self):\n        return 1\na = A()\n"
        "print(a.m.__self__ is a, a.m.__func__(a), [].append.__self__)",
        "True 1 []\n",
    ),
    (
        "__wrapped__",
        "import functools\ndef deco(f):\n    @functools.wraps(f)\n    def w():\n        return f() + 1\n"
        "    return w\n@deco\ndef g():\n    return 5\nprint(g(), g.__wrapped__())",
        "6 5\n",
    ),
    ("__objclass__", "print(str.join.__objclass__.__name__)", "str\n"),
    (
        "newly allowed modules",
        "import zlib, stat, gzip, bz2, lzma, codecs, shutil, tempfile, types, ast, zipfile\n"
        "import tarfile, sqlite3, string, itertools, colorsys\n"
        "print(zlib.decompress(zlib.compress(b'x')), stat.S_ISDIR(0o040755), types.SimpleNamespace(a=1),\n"
        "      ast.literal_eval('[1, 2]'), codecs.decode(b'6869', 'hex'), bz2.decompress(bz2.compress(b'y')))",
        "b'x' True namespace(a=1) [1, 2] b'hi' b'y'\n",
    ),
    ("sqlite3", "import sqlite3\nprint(sqlite3.connect(':memory:').execute('select 1 + 1').fetchone())", "(2,)\n"),
    (
        "open and io.open anywhere",
        "import io\nwith open('f.txt', 'w') as f:\n    f.write('x')\n"
        "print(io.open('f.txt').read(), len(open('/etc/hostname').read()) > 0)",
        "x True\n",
    ),
    ("exit() is sys.exit()", "print('before')\nexit()\nprint('after')", "before\n"),
    (
        "os.environ is a copy",
        "import os\nos.environ['CC_X'] = '1'\nprint(os.environ['CC_X'], os.getenv('CC_X'))",
        "1 1\n",
    ),
    ("sys.path is a copy", "import sys\nsys.path.insert(0, 'mine')\nprint(sys.path[0])", "mine\n"),
    (
        "more of os and sys",
        "import os, sys\nprint(callable(os.chdir), os.PathLike.__name__, sys.get_int_max_str_digits() >= 0,"
        " callable(os.get_terminal_size))",
        "True PathLike True True\n",
    ),
    ("str subclass format", "class S(str):\n    pass\nprint(S.format('{0.real}-{0}', 3))", "3-3\n"),
    (
        "string.Formatter's class graph",
        "import string\nf = string.Formatter()\nprint(f.format('{0.real}', 4), [c.__name__ for c in type(f).__mro__])",
        "4 ['Formatter', 'SafeFormatter', 'object']\n",
    ),
    ("weakref proxies", "import weakref, json\nprint(weakref.proxy(json).dumps([1]))", "[1]\n"),
    ("logging", "import logging\nlogging.basicConfig()\nprint(logging.getLogger('x').name)", "x\n"),
]

#: (what, refused code, the rule, a piece of the message)
STILL_REFUSED = [
    ("vars() is locals()", "f = vars\nf()", "forbidden-call", "vars() with no argument is locals()"),
    ("vars(module)", "import json\nvars(json)", "dangerous-attribute", "a module's holds its unfiltered globals"),
    ("vars(library class)", "vars(type)", "dangerous-attribute", "raw descriptors that skip the attribute guard"),
    (
        "library class __dict__",
        "import json\njson.JSONEncoder.__dict__",
        "dangerous-attribute",
        "use getattr(obj, name)",
    ),
    ("down the class graph", "getattr(object, '__subcl' + 'asses__')", "dangerous-attribute", "name the classes"),
    ("__self__ of a builtin", "getattr(print, '__se' + 'lf__')", "module", "it holds the unguarded builtins"),
    (
        "guard wrappers keep nothing",
        "import numpy as np\nprint(hasattr(np.load, '__wrapped__'), "
        "'__wrapped__' in vars(np.load))\nnp.load('x.npy', allow_pickle=True)",
        "module-attribute",
        "unpickling runs",
    ),
    ("types.CodeType", "import types\ngetattr(types, 'Code' + 'Type')", "module-attribute", "raw bytecode"),
    ("shutil.os", "import shutil\nshutil.os", "module", "attribute 'os' is the module 'os'"),
    (
        "sqlite3 extensions",
        "import sqlite3\ngetattr(sqlite3.connect(':memory:'), 'enable_load' + '_extension')",
        "dangerous-attribute",
        "native code",
    ),
    ("os.system", "import os\nos.system('true')", "facade", "it starts programs"),
    ("os.putenv", "import os\nos.putenv('PATH', '/tmp')", "facade", "decides which programs libraries start"),
    ("sys.modules", "import sys\nsys.modules", "facade", "real modules"),
    (
        "str subclass format",
        "import json\nclass S(str):\n    pass\nS.format('{0.__glo' + 'bals__}', json.dumps)",
        "dangerous-attribute",
        "module globals",
    ),
    (
        "string.Formatter get_field",
        "import json, string\nfor cls in type(string.Formatter()).__mro__[:2]:\n"
        "    cls.get_field(string.Formatter(), '0.__glo' + 'bals__', [json.dumps], {})",
        "dangerous-attribute",
        "globals",
    ),
    (
        "weakref proxy of a module",
        "import weakref, json\np = weakref.proxy(json)\np.dumps\np._default_encoder",
        "module-internals",
        "private internal of 'json'",
    ),
    (
        "spoofed user class",
        "import json\nclass M(type):\n    def __eq__(cls, other):\n        return True\n"
        "    def __hash__(cls):\n        return hash(json.JSONEncoder)\nclass U(metaclass=M):\n    pass\n"
        "json.JSONEncoder.default = None",
        "write",
        "not defined by your code",
    ),
    ("write through a proxy", "import json, weakref\nweakref.proxy(json).dumps = 1", "write", "rely on library code"),
    ("logging.config", "from logging import config", "module", "dictConfig"),
    ("matplotlib.animation", "from matplotlib import animation", "module", "movie writers run programs"),
    (
        "private name in a forward reference",
        "from functools import singledispatch\nimport json\n@singledispatch\n"
        "def f(x):\n    return x\ndef g(x: 'json._default_encoder'):\n    return x\nf.register(g)",
        "forward-reference",
        "plain type expression",
    ),
]


@pytest.fixture(scope="module")
def rule_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    cases = [(f"allowed: {w}", code) for w, code, _ in NOW_ALLOWED] + [
        (f"refused: {w}", c) for w, c, _, _ in STILL_REFUSED
    ]
    results = run_snippets([code for _, code in cases], tmp_path_factory.mktemp("rules"))
    return {name: result for (name, _), result in zip(cases, results, strict=True)}


@pytest.mark.parametrize(("what", "code", "stdout"), NOW_ALLOWED, ids=[c[0] for c in NOW_ALLOWED])
def test_allowed_case_runs(what: str, code: str, stdout: str, rule_results: dict[str, dict]) -> None:
    result = rule_results[f"allowed: {what}"]
    assert result["error"] in (None, "SystemExit: None"), result
    assert result["stdout"] == stdout and result["refusals"] == 0
    assert not result["environ_changed"] and not result["sys_path_changed"]


@pytest.mark.parametrize(("what", "code", "rule", "message"), STILL_REFUSED, ids=[c[0] for c in STILL_REFUSED])
def test_refused_case_says_why(what: str, code: str, rule: str, message: str, rule_results: dict[str, dict]) -> None:
    result = rule_results[f"refused: {what}"]
    assert result["rule"] == rule, result
    assert message in result["error"] and f"[policy rule: {rule}]" in result["error"], result["error"]
