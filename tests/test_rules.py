"""The one rule table: every rule id any layer of the policy emits is in sandbox.policy.rules.RULES, and
every rule there is emitted somewhere (found by reading the source of the policy and in-box packages)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sandbox.policy.rules import RULES

SANDBOX = Path(__file__).resolve().parent.parent / "sandbox"
RULE_ID = re.compile(r"^[a-z]+(-[a-z]+)*$")


def _emitter(call: ast.Call) -> bool:
    """A call that names a rule: visitor.refuse / Violation(...) / guards' refuse(state, Cls, rule, ...) /
    a PolicyViolationError or *Refused raised directly."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in ("refuse", "Violation") or name.endswith(("Refused", "ViolationError"))


def emitted_rules() -> dict[str, list[str]]:
    """rule id -> where it is emitted ("file:line")."""
    found: dict[str, list[str]] = {}
    for path in sorted([*SANDBOX.glob("policy/**/*.py"), *SANDBOX.glob("inside/*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _emitter(node):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and RULE_ID.match(arg.value):
                        found.setdefault(arg.value, []).append(f"{path.relative_to(SANDBOX)}:{node.lineno}")
                        break  # the first short lowercase constant is the rule; the message follows
    return found


def test_every_emitted_rule_is_in_the_table() -> None:
    emitted = emitted_rules()
    assert len(emitted) >= 15  # the scan finds the emitters at all
    missing = {rule: where for rule, where in emitted.items() if rule not in RULES}
    assert not missing, missing


def test_every_rule_in_the_table_is_emitted() -> None:
    assert set(RULES) - set(emitted_rules()) == set()


def test_each_rule_has_a_reason() -> None:
    assert all(isinstance(reason, str) and len(reason) > 20 for reason in RULES.values())
