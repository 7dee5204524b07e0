"""The restricted compiler's rewrites of `match` statements (mixed into restrict.CellTransformer).

Patterns read attributes natively: `case Color.RED:` looks up a dotted name without `_getattr_`, and
`case C(x=...)` reads attributes of the subject. Value lookups are hoisted and guarded; pattern
attribute names are checked against the policy.
"""

from __future__ import annotations

import ast

from sandbox.policy.names import MATCH_VALUES
from sandbox.policy.visitor import located


class MatchRewrites:
    """visit_Match and the pattern visitors; the transformer supplies gen_tmp_name, gen_del_stmt,
    node_contents_visit, check_name and check_attribute, and `_match_values` (a stack)."""

    _match_values: list[tuple[str, list[ast.keyword]]]

    # -- match: patterns read attributes natively, so value lookups are hoisted and guarded ---------
    def visit_Match(self, node: ast.Match) -> ast.AST | list[ast.AST]:
        """`case Color.RED:` compares the subject with a dotted name that Python looks up without
        `_getattr_`, and the subject's `__eq__` would receive it; such dotted names are evaluated
        through the guard once, before matching, into a namespace the patterns then read."""
        namespace = self.gen_tmp_name()
        self._match_values.append((namespace, []))
        node = self.node_contents_visit(node)
        _, values = self._match_values.pop()
        if not values:
            return node
        build = ast.Assign(
            targets=[ast.Name(namespace, ast.Store())],
            value=ast.Call(ast.Name(MATCH_VALUES, ast.Load()), [], values),
        )
        cleanup = ast.Try([node], [], [], [self.gen_del_stmt(namespace)])
        return [located(build, node), located(cleanup, node)]

    def _guarded_value(self, expr: ast.expr) -> ast.expr:
        if not isinstance(expr, ast.Attribute):
            return self.visit(expr)
        namespace, values = self._match_values[-1]
        key = f"v{len(values)}"
        values.append(ast.keyword(arg=key, value=self.visit(expr)))
        return located(ast.Attribute(ast.Name(namespace, ast.Load()), key, ast.Load()), expr)

    def visit_match_case(self, node: ast.match_case) -> ast.AST:
        return self.node_contents_visit(node)

    def visit_MatchValue(self, node: ast.MatchValue) -> ast.AST:
        node.value = self._guarded_value(node.value)
        return node

    def visit_MatchSingleton(self, node: ast.MatchSingleton) -> ast.AST:
        return node

    def visit_MatchSequence(self, node: ast.MatchSequence) -> ast.AST:
        return self.node_contents_visit(node)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> ast.AST:
        node.keys = [self._guarded_value(k) for k in node.keys]
        node.patterns = [self.visit(p) for p in node.patterns]
        self.check_name(node, node.rest)
        return node

    def visit_MatchClass(self, node: ast.MatchClass) -> ast.AST:
        node.cls = self._guarded_value(node.cls)
        for attr in node.kwd_attrs:
            self.check_attribute(node, attr)
        node.patterns = [self.visit(p) for p in node.patterns]
        node.kwd_patterns = [self.visit(p) for p in node.kwd_patterns]
        return node

    def visit_MatchStar(self, node: ast.MatchStar) -> ast.AST:
        self.check_name(node, node.name)
        return node

    def visit_MatchAs(self, node: ast.MatchAs) -> ast.AST:
        self.check_name(node, node.name)
        return self.node_contents_visit(node)

    def visit_MatchOr(self, node: ast.MatchOr) -> ast.AST:
        return self.node_contents_visit(node)
