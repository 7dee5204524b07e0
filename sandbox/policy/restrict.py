"""The restricted compiler: RestrictedPython's transformer, loosened so ordinary Python keeps working.

Runs inside the sandbox (imports only the standard library, RestrictedPython and sandbox.policy /
sandbox.execution). Stock RestrictedPython refuses every name starting with "_", annotated assignments,
`match`, `nonlocal` and augmented assignment on attributes and items; a model's ordinary programs use all
of them. Here the refusals are narrowed to what leads somewhere dangerous: the runtime's guard names, the
dangerous attribute table, imports outside the allow-list, and syntax the guards cannot cover (async,
`except*`). Attribute loads still go through `_getattr_`, attribute/item stores through `_write_`,
iteration through `_getiter_`; guards.py supplies those. Every rewrite keeps what CPython does with
the same code (order of evaluation, values evaluated once, private-name mangling, annotation text);
tests/test_rewrites.py compares each with plain CPython.
"""

from __future__ import annotations

import ast
import copy
import types
from dataclasses import dataclass

from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer

from sandbox.errors import PolicyRejected
from sandbox.policy import Policy
from sandbox.policy.match import MatchRewrites
from sandbox.policy.names import GENERATED_PREFIX, unsupported_syntax
from sandbox.policy.rules import Violation
from sandbox.policy.visitor import PolicyChecks, bound_names, located

__all__ = ["CompiledCell", "CellTransformer", "PolicyRejected", "compile_cell"]


@dataclass
class CompiledCell:
    """A cell ready to run: `body` (exec mode) and `last`, the eval-mode code of a trailing expression
    statement (so the runtime can show its value like IPython), or None."""

    body: types.CodeType
    last: types.CodeType | None


