"""codecall's exceptions, one small tree so callers catch what they mean: `CodecallError` catches all of
codecall's own. The sandbox has its own root, `sandbox.SandboxError` (the sandbox never imports codecall);
catch `(CodecallError, SandboxError)` for both."""


class CodecallError(Exception):
    """Base of every error the codecall engine raises on the host."""


class ToolDefinitionError(CodecallError):
    """A function could not be made into a tool (untyped, bad spec, a module that would not load). A tool
    *call* that fails is not this: it is raised inside the sandbox, where the model's code sees it."""


class ModelError(CodecallError):
    """A model could not be loaded or did not answer (bad credentials, unknown model, server down)."""


class InputError(CodecallError):
    """A file or value given to codecall cannot be used (a data file of an unknown kind, a tasks file
    that is not JSONL, a data folder that is not there)."""
