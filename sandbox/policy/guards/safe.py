"""Safe replacements for library callables that read attributes themselves: str.format and
format_map, string.Formatter, operator.attrgetter and operator.methodcaller. The attribute guard
hands these out (GuardState.replacements) instead of the originals."""

from __future__ import annotations

import _string  # the C parser behind str.format and string.Formatter
import string
from typing import Any

from sandbox.errors import AttributeRefused
from sandbox.policy.guards.attributes import guarded_getattr
from sandbox.policy.guards.state import GuardState, refuse
from sandbox.policy.names import DANGEROUS_ATTRIBUTES


def _safe_get_field(self: Any, field_name: str, args: Any, kwargs: Any) -> tuple[Any, Any]:
    """string.Formatter.get_field with each attribute step through the guard."""
    first, rest = _string.formatter_field_name_split(field_name)
    obj = self.get_value(first, args, kwargs)
    for is_attr, key in rest:
        obj = self._guard(obj, key) if is_attr else obj[key]
    return obj, first


def _default_guard(obj: Any, name: str) -> Any:
    """The guard of a SafeFormatter made without one (only code that builds the base class itself
    does): dangerous names refused; there is no namespace to log the refusal in."""
    if DANGEROUS_ATTRIBUTES.get(name):
        raise AttributeRefused("dangerous-attribute", f"attribute '{name}' is not allowed")
    return getattr(obj, name)


def _safe_formatter_init(self: Any, getattr_: Any = None) -> None:
    self._guard = getattr_ or _default_guard


#: string.Formatter whose field lookups (`{0.attr}`, `{0[key]}`) go through the attribute guard, so
#: `"{0.__globals__}".format(f)` is refused while ordinary format strings work. It is a copy of
#: string.Formatter's methods, not a subclass: reading up its class graph (`__mro__`) must not lead
#: to the real class, whose get_field reads attributes without the guard.
SafeFormatter: type = type(
    "SafeFormatter",
    (),
    {
        **{k: v for k, v in vars(string.Formatter).items() if k not in ("__dict__", "__weakref__", "get_field")},
        "__module__": __name__,
        "__qualname__": "SafeFormatter",
        "__init__": _safe_formatter_init,
        "get_field": _safe_get_field,
    },
)


def formatter_class(guard: Any) -> type:
    """The namespace's `string.Formatter`: a SafeFormatter whose instances use `guard` (the
    namespace's getattr closure) for their field lookups."""

    class Formatter(SafeFormatter):
        def __init__(self) -> None:
            super().__init__(guard)

    Formatter.__qualname__ = "Formatter"
    return Formatter


def needs_safe_format(template: str) -> bool:
    """True when a format string reads attributes or items (or nests fields in a spec)."""
    for _literal, field, spec, _conv in _string.formatter_parser(template):
        if field and ("." in field or "[" in field):
            return True
        if spec and "{" in spec:
            return True
    return False


def safe_format(formatter: Any, template: str, *args: Any, **kwargs: Any) -> str:
    """str.format: through `formatter` (a guarded Formatter) when the template reads attributes."""
    if needs_safe_format(template):
        return formatter.vformat(template, args, kwargs)
    return template.format(*args, **kwargs)


def safe_format_map(formatter: Any, template: str, mapping: Any) -> str:
    if needs_safe_format(template):
        return formatter.vformat(template, (), mapping)
    return template.format_map(mapping)


def safe_attrgetter(state: GuardState, *names: str) -> Any:
    """operator.attrgetter with every step of every dotted path through the attribute guard."""
    for path in names:
        for part in path.split("."):
            if state.policy.denied_attribute(part):
                raise refuse(state, AttributeRefused, "dangerous-attribute", f"attribute '{part}' is not allowed")

    def get_one(obj: Any, path: str) -> Any:
        for part in path.split("."):
            obj = state.getattr_(obj, part)
        return obj

    if len(names) == 1:
        return lambda obj: get_one(obj, names[0])
    return lambda obj: tuple(get_one(obj, p) for p in names)


def safe_methodcaller(state: GuardState, name: str, /, *args: Any, **kwargs: Any) -> Any:
    """operator.methodcaller with the method looked up through the attribute guard."""
    return lambda obj: guarded_getattr(state, obj, name)(*args, **kwargs)
