"""The run-time guards restricted code calls, in the style of RestrictedPython's Guards.py: each a
module-level function with its own test, taking its namespace's state explicitly.

    state.py         GuardState (policy, refusal log, caches) and `refuse`, which logs a refusal
    attributes.py    `_getattr_` and getattr / hasattr / setattr / delattr / vars
    writes.py        `_write_`: no writes to modules, library classes or library functions
    imports.py       `__import__`: the allow-list, and the `sys` / `os` facades
    safe.py          str.format, string.Formatter, operator.attrgetter / methodcaller, guarded
    wrappers.py      pandas.eval / DataFrame.query and numpy.load, checked
    forward_refs.py  typing's forward-reference strings, checked when evaluated
    namespace.py     make_user_globals: the curated builtins plus the guards, bound to one state

The restricted compiler (restrict.py) routes every attribute load through `_getattr_`, every attribute
or item store through `_write_`; these decide. The guards stop early and explain; the OS box is the
boundary. Standard library only (this package runs inside the box).
"""

from __future__ import annotations

from sandbox.policy.guards.namespace import SAFE_BUILTIN_NAMES, make_user_globals
from sandbox.policy.guards.safe import SafeFormatter
from sandbox.policy.guards.state import GuardState

__all__ = ["SAFE_BUILTIN_NAMES", "GuardState", "SafeFormatter", "make_user_globals"]
