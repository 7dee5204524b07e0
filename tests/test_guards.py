"""Each run-time guard on its own (sandbox.policy.guards), called as a module-level function with its
state; and the shape that keeps them safe: what the code gets are opaque closures, from which no
attribute the guards allow leads to the state, the policy or a guard that takes them."""

from __future__ import annotations

import functools
import json
import operator
import string
import sys
import types
import weakref

import pytest

from sandbox.errors import AttributeRefused, ImportRefused, PolicyViolationError, WriteRefused
from sandbox.policy import DEFAULT_POLICY, Policy
from sandbox.policy.guards import attributes, forward_refs, imports, namespace, safe, wrappers, writes
from sandbox.policy.guards.state import GuardState, build_class, is_user_class, refuse


@pytest.fixture
def state() -> GuardState:
    s = GuardState(DEFAULT_POLICY)
    namespace.namespace_for(s)  # fills in the replacements (str.format, string.Formatter, ...)
    return s


# -- state --------------------------------------------------------------------------------------------
def test_refuse_logs_in_its_own_state_only() -> None:
    first, second = GuardState(DEFAULT_POLICY), GuardState(DEFAULT_POLICY, refusals=[])
    error = refuse(first, AttributeRefused, "module", "no")
    assert isinstance(error, AttributeRefused) and error.rule == "module" and str(error) == "no [policy rule: module]"
    assert first.refusals == [("module", "no")] and second.refusals == []


def test_make_user_globals_logs_in_the_callers_list() -> None:
    log: list[tuple[str, str]] = []
    globals_ = namespace.make_user_globals(DEFAULT_POLICY, log)
    with pytest.raises(AttributeRefused):
        globals_["_getattr_"](json, "_default_encoder")
    assert log == [("module-internals", "'json._default_encoder' is a private internal of 'json'; use its public API")]


def test_build_class_records_user_classes_by_identity(state: GuardState) -> None:
    cls = build_class(state, lambda: None, "C")
    assert is_user_class(state, cls) and not is_user_class(state, json.JSONEncoder)


# -- attributes ---------------------------------------------------------------------------------------
def test_getattr_guard_reads_and_caches_plain_types(state: GuardState) -> None:
    assert state.getattr_("abc", "upper")() == "ABC"
    assert str in state.plain_types and types.ModuleType not in state.plain_types


def test_getattr_guard_refuses_dangerous_names(state: GuardState) -> None:
    with pytest.raises(AttributeRefused, match="dangerous-attribute"):
        attributes.make_getattr_guard(state)(test_getattr_guard_refuses_dangerous_names, "__globals__")


def test_getattr_guard_never_trusts_proxies(state: GuardState) -> None:
    class Holder:
        pass

    proxy = weakref.proxy(holder := Holder())
    state.getattr_(proxy, "__class__")
    assert type(proxy) not in state.plain_types and holder


def test_check_module_value_applies_the_module_rules(state: GuardState) -> None:
    with pytest.raises(AttributeRefused, match=r"policy rule: module\]"):
        attributes.check_module_value(state, sys.modules["builtins"], "len", len)
    with pytest.raises(AttributeRefused, match="module-attribute"):
        attributes.check_module_value(state, types, "CodeType", types.CodeType)
    with pytest.raises(AttributeRefused, match="module-internals"):
        attributes.check_module_value(state, json, "_default_encoder", None)
    with pytest.raises(AttributeRefused, match="is the module 'sys'"):
        attributes.check_module_value(state, object(), "x", sys)
    assert attributes.check_module_value(state, json, "dumps", json.dumps) is json.dumps


def test_special_getattr_refuses_library_dicts_and_hands_out_replacements(state: GuardState) -> None:
    with pytest.raises(AttributeRefused, match="'__dict__' of a module"):
        attributes.special_getattr(state, json, "__dict__")
    assert attributes.special_getattr(state, string, "Formatter") is state.replacements["string.Formatter"]
    assert attributes.special_getattr(state, operator, "attrgetter") is state.replacements["operator.attrgetter"]
    assert attributes.special_getattr(state, "{0}", "format")(7) == "7"


def test_guarded_getattr_hasattr_treat_refusals_as_missing(state: GuardState) -> None:
    assert attributes.guarded_getattr(state, len, "__closure__", "default") == "default"
    assert attributes.guarded_hasattr(state, len, "__globals__") is False
    with pytest.raises(TypeError):
        attributes.guarded_getattr(state, len, 1)


def test_guarded_setattr_and_delattr(state: GuardState) -> None:
    target = types.SimpleNamespace(a=1)
    attributes.guarded_setattr(state, target, "b", 2)
    attributes.guarded_delattr(state, target, "a")
    assert vars(target) == {"b": 2}
    with pytest.raises(AttributeRefused):
        attributes.guarded_setattr(state, target, "__code__", None)
    with pytest.raises(WriteRefused):
        attributes.guarded_delattr(state, json, "dumps")


def test_guarded_vars(state: GuardState) -> None:
    assert attributes.guarded_vars(state, types.SimpleNamespace(a=1)) == {"a": 1}
    with pytest.raises(PolicyViolationError, match="forbidden-call"):
        attributes.guarded_vars(state)
    with pytest.raises(AttributeRefused):
        attributes.guarded_vars(state, json)


# -- writes -------------------------------------------------------------------------------------------
def test_write_guard(state: GuardState) -> None:
    box = [1]
    assert writes.write_guard(state, box) is box
    user_class = build_class(state, lambda: None, "Mine")
    assert writes.write_guard(state, user_class) is user_class
    for library in (json, json.JSONEncoder, json.dumps, weakref.proxy(json)):
        with pytest.raises(WriteRefused, match="write"):
            writes.write_guard(state, library)


