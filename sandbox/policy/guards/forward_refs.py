"""typing's forward references, checked: typing evaluates annotation strings with eval() and no guards
(get_type_hints, functools.singledispatch's register); each string is checked when it is evaluated.

Process-wide by necessity: the check is a patch of `typing.ForwardRef._evaluate`, installed once per
process by `harden_typing` (idempotent). Inside the box that process is the session's own kernel, so
the patch is the session's; on a host that imports the guards (the tests do), it only refuses
annotation strings that are not plain type expressions, which library code does not write. For the
same reason a refusal here is raised to the code but not logged in a namespace's refusal log: the
patch cannot know whose namespace asked.
"""

from __future__ import annotations

import ast
import typing
from typing import Any

from sandbox.errors import PolicyViolationError
from sandbox.policy.names import DANGEROUS_ATTRIBUTES

_ALLOWED_TYPE_NODES = (
    ast.Expression, ast.Name, ast.Subscript, ast.Constant, ast.Tuple, ast.List, ast.BinOp, ast.BitOr,
    ast.Load, ast.Starred, ast.Call, ast.Attribute,
)  # fmt: skip


def _allowed_type_node(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return not node.id.startswith("__") and (not node.id.startswith("_") or node.id == "_getattr_")
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.BitOr)
    if isinstance(node, ast.Attribute):  # read without the guard: no private names either
        return not node.attr.startswith("_") and node.attr not in DANGEROUS_ATTRIBUTES
    if isinstance(node, ast.Call):
        return (
            isinstance(node.func, ast.Name)
            and node.func.id == "_getattr_"
            and len(node.args) == 2
            and not node.keywords
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and node.args[1].value not in DANGEROUS_ATTRIBUTES
        )
    return isinstance(node, _ALLOWED_TYPE_NODES)


def check_type_expression(arg: str) -> None:
    """A forward reference is evaluated without the guards: allow only what a type can be — names,
    dotted names without dunders, subscripts, `|`, literals, and guarded reads `_getattr_(x, 'name')`
    (what the restricted compiler writes under `from __future__ import annotations`)."""
    try:
        tree = ast.parse(arg, "<annotation>", "eval")
    except SyntaxError:
        return  # typing raises its own SyntaxError
    if not all(_allowed_type_node(node) for node in ast.walk(tree)):
        message = f"the annotation string {arg!r} is not a plain type expression; write it without quotes"
        raise PolicyViolationError("forward-reference", message)


def harden_typing() -> None:
    """Check every forward-reference string typing evaluates, in this process (see the module's docstring)."""
    forward_ref: Any = typing.ForwardRef
    if getattr(forward_ref, "_cc_hardened", False):
        return
    original = forward_ref._evaluate

    def _evaluate(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_type_expression(self.__forward_arg__)
        return original(self, *args, **kwargs)

    forward_ref._evaluate = _evaluate
    forward_ref._cc_hardened = True
