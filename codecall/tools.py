"""Tools: typed, documented host functions that model-written code may call.

A tool carries what the prompt needs (a Python stub), what an HTTP model API needs (a JSON Schema) and the
real callable, which stays on the host: the sandbox only ever sees the stub's signature.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import keyword
import operator
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints, overload

from pydantic import ConfigDict, Field, create_model
from pydantic.json_schema import GenerateJsonSchema

from codecall.errors import ToolDefinitionError

_EMPTY = inspect.Parameter.empty

#: JSON Schema types -> the Python annotation shown in a stub built from an OpenAI spec.
_JSON_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


@dataclass(eq=False)
class Tool:
    """A function the model may call; calling the `Tool` calls the function."""

    name: str
    description: str
    fn: Callable[..., Any] = field(repr=False)
    parameters: dict[str, Any] = field(repr=False)  #: JSON Schema of the arguments (an "object")
    signature: inspect.Signature = field(repr=False)  #: what the sandbox validates calls against
    doc: str = field(default="", repr=False)  #: docstring shown in the stub
    server: str | None = None  #: the MCP server that runs the tool (codecall.mcp); None for a host function

    def __post_init__(self) -> None:
        self.__doc__ = self.doc  # what `inspect.getdoc(tool)` (the sandbox's stub) shows

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        """Lets `inspect.signature(tool)` give the tool's signature, as for the function itself."""
        return self.signature

    @property
    def __name__(self) -> str:
        return self.name

    def stub(self) -> str:
        """Python source of a body-less definition: the tool as the model should see it."""
        lines = [f"def {self.name}{_render_signature(self.signature)}:"]
        doc_lines = self.doc.replace('"""', r"\"\"\"").splitlines()
        if len(doc_lines) == 1:
            lines.append(f'    """{doc_lines[0]}"""')
        elif doc_lines:
            lines.append(f'    """{doc_lines[0]}')
            lines.extend(f"    {line}" if line else "" for line in doc_lines[1:])
            lines.append('    """')
        lines.append("    ...")
        return "\n".join(lines)

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI-style function spec, for APIs that take tools as JSON."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }

    @classmethod
    def from_function(cls, fn: Callable[..., Any], *, name: str | None = None, description: str | None = None) -> Tool:
        """Build a tool from a typed function; its docstring is the description."""
        if not callable(fn):
            raise ToolDefinitionError(f"a tool must be a function, got {type(fn).__name__}")
        name = name or getattr(fn, "__name__", "")
        _check_name(name)
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError) as e:
            raise ToolDefinitionError(f"tool {name!r}: cannot read its signature ({e})") from e
        hints = _type_hints(fn, name)
        params = []
        for p in sig.parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise ToolDefinitionError(
                    f"tool {name!r}: *{p.name} / **{p.name} cannot be described to a model; name each parameter"
                )
            if p.name not in hints:
                raise ToolDefinitionError(
                    f"tool {name!r}: parameter {p.name!r} has no type annotation; "
                    f"write e.g. `{p.name}: int` so the model knows what to pass"
                )
            params.append(p.replace(annotation=hints[p.name]))
        sig = sig.replace(parameters=params, return_annotation=hints.get("return", _EMPTY))
        doc = inspect.cleandoc(fn.__doc__ or "")
        summary = description if description is not None else _summary(doc)
        schema = _schema_from_signature(name, sig, _arg_docs(doc))
        return cls(name=name, description=summary, fn=fn, parameters=schema, signature=sig, doc=doc)

    @classmethod
    def from_openai(cls, spec: dict[str, Any], fn: Callable[..., Any]) -> Tool:
        """Build a tool from an OpenAI function spec (`{"type": "function", "function": {...}}` or the
        inner dict); the spec, not `fn`'s annotations, defines the signature."""
        if not isinstance(spec, dict):
            raise ToolDefinitionError(f"an OpenAI tool spec must be a dict, got {type(spec).__name__}")
        if not callable(fn):
            raise ToolDefinitionError(f"a tool must be a function, got {type(fn).__name__}")
        if spec.get("type") == "function" and isinstance(spec.get("function"), dict):
            spec = spec["function"]
        name = spec.get("name")
        if not isinstance(name, str):
            raise ToolDefinitionError("OpenAI tool spec has no 'name' (expected {'name': ..., 'parameters': {...}})")
        _check_name(name)
        description = spec.get("description") or ""
        if not isinstance(description, str):
            raise ToolDefinitionError(f"tool {name!r}: 'description' must be a string")
        schema = spec.get("parameters") or {"type": "object", "properties": {}}
        if not isinstance(schema, dict) or schema.get("type", "object") != "object":
            raise ToolDefinitionError(f"tool {name!r}: 'parameters' must be a JSON Schema of type 'object'")
        props = schema.get("properties") or {}
        required = schema.get("required") or []
        if not isinstance(props, dict) or not isinstance(required, list):
            raise ToolDefinitionError(f"tool {name!r}: 'properties' must be an object and 'required' a list")
        unknown = [r for r in required if r not in props]
        if unknown:
            raise ToolDefinitionError(f"tool {name!r}: required parameters {unknown} are not in 'properties'")
        params = []
        # Required parameters first: Python forbids a parameter without default after one with a default.
        for pname in sorted(props, key=lambda p: p not in required):
            _check_name(pname, what="parameter")
            prop = props[pname]
            if not isinstance(prop, dict):
                raise ToolDefinitionError(f"tool {name!r}: property {pname!r} must be a JSON Schema object")
            default = _EMPTY if pname in required else prop.get("default")
            params.append(
                inspect.Parameter(
                    pname, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=_py_type(prop)
                )
            )
        doc = description
        arg_lines = [
            f"    {p.name}: {props[p.name]['description']}" for p in params if props[p.name].get("description")
        ]
        if arg_lines:
            doc = "\n".join([description, "", "Args:", *arg_lines]).strip()
        schema = {"type": "object", **schema}
        return cls(
            name=name,
            description=description,
            fn=fn,
            parameters=schema,
            signature=inspect.Signature(params),
            doc=doc,
        )


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...
@overload
def tool(*, name: str | None = None, description: str | None = None) -> Callable[[Callable[..., Any]], Tool]: ...
def tool(
    fn: Callable[..., Any] | None = None, /, *, name: str | None = None, description: str | None = None
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Decorator: `@tool` or `@tool(name=..., description=...)` turns a typed function into a `Tool`."""
    if fn is not None:
        return Tool.from_function(fn, name=name, description=description)
    return lambda f: Tool.from_function(f, name=name, description=description)


def load_tools(path: str | Path) -> list[Tool]:
    """The tools of a module file: its `@tool` objects, or, where it has none, every public function
    defined in it (not imported into it), so an existing module works unchanged. `FILE.py:NAME,NAME`
    takes only the tools named, in that order (the order a prompt shows them in)."""
    path, _, wanted = str(path).partition(".py:")
    path = Path(path + ".py" if wanted else path)
    if not path.is_file():
        raise ToolDefinitionError(f"tools file not found: {path}")
    stem = re.sub(r"\W", "_", path.stem)
    mod_name = f"_codecall_tools_{stem}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise ToolDefinitionError(f"not a Python module: {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module  # dataclasses and pydantic look classes' modules up here
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        sys.modules.pop(mod_name, None)
        raise ToolDefinitionError(f"could not load tools from {path}: {type(e).__name__}: {e}") from e
    found = [v for v in vars(module).values() if isinstance(v, Tool)]
    if not found:
        found = [
            Tool.from_function(v)
            for k, v in vars(module).items()
            if inspect.isfunction(v) and v.__module__ == mod_name and not k.startswith("_")
        ]
    if not found:
        raise ToolDefinitionError(f"no tools in {path}: define public typed functions or mark them with @tool")
    names = [t.name for t in found]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ToolDefinitionError(f"{path}: several tools are named {dupes}")
    if wanted:
        chosen = wanted.split(",")
        missing = sorted(set(chosen) - set(names))
        if missing:
            raise ToolDefinitionError(f"{path}: no tools named {missing} (it has {', '.join(names)})")
        by_name = {t.name: t for t in found}
        found = [by_name[n] for n in dict.fromkeys(chosen)]
    return found


# --- helpers ---------------------------------------------------------------------------------------


def _check_name(name: str, what: str = "tool") -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ToolDefinitionError(f"{what} name {name!r} is not a valid Python identifier")


def _type_hints(fn: Callable[..., Any], name: str) -> dict[str, Any]:
    """Resolved annotations (string annotations from `from __future__ import annotations` included)."""
    try:
        return get_type_hints(fn)
    except Exception as e:
        raise ToolDefinitionError(f"tool {name!r}: cannot resolve its type annotations ({e})") from e


def _summary(doc: str) -> str:
    """The docstring's first paragraph: what the tool does, without its Args/Returns sections."""
    return " ".join(doc.split("\n\n", 1)[0].split())


def _arg_docs(doc: str) -> dict[str, str]:
    """Per-parameter descriptions from a Google-style `Args:` section, for the JSON Schema."""
    out: dict[str, str] = {}
    m = re.search(r"^(?:Args|Arguments|Parameters):\s*\n((?:[ \t]+.*\n?|\s*\n)*)", doc, re.M)
    if not m:
        return out
    current = None
    for line in m.group(1).splitlines():
        item = re.match(r"^\s{1,8}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$", line)
        if item:
            current = item.group(1)
            out[current] = item.group(2).strip()
        elif current and line.strip():
            out[current] = f"{out[current]} {line.strip()}".strip()
    return out


class _LenientSchema(GenerateJsonSchema):
    """Describes types JSON Schema cannot (a DataFrame, say) by name instead of failing."""

    def is_instance_schema(self, schema: Any) -> dict[str, Any]:
        return {"type": "object", "description": f"a {_type_name(schema['cls'])}"}


def _schema_from_signature(name: str, sig: inspect.Signature, docs: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for p in sig.parameters.values():
        default = ... if p.default is _EMPTY else p.default
        fields[p.name] = (p.annotation, Field(default, description=docs.get(p.name)))
    try:
        model = create_model(f"{name}_arguments", __config__=ConfigDict(arbitrary_types_allowed=True), **fields)
        schema = model.model_json_schema(schema_generator=_LenientSchema)
    except Exception as e:
        raise ToolDefinitionError(f"tool {name!r}: cannot describe its parameters as JSON Schema ({e})") from e
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return schema


def _py_type(prop: dict[str, Any]) -> Any:
    t = prop.get("type")
    if isinstance(t, list):  # e.g. ["string", "null"]
        return functools.reduce(operator.or_, (_JSON_TYPES.get(x, Any) for x in t))
    return _JSON_TYPES.get(t, Any) if isinstance(t, str) else Any


def _type_name(tp: Any) -> str:
    """`int`, `list[str]`, `DataFrame`: annotations as a reader writes them, module paths dropped."""
    if tp is type(None):
        return "None"
    if isinstance(tp, type) and not getattr(tp, "__args__", None):
        return tp.__qualname__
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", repr(tp))


def _render_signature(sig: inspect.Signature) -> str:
    parts = []
    for p in sig.parameters.values():
        text = p.name
        if p.annotation is not _EMPTY:
            text += f": {_type_name(p.annotation)}"
        if p.default is not _EMPTY:
            text += f" = {p.default!r}" if p.annotation is not _EMPTY else f"={p.default!r}"
        parts.append(text)
    ret = f" -> {_type_name(sig.return_annotation)}" if sig.return_annotation is not _EMPTY else ""
    return f"({', '.join(parts)}){ret}"
