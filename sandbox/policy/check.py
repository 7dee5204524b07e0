"""The static checker: reject code early, on the host, with line-level messages a model can act on.

It is not the security boundary (the OS box is); it exists so a model hears *why* at once, before any
code runs. Each rule has a name (the Violation's `rule`), a reason and a message; the visitor has one
method per node type, so what is refused reads like a table.
"""

from __future__ import annotations

import ast
import functools
import re

from sandbox.policy import DEFAULT_POLICY, Policy
from sandbox.policy.modules import FACADES, facade_message, internals_message, is_internal
from sandbox.policy.names import DANGEROUS_ATTRIBUTES, NO_ARGUMENT_CALLS, unsupported_syntax
from sandbox.policy.rules import Violation
from sandbox.policy.visitor import PolicyChecks, bound_names

__all__ = ["Checker", "check"]

_BUILTIN_ATTRIBUTE_FUNCS = frozenset({"getattr", "setattr", "hasattr", "delattr"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


#: A dangerous name used the way code uses an attribute name: the whole string, or next to '.', a
#: format field's braces or brackets, or a call's parenthesis. Prose that mentions one is left alone.
_CODE_LIKE = r"(?:^|[.{{\[!:]){name}(?:$|[.}}\[\]()!:])"


def _string_is_dangerous(name: str) -> bool:
    """A dangerous attribute name that has no innocent use as a word."""
    return name in DANGEROUS_ATTRIBUTES and "_" in name


def _names_attribute(text: str, name: str) -> bool:
    """True when `text` uses `name` as code would (getattr's argument, a format field, an expression)."""
    return re.search(_CODE_LIKE.format(name=re.escape(name)), text.strip()) is not None


class Checker(PolicyChecks, ast.NodeVisitor):
    """Walks a parsed cell and collects violations; one `visit_*` method per rule-bearing node."""

    def __init__(self, policy: Policy, tree: ast.AST) -> None:
        self.policy = policy
        self.tree = tree
        self.violations: list[Violation] = []
        self.module_aliases: dict[str, str] = {}  # local name -> module it names

    @functools.cached_property
    def defined(self) -> frozenset[str]:
        """Names the cell binds itself (its own `input` is not the builtin); found only when a check
        needs them, which most cells never do."""
        return bound_names(self.tree)

    def refuse(self, node: ast.AST, rule: str, message: str) -> None:
        self.violations.append(Violation(getattr(node, "lineno", 1), getattr(node, "col_offset", 0), rule, message))

    def check_module_attribute(self, node: ast.AST, module: str, name: str) -> bool:
        """An attribute of an imported module: the facades, the module table, private internals, and
        submodules that are themselves refused."""
        if module in FACADES:
            if name not in FACADES[module]:
                self.refuse(node, "facade", facade_message(module, name))
                return False
        elif not super().check_module_attribute(node, module, name):
            return False
        elif is_internal(name):
            self.refuse(node, "module-internals", internals_message(module, name))
            return False
        elif not self.policy.module_allowed(f"{module}.{name}"):
            return self.check_module(node, f"{module}.{name}")
        return True

    # -- imports ----------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if self.check_module(node, alias.name):
                local = alias.asname or alias.name.split(".", 1)[0]
                self.module_aliases[local] = alias.name if alias.asname else local
            self.check_name(node, alias.asname)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not self.check_relative_import(node):
            return
        module = node.module or ""
        if module == "__future__" or not self.check_module(node, module):
            return
        for alias in node.names:
            if alias.name == "*":
                self.refuse(node, "import-star", f"'from {module} import *' is not allowed; import the names you use")
                continue
            self.check_module_attribute(node, module, alias.name)
            self.check_attribute(node, alias.name, "importing")
            self.check_name(node, alias.asname or alias.name)

    # -- names and attributes ---------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        self.check_name(node, node.id)
        self.check_forbidden_name(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        module = self.module_aliases.get(node.value.id) if isinstance(node.value, ast.Name) else None
        if self.check_attribute(node, node.attr) and module is not None:
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                self.refuse(node, "module-write", f"'{module}' may not be modified; keep your own variables")
            else:
                self.check_module_attribute(node, module, node.attr)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        """Strings that name dangerous attributes feed getattr, attrgetter, str.format, pandas.eval."""
        value = node.value
        if isinstance(value, str) and "_" in value:
            for word in _WORD.findall(value):
                if _string_is_dangerous(word) and self.policy.denied_attribute(word) and _names_attribute(value, word):
                    self.refuse(
                        node,
                        "dangerous-attribute",
                        f"the string names attribute '{word}', which is not allowed: "
                        f"{self.policy.denied_attribute(word)}",
                    )
                    break

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Name)
            and func.id in NO_ARGUMENT_CALLS
            and not node.args
            and not node.keywords
            and func.id not in self.defined
        ):
            self.refuse(node, "forbidden-call", f"'{func.id}()' is not allowed: {NO_ARGUMENT_CALLS[func.id]}")
        if (
            isinstance(func, ast.Name)
            and func.id in _BUILTIN_ATTRIBUTE_FUNCS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            name = node.args[1].value
            reason = self.policy.denied_attribute(name)
            if reason and not _string_is_dangerous(name):  # visit_Constant reports the others
                self.refuse(node, "dangerous-attribute", f"{func.id}(..., '{name}') is not allowed: {reason}")
        self.generic_visit(node)

    # -- definitions ------------------------------------------------------------------------------
    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if not isinstance(node, ast.Lambda):
            self.check_name(node, node.name)
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                self.check_name(arg, arg.arg)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._visit_function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.check_name(node, node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            self.check_name(node, name)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        for name in node.names:
            self.check_name(node, name)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self.check_name(node, node.name)
        self.generic_visit(node)

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for attr in node.kwd_attrs:
            self.check_attribute(node, attr, "pattern attribute")
        self.generic_visit(node)

    # -- syntax the restricted compiler refuses (policy.UNSUPPORTED_SYNTAX) ---------------------------
    def visit(self, node: ast.AST) -> None:
        message = unsupported_syntax(node)
        if message:
            self.refuse(node, "unsupported-syntax", message)
        super().visit(node)


def check(code: str, policy: Policy = DEFAULT_POLICY) -> list[Violation]:
    """The policy violations in `code`, in source order; [] when the checker is switched off."""
    if not policy.check:
        return []
    try:
        tree = ast.parse(code, "<cell>", "exec")
    except SyntaxError as err:
        return [Violation(err.lineno or 1, max((err.offset or 1) - 1, 0), "syntax", f"syntax error: {err.msg}")]
    checker = Checker(policy, tree)
    checker.visit(tree)
    checker.violations.sort(key=lambda v: (v.line, v.col))
    return checker.violations
