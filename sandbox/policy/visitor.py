"""The checks the static checker (check.py) and the restricted compiler (restrict.py) share.

Both walk the same tree under the same rules; each check lives here once, with its message, and each
visitor only says how a refusal is recorded (`refuse`) and which node types it looks at.
"""

from __future__ import annotations

import ast

from sandbox.policy import Policy
from sandbox.policy.names import FORBIDDEN_CALLS, GENERATED_PREFIX, RUNTIME_NAMES


def located(new: ast.AST, old: ast.AST) -> ast.AST:
    """`new` at `old`'s place in the source (line and column), for the nodes a rewrite makes."""
    ast.copy_location(new, old)
    return ast.fix_missing_locations(new)


def bound_names(tree: ast.AST) -> frozenset[str]:
    """Names a cell binds itself: a user's own function called `input` is not the builtin."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return frozenset(names)


class PolicyChecks:
    """Mixed into both visitors. A subclass sets `policy` and `defined` (see bound_names) and fills in
    `refuse`; every refusal names a rule of sandbox.policy.rules.RULES."""

    policy: Policy
    defined: frozenset[str]

    def refuse(self, node: ast.AST, rule: str, message: str) -> None:
        raise NotImplementedError

    def check_name(self, node: ast.AST, name: str | None, allow_magic_methods: bool = False) -> None:
        """The runtime's guard names and the compiler's generated names are not the code's to use."""
        if name is None:
            return
        if name in RUNTIME_NAMES or name.startswith(GENERATED_PREFIX):
            self.refuse(node, "runtime-name", f"the name '{name}' is reserved for the sandbox runtime; rename it")

    def check_forbidden_name(self, node: ast.Name) -> None:
        """eval, exec, globals, ... read anywhere (called or passed on), unless the cell defines its own."""
        if isinstance(node.ctx, ast.Load) and node.id in FORBIDDEN_CALLS and node.id not in self.defined:
            self.refuse(node, "forbidden-call", f"'{node.id}' is not allowed: {FORBIDDEN_CALLS[node.id]}")

    def attribute_refusal(self, attr: str) -> str | None:
        return self.policy.denied_attribute(attr)

    def check_attribute(self, node: ast.AST, attr: str, what: str = "attribute") -> bool:
        """A dangerous attribute name (`what` says where it appeared); True when it is allowed."""
        reason = self.attribute_refusal(attr)
        if reason:
            self.refuse(node, "dangerous-attribute", f"{what} '{attr}' is not allowed: {reason}")
        return reason is None

    def check_module(self, node: ast.AST, module: str) -> bool:
        """An import of `module`: the allow-list, the facades and the denied submodules."""
        if module == "__future__" or self.policy.importable(module):
            return True
        self.refuse(node, "import", f"import of '{module}' is not allowed: {self.policy.import_refusal(module)}")
        return False

    def check_relative_import(self, node: ast.ImportFrom) -> bool:
        if node.level:
            self.refuse(node, "relative-import", "relative imports are not allowed; import a module by name")
        return not node.level

    def check_module_attribute(self, node: ast.AST, module: str, name: str) -> bool:
        """An attribute the module table refuses on an allowed module (pandas.read_pickle, types.CodeType)."""
        reason = self.policy.module_attribute_refusal(module, name)
        if reason:
            self.refuse(node, "module-attribute", f"'{module}.{name}' is not allowed: {reason}")
        return reason is None
