"""MCP tools as codecall tools, and MCP tool results as Python values.

An MCP tool's input schema is a JSON Schema, as an OpenAI function spec's parameters are, so the stub is
built by `Tool.from_openai`; the call is checked against the whole schema (enums, bounds, nested objects)
with `jsonschema` on the host before it goes to the server.
"""

from __future__ import annotations

import base64
import inspect
import keyword
import re
from collections.abc import Callable, Iterable
from typing import Any

import jsonschema
import mcp_types

from codecall.errors import CodecallError
from codecall.tools import Tool, _py_type


class MCPToolError(CodecallError):
    """An MCP tool call failed: invalid arguments, the tool reported an error, or its server is gone. The
    bridge hands it to the sandboxed code as a `ToolCallError`, as for any tool that raises."""


def identifier(text: str) -> str:
    """`text` as a Python name: `unit-price` -> unit_price, `from` -> from_, `2d` -> _2d."""
    text = re.sub(r"\W", "_", text)
    if not text or text[0].isdigit():
        return f"_{text}"
    return f"{text}_" if keyword.iskeyword(text) else text


def python_names(names: Iterable[tuple[str, str]], taken: Iterable[str] = ()) -> dict[tuple[str, str], str]:
    """A Python identifier for each (server, MCP tool name): the tool's own name made an identifier, or,
    where two servers (or a name already `taken`) clash, prefixed with its server's name."""
    names = list(names)
    plain = [identifier(tool) for _, tool in names]
    used = set(taken)
    out = {}
    for (server, tool), name in zip(names, plain, strict=True):
        if plain.count(name) > 1 or name in used:
            name = identifier(f"{server}_{tool}")
        while name in used:
            name += "_"
        used.add(name)
        out[(server, tool)] = name
    return out


def as_tool(spec: mcp_types.Tool, name: str, server: str, call: Callable[[str, dict[str, Any]], Any]) -> Tool:
    """The codecall tool `name` for the MCP tool `spec` of `server`: its stub's signature comes from the
    input schema and its docstring from the description; calling it validates the arguments against the
    schema and then `call(spec.name, arguments)`, which asks the server. A parameter whose name is no
    Python name (`from`, `max-count`) is `from_`, `max_count` in the stub, and its own name on the wire."""
    schema = spec.input_schema
    validator = jsonschema.validators.validator_for(schema)(schema)
    wire_names = _parameter_names(schema.get("properties") or {})  # Python name -> the schema's

    def call_tool(**arguments: Any) -> Any:
        arguments = {wire_names.get(key, key): value for key, value in arguments.items()}
        problems = sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
        if problems:
            text = "; ".join(f"{'.'.join(map(str, p.absolute_path)) or 'arguments'}: {p.message}" for p in problems)
            raise MCPToolError(f"invalid arguments for {name}() (server {server!r}): {text}")
        return call(spec.name, arguments)

    description = inspect.cleandoc(spec.description or spec.title or "")
    if any(python != wire for python, wire in wire_names.items()):
        renamed = {wire: python for python, wire in wire_names.items()}
        schema = {**schema, "properties": {renamed[k]: v for k, v in schema["properties"].items()},
                  "required": [renamed.get(r, r) for r in schema.get("required", [])]}  # fmt: skip
    tool = Tool.from_openai({"name": name, "description": description, "parameters": schema}, call_tool)
    tool.server = server
    output = spec.output_schema
    if output:  # the stub says what comes back: the wrapped primitive's type, or a dict
        returns = _py_type(output["properties"]["result"]) if _wraps_result(output) else dict
        tool.signature = tool.signature.replace(return_annotation=returns)
    return tool


def _parameter_names(properties: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for wire in properties:
        python = identifier(wire)
        while python in names:
            python += "_"
        names[python] = wire
    return names


def tool_value(result: mcp_types.CallToolResult, output_schema: dict[str, Any] | None) -> Any:
    """What the sandboxed code gets from a tool call: the structured content as Python values (a primitive
    result the SDK wrapped as `{"result": value}` unwrapped), else the content blocks, text as `str`, images
    and audio as `bytes` (one block alone, several as a list). An error result raises MCPToolError."""
    if result.is_error:
        text = " ".join(b.text for b in result.content if isinstance(b, mcp_types.TextContent))
        raise MCPToolError(text or "the tool reported an error and said nothing more")
    structured = result.structured_content
    if structured is not None:
        if _wraps_result(output_schema) and isinstance(structured, dict) and structured.keys() == {"result"}:
            return structured["result"]
        return structured
    values = [_block_value(block) for block in result.content]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _wraps_result(schema: dict[str, Any] | None) -> bool:
    """The SDK's output schema for a function returning a non-object: one required property `result`."""
    return bool(schema) and set(schema.get("properties") or {}) == {"result"} and schema.get("required") == ["result"]


def _block_value(block: mcp_types.ContentBlock) -> Any:
    if isinstance(block, mcp_types.TextContent):
        return block.text
    if isinstance(block, mcp_types.ImageContent | mcp_types.AudioContent):
        return base64.b64decode(block.data)
    if isinstance(block, mcp_types.EmbeddedResource):
        contents = block.resource
        if isinstance(contents, mcp_types.TextResourceContents):
            return contents.text
        return base64.b64decode(contents.blob)
    if isinstance(block, mcp_types.ResourceLink):
        return str(block.uri)
    return block.model_dump(mode="json", by_alias=True)
