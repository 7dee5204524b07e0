"""Each rewrite the restricted compiler makes, against plain CPython: a small program runs once with
plain CPython in a subprocess and once through compile_cell + make_user_globals, and both must print
the same. A shared prelude records side effects in `calls` (printed at the end): `f(tag, value)`
records its tag and returns the value, `Seq` records item loads and stores, `Prop` attribute ones."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import textwrap

import pytest

from sandbox.policy import DEFAULT_POLICY
from sandbox.policy.guards import make_user_globals
from sandbox.policy.restrict import compile_cell
from tests.run_restricted import run_source

PRELUDE = """
calls = []

def f(tag, value=None):
    calls.append(tag)
    return value

class Seq(list):
    def __getitem__(self, i):
        calls.append(f"get [{i}]")
        return super().__getitem__(i)

    def __setitem__(self, i, value):
        calls.append(f"set [{i}]={value!r}")
        super().__setitem__(i, value)

class Prop:
    def __init__(self):
        self.store = {}

    def __getattr__(self, name):
        calls.append(f"get .{name}")
        return self.store[name]

    def __setattr__(self, name, value):
        calls.append(f"set .{name}={value!r}")
        super().__setattr__(name, value) if name == "store" else self.store.__setitem__(name, value)

    def __repr__(self):
        return f"Prop({self.store})"

class CM:
    def __init__(self, value):
        self.value = value

    def __enter__(self):
        calls.append(f"enter {self.value!r}")
        return self.value

    def __exit__(self, *exc):
        calls.append(f"exit {self.value!r}")
        return False