class CellTransformer(MatchRewrites, PolicyChecks, RestrictingNodeTransformer):
    """RestrictedPython's transformer with codecall's rules; each refusal is a named Violation."""

    def __init__(self, policy: Policy, defined: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.policy = policy
        self.defined = defined  # names the cell binds itself (its own `input` is not the builtin)
        self.violations: list[Violation] = []
        self._match_values: list[tuple[str, list[ast.keyword]]] = []
        self._class_name: str | None = None  # the innermost enclosing class: private names mangle with it
        self._future_annotations = False  # `from __future__ import annotations`: annotations stay text

    # -- reporting --------------------------------------------------------------------------------
    def refuse(self, node: ast.AST, rule: str, message: str) -> None:
        line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        self.violations.append(Violation(line, col, rule, message))
        self.errors.append(f"Line {line}: {message}")

    def error(self, node: ast.AST, info: str) -> None:
        """RestrictedPython's own refusals (unknown node types, star imports); its exec/eval refusal
        repeats visit_Name's 'forbidden-call'."""
        if info not in ("Exec calls are not allowed.", "Eval calls are not allowed."):
            self.refuse(node, "restricted", info)

    def gen_tmp_name(self) -> str:
        """Temporaries get the reserved prefix, so they cannot collide with user names."""
        name = f"{GENERATED_PREFIX}tmp{self._tmp_idx}"
        self._tmp_idx += 1
        return name

    # -- names: only the runtime's own names are refused (user dunders and _private names are fine) --
    def visit_Name(self, node: ast.Name) -> ast.AST:
        """`print` stays the plain builtin (it writes to the current sys.stdout from anywhere)."""
        self.check_forbidden_name(node)
        self.check_name(node, node.id)
        return node

    def attribute_refusal(self, attr: str) -> str | None:
        """The policy's dangerous attributes, and RestrictedPython's own list of interpreter internals."""
        reason = self.policy.denied_attribute(attr)
        if reason is None and attr in INSPECT_ATTRIBUTES:
            reason = "interpreter internals"
        return reason

    def mangle(self, attr: str) -> str:
        """`self.__x` inside class C reads `_C__x`: CPython mangles private names when it compiles, but
        not the string handed to `_getattr_`, so that string is mangled here."""
        owner = (self._class_name or "").lstrip("_")
        if not owner or not attr.startswith("__") or attr.endswith("__"):
            return attr
        return f"_{owner}{attr}"

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        """`a.b` -> `_getattr_(a, 'b')`; `a.b = v` / `del a.b` -> `_write_(a).b`."""
        attr = self.mangle(node.attr)
        self.check_attribute(node, attr)
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Load):
            return located(ast.Call(ast.Name("_getattr_", ast.Load()), [node.value, ast.Constant(attr)], []), node)
        node.value = located(ast.Call(ast.Name("_write_", ast.Load()), [node.value], []), node.value)
        return node

    # -- imports: the allow-list, statically, so the message comes before anything runs -------------
    def visit_Import(self, node: ast.Import) -> ast.AST:
        for alias in node.names:
            self.check_module(node, alias.name)
        return self.check_import_names(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.check_relative_import(node)
        module = node.module or ""
        self.check_module(node, module)
        for alias in node.names:
            self.check_attribute(node, alias.name)
            self.check_module_attribute(node, module, alias.name)
        return self.check_import_names(node)

    # -- statements stock RestrictedPython refuses but ordinary code needs -------------------------
    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        """`x += 1` stays native (safe, and loops stay fast); `a.b += 1` / `a[i] += 1` write through
        `_write_(a)` like a plain store."""
        return self.node_contents_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        """Annotated assignments: every dataclass and NamedTuple has them."""
        return self.keep_annotation(node, "annotation")

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return self.keep_annotation(node, "annotation")

    def keep_annotation(self, node: ast.AST, field: str) -> ast.AST:
        """Under `from __future__ import annotations` an annotation never runs: Python keeps its source
        text. It is checked like any code but kept as written, so `__annotations__` and dataclass fields
        read `datetime.date`, not `_getattr_(datetime, 'date')`."""
        written = copy.deepcopy(getattr(node, field)) if self._future_annotations else None
        node = self.node_contents_visit(node)
        if written is not None:
            setattr(node, field, written)
        return node

    def visit_Nonlocal(self, node: ast.Nonlocal) -> ast.AST:
        """`nonlocal` only rebinds a closure's own variables."""
        for name in node.names:
            self.check_name(node, name)
        return node

    def visit_Global(self, node: ast.Global) -> ast.AST:
        for name in node.names:
            self.check_name(node, name)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST | list[ast.AST]:
        """A class's `__match_args__` makes `case C(x)` read attributes without the guard: only plain,
        allowed names may be listed.

        Tuple targets unpack through `_unpack_sequence_`. With several targets (`a, b = c = f()`)
        Python evaluates the value once and assigns the targets left to right; stock RestrictedPython
        copies the value into one statement per target, in reverse order. Here the value goes to a
        temporary first: `tmp = f()`, then `a, b = _unpack_sequence_(tmp, ...)`, `c = tmp`, `del tmp`."""
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == "__match_args__":
                items = node.value.elts if isinstance(node.value, (ast.Tuple, ast.List)) else None
                if items is None or not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in items):
                    self.refuse(node, "match-args", "__match_args__ must be a literal tuple of attribute names")
                else:
                    for item in items:
                        self.check_attribute(node, item.value)  # type: ignore[attr-defined]
        node = self.node_contents_visit(node)
        if not any(isinstance(target, ast.Tuple) for target in node.targets):
            return node
        if len(node.targets) == 1:
            return located(ast.Assign(node.targets, self.unpacked(node.targets[0], node.value)), node)
        tmp = self.gen_tmp_name()
        assigns: list[ast.stmt] = [
            ast.Assign([target], self.unpacked(target, ast.Name(tmp, ast.Load()))) for target in node.targets
        ]
        keep = ast.Assign([ast.Name(tmp, ast.Store())], node.value)
        return [located(keep, node), located(ast.Try(assigns, [], [], [self.gen_del_stmt(tmp)]), node)]

    def unpacked(self, target: ast.expr, value: ast.expr) -> ast.expr:
        return self.protect_unpack_sequence(target, value) if isinstance(target, ast.Tuple) else value

    def visit_List(self, node: ast.List) -> ast.AST:
        """A list target (`[a, b] = v`, `for [a, b] in v`) unpacks exactly like a tuple target: made
        one, it gets the same unpacking guard."""
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Store):
            return located(ast.Tuple(node.elts, ast.Store()), node)
        return node

    def visit_With(self, node: ast.With) -> ast.AST:
        """`with A() as (a, b), B(a) as c:` enters B after (a, b) is bound, as Python does (stock
        RestrictedPython unpacks every tuple target at the top of the body, after all items are
        entered). An item with a tuple target takes a temporary and ends its own `with`, whose body
        unpacks it (guarded) and then holds the items after it."""
        node = self.node_contents_visit(node)
        body, items = node.body, []
        for item in reversed(node.items):
            if isinstance(item.optional_vars, ast.Tuple):
                if items:
                    body = [located(ast.With(items, body), node)]
                item.optional_vars, unpack = self.gen_unpack_wrapper(node, item.optional_vars)
                body, items = [unpack, *body], []
            items.insert(0, item)
        node.items, node.body = items, body
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        """Calls stay native, `*args` and `**kwargs` too: stock RestrictedPython sends those through
        `_apply_(func, *args, **kwargs)`, which here would only forward them, and whose own `func`
        parameter collides with a keyword of that name (`f(func=g, **options)`)."""
        return self.node_contents_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        """No per-function print collector: print is the builtin."""
        self.check_name(node, node.name)
        self.check_function_argument_names(node)
        return self.keep_annotation(node, "returns")

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        """Classes keep their own metaclass (Enum, ABC, NamedTuple need theirs); the runtime records
        user classes through its `__build_class__`, which `_write_` consults. Private names in the body
        mangle with this class's name; bases, keywords and decorators belong to the enclosing scope."""
        self.check_name(node, node.name)
        body, node.body = node.body, []
        node = self.node_contents_visit(node)
        outer, self._class_name = self._class_name, node.name
        node.body = self.node_contents_visit(ast.Module(body, [])).body  # a statement may become several
        self._class_name = outer
        return node

    def visit_Module(self, node: ast.Module) -> ast.AST:
        self._future_annotations = any(
            alias.name == "annotations"
            for stmt in node.body
            if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
            for alias in stmt.names
        )
        return self.node_contents_visit(node)

    # -- syntax the guards cannot cover (policy.UNSUPPORTED_SYNTAX): refused with a hint -------------
    def visit(self, node: ast.AST) -> ast.AST:
        message = unsupported_syntax(node)
        if message:
            self.refuse(node, "unsupported-syntax", message)
            return node
        return super().visit(node)


