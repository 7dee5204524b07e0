"""sandbox: decide what code may run, and run it isolated. Usable alone; it never imports codecall.

The public names load lazily: this package is also imported inside the box (runtime, guards, policy,
wire), where the host-side machinery (jupyter_client, pydantic) is neither needed nor wanted.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "check": "sandbox.policy.check",
    "BoxUnavailable": "sandbox.errors",
    "KernelDied": "sandbox.errors",
    "SandboxError": "sandbox.errors",
    "SessionClosed": "sandbox.errors",
    "Display": "sandbox.execution",
    "ErrorInfo": "sandbox.execution",
    "Execution": "sandbox.execution",
    "Violation": "sandbox.execution",
    "DEFAULT_LIMITS": "sandbox.limits",
    "Limits": "sandbox.limits",
    "DEFAULT_POLICY": "sandbox.policy",
    "Policy": "sandbox.policy",
    "Session": "sandbox.host.session",
    "WarmPool": "sandbox.host.pool",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
