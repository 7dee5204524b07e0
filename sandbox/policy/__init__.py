"""What code may do: the policy, its tables and the layers that apply it (standard library and
RestrictedPython only; this package runs inside the box as well as on the host).

    rules.py     the one rule table (rule id -> reason) every layer's refusals name, and Violation
    modules.py   what may be imported: the allow-list, refused modules and module attributes, facades
    names.py     what code may name: dangerous attributes, forbidden builtins, syntax, reserved names
    visitor.py   the checks the static checker and the restricted compiler share
    check.py     the static checker (on the host, before anything runs)
    restrict.py  the restricted compiler (RestrictedPython's transformer, loosened; in the box)
    guards/      the run-time guards the compiled code calls, and the namespace it runs in

`Policy` (below) is what a session chooses: which modules, whether each layer runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.policy.modules import (
    DEFAULT_IMPORTS,
    DENIED_MODULE_ATTRIBUTES,
    DENIED_MODULES,
    FACADE_DEFAULT_REFUSAL,
    FACADE_REFUSALS,
    FACADES,
    NOT_IMPORTABLE,
    denied_module,
    facade_refusal,
)
from sandbox.policy.names import (
    DANGEROUS_ATTRIBUTES,
    FORBIDDEN_CALLS,
    GENERATED_PREFIX,
    NO_ARGUMENT_CALLS,
    RUNTIME_NAMES,
    UNSUPPORTED_SYNTAX,
    unsupported_syntax,
)


@dataclass(frozen=True)
class Policy:
    """What a session's code may do. The box (the OS sandbox) holds whatever this says; these layers
    reject early, with messages a model can act on.

    `check` runs the static checker on the host; `restrict` compiles with RestrictedPython and the
    guards inside the sandbox. `Policy.off()` turns both off, to show the box alone holds.
    """

    allowed_imports: frozenset[str] = DEFAULT_IMPORTS
    check: bool = True
    restrict: bool = True
    extra_denied_attributes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def off(cls) -> Policy:
        """No policy layers at all: plain CPython inside the box."""
        return cls(check=False, restrict=False)

    def module_allowed(self, name: str) -> bool:
        """True when `name` (dotted) may be imported or handed out as an attribute."""
        return name.split(".", 1)[0] in self.allowed_imports and denied_module(name) is None

    def import_refusal(self, name: str) -> str:
        """Why importing `name` (dotted) is refused, with what to use instead where there is one."""
        reason = denied_module(name)
        if reason:
            return reason
        top = name.split(".", 1)[0]
        if top in NOT_IMPORTABLE and top not in self.allowed_imports:
            return NOT_IMPORTABLE[top]
        return "it is not on the allow-list (allowed: " + self.allowed_list() + ")"

    def allowed_list(self) -> str:
        """The importable modules, for messages."""
        return ", ".join(sorted(self.allowed_imports | FACADES.keys()))

    def importable(self, name: str) -> bool:
        """True when an import statement may name `name`: an allowed module or a facade."""
        return name in FACADES or self.module_allowed(name)

    def module_attribute_refusal(self, module: str, name: str) -> str | None:
        """Why attribute `name` of the allowed module `module` is refused (DENIED_MODULE_ATTRIBUTES), or None."""
        return DENIED_MODULE_ATTRIBUTES.get(module, {}).get(name)

    def denied_attribute(self, name: str) -> str | None:
        """The reason attribute `name` is refused, or None when it is allowed."""
        if name in self.extra_denied_attributes:
            return "refused by this session's policy"
        return DANGEROUS_ATTRIBUTES.get(name)

    def to_json(self) -> dict:
        return {
            "allowed_imports": sorted(self.allowed_imports),
            "check": self.check,
            "restrict": self.restrict,
            "extra_denied_attributes": sorted(self.extra_denied_attributes),
        }

    @classmethod
    def from_json(cls, data: dict) -> Policy:
        return cls(
            allowed_imports=frozenset(data["allowed_imports"]),
            check=data["check"],
            restrict=data["restrict"],
            extra_denied_attributes=frozenset(data.get("extra_denied_attributes", ())),
        )


DEFAULT_POLICY = Policy()


__all__ = [
    "DANGEROUS_ATTRIBUTES", "DEFAULT_IMPORTS", "DEFAULT_POLICY", "DENIED_MODULES", "DENIED_MODULE_ATTRIBUTES",
    "FACADES", "FACADE_DEFAULT_REFUSAL", "FACADE_REFUSALS", "FORBIDDEN_CALLS", "GENERATED_PREFIX",
    "NOT_IMPORTABLE", "NO_ARGUMENT_CALLS", "Policy", "RUNTIME_NAMES", "UNSUPPORTED_SYNTAX", "facade_refusal",
    "unsupported_syntax",
]  # fmt: skip
