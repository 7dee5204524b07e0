"""sandbox: decide what code may run, and run it isolated. Usable alone; it never imports codecall.

    errors.py     the one exception tree (standard library only; also in the box)
    limits.py     every resource limit, with its default
    execution.py  what one execution produced (Execution, ErrorInfo, Display): the host's records
    policy/       what code may do: the rule table, the static check, the restricted compiler, the guards
    inside/       what runs in the box: boot, seccomp, the runtime, and the wire protocol both sides speak
    host/         the host side: Session (and AsyncSession), the kernel client, the tool bridge, the warm pool
    boxes/        where a kernel runs: the Box base, bubblewrap, docker (+ its image), cgroups

The box mounts only errors.py, policy/ and inside/ (there `sandbox` is a namespace package, without this
file). The public names below load lazily, so importing the policy or the in-box modules on the host
loads nothing of the host side (jupyter_client, pydantic).
"""

from __future__ import annotations

import importlib
from typing import Any

_ERRORS = (
    "AttributeRefused",
    "BoxUnavailable",
    "ImportRefused",
    "KernelDied",
    "PolicyError",
    "PolicyRejected",
    "PolicyViolationError",
    "SandboxError",
    "SessionClosed",
    "ToolCallError",
    "WireError",
    "WriteRefused",
)
_PUBLIC = {
    **dict.fromkeys(_ERRORS, "sandbox.errors"),
    "check": "sandbox.policy.check",
    "Display": "sandbox.execution",
    "ErrorInfo": "sandbox.execution",
    "Execution": "sandbox.execution",
    "Violation": "sandbox.policy.rules",
    "DEFAULT_LIMITS": "sandbox.limits",
    "Limits": "sandbox.limits",
    "DEFAULT_POLICY": "sandbox.policy",
    "Policy": "sandbox.policy",
    "Session": "sandbox.host.session",
    "AsyncSession": "sandbox.host.async_session",
    "WarmPool": "sandbox.host.pool",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