def _split(code: str, filename: str) -> tuple[ast.Module, ast.Expression | None]:
    try:
        tree = ast.parse(code, filename, "exec")
    except SyntaxError as err:
        line, col = err.lineno or 1, max((err.offset or 1) - 1, 0)
        raise PolicyRejected([Violation(line, col, "syntax", f"syntax error: {err.msg}")]) from None
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    return tree, last


def compile_cell(code: str, policy: Policy, filename: str = "<cell>") -> CompiledCell:
    """Compile a cell under `policy`; raises PolicyRejected (syntax errors too, rule "syntax").
    Code objects carry the user's own line numbers."""
    tree, last = _split(code, filename)
    if policy.restrict:
        transformer = CellTransformer(policy, bound_names(tree))
        tree = transformer.visit(tree)
        if last is not None:
            last = transformer.visit(last)
        if transformer.violations:
            raise PolicyRejected(sorted(transformer.violations, key=lambda v: (v.line, v.col)))
    try:
        body = compile(tree, filename, "exec", dont_inherit=True)
        last_code = compile(last, filename, "eval", dont_inherit=True) if last is not None else None
    except SyntaxError as err:  # e.g. 'return' outside function: found by the compiler, not the parser
        line, col = err.lineno or 1, max((err.offset or 1) - 1, 0)
        raise PolicyRejected([Violation(line, col, "syntax", f"syntax error: {err.msg}")]) from None
    return CompiledCell(body, last_code)
