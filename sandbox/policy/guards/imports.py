"""The import guard (`__import__` for restricted code) and the `sys` / `os` facades it hands out.

Only allow-listed modules; `from m import x` hands out x through the attribute guard. The standard
library's own lazy imports use the real builtins and are unaffected.
"""

from __future__ import annotations

import builtins
import importlib
import os
import sys
import types
from typing import Any

from sandbox.errors import AttributeRefused, ImportRefused, PolicyViolationError
from sandbox.policy.guards.attributes import guarded_getattr
from sandbox.policy.guards.state import GuardState, refuse
from sandbox.policy.modules import FACADES, facade_message

_real_import = builtins.__import__


def make_facade(state: GuardState, name: str, overrides: dict[str, Any]) -> Any:
    """An object that stands in for module `name`: its allowed attributes (FACADES[name]) are read from
    the real module when asked (so sys.stdout is the current one); the real module is held in a
    closure, out of reach."""
    module, allowed = importlib.import_module(name), FACADES[name]
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
        raise refuse(state, AttributeRefused, "facade", facade_message(name, attribute))

    namespace = {
        "__getattr__": __getattr__,
        "__repr__": lambda self: f"<module '{name}' (sandbox facade)>",
        "__dir__": lambda self: sorted(allowed),
        "__slots__": (),
    }
    return type("module", (), namespace)()


def facade(state: GuardState, name: str) -> Any:
    """The namespace's stand-in for module `name` (one per name, made on first use)."""
    if name not in state.facades:
        overrides = {"path": facade(state, "os.path")} if name == "os" else {}
        state.facades[name] = make_facade(state, name, overrides)
    return state.facades[name]


def facade_import(state: GuardState, name: str, fromlist: Any) -> Any:
    if not fromlist:
        return facade(state, name.split(".", 1)[0])  # `import os.path` binds `os`
    picked = types.SimpleNamespace(__name__=name)
    for item in fromlist:
        if item == "*":
            raise refuse(state, ImportRefused, "import-star", f"'from {name} import *' is not allowed")
        try:
            setattr(picked, item, getattr(facade(state, name), item))
        except AttributeError:
            raise ImportError(f"cannot import name {item!r} from {name!r} (sandbox facade)") from None
    return picked


def import_guard(
    state: GuardState, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> Any:
    """`__import__` for restricted code: the allow-list, the facades, and `from m import x` through the
    attribute guard."""
    if level:
        raise refuse(state, ImportRefused, "relative-import", "relative imports are not allowed")
    if type(fromlist) is list:
        # The interpreter's own C-level imports (datetime.strptime -> _strptime, copyreg, ...)
        # look up __import__ in the calling frame's builtins and pass a list; the import
        # statement passes None or a tuple. The module goes back to C code, not to the user.
        return _real_import(name, globals, locals, fromlist, level)
    if name in FACADES:
        return facade_import(state, name, fromlist)
    policy = state.policy
    if name != "__future__" and not policy.module_allowed(name):
        message = f"import of '{name}' is not allowed: {policy.import_refusal(name)}"
        raise refuse(state, ImportRefused, "import", message)
    module = _real_import(name, globals, locals, fromlist, 0)
    if not fromlist or name == "__future__":
        return module
    picked = types.SimpleNamespace(__name__=module.__name__)
    for item in fromlist:
        if item == "*":
            raise refuse(state, ImportRefused, "import-star", f"'from {name} import *' is not allowed")
        try:
            value = guarded_getattr(state, module, item)
        except PolicyViolationError as err:
            raise refuse(state, ImportRefused, err.rule, str(err.args[0]).split(" [policy rule")[0]) from None
        except AttributeError:
            raise ImportError(f"cannot import name {item!r} from {name!r}") from None
        setattr(picked, item, value)
    return picked