# -- imports and facades ------------------------------------------------------------------------------
def test_import_guard(state: GuardState) -> None:
    assert imports.import_guard(state, "json") is json
    assert imports.import_guard(state, "json", fromlist=("dumps",)).dumps is json.dumps
    for name, kwargs, rule in [
        ("subprocess", {}, "import"),
        ("json", {"level": 1}, "relative-import"),
        ("json", {"fromlist": ("*",)}, "import-star"),
        ("json", {"fromlist": ("_default_encoder",)}, "module-internals"),
    ]:
        with pytest.raises(ImportRefused, match=rule):
            imports.import_guard(state, name, **kwargs)


def test_facades_hold_only_their_part(state: GuardState) -> None:
    facade_os = imports.import_guard(state, "os")
    assert facade_os is imports.facade(state, "os") and facade_os.path is imports.facade(state, "os.path")
    facade_os.environ["CODECALL_PROBE"] = "1"
    assert "CODECALL_PROBE" not in __import__("os").environ  # the session's own copy
    with pytest.raises(AttributeRefused, match="facade"):
        _ = imports.facade(state, "sys").modules
    with pytest.raises(ImportError):
        imports.facade_import(state, "sys", ("modules",))


# -- safe replacements and wrappers -------------------------------------------------------------------
def test_safe_format_guards_only_templates_that_read_attributes(state: GuardState) -> None:
    formatter = state.replacements["string.Formatter"]()
    assert safe.needs_safe_format("{0.real}") and not safe.needs_safe_format("{0:>4}")
    assert safe.safe_format(formatter, "{0.real}-{1:>3}", 2, "a") == "2-  a"
    assert safe.safe_format_map(formatter, "{a[0]}", {"a": [5]}) == "5"
    with pytest.raises(AttributeRefused):
        safe.safe_format(formatter, "{0.__globals__}", test_safe_format_guards_only_templates_that_read_attributes)


def test_formatter_class_is_not_the_real_formatter(state: GuardState) -> None:
    cls = safe.formatter_class(len)
    assert cls.__name__ == "Formatter" and string.Formatter not in cls.__mro__ and cls().__dict__["_guard"] is len


def test_safe_attrgetter_and_methodcaller(state: GuardState) -> None:
    assert safe.safe_attrgetter(state, "real", "imag")(3) == (3, 0)
    assert safe.safe_methodcaller(state, "upper")("a") == "A"
    with pytest.raises(AttributeRefused):
        safe.safe_attrgetter(state, "__code__")
    with pytest.raises(AttributeRefused):
        safe.safe_methodcaller(state, "_default_encoder")(json)


def test_wrappers_check_strings_and_pickles(state: GuardState) -> None:
    evaluate = wrappers.checked_eval(state, lambda expr: expr, "pandas.eval")
    assert evaluate("a + 1") == "a + 1" and not hasattr(evaluate, "__wrapped__")
    with pytest.raises(PolicyViolationError, match="dunder"):
        evaluate("(1).__class__")
    load = wrappers.safe_numpy_load(state, lambda path, allow_pickle: allow_pickle)
    assert load("x.npy") is False
    with pytest.raises(PolicyViolationError, match="allow_pickle"):
        load("x.npy", allow_pickle=True)


def test_forward_references_are_plain_type_expressions() -> None:
    forward_refs.check_type_expression("list[int] | None")
    forward_refs.check_type_expression("_getattr_(datetime, 'date')")
    with pytest.raises(PolicyViolationError, match="forward-reference"):
        forward_refs.check_type_expression("json._default_encoder")


def test_stateless_helpers() -> None:
    with pytest.raises(SystemExit):
        namespace.exit_(3)
    assert namespace.apply_(max, 1, 2) == 2 and namespace.unpack_sequence_([1], None, iter) == [1]
    assert list(namespace.iter_unpack_sequence_([1], None, iter)) == [1] and namespace.PrintCollector()() == ""


# -- the shape: nothing the code can reach leads to the state ------------------------------------------
def _reachable(roots: list[object], guard, depth: int = 3) -> list[object]:
    """Objects reachable from `roots` through attribute reads the guard allows, `depth` steps deep."""
    seen, frontier, found = set(), list(roots), []
    for _ in range(depth):
        following = []
        for obj in frontier:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            found.append(obj)
            try:
                names = dir(obj)
            except Exception:  # noqa: BLE001
                continue
            for name in names:
                try:
                    following.append(guard(obj, name))
                except Exception:  # noqa: BLE001 - refused or failing: not reachable this way
                    pass
        frontier = following
    return found


def test_no_allowed_attribute_leads_from_a_guard_to_its_state() -> None:
    user_globals = namespace.make_user_globals(Policy())
    handed_out = [v for k, v in user_globals.items() if k != "__builtins__"]
    handed_out += [v for k, v in user_globals["__builtins__"].items() if k[0].islower() or k.startswith("__")]
    for obj in handed_out:
        assert not isinstance(obj, (functools.partial, types.MethodType)), obj
    reached = _reachable(handed_out, user_globals["_getattr_"])
    assert len(reached) > 200  # the walk went somewhere
    for obj in reached:
        assert not isinstance(obj, (GuardState, Policy)), obj
        module = getattr(obj, "__module__", "") or ""
        if isinstance(obj, types.FunctionType) and module.startswith("sandbox.policy.guards"):
            first = obj.__code__.co_varnames[:1]
            assert first != ("state",), f"{obj.__qualname__} takes the state and is reachable"
