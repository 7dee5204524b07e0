"""What the guards of one namespace share, and how a refusal is recorded.

Every guard is a module-level function that takes this state as its first argument, so each can be
tested alone (tests/test_guards.py). The code never receives the state, nor a guard that takes it:
`namespace.make_user_globals` hands it thin closures that call the guards with their state, and a
closure's cells (`__closure__`), globals (`__globals__`) and code (`__code__`) are refused attributes.
Bound methods and functools.partial would not do: `__self__`/`__func__` and a partial's `.func`/`.args`
are readable, and would hand the code the raw guard and a state it could fill with a permissive policy.
"""

from __future__ import annotations

import builtins
import weakref
from typing import Any

from sandbox.errors import PolicyViolationError
from sandbox.policy import Policy
from sandbox.policy.names import DANGEROUS_ATTRIBUTES

#: Proxies answer isinstance() for the object they stand for (a proxy of a module "is" a module), so
#: the guards never trust them and never cache their type.
PROXY_TYPES = frozenset(weakref.ProxyTypes)

#: Names whose read takes the attribute guard's slow path (see attributes.make_getattr_guard).
SPECIAL_NAMES = frozenset({"__dict__", "format", "format_map", "Formatter", "attrgetter", "methodcaller", "load",
                           "eval", "query"})  # fmt: skip


class GuardState:
    """One namespace's guard state: its policy, its refusal log, the classes and functions its code
    made, the types seen (the attribute guard's cache), its facades and its safe replacements."""

    __slots__ = ("policy", "refusals", "user_globals", "user_classes", "plain_types", "writable_types",
                 "special_names", "facades", "replacements", "getattr_")  # fmt: skip

    def __init__(self, policy: Policy, refusals: list[tuple[str, str]] | None = None) -> None:
        self.policy = policy
        #: every refusal raised in this namespace, newest last (rule, message); the runtime reports
        #: them per cell, so the host learns of refusals the code caught
        self.refusals: list[tuple[str, str]] = [] if refusals is None else refusals
        self.user_globals: dict[str, Any] = {}  #: the namespace itself: its functions are the code's own
        #: classes made by user code, by identity: a WeakSet would compare with ==, which a metaclass of
        #: the code's own can answer for any class (and so pass a library class off as the user's)
        self.user_classes: dict[int, weakref.ref[type]] = {}
        self.plain_types: set[type] = set()  #: types seen that are neither module types nor proxies
        self.writable_types: set[type] = {dict, list, set, bytearray}
        self.special_names = frozenset(SPECIAL_NAMES | set(DANGEROUS_ATTRIBUTES) | set(policy.extra_denied_attributes))
        self.facades: dict[str, Any] = {}  #: module name -> its facade, made on first import
        #: "module.name" -> what the code gets instead (str.format, string.Formatter, operator.attrgetter)
        self.replacements: dict[str, Any] = {}
        from sandbox.policy.guards.attributes import make_getattr_guard  # (attributes imports this module)

        #: `_getattr_` for this state: the one attribute guard every other guard reads through
        self.getattr_ = make_getattr_guard(self)


def refuse(state: GuardState, cls: type[PolicyViolationError], rule: str, message: str) -> PolicyViolationError:
    """Record a refusal in the namespace's log and return the error to raise."""
    state.refusals.append((rule, message))
    return cls(rule, message)


def is_user_class(state: GuardState, obj: Any) -> bool:
    ref = state.user_classes.get(id(obj))
    return ref is not None and ref() is obj


def build_class(state: GuardState, func: Any, name: str, *bases: Any, **kwargs: Any) -> Any:
    """`__build_class__`: records the classes user code makes; the write guard lets the code modify
    those and no others."""
    cls = builtins.__build_class__(func, name, *bases, **kwargs)
    if isinstance(cls, type):
        key, classes = id(cls), state.user_classes
        classes[key] = weakref.ref(cls, lambda _ref, key=key: classes.pop(key, None))
    return cls
