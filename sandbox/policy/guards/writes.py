"""The write guard: `_write_(obj)` wraps the target of every attribute or item store and delete.

Stores go to user objects, containers, DataFrames, arrays; not to modules, library classes or library
functions (no monkeypatching what other code, the guards included, relies on).
"""

from __future__ import annotations

import builtins
import types
from typing import Any

from sandbox.errors import WriteRefused
from sandbox.policy.guards.state import PROXY_TYPES, GuardState, is_user_class, refuse

_real_getattr = builtins.getattr
_FUNCTION_TYPES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType)

#: Why library modules, classes and functions may not be written to.
WRITE_REFUSAL = (
    "may not be modified: the guards and the rest of the session rely on library code as it is; keep your own variables"
)


def write_guard(state: GuardState, obj: Any) -> Any:
    """`_write_(obj)`: `obj` itself when the code may write to it; a type once judged writable stays so."""
    if type(obj) in state.writable_types:
        return obj
    return checked_write(state, obj)


def checked_write(state: GuardState, obj: Any) -> Any:
    kind = type(obj)
    if kind in PROXY_TYPES:  # a proxy writes to what it stands for: judge that, and never cache
        if isinstance(obj, (types.ModuleType, type, *_FUNCTION_TYPES)):
            raise refuse(state, WriteRefused, "write", f"modules, classes and functions {WRITE_REFUSAL}")
        return obj
    if issubclass(kind, types.ModuleType):
        raise refuse(state, WriteRefused, "write", f"module '{obj.__name__}' {WRITE_REFUSAL}")
    if issubclass(kind, type):
        if not is_user_class(state, obj):
            message = f"class '{obj.__name__}' is not defined by your code and {WRITE_REFUSAL}; or subclass it"
            raise refuse(state, WriteRefused, "write", message)
        return obj
    if issubclass(kind, _FUNCTION_TYPES):
        if _real_getattr(obj, "__globals__", None) is not state.user_globals:
            raise refuse(state, WriteRefused, "write", f"functions not defined by your code {WRITE_REFUSAL}")
        return obj
    state.writable_types.add(kind)  # instances of this type are always writable
    return obj
