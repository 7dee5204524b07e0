"""The static checker: reject code early, on the host, with line-level messages a model can act on.

It is not the security boundary (the OS box is); it exists so a model hears *why* at once, before any
code runs. Each rule has a name (the Violation's `rule`), a reason and a message; the visitor has one
method per node type, so what is refused reads like a table.
"""

from __future__ import annotations

import ast
import re

from sandbox.execution import Violation
from sandbox.policy import (
    DANGEROUS_ATTRIBUTES,
    DEFAULT_POLICY,
    DENIED_MODULE_ATTRIBUTES,
    FACADES,
    FORBIDDEN_CALLS,
    NO_ARGUMENT_CALLS,
    RUNTIME_NAMES,
    Policy,
    facade_refusal,
    unsupported_syntax,
)

#: Rule ids and why each exists (shown by docs and tests; the message says the specific case).
RULES: dict[str, str] = {
    "syntax": "the code must parse before anything else can be said about it",
    "import": "modules off the allow-list lead around the guards (processes, native code, frames, pickle)",
    "import-star": "a star import copies a module's names unguarded, modules such as cbook's subprocess among them",
    "relative-import": "there is no package around the cell to import from",
    "module-attribute": "some attributes of allowed modules unpickle, evaluate strings or build code objects",
    "facade": "sys and os are given as facades that hold only their harmless parts",
    "module-internals": "a module's private names lead around the checks (exec helpers, other modules)",
    "module-write": "the guards rely on library modules staying as they are, and so does other code",
    "forbidden-call": "these builtins run code around the checks or expose the runtime's guard functions",
    "dangerous-attribute": "these attributes lead from ordinary objects to globals, code, frames or builtins",
    "runtime-name": "the runtime's guard names may not be read or rebound by user code",
    "unsupported-syntax": "the restricted compiler has no guarded form of this syntax",
}

#: The prefix of names the restricted compiler generates; user code may not use it.
GENERATED_PREFIX = "_cc_"

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


