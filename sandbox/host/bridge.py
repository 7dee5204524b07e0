"""The host side of the tool bridge: a unix socket in the session folder, served by a host thread.

A call from the sandbox arrives as data (tool name + arguments), is validated with pydantic against the
tool's signature as `inspect.signature` gives it (so a callable that declares its own `__signature__`, such
as a tool built from a JSON spec, is held to that signature rather than to its implementation's), runs on
the host, and its result goes back as data. Tool code and host objects
never enter the sandbox; the sandbox only ever holds a stub with the same signature. An `async def` tool is
awaited: on the bridge's `loop` when that event loop is running (an async caller's, so the tool shares its
clients and the loop stays free: the bridge's threads are never the loop's), else on a fresh loop.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic

from sandbox.inside import wire


@dataclass
class _Registered:
    function: Callable[..., Any]
    arguments: type[pydantic.BaseModel]  #: validates (and coerces) a call's arguments, see arguments_model
    spec: dict

    def call(self, arguments: dict[str, Any], loop: asyncio.AbstractEventLoop | None = None) -> Any:
        """Validate `arguments` against the signature, then call with the validated values (parameters not
        given keep the function's own defaults); a coroutine it returns is awaited on `loop` if it runs."""
        values = self.arguments.model_validate(arguments)
        fields = type(values).model_fields
        given = {fields[f].alias: getattr(values, f) for f in values.model_fields_set}
        positional_only = [p.name for p in inspect.signature(self.function).parameters.values()
                           if p.kind is inspect.Parameter.POSITIONAL_ONLY and p.name in given]  # fmt: skip
        result = self.function(*[given.pop(n) for n in positional_only], **given)
        if not inspect.iscoroutine(result):
            return result
        if loop is not None and loop.is_running():
            return asyncio.run_coroutine_threadsafe(result, loop).result()
        return asyncio.run(result)


def arguments_model(name: str, function: Callable[..., Any]) -> type[pydantic.BaseModel]:
    """A pydantic model of `function`'s parameters as `inspect.signature` gives them; unknown names are
    refused, missing ones reported. Fields are named p0, p1, ... with the parameter as alias, so a parameter
    may be called anything (`json`, `schema`, `model_id`) without clashing with pydantic's own names."""
    try:
        signature = inspect.signature(function, eval_str=True)  # `from __future__ import annotations` modules
    except NameError as error:
        raise TypeError(f"tool {name!r}: an annotation names something its module does not define ({error})") from None
    fields: dict[str, Any] = {}
    for index, p in enumerate(signature.parameters.values()):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(f"tool {name!r}: *{p.name} / **{p.name} cannot be validated; name each parameter")
        annotation = Any if p.annotation is inspect.Parameter.empty else p.annotation
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[f"p{index}"] = (annotation, pydantic.Field(default, alias=p.name))
    config = pydantic.ConfigDict(arbitrary_types_allowed=True, extra="forbid")
    return pydantic.create_model(f"{name}_arguments", __config__=config, **fields)


def tool_spec(name: str, function: Callable[..., Any]) -> dict:
    """What the sandbox needs to build a stub: the name, the signature as data, the docstring."""
    signature = inspect.signature(function)
    parameters = []
    for p in signature.parameters.values():
        entry: dict[str, Any] = {"name": p.name, "kind": p.kind.name}
        if p.annotation is not inspect.Parameter.empty:
            entry["annotation"] = inspect.formatannotation(p.annotation)
        if p.default is not inspect.Parameter.empty:
            try:
                entry["default"] = wire.encode(p.default)
            except wire.WireError:
                entry["default"] = None
        parameters.append(entry)
    spec = {"name": name, "parameters": parameters, "doc": inspect.getdoc(function) or ""}
    if signature.return_annotation is not inspect.Signature.empty:
        spec["returns"] = inspect.formatannotation(signature.return_annotation)
    return spec


def _describe_validation(name: str, error: pydantic.ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        if item["type"] == "missing":
            problems.append(f"missing argument {where!r}")
        elif item["type"] == "extra_forbidden":
            problems.append(f"unexpected argument {where!r}")
        else:
            problems.append(f"argument {where!r}: {item['msg']} (got {item.get('input')!r})")
    return f"{name}(): invalid arguments: " + "; ".join(problems)


class ToolBridge:
    """Serves one session's tool calls."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._tools: dict[str, _Registered] = {}
        self.loop: asyncio.AbstractEventLoop | None = None  #: where async tools are awaited, while it runs
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(path)
        os.chmod(path, 0o666)  # the sandbox's uid must be able to connect
        self._server.listen(4)
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="codecall-bridge", daemon=True)
        self._thread.start()

    def register(self, name: str, function: Callable[..., Any]) -> dict:
        """Make `function` callable from the sandbox as `name`; returns its stub spec."""
        spec = tool_spec(name, function)
        self._tools[name] = _Registered(function, arguments_model(name, function), spec)
        return spec

    @property
    def specs(self) -> list[dict]:
        return [registered.spec for registered in self._tools.values()]

    def handle(self, request: dict) -> dict:
        """One call: validate, run, encode. Every failure becomes an error reply, never a crash."""
        name = request.get("tool")
        registered = self._tools.get(name) if isinstance(name, str) else None
        if registered is None:
            return {"ok": False, "message": f"there is no tool named {name!r} (tools: {', '.join(self._tools)})"}
        arguments = request.get("arguments")
        if not isinstance(arguments, dict):
            return {"ok": False, "message": f"{name}(): arguments must be given by name"}
        try:
            result = registered.call(arguments, self.loop)
        except pydantic.ValidationError as error:
            return {"ok": False, "message": _describe_validation(name, error)}
        except TypeError as error:
            return {"ok": False, "message": f"{name}(): {error}"}
        except Exception as error:  # noqa: BLE001 - a tool's failure is reported to the code
            return {"ok": False, "message": f"tool {name} failed: {type(error).__name__}: {error}"}
        return {"ok": True, "result": result, "tool": name}

    def _accept(self) -> None:
        while not self._closed:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            while True:
                try:
                    raw = wire.recv_frame(connection)
                except (OSError, wire.WireError):
                    return
                if raw is None:
                    return
                try:
                    request = wire.loads(raw)
                except ValueError:
                    reply = {"ok": False, "message": "the tool request was not valid data"}
                else:
                    reply = self.handle(request if isinstance(request, dict) else {})
                try:
                    payload = wire.dumps(reply)
                except wire.WireError as error:
                    message = f"tool {reply['tool']} returned a value that cannot cross: {error}"
                    payload = wire.dumps({"ok": False, "message": message})
                try:
                    wire.send_frame(connection, payload)
                except OSError:
                    return

    def close(self) -> None:
        self._closed = True
        try:
            self._server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._server.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
