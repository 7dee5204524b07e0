"""The run-time guards restricted code calls: attribute, item, write, import, print, builtins.

Runs inside the sandbox (imports only the standard library and sandbox.policy). The restricted
compiler (restrict.py) routes every attribute load through `_getattr_`, every attribute or item store
through `_write_`; this module decides. The guards stop early and explain; the OS box is the boundary.

`_getattr_` runs on every attribute load, so its common path is one set lookup, one getattr and two
isinstance checks; everything rarer (underscore-free special names, modules) takes a slower path.
"""

from __future__ import annotations

import _string  # the C parser behind str.format and string.Formatter
import ast
import builtins
import functools
import importlib
import operator
import os
import string
import sys
import types
import typing
import weakref
from typing import Any

from sandbox.policy import (
    DANGEROUS_ATTRIBUTES,
    DENIED_MODULE_ATTRIBUTES,
    FACADES,
    NO_ARGUMENT_CALLS,
    Policy,
    facade_refusal,
)

ModuleType = types.ModuleType


class PolicyViolationError(Exception):
    """Restricted code tried something the policy refuses; the message names the rule and the reason."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"{message} [policy rule: {rule}]")


class AttributeRefused(PolicyViolationError, AttributeError):
    """An attribute the policy refuses: an AttributeError, so hasattr() says False as for a missing one."""


class ImportRefused(PolicyViolationError, ImportError):
    """An import outside the allow-list: an ImportError, so `try: import x except ImportError` works."""


class WriteRefused(PolicyViolationError, TypeError):
    """A write to a module, a library class or a library function (no monkeypatching)."""


#: Every refusal raised in this process, newest last (rule, message); tests read it to see which
#: layer stopped an attack. Never reachable from user code (no frames, no globals, no import).
REFUSALS: list[tuple[str, str]] = []


def _refuse(cls: type[PolicyViolationError], rule: str, message: str) -> PolicyViolationError:
    REFUSALS.append((rule, message))
    return cls(rule, message)


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

#: Proxies answer isinstance() for the object they stand for (a proxy of a module "is" a module), so
#: the attribute guard's fast path never trusts them.
_PROXY_TYPES = frozenset(weakref.ProxyTypes)


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


# -- safe replacements for library callables that read attributes or evaluate strings themselves --------


def _safe_get_field(self: Any, field_name: str, args: Any, kwargs: Any) -> tuple[Any, Any]:
    """string.Formatter.get_field with each attribute step through the guard."""
    first, rest = _string.formatter_field_name_split(field_name)
    obj = self.get_value(first, args, kwargs)
    for is_attr, key in rest:
        obj = self._guard(obj, key) if is_attr else obj[key]
    return obj, first


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


def _needs_safe_format(template: str) -> bool:
    """True when a format string reads attributes or items (or nests fields in a spec)."""
    for _literal, field, spec, _conv in _string.formatter_parser(template):
        if field and ("." in field or "[" in field):
            return True
        if spec and "{" in spec:
            return True
    return False


#: Why library modules, classes and functions may not be written to.
WRITE_REFUSAL = (
    "may not be modified: the guards and the rest of the session rely on library code as it is; keep your own variables"
)

#: Why a module's or a library class's __dict__ is refused.
DICT_REFUSAL = (
    "'__dict__' of a module or of a class your code did not define is not allowed: a module's holds its "
    "unfiltered globals (its __builtins__ among them), a class's the raw descriptors that skip the "
    "attribute guard (type.__dict__['__subclasses__']); use getattr(obj, name) or dir(obj)"
)


def _default_guard(obj: Any, name: str) -> Any:
    if DANGEROUS_ATTRIBUTES.get(name):
        raise _refuse(AttributeRefused, "dangerous-attribute", f"attribute '{name}' is not allowed")
    return getattr(obj, name)


def _check_expression(text: Any, what: str) -> None:
    """pandas.eval / DataFrame.query / typing forward references evaluate strings as unchecked code:
    refuse any string that names a dunder or dangerous attribute."""
    if isinstance(text, str) and ("__" in text or any(n in text for n in DANGEROUS_ATTRIBUTES if "_" in n)):
        raise _refuse(PolicyViolationError, "dangerous-attribute", f"{what} may not name dunder or internal attributes")


def _wraps(func: Any) -> Any:
    """functools.wraps without `__wrapped__` (nor a copy of func's __dict__): the wrapper is a guard,
    and user code may read `__wrapped__` and `__dict__` of functions."""

    def decorate(wrapper: Any) -> Any:
        functools.update_wrapper(wrapper, func, updated=())
        del wrapper.__wrapped__
        return wrapper

    return decorate


def _checked_eval(func: Any, what: str) -> Any:
    @_wraps(func)
    def checked(expr: Any, *args: Any, **kwargs: Any) -> Any:
        _check_expression(expr, what)
        return func(expr, *args, **kwargs)

    return checked


def _safe_numpy_load(load: Any) -> Any:
    @_wraps(load)
    def safe_load(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("allow_pickle"):
            raise _refuse(
                PolicyViolationError,
                "module-attribute",
                "numpy.load(allow_pickle=True) is not allowed: unpickling runs arbitrary calls",
            )
        kwargs["allow_pickle"] = False
        return load(*args, **kwargs)

    return safe_load


_ALLOWED_TYPE_NODES = (
    ast.Expression, ast.Name, ast.Subscript, ast.Constant, ast.Tuple, ast.List, ast.BinOp, ast.BitOr,
    ast.Load, ast.Starred, ast.Call, ast.Attribute,
)  # fmt: skip


def _check_type_expression(arg: str) -> None:
    """A forward reference is evaluated without the guards: allow only what a type can be — names,
    dotted names without dunders, subscripts, `|`, literals, and guarded reads `_getattr_(x, 'name')`
    (what the restricted compiler writes under `from __future__ import annotations`)."""
    try:
        tree = ast.parse(arg, "<annotation>", "eval")
    except SyntaxError:
        return  # typing raises its own SyntaxError
    for node in ast.walk(tree):
        ok = isinstance(node, _ALLOWED_TYPE_NODES)
        if isinstance(node, ast.Name):
            ok = not node.id.startswith("__") and (not node.id.startswith("_") or node.id == "_getattr_")
        elif isinstance(node, ast.BinOp):
            ok = isinstance(node.op, ast.BitOr)
        elif isinstance(node, ast.Attribute):  # read without the guard: no private names either
            ok = not node.attr.startswith("_") and node.attr not in DANGEROUS_ATTRIBUTES
        elif isinstance(node, ast.Call):
            ok = (
                isinstance(node.func, ast.Name)
                and node.func.id == "_getattr_"
                and len(node.args) == 2
                and not node.keywords
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and node.args[1].value not in DANGEROUS_ATTRIBUTES
            )
        if not ok:
            raise _refuse(
                PolicyViolationError,
                "forward-reference",
                f"the annotation string {arg!r} is not a plain type expression; write it without quotes",
            )


def _harden_typing() -> None:
    """typing evaluates forward-reference strings with eval() and no guards (get_type_hints,
    functools.singledispatch's register); check each string when it is evaluated. Idempotent;
    affects only this (sandboxed) process, where library forward references are plain names."""
    forward_ref: Any = typing.ForwardRef
    if getattr(forward_ref, "_cc_hardened", False):
        return
    original = forward_ref._evaluate

    def _evaluate(self: Any, *args: Any, **kwargs: Any) -> Any:
        _check_type_expression(self.__forward_arg__)
        return original(self, *args, **kwargs)

    forward_ref._evaluate = _evaluate
    forward_ref._cc_hardened = True


class _PrintCollector:
    """RestrictedPython's `_print_` protocol, printing at once to the current sys.stdout (so nothing
    is lost from inside functions). codecall's compiler leaves `print` as the builtin; this is for code
    compiled by stock RestrictedPython."""

    def __init__(self, _getattr_: Any = None) -> None:
        pass

    def __call__(self) -> str:
        return ""

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        print(*objects, **kwargs)


def _apply_(func: Any, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _unpack_sequence_(it: Any, spec: Any, _getiter_: Any) -> Any:
    """Iteration is not guarded (`_getiter_` is iter), so unpacking is left to Python itself."""
    return it


def _iter_unpack_sequence_(it: Any, spec: Any, _getiter_: Any) -> Any:
    return _getiter_(it)


def _make_facade(name: str, allowed: frozenset[str], overrides: dict[str, Any]) -> Any:
    """An object that stands in for module `name`: its allowed attributes are read from the real module
    when asked (so sys.stdout is the current one); the real module is held in a closure, out of reach."""
    module = importlib.import_module(name)
    overrides = {"__name__": name, **overrides}
    if name == "sys":
        # sys.path is a copy: the real one decides where imports look, and code could put its own
        # files first (an allowed name would then run them without the guards)
        overrides.update(argv=["<cell>"], orig_argv=["python", "<cell>"], executable="python", path=list(sys.path))
    elif name == "os":
        # the session's own copy of the environment: the real one is what library code passes to the
        # programs it starts, and PATH decides which program that is (a script of the code's own)
        environ = dict(os.environ)

        def getenv(key: str, default: Any = None) -> Any:
            return environ.get(key, default)

        overrides.update(environ=environ, getenv=getenv)

    def __getattr__(self: Any, attribute: str) -> Any:
        if attribute in overrides:
            return overrides[attribute]
        if attribute in allowed:
            return getattr(module, attribute)
        reason = facade_refusal(name, attribute)
        message = f"'{name}.{attribute}' is not available in the sandbox: {reason}; dir({name}) lists what is"
        raise _refuse(AttributeRefused, "facade", message)

    namespace = {
        "__getattr__": __getattr__,
        "__repr__": lambda self: f"<module '{name}' (sandbox facade)>",
        "__dir__": lambda self: sorted(allowed),
        "__slots__": (),
    }
    return type("module", (), namespace)()


def make_user_globals(policy: Policy) -> dict[str, Any]:
    """A fresh globals dict for restricted code under `policy`: curated builtins plus the guards."""
    _harden_typing()
    module_allowed = policy.module_allowed
    denied_attribute = policy.denied_attribute
    # classes made by user code, by identity: a WeakSet would compare with ==, which a metaclass of
    # the code's own can answer for any class (and so pass a library class off as the user's)
    user_classes: dict[int, weakref.ref[type]] = {}
    user_globals: dict[str, Any] = {}
    real_import = builtins.__import__
    real_build_class = builtins.__build_class__
    real_getattr = builtins.getattr
    plain_types: set[type] = set()  # types seen that are neither module types nor proxies
    writable_types: set[type] = {dict, list, set, bytearray}

    def is_user_class(obj: Any) -> bool:
        ref = user_classes.get(id(obj))
        return ref is not None and ref() is obj

    def check_module_value(obj: Any, name: str, value: Any) -> Any:
        """A module handed out, or an attribute of a module: the allow-list and module tables."""
        if isinstance(obj, ModuleType):
            module = real_getattr(obj, "__name__", "?")
            if not isinstance(module, str) or not module_allowed(module):
                raise _refuse(AttributeRefused, "module", f"module '{module}' is not allowed")
            reason = DENIED_MODULE_ATTRIBUTES.get(module, {}).get(name)
            if reason:
                raise _refuse(AttributeRefused, "module-attribute", f"'{module}.{name}' is not allowed: {reason}")
            if name.startswith("_") and not _is_dunder(name):
                raise _refuse(
                    AttributeRefused,
                    "module-internals",
                    f"'{module}.{name}' is a private internal of '{module}'; use its public API",
                )
        if isinstance(value, ModuleType):
            module = real_getattr(value, "__name__", "?")
            if not isinstance(module, str) or not module_allowed(module):
                reason = policy.import_refusal(module) if isinstance(module, str) else "it is not a real module"
                raise _refuse(
                    AttributeRefused,
                    "module",
                    f"attribute '{name}' is the module '{module}', which is not allowed: {reason}",
                )
        return value

    def special_getattr(obj: Any, name: str) -> Any:
        """The slow path: dangerous names, dicts of modules and classes, and safe replacements."""
        reason = denied_attribute(name)
        if reason:
            raise _refuse(AttributeRefused, "dangerous-attribute", f"attribute '{name}' is not allowed: {reason}")
        if name == "__dict__" and isinstance(obj, (ModuleType, type)) and not is_user_class(obj):
            raise _refuse(AttributeRefused, "dangerous-attribute", DICT_REFUSAL)
        value = real_getattr(obj, name)
        if name in ("format", "format_map"):
            if isinstance(obj, str):
                return (
                    functools.partial(safe_format, obj) if name == "format" else functools.partial(safe_format_map, obj)
                )
            if isinstance(obj, type) and issubclass(obj, str):  # str.format, and a subclass's
                return safe_format if name == "format" else safe_format_map
        if isinstance(obj, ModuleType):
            module = real_getattr(obj, "__name__", "")
            if name == "Formatter" and module == "string":
                check_module_value(obj, name, value)
                return safe_formatter_class
            if name in ("attrgetter", "methodcaller") and module == "operator":
                return safe_attrgetter if name == "attrgetter" else safe_methodcaller
            if name == "load" and module.startswith("numpy"):
                check_module_value(obj, name, value)
                return _safe_numpy_load(value)
            if name == "eval" and module.startswith("pandas"):
                check_module_value(obj, name, value)
                return _checked_eval(value, "pandas.eval")
        elif name in ("eval", "query") and type(obj).__module__.startswith("pandas"):
            return _checked_eval(value, f"DataFrame.{name}")
        return check_module_value(obj, name, value)

    def _getattr_(obj: Any, name: str) -> Any:
        if name in special_names:
            return special_getattr(obj, name)
        value = real_getattr(obj, name)
        if type(value) in plain_types and type(obj) in plain_types:
            return value
        return checked_getattr(obj, name, value)

    def checked_getattr(obj: Any, name: str, value: Any) -> Any:
        """First sight of a type: remember it when it is not a module type (exact types, so a spoofed
        __class__ changes nothing), then apply the module rules."""
        for kind in (type(obj), type(value)):
            if not issubclass(kind, ModuleType) and kind not in _PROXY_TYPES:
                plain_types.add(kind)
        return check_module_value(obj, name, value)

    def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
        """getattr() for restricted code: the same guard; a refused name raises AttributeRefused, so a
        default given is returned as for a missing attribute."""
        if not isinstance(name, str):
            raise TypeError("attribute name must be string")
        try:
            return _getattr_(obj, name)
        except AttributeError:
            if default:
                return default[0]
            raise

    def guarded_hasattr(obj: Any, name: str) -> bool:
        try:
            guarded_getattr(obj, name)
        except AttributeError:
            return False
        return True

    def _write_(obj: Any) -> Any:
        """Stores go to user objects, containers, DataFrames, arrays; not to modules, library classes
        or library functions (no monkeypatching what other code relies on)."""
        if type(obj) in writable_types:
            return obj
        return checked_write(obj)

    def checked_write(obj: Any) -> Any:
        kind = type(obj)
        if kind in _PROXY_TYPES:  # a proxy writes to what it stands for: judge that, and never cache
            if isinstance(obj, (ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
                raise _refuse(WriteRefused, "write", f"modules, classes and functions {WRITE_REFUSAL}")
            return obj
        if issubclass(kind, ModuleType):
            raise _refuse(WriteRefused, "write", f"module '{obj.__name__}' {WRITE_REFUSAL}")
        if issubclass(kind, type):
            if not is_user_class(obj):
                message = f"class '{obj.__name__}' is not defined by your code and {WRITE_REFUSAL}; or subclass it"
                raise _refuse(WriteRefused, "write", message)
            return obj
        if issubclass(kind, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
            if real_getattr(obj, "__globals__", None) is not user_globals:
                raise _refuse(WriteRefused, "write", f"functions not defined by your code {WRITE_REFUSAL}")
            return obj
        writable_types.add(kind)  # instances of this type are always writable
        return obj

    def guarded_setattr(obj: Any, name: str, value: Any) -> None:
        reason = denied_attribute(name) if isinstance(name, str) else None
        if reason:
            raise _refuse(AttributeRefused, "dangerous-attribute", f"attribute '{name}' is not allowed: {reason}")
        setattr(_write_(obj), name, value)

    def guarded_delattr(obj: Any, name: str) -> None:
        reason = denied_attribute(name) if isinstance(name, str) else None
        if reason:
            raise _refuse(AttributeRefused, "dangerous-attribute", f"attribute '{name}' is not allowed: {reason}")
        delattr(_write_(obj), name)

    facades: dict[str, Any] = {}

    def facade(name: str) -> Any:
        """The stand-in for module `name`: only FACADES[name] of the real module, read when asked."""
        if name not in facades:
            facades[name] = _make_facade(name, FACADES[name], {"path": facade("os.path")} if name == "os" else {})
        return facades[name]

    def facade_import(name: str, fromlist: Any) -> Any:
        if not fromlist:
            return facade(name.split(".", 1)[0])  # `import os.path` binds `os`
        picked = types.SimpleNamespace(__name__=name)
        for item in fromlist:
            if item == "*":
                raise _refuse(ImportRefused, "import-star", f"'from {name} import *' is not allowed")
            try:
                setattr(picked, item, getattr(facade(name), item))
            except AttributeError:
                raise ImportError(f"cannot import name {item!r} from {name!r} (sandbox facade)") from None
        return picked

    def guarded_vars(*args: Any) -> Any:
        """vars(obj) is obj.__dict__, under the same guard; vars() with no argument is locals()."""
        if not args:
            raise _refuse(PolicyViolationError, "forbidden-call", NO_ARGUMENT_CALLS["vars"])
        if len(args) > 1:
            raise TypeError(f"vars expected at most 1 argument, got {len(args)}")
        try:
            return _getattr_(args[0], "__dict__")
        except AttributeRefused:
            raise
        except AttributeError:
            raise TypeError("vars() argument must have __dict__ attribute") from None

    def exit(code: Any = None) -> None:  # noqa: A001 - the builtin's name
        """exit() and quit() end the program as sys.exit() does (the session stays)."""
        raise SystemExit(code)

    def guarded_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        """Only allow-listed modules; `from m import x` hands out x through the attribute guard.
        The standard library's own lazy imports use the real builtins and are unaffected."""
        if level:
            raise _refuse(ImportRefused, "relative-import", "relative imports are not allowed")
        if type(fromlist) is list:
            # The interpreter's own C-level imports (datetime.strptime -> _strptime, copyreg, ...)
            # look up __import__ in the calling frame's builtins and pass a list; the import
            # statement passes None or a tuple. The module goes back to C code, not to the user.
            return real_import(name, globals, locals, fromlist, level)
        if name in FACADES:
            return facade_import(name, fromlist)
        if name != "__future__" and not module_allowed(name):
            raise _refuse(ImportRefused, "import", f"import of '{name}' is not allowed: {policy.import_refusal(name)}")
        module = real_import(name, globals, locals, fromlist, 0)
        if not fromlist or name == "__future__":
            return module
        picked = types.SimpleNamespace(__name__=module.__name__)
        for item in fromlist:
            if item == "*":
                raise _refuse(ImportRefused, "import-star", f"'from {name} import *' is not allowed")
            try:
                value = guarded_getattr(module, item)
            except PolicyViolationError as err:
                raise _refuse(ImportRefused, err.rule, str(err.args[0]).split(" [policy rule")[0]) from None
            except AttributeError:
                raise ImportError(f"cannot import name {item!r} from {name!r}") from None
            setattr(picked, item, value)
        return picked

    def build_class(func: Any, name: str, *bases: Any, **kwargs: Any) -> Any:
        """Records classes made by user code: `_write_` lets user code modify those and no others."""
        cls = real_build_class(func, name, *bases, **kwargs)
        if isinstance(cls, type):
            key = id(cls)
            user_classes[key] = weakref.ref(cls, lambda _ref, key=key: user_classes.pop(key, None))
        return cls

    def safe_format(template: str, *args: Any, **kwargs: Any) -> str:
        if _needs_safe_format(template):
            return safe_formatter.vformat(template, args, kwargs)
        return template.format(*args, **kwargs)

    def safe_format_map(template: str, mapping: Any) -> str:
        if _needs_safe_format(template):
            return safe_formatter.vformat(template, (), mapping)
        return template.format_map(mapping)

    class safe_formatter_class(SafeFormatter):  # noqa: N801 - stands in for string.Formatter
        def __init__(self) -> None:
            super().__init__(guarded_getattr)

    safe_formatter_class.__name__ = safe_formatter_class.__qualname__ = "Formatter"
    safe_formatter = safe_formatter_class()

    def safe_attrgetter(*names: str) -> Any:
        def checked(path: str) -> None:
            for part in path.split("."):
                reason = denied_attribute(part)
                if reason:
                    raise _refuse(AttributeRefused, "dangerous-attribute", f"attribute '{part}' is not allowed")

        for path in names:
            checked(path)

        def get_one(obj: Any, path: str) -> Any:
            for part in path.split("."):
                obj = _getattr_(obj, part)
            return obj

        if len(names) == 1:
            return lambda obj: get_one(obj, names[0])
        return lambda obj: tuple(get_one(obj, p) for p in names)

    def safe_methodcaller(name: str, /, *args: Any, **kwargs: Any) -> Any:
        return lambda obj: guarded_getattr(obj, name)(*args, **kwargs)

    special_names = frozenset(
        set(DANGEROUS_ATTRIBUTES)
        | set(policy.extra_denied_attributes)
        | {"__dict__", "format", "format_map", "Formatter", "attrgetter", "methodcaller", "load", "eval", "query"}
    )

    safe_builtins: dict[str, Any] = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
    for name, value in vars(builtins).items():
        if isinstance(value, type) and issubclass(value, BaseException):
            safe_builtins[name] = value
    safe_builtins.update(
        {
            "__name__": "__main__",
            "__build_class__": build_class,
            "__import__": guarded_import,
            "vars": guarded_vars,
            "exit": exit,
            "quit": exit,
            "getattr": guarded_getattr,
            "hasattr": guarded_hasattr,
            "setattr": guarded_setattr,
            "delattr": guarded_delattr,
        }
    )
    user_globals.update(
        {
            "__builtins__": safe_builtins,
            "__name__": "__main__",
            "__metaclass__": type,
            "_getattr_": _getattr_,
            "_getitem_": operator.getitem,
            "_getiter_": iter,
            "_write_": _write_,
            "_print_": _PrintCollector,
            "_apply_": _apply_,
            "_unpack_sequence_": _unpack_sequence_,
            "_iter_unpack_sequence_": _iter_unpack_sequence_,
            "_cc_values_": types.SimpleNamespace,
        }
    )
    return user_globals


__all__ = [
    "AttributeRefused",
    "ImportRefused",
    "PolicyViolationError",
    "REFUSALS",
    "SafeFormatter",
    "WriteRefused",
    "make_user_globals",
]
