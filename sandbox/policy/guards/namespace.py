"""The namespace restricted code runs in: curated builtins plus the guards, bound to one GuardState.

Each guard that needs state is handed to the code as a thin closure that only calls the module-level
guard with the namespace's state (see state.py for why closures, and not bound methods or partials).
Guards without state (`_apply_`, the unpacking helpers, `exit`) are handed out as they are.
"""

from __future__ import annotations

import builtins
import operator
import types
from typing import Any

from sandbox.policy import Policy
from sandbox.policy.guards.attributes import (
    guarded_delattr,
    guarded_getattr,
    guarded_hasattr,
    guarded_setattr,
    guarded_vars,
)
from sandbox.policy.guards.forward_refs import harden_typing
from sandbox.policy.guards.imports import import_guard
from sandbox.policy.guards.safe import (
    formatter_class,
    safe_attrgetter,
    safe_format,
    safe_format_map,
    safe_methodcaller,
)
from sandbox.policy.guards.state import GuardState, build_class
from sandbox.policy.guards.writes import write_guard
from sandbox.policy.names import MATCH_VALUES

#: Builtins that restricted code gets as they are: none reaches code, frames or globals. `open` is
#: the plain builtin: which files exist is the box's to decide (pathlib and pandas read any path too),
#: and `memoryview` only views memory the buffer's owner already holds.
SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "ascii", "bin", "bool", "bytearray", "bytes", "callable", "chr", "classmethod",
    "complex", "dict", "dir", "divmod", "enumerate", "filter", "float", "format", "frozenset", "hash",
    "hex", "id", "int", "isinstance", "issubclass", "iter", "len", "list", "map", "max", "min", "next",
    "object", "oct", "ord", "pow", "print", "property", "range", "repr", "reversed", "round", "set",
    "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "zip", "Ellipsis",
    "NotImplemented", "memoryview", "open",
)  # fmt: skip


class PrintCollector:
    """RestrictedPython's `_print_` protocol, printing at once to the current sys.stdout (so nothing
    is lost from inside functions). codecall's compiler leaves `print` as the builtin; this is for code
    compiled by stock RestrictedPython."""

    def __init__(self, _getattr_: Any = None) -> None:
        pass

    def __call__(self) -> str:
        return ""

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        print(*objects, **kwargs)


def apply_(func: Any, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def unpack_sequence_(it: Any, spec: Any, _getiter_: Any) -> Any:
    """Iteration is not guarded (`_getiter_` is iter), so unpacking is left to Python itself."""
    return it


def iter_unpack_sequence_(it: Any, spec: Any, _getiter_: Any) -> Any:
    return _getiter_(it)


def exit_(code: Any = None) -> None:
    """exit() and quit() end the program as sys.exit() does (the session stays)."""
    raise SystemExit(code)


def make_user_globals(policy: Policy, refusals: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """A fresh globals dict for restricted code under `policy`: curated builtins plus the guards.
    Refusals are logged in `refusals` (rule, message), the caller's list, which the code cannot reach."""
    return namespace_for(GuardState(policy, refusals))


def namespace_for(state: GuardState) -> dict[str, Any]:
    """The globals dict whose guards share `state` (state.user_globals, filled in here)."""
    harden_typing()

    def getattr(obj: Any, name: str, *default: Any) -> Any:  # noqa: A001 - the builtin's name
        return guarded_getattr(state, obj, name, *default)

    def hasattr(obj: Any, name: str) -> bool:  # noqa: A001
        return guarded_hasattr(state, obj, name)

    def setattr(obj: Any, name: str, value: Any) -> None:  # noqa: A001
        guarded_setattr(state, obj, name, value)

    def delattr(obj: Any, name: str) -> None:  # noqa: A001
        guarded_delattr(state, obj, name)

    def vars(*args: Any) -> Any:  # noqa: A001
        return guarded_vars(state, *args)

    def _write_(obj: Any) -> Any:
        return write_guard(state, obj)

    def __import__(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:  # noqa: A001
        return import_guard(state, name, globals, locals, fromlist, level)

    def __build_class__(func: Any, name: str, *bases: Any, **kwargs: Any) -> Any:
        return build_class(state, func, name, *bases, **kwargs)

    formatter = formatter_class(getattr)

    def format(template: str, *args: Any, **kwargs: Any) -> str:  # noqa: A001 - str.format's stand-in
        return safe_format(formatter(), template, *args, **kwargs)

    def format_map(template: str, mapping: Any) -> str:
        return safe_format_map(formatter(), template, mapping)

    def attrgetter(*names: str) -> Any:
        return safe_attrgetter(state, *names)

    def methodcaller(name: str, /, *args: Any, **kwargs: Any) -> Any:
        return safe_methodcaller(state, name, *args, **kwargs)

    state.replacements.update({"str.format": format, "str.format_map": format_map, "string.Formatter": formatter,
                               "operator.attrgetter": attrgetter, "operator.methodcaller": methodcaller})  # fmt: skip
    safe_builtins: dict[str, Any] = {name: builtins.getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
    for name, value in builtins.vars(builtins).items():
        if isinstance(value, type) and issubclass(value, BaseException):
            safe_builtins[name] = value
    safe_builtins.update(
        {
            "__name__": "__main__",
            "__build_class__": __build_class__,
            "__import__": __import__,
            "vars": vars,
            "exit": exit_,
            "quit": exit_,
            "getattr": getattr,
            "hasattr": hasattr,
            "setattr": setattr,
            "delattr": delattr,
        }
    )
    user_globals = state.user_globals
    user_globals.update(
        {
            "__builtins__": safe_builtins,
            "__name__": "__main__",
            "__metaclass__": type,
            "_getattr_": state.getattr_,
            "_getitem_": operator.getitem,
            "_getiter_": iter,
            "_write_": _write_,
            "_print_": PrintCollector,
            "_apply_": apply_,
            "_unpack_sequence_": unpack_sequence_,
            "_iter_unpack_sequence_": iter_unpack_sequence_,
            MATCH_VALUES: types.SimpleNamespace,
        }
    )
    return user_globals
