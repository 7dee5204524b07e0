"""One small hierarchy, so callers catch what they mean: `CodecallError` catches all of codecall."""


class CodecallError(Exception):
    """Base of every error the codecall engine raises on the host."""


class ToolError(CodecallError):
    """A function could not be made into a tool (untyped, bad spec, module that would not load)."""


class ModelError(CodecallError):
    """A model could not be loaded or did not answer (bad credentials, unknown model, server down)."""
