"""codecall: function calling as code. A model writes Python that calls your tools; a sandbox runs it."""

from codecall.agent import Agent
from codecall.errors import CodecallError, InputError, ModelError, ToolDefinitionError
from codecall.result import Result, Step
from codecall.tools import Tool, load_tools, tool

__all__ = [
    "Agent", "CodecallError", "InputError", "ModelError", "Result", "Step", "Tool", "ToolDefinitionError",
    "load_tools", "tool",
]


def load_ipython_extension(ipython: object) -> None:
    """`%load_ext codecall` registers `%%fc`, `%fc_config`, `%fc_session` and `%%fc_run` (IPython is imported
    only then)."""
    from codecall.interfaces.magic import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: object) -> None:
    """`%unload_ext codecall` (and `%reload_ext`) closes the notebook's sandboxed session."""
    from codecall.interfaces.magic import unload_ipython_extension as unload

    unload(ipython)
