"""The one rule table: every rule id a layer of the policy names when it refuses, and why the rule exists.

The static checker and the restricted compiler report a `Violation` naming one of these; the run-time
guards raise a `PolicyViolationError` (sandbox.errors) naming one. tests/test_rules.py checks that every
rule id any layer emits is here, and that every rule here is emitted somewhere. The message of a refusal
says the specific case; the reason here says why the rule exists at all.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Rule id -> why the rule exists.
RULES: dict[str, str] = {
    "syntax": "the code must parse before anything else can be said about it",
    "unsupported-syntax": "the restricted compiler has no guarded form of this syntax",
    "restricted": "RestrictedPython's own transformer refused a construct it cannot guard",
    "import": "modules off the allow-list lead around the guards (processes, native code, frames, pickle)",
    "import-star": "a star import copies a module's names unguarded, modules such as cbook's subprocess among them",
    "relative-import": "there is no package around the cell to import from",
    "module": "a module off the allow-list reached as an attribute is as dangerous as one imported",
    "module-attribute": "some attributes of allowed modules unpickle, evaluate strings or build code objects",
    "facade": "sys and os are given as facades that hold only their harmless parts",
    "module-internals": "a module's private names lead around the checks (exec helpers, other modules)",
    "module-write": "the guards rely on library modules staying as they are, and so does other code",
    "write": "the guards rely on library modules, classes and functions staying as they are (no monkeypatching)",
    "forbidden-call": "these builtins run code around the checks or expose the runtime's guard functions",
    "dangerous-attribute": "these attributes lead from ordinary objects to globals, code, frames or builtins",
    "match-args": "a class's __match_args__ makes `case C(x)` read attributes without the guard",
    "forward-reference": "typing evaluates annotation strings without the guards",
    "runtime-name": "the runtime's guard names may not be read or rebound by user code",
}


@dataclass
class Violation:
    """A policy refusal at a place in the user's code; `rule` names the rule (a key of RULES)."""

    line: int
    col: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
