"""Every error the sandbox raises, in one small tree, so callers catch what they mean.

    SandboxError
    ├── PolicyError                 the policy refused the code
    │   ├── PolicyRejected          statically, before it ran (.violations: line, rule, message)
    │   └── PolicyViolationError    at run time, by a guard (.rule); the code sees it and may catch it
    │       ├── AttributeRefused    also an AttributeError: hasattr() says False as for a missing one
    │       ├── ImportRefused       also an ImportError: `try: import x / except ImportError` works
    │       └── WriteRefused        also a TypeError: a write to a module or library class or function
    ├── ToolCallError               inside the box: a host tool call failed (bad arguments, or it raised)
    ├── WireError                   also a TypeError: a value that cannot cross the box's wall
    ├── BoxUnavailable              the isolation a backend needs is missing on this host
    ├── SessionClosed               the session was closed
    └── KernelDied                  the sandboxed kernel died and could not be restarted

Only the standard library: this module is loaded inside the box too (the policy and the runtime raise
these), and mounted there alone with the policy and the in-box packages.
"""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """Base of every error the sandbox raises."""


class PolicyError(SandboxError):
    """The policy refused the code, statically or at run time."""


class PolicyRejected(PolicyError):
    """The cell was refused before it ran; `.violations` says where and why."""

    def __init__(self, violations: list[Any]) -> None:
        self.violations = violations
        super().__init__("\n".join(str(v) for v in violations))


class PolicyViolationError(PolicyError):
    """Restricted code tried something the policy refuses; the message names the rule and the reason."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"{message} [policy rule: {rule}]")


class AttributeRefused(PolicyViolationError, AttributeError):
    """An attribute the policy refuses: an AttributeError, so hasattr() says False as for a missing one."""


class ImportRefused(PolicyViolationError, ImportError):
    """An import outside the allow-list: an ImportError, so `try: import x except ImportError` works."""


class WriteRefused(PolicyViolationError, TypeError):
    """A write to a module, a library class or a library function (no monkeypatching)."""


class ToolCallError(SandboxError):
    """A tool call failed on the host: bad arguments, or the tool raised. The code in the box sees it
    (as the builtin name `ToolCallError`) and may catch it."""


class WireError(SandboxError, TypeError):
    """A value that cannot cross: say what it was and what can."""


class BoxUnavailable(SandboxError):
    """The isolation a backend needs (bubblewrap, a Docker daemon, an image) is missing here."""


class SessionClosed(SandboxError):
    """The session was closed; start a new one."""


class KernelDied(SandboxError):
    """The sandboxed kernel died and could not be restarted."""
