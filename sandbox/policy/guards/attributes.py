"""The attribute guards: `_getattr_` (every attribute read the compiled code makes), and getattr,
hasattr, setattr, delattr and vars as the code's builtins.

`_getattr_` (see make_getattr_guard) runs on every attribute load, so its common path is one set lookup, one getattr and
two type lookups in a cache of types seen; everything rarer (dangerous and special names, modules)
takes the slow path.
"""

from __future__ import annotations

import builtins
import types
from collections.abc import Callable
from typing import Any

from sandbox.errors import AttributeRefused, PolicyViolationError
from sandbox.policy.guards.state import PROXY_TYPES, GuardState, is_user_class, refuse
from sandbox.policy.guards.wrappers import checked_eval, safe_numpy_load
from sandbox.policy.guards.writes import write_guard
from sandbox.policy.modules import internals_message, is_internal
from sandbox.policy.names import NO_ARGUMENT_CALLS

ModuleType = types.ModuleType
_real_getattr = builtins.getattr

#: Why a module's or a library class's __dict__ is refused.
DICT_REFUSAL = (
    "'__dict__' of a module or of a class your code did not define is not allowed: a module's holds its "
    "unfiltered globals (its __builtins__ among them), a class's the raw descriptors that skip the "
    "attribute guard (type.__dict__['__subclasses__']); use getattr(obj, name) or dir(obj)"
)


def dangerous_attribute(state: GuardState, name: str) -> PolicyViolationError | None:
    """The refusal of a dangerous attribute name under the state's policy, or None."""
    reason = state.policy.denied_attribute(name)
    if reason:
        return refuse(state, AttributeRefused, "dangerous-attribute", f"attribute '{name}' is not allowed: {reason}")
    return None


def check_module_value(state: GuardState, obj: Any, name: str, value: Any) -> Any:
    """A module handed out, or an attribute of a module: the allow-list and module tables."""
    policy = state.policy
    if isinstance(obj, ModuleType):
        module = _real_getattr(obj, "__name__", "?")
        if not isinstance(module, str) or not policy.module_allowed(module):
            raise refuse(state, AttributeRefused, "module", f"module '{module}' is not allowed")
        reason = policy.module_attribute_refusal(module, name)
        if reason:
            raise refuse(state, AttributeRefused, "module-attribute", f"'{module}.{name}' is not allowed: {reason}")
        if is_internal(name):
            raise refuse(state, AttributeRefused, "module-internals", internals_message(module, name))
    if isinstance(value, ModuleType):
        module = _real_getattr(value, "__name__", "?")
        if not isinstance(module, str) or not policy.module_allowed(module):
            reason = policy.import_refusal(module) if isinstance(module, str) else "it is not a real module"
            message = f"attribute '{name}' is the module '{module}', which is not allowed: {reason}"
            raise refuse(state, AttributeRefused, "module", message)
    return value


def _bound_format(method: Any, template: str) -> Any:
    def format(*args: Any, **kwargs: Any) -> str:  # noqa: A001 - stands in for str.format
        return method(template, *args, **kwargs)

    return format


def special_getattr(state: GuardState, obj: Any, name: str) -> Any:
    """The slow path: dangerous names, dicts of modules and classes, and safe replacements."""
    refused = dangerous_attribute(state, name)
    if refused:
        raise refused
    if name == "__dict__" and isinstance(obj, (ModuleType, type)) and not is_user_class(state, obj):
        raise refuse(state, AttributeRefused, "dangerous-attribute", DICT_REFUSAL)
    value = _real_getattr(obj, name)
    if name in ("format", "format_map"):
        if isinstance(obj, str):
            return _bound_format(state.replacements[f"str.{name}"], obj)
        if isinstance(obj, type) and issubclass(obj, str):  # str.format, and a subclass's
            return state.replacements[f"str.{name}"]
    if isinstance(obj, ModuleType):
        module = _real_getattr(obj, "__name__", "")
        if f"{module}.{name}" in state.replacements:  # string.Formatter, operator.attrgetter/methodcaller
            check_module_value(state, obj, name, value)
            return state.replacements[f"{module}.{name}"]
        if name == "load" and module.startswith("numpy"):
            check_module_value(state, obj, name, value)
            return safe_numpy_load(state, value)
        if name == "eval" and module.startswith("pandas"):
            check_module_value(state, obj, name, value)
            return checked_eval(state, value, "pandas.eval")
    elif name in ("eval", "query") and type(obj).__module__.startswith("pandas"):
        return checked_eval(state, value, f"DataFrame.{name}")
    return check_module_value(state, obj, name, value)


def make_getattr_guard(state: GuardState) -> Callable[[Any, str], Any]:
    """`_getattr_(obj, name)` for the namespace of `state`: what `obj.name` in restricted code compiles
    to. A closure rather than a function of (state, obj, name) because it runs on every attribute load:
    its cells hold the state's name set and type cache, so the common path makes no further call."""
    special, plain, real_getattr = state.special_names, state.plain_types, _real_getattr

    def _getattr_(obj: Any, name: str) -> Any:
        if name in special:
            return special_getattr(state, obj, name)
        value = real_getattr(obj, name)
        if type(value) in plain and type(obj) in plain:
            return value
        return checked_getattr(state, obj, name, value)

    return _getattr_


def checked_getattr(state: GuardState, obj: Any, name: str, value: Any) -> Any:
    """First sight of a type: remember it when it is not a module type (exact types, so a spoofed
    __class__ changes nothing), then apply the module rules."""
    for kind in (type(obj), type(value)):
        if not issubclass(kind, ModuleType) and kind not in PROXY_TYPES:
            state.plain_types.add(kind)
    return check_module_value(state, obj, name, value)


def guarded_getattr(state: GuardState, obj: Any, name: str, *default: Any) -> Any:
    """getattr() for restricted code: the same guard; a refused name raises AttributeRefused, so a
    default given is returned as for a missing attribute."""
    if not isinstance(name, str):
        raise TypeError("attribute name must be string")
    try:
        return state.getattr_(obj, name)
    except AttributeError:
        if default:
            return default[0]
        raise


def guarded_hasattr(state: GuardState, obj: Any, name: str) -> bool:
    try:
        guarded_getattr(state, obj, name)
    except AttributeError:
        return False
    return True


def guarded_setattr(state: GuardState, obj: Any, name: str, value: Any) -> None:
    refused = dangerous_attribute(state, name) if isinstance(name, str) else None
    if refused:
        raise refused
    setattr(write_guard(state, obj), name, value)


def guarded_delattr(state: GuardState, obj: Any, name: str) -> None:
    refused = dangerous_attribute(state, name) if isinstance(name, str) else None
    if refused:
        raise refused
    delattr(write_guard(state, obj), name)


def guarded_vars(state: GuardState, *args: Any) -> Any:
    """vars(obj) is obj.__dict__, under the same guard; vars() with no argument is locals()."""
    if not args:
        raise refuse(state, PolicyViolationError, "forbidden-call", NO_ARGUMENT_CALLS["vars"])
    if len(args) > 1:
        raise TypeError(f"vars expected at most 1 argument, got {len(args)}")
    try:
        return state.getattr_(args[0], "__dict__")
    except AttributeRefused:
        raise
    except AttributeError:
        raise TypeError("vars() argument must have __dict__ attribute") from None