class Checker(ast.NodeVisitor):
    """Walks a parsed cell and collects violations; one `visit_*` method per rule-bearing node."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.violations: list[Violation] = []
        self.module_aliases: dict[str, str] = {}  # local name -> module it names
        self._defined: set[str] | None = None
        self._tree: ast.AST | None = None

    # -- helpers ----------------------------------------------------------------------------------
    def report(self, node: ast.AST, rule: str, message: str) -> None:
        self.violations.append(Violation(getattr(node, "lineno", 1), getattr(node, "col_offset", 0), rule, message))

    def allowed_list(self) -> str:
        return self.policy.allowed_list()

    def defined_names(self) -> set[str]:
        """Names the cell binds itself (a user's own `input` function is not the builtin)."""
        if self._defined is None:
            names: set[str] = set()
            for node in ast.walk(self._tree) if self._tree is not None else ():
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, ast.arg):
                    names.add(node.arg)
            self._defined = names
        return self._defined

    def check_identifier(self, node: ast.AST, name: str | None) -> None:
        if name is None:
            return
        if name in RUNTIME_NAMES or name.startswith(GENERATED_PREFIX):
            self.report(node, "runtime-name", f"the name '{name}' is reserved for the sandbox runtime; rename it")

    def check_module(self, node: ast.AST, module: str) -> bool:
        if module != "__future__" and not self.policy.importable(module):
            self.report(node, "import", f"import of '{module}' is not allowed: {self.policy.import_refusal(module)}")
            return False
        return True

    def check_module_attribute(self, node: ast.AST, module: str, name: str) -> None:
        reason = DENIED_MODULE_ATTRIBUTES.get(module, {}).get(name)
        if module in FACADES:
            if name not in FACADES[module]:
                reason = facade_refusal(module, name)
                message = f"'{module}.{name}' is not available in the sandbox: {reason}; dir({module}) lists what is"
                self.report(node, "facade", message)
        elif reason:
            self.report(node, "module-attribute", f"'{module}.{name}' is not allowed: {reason}")
        elif name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
            self.report(
                node,
                "module-internals",
                f"'{module}.{name}' is a private internal of '{module}'; use its public API",
            )
        elif not self.policy.module_allowed(f"{module}.{name}"):
            self.check_module(node, f"{module}.{name}")

    # -- imports ----------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if self.check_module(node, alias.name):
                local = alias.asname or alias.name.split(".", 1)[0]
                self.module_aliases[local] = alias.name if alias.asname else local
            self.check_identifier(node, alias.asname)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self.report(node, "relative-import", "relative imports are not allowed; import a module by name")
            return
        module = node.module or ""
        if module == "__future__" or not self.check_module(node, module):
            return
        for alias in node.names:
            if alias.name == "*":
                self.report(node, "import-star", f"'from {module} import *' is not allowed; import the names you use")
                continue
            self.check_module_attribute(node, module, alias.name)
            reason = self.policy.denied_attribute(alias.name)
            if reason:
                self.report(node, "dangerous-attribute", f"importing '{alias.name}' is not allowed: {reason}")
            self.check_identifier(node, alias.asname or alias.name)

    # -- names and attributes ---------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        self.check_identifier(node, node.id)
        if isinstance(node.ctx, ast.Load) and node.id in FORBIDDEN_CALLS and node.id not in self.defined_names():
            self.report(node, "forbidden-call", f"'{node.id}' is not allowed: {FORBIDDEN_CALLS[node.id]}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        reason = self.policy.denied_attribute(node.attr)
        if reason:
            self.report(node, "dangerous-attribute", f"attribute '{node.attr}' is not allowed: {reason}")
        elif isinstance(node.value, ast.Name) and node.value.id in self.module_aliases:
            module = self.module_aliases[node.value.id]
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                self.report(node, "module-write", f"'{module}' may not be modified; keep your own variables")
            else:
                self.check_module_attribute(node, module, node.attr)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        """Strings that name dangerous attributes feed getattr, attrgetter, str.format, pandas.eval."""
        value = node.value
        if isinstance(value, str) and "_" in value:
            for word in _WORD.findall(value):
                if _string_is_dangerous(word) and self.policy.denied_attribute(word) and _names_attribute(value, word):
                    self.report(
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
            and func.id not in self.defined_names()
        ):
            self.report(node, "forbidden-call", f"'{func.id}()' is not allowed: {NO_ARGUMENT_CALLS[func.id]}")
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
                self.report(node, "dangerous-attribute", f"{func.id}(..., '{name}') is not allowed: {reason}")
        self.generic_visit(node)

    # -- definitions ------------------------------------------------------------------------------
    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if not isinstance(node, ast.Lambda):
            self.check_identifier(node, node.name)
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                self.check_identifier(arg, arg.arg)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._visit_function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.check_identifier(node, node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            self.check_identifier(node, name)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        for name in node.names:
            self.check_identifier(node, name)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self.check_identifier(node, node.name)
        self.generic_visit(node)

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for attr in node.kwd_attrs:
            reason = self.policy.denied_attribute(attr)
            if reason:
                self.report(node, "dangerous-attribute", f"pattern attribute '{attr}' is not allowed: {reason}")
        self.generic_visit(node)

    # -- syntax the restricted compiler refuses (policy.UNSUPPORTED_SYNTAX) ---------------------------
    def visit(self, node: ast.AST) -> None:
        message = unsupported_syntax(node)
        if message:
            self.report(node, "unsupported-syntax", message)
        super().visit(node)


def check(code: str, policy: Policy = DEFAULT_POLICY) -> list[Violation]:
    """The policy violations in `code`, in source order; [] when the checker is switched off."""
    if not policy.check:
        return []
    try:
        tree = ast.parse(code, "<cell>", "exec")
    except SyntaxError as err:
        return [Violation(err.lineno or 1, max((err.offset or 1) - 1, 0), "syntax", f"syntax error: {err.msg}")]
    checker = Checker(policy)
    checker._tree = tree
    checker.visit(tree)
    checker.violations.sort(key=lambda v: (v.line, v.col))
    return checker.violations