"""

PROGRAMS = {
    # -- several targets: the value once, targets left to right -----------------------------------
    "swap_chain": """
        p, q = q, p = 1, 2
        print(p, q)
    """,
    "tuple_then_name": """
        (a, b) = c = f("value", (1, 2))
        print(a, b, c)
    """,
    "name_then_tuple": """
        c = (a, b) = f("value", [3, 4])
        print(a, b, c)
    """,
    "three_targets_list_and_starred": """
        x = [y, z] = w, *rest = f("value", (5, 6))
        print(x, y, z, w, rest)
    """,
    "store_order_in_chained_targets": """
        box, seq = Prop(), Seq([0, 0])
        box.a, seq[0] = seq[1], box.b = f("value", (7, 8))
        print(box.store, seq)
    """,
    "chained_subscripts_evaluation_order": """
        x, y = Seq([0, 0, 0]), Seq([0, 0, 0])
        x[f("i", 0)] = y[f("j", 1)] = f("v", 9)
        print(x, y)
    """,
    "chained_failure_leaves_later_targets_unbound": """
        c = "before"
        try:
            a, b = c = f("value", (1, 2, 3))
        except ValueError as err:
            print("ValueError:", err)
        print(c)
    """,
    "chained_in_class_and_function": """
        class K:
            a, b = c = f("class", (1, 2))
        print(K.a, K.b, K.c, sorted(k for k in dir(K) if not k.startswith("__")))
        def g():
            a, [b, c] = d = f("function", (3, (4, 5)))
            return a, b, c, d
        print(g())
    """,
    "chained_targets_declared_global": """
        def g():
            global a, b, c
            a, b = c = f("value", (1, 2))
        g()
        print(a, b, c)
    """,
    "chained_names_only": """
        a = b = c = f("value", [1])
        a.append(2)
        print(a, b, c, a is c)
    """,
    # -- augmented assignment: container and key once ------------------------------------------------
    "augassign_subscript": """
        seq = Seq([1, 2])
        seq[f("i", 0)] += 10
        print(seq)
    """,
    "augassign_nested_subscript": """
        d = {"k": Seq([1, 2])}
        f("d", d)[f("k", "k")][f("i", 1)] *= 3
        print(d)
    """,
    "augassign_slice": """
        seq = Seq([1, 2, 3])
        seq[f("start", 1):] += [9]
        print(seq)
    """,
    "augassign_attribute": """
        box = Prop()
        box.n = 1
        f("box", box).n += 5
        box.n **= 2
        print(box.store)
    """,
    "augassign_name": """
        n = 1
        n += f("value", 2)
        text = "a"
        text *= 3
        print(n, text)
    """,
    # -- for targets ------------------------------------------------------------------------------
    "for_tuple_and_nested": """
        for a, b in f("iter", [(1, 2), (3, 4)]):
            print(a, b)
        for i, (a, [b, c]) in enumerate([(1, (2, 3)), (4, (5, 6))]):
            print(i, a, b, c)
    """,
    "for_starred": """
        for first, *rest in [(1, 2, 3), (4,)]:
            print(first, rest)
        for *init, last in ["ab", "xyz"]:
            print(init, last)
    """,
    "for_attribute_and_subscript_targets": """
        box, seq = Prop(), Seq([0, 0])
        for box.i in range(2):
            pass
        for seq[f("k", 1)] in "xy":
            pass
        for box.x, seq[0] in [(1, 2), (3, 4)]:
            pass
        print(box.store, seq)
    """,
    "for_unpack_failure_midway": """
        a = b = None
        try:
            for a, b in [(1, 2), (3,), (5, 6)]:
                print(a, b)
        except ValueError as err:
            print("ValueError:", err)
        print(a, b)
        for x, y in []:
            pass
        else:
            print("empty loop, else runs")
    """,
    # -- comprehension targets, walrus --------------------------------------------------------------
    "comprehension_targets": """
        pairs = [(1, 2), (3, 4)]
        print([(b, a) for a, b in pairs])
        print({k: v for k, v in pairs}, {a + b for [a, b] in pairs})
        print(sum(a * b for a, b in f("gen", pairs)))
        print([a + b + c for a, (b, c) in [(1, (2, 3))]])
        print([rest for first, *rest in ["abc", "de"]])
        print([(x, y) for x, _ in pairs for y, _ in pairs if x < y])
    """,
    "comprehension_in_class_body": """
        class T:
            xs = [1, 2]
            ys = [x * 2 for x in xs]
            zs = {k: v for k, v in zip("ab", xs)}
        print(T.ys, T.zs)
    """,
    "walrus": """
        values = [y := f("y", x * 2) for x in range(3)]
        print(values, y)
        print(any((hit := x) > 2 for x in range(5)), hit)
        data = [1, 2, 3]
        while (n := len(data)) > 1:
            data.pop()
        print(n, data)
        def g(items):
            return [last for item in items if (last := item.upper())], last
        print(g(["a", "b"]))
    """,
    # -- with targets -----------------------------------------------------------------------------
    "with_tuple_target": """
        with CM((1, 2)) as (a, b):
            print(a, b)
        with CM([1, [2, 3]]) as [a, [b, c]], CM("x") as d:
            print(a, b, c, d)
        with CM((1, 2, 3)) as (a, *b):
            print(a, b)
    """,
    "with_later_item_uses_earlier_target": """
        with CM((1, 2)) as (a, b), CM(a + b) as c, CM((c, 4)) as (d, e), CM(d + e) as g:
            print(a, b, c, d, e, g)
    """,
    "with_unpack_failure_skips_later_items": """
        try:
            with CM((1,)) as (a, b), CM(9) as c:
                print("body")
        except ValueError as err:
            print("ValueError:", err)
    """,
    "with_attribute_and_subscript_targets": """
        box, seq = Prop(), Seq([0, 0])
        with CM(5) as box.v, CM((6, 7)) as (seq[0], box.w):
            print(box.store, seq)
    """,
    # -- starred and nested targets ------------------------------------------------------------------
    "starred_targets": """
        a, *b = f("range", range(4))
        *c, d = "xyz"
        e, *g, h = [1, 2]
        *i, = (1, 2)
        [j, *k] = {"p": 1, "q": 2}
        (m, *n), o = [1, 2, 3], 4
        print(a, b, c, d, e, g, h, i, j, k, m, n, o)
        try:
            p, *q, r = [1]
        except ValueError as err:
            print("ValueError:", err)
    """,
    "nested_targets_bind_left_to_right": """
        a, (b, (c, d)) = 1, (2, (3, 4))
        print(a, b, c, d)
        a = b = "unset"
        try:
            a, (b, c) = 10, (20,)
        except ValueError as err:
            print("ValueError:", err)
        print(a, b)
        def gen():
            yield f("first", 1)
            yield f("second", (2, 3))
        x, (y, z) = gen()
        print(x, y, z)
    """,
    "store_targets_inside_tuples": """
        box, seq = Prop(), Seq([0, 0])
        seq[0], box.x = f("value", (1, 2))
        seq[f("i", 1)], box.y = f("value", (3, 4))
        [box.z, (seq[0], box.w)] = 5, (6, 7)
        print(box.store, seq)
    """,
    "too_many_values": """
        try:
            a, b = f("three", (1, 2, 3))
        except ValueError as err:
            print("ValueError:", err)
        try:
            a, b = (x for x in range(3))
        except ValueError as err:
            print("ValueError:", err)
    """,
    # -- loads, deletes and annotated stores ------------------------------------------------------------
    "subscript_loads": """
        class Keys:
            def __getitem__(self, key):
                return key
        k = Keys()
        print(k[1:2, ::3], k[...], k[f("key", "x")], k[:], k[1:2:3])
        seq = Seq([10, 20, 30])
        print(seq[f("i", 1)], seq[-1:], seq[0:3][1])
    """,
    "deletes": """
        seq, box = Seq([1, 2, 3]), Prop()
        box.v = 1
        del seq[f("i", 0)], box.store["v"]
        a, b, c, d = 1, 2, 3, 4
        del (a, b), [c]
        print(seq, box.store, d, [name in dir() for name in "abcd"])
    """,
    "annotated_stores": """
        box, seq = Prop(), Seq([0])
        box.x: int = f("x", 1)
        seq[f("i", 0)]: int = 2
        total: int = 3
        print(box.store, seq, total)
    """,
    "super_and_attribute_chains": """
        class Base:
            def __init__(self, **kw):
                self.kw = kw
            def name(self):
                return "base"
        class Kid(Base):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.inner = Prop()
                self.inner.deep = Prop()
                self.inner.deep.value = 1
            def name(self):
                return "kid of " + super().name()
        k = Kid(a=1)
        k.inner.deep.value += f("add", 2)
        print(k.kw, k.name(), k.inner.deep.value, type(k).__name__)
    """,
    # -- except ... as --------------------------------------------------------------------------------
    "except_as": """
        try:
            raise ValueError("boom")
        except (KeyError, ValueError) as err:
            print(repr(err))
        try:
            err
        except NameError:
            print("err is unbound after the handler")
    """,
    # -- calls with *args / **kwargs --------------------------------------------------------------------
    "calls_with_star_arguments": """
        def show(*args, **kwargs):
            return args, kwargs
        options = {}
        print(show(1, func=2, **options))
        print(show(*[1], func=3))
        print(dict(func=len, **{"obj": 1}))
        print(show(f("a", 1), *f("b", [2]), k=f("c", 3), **f("d", {"e": 4})))
        print(max(*[3, 1, 2], key=lambda v: -v))
    """,
    # -- private names ---------------------------------------------------------------------------------
    "private_name_mangling": """
        class Account:
            __rate = 2
            def __init__(self, balance):
                self.__balance = balance
            def total(self):
                self.__balance += 0
                return self.__balance * self.__rate
            def show(self):
                return f"{self.__balance=} {self.__rate!r:>4}"
            def reader(self):
                return lambda: [self.__balance for _ in range(1)]
            class __Inner:
                def __init__(self):
                    self.__secret = "inner"
                def get(self):
                    return self.__secret
            def inner(self):
                return self.__Inner().get()
        a = Account(21)
        print(a.total(), a.reader()(), a.inner(), a.show(), a._Account__balance, getattr(a, "_Account__rate"))
        print(hasattr(a, "__balance"), sorted(k for k in dir(Account) if "__" in k[1:-2]))
        class _Private:
            def __init__(self):
                self.__x = 1
                self.__dunder__ = 2
            def get(self):
                return self.__x, self.__dunder__
        print(_Private().get(), sorted(k for k in _Private().__dict__))
        class __:
            def __init__(self):
                self.__x = 3
            def get(self):
                return self.__x
        print(__().get(), list(__().__dict__))
    """,
    # -- annotations under `from __future__ import annotations` ------------------------------------------
    "future_annotations_stay_text": """
        from __future__ import annotations
        import datetime
        import typing
        from dataclasses import dataclass, fields
        @dataclass
        class Event:
            when: datetime.date
            tags: list[str]
            note: typing.Optional[str] = None
        print([(fd.name, fd.type) for fd in fields(Event)], Event.__annotations__)
        def g(x: datetime.date, *rest: typing.Any) -> dict[str, int]:
            y: datetime.date = x
            return y
        print(g.__annotations__)
    """,
    "annotations_evaluated": """
        import datetime
        from dataclasses import dataclass, fields
        @dataclass
        class Event:
            when: datetime.date
            tags: list[str]
        print([(fd.name, fd.type) for fd in fields(Event)])
        def g(x: datetime.date) -> dict[str, int]:
            return x
        print(g.__annotations__)
    """,
    # -- match: dotted value patterns are read through the guard ----------------------------------------
    "match_value_patterns": """
        import enum
        class Color(enum.Enum):
            RED = 1
            BLUE = 2
        def name(c):
            match c:
                case Color.RED:
                    return "red"
                case [Color.BLUE, *rest]:
                    return f"blue then {rest}"
                case {"color": Color.BLUE}:
                    return "blue in a mapping"
                case _:
                    return "other"
        print(name(Color.RED), name([Color.BLUE, 1]), name({"color": Color.BLUE}), name(3))
        class Palette:
            match Color.RED:
                case Color.RED:
                    hit = True
        print(Palette.hit, sorted(k for k in dir(Palette) if not k.startswith("__")))
    """,
}


def plain_stdout(source: str) -> str:
    proc = subprocess.run([sys.executable, "-I", "-c", source], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def restricted_stdout(source: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        report = run_source(source)
    assert report["rejected"] is None and report["error"] is None, report
    return out.getvalue()


def program(name: str) -> str:
    """The prelude, the program, then `print(calls)`; a `from __future__` line goes first."""
    lines = textwrap.dedent(PROGRAMS[name]).strip().splitlines()
    future = [line for line in lines if line.startswith("from __future__")]
    rest = [line for line in lines if line not in future]
    return "\n".join([*future, PRELUDE, *rest, "print(calls)", ""])


@pytest.mark.parametrize("name", PROGRAMS)
def test_rewrite_gives_cpythons_output(name: str) -> None:
    source = program(name)
    plain = plain_stdout(source)
    assert plain
    assert restricted_stdout(source) == plain


def test_tuple_and_list_targets_keep_the_unpacking_guard() -> None:
    """Every tuple or list target still goes through `_unpack_sequence_` (assignments, `with`) or
    `_iter_unpack_sequence_` (`for`, comprehensions): the rewrites change the order, not the guard."""
    seen: list[tuple[str, int]] = []

    def unpack(it: object, spec: dict, getiter: object) -> object:
        seen.append(("unpack", spec["min_len"]))
        return it

    def iter_unpack(it: object, spec: dict, getiter: object) -> object:
        seen.append(("iter", spec["min_len"]))
        return iter(it)  # type: ignore[call-overload]

    user_globals = make_user_globals(DEFAULT_POLICY)
    user_globals.update(_unpack_sequence_=unpack, _iter_unpack_sequence_=iter_unpack)
    code = """
import contextlib
a, b = 1, 2
[c, d, *e] = g = (3, 4)
h = (i, j) = k, [m, n] = (5, (6, 7))
for [p, q] in [(7, 8)]:
    pass
r = [s for s, t in [(9, 10)]]
with contextlib.nullcontext((11, 12)) as [u, v]:
    pass
"""
    exec(compile_cell(code, DEFAULT_POLICY).body, user_globals)
    assert seen == [("unpack", 2), ("unpack", 2), ("unpack", 2), ("unpack", 2), ("iter", 2), ("iter", 2),
                    ("unpack", 2)]  # fmt: skip
    assert (user_globals["m"], user_globals["u"]) == (6, 11)
