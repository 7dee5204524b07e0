"""One small hierarchy, so callers catch what they mean."""


class SandboxError(Exception):
    """Base of every error the sandbox raises on the host."""


class BoxUnavailable(SandboxError):
    """The isolation a backend needs (bubblewrap, a Docker daemon, an image) is missing here."""


class SessionClosed(SandboxError):
    """The session was closed; start a new one."""


class KernelDied(SandboxError):
    """The sandboxed kernel died and could not be restarted."""
