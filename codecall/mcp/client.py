"""MCP servers whose tools the sandboxed code may call: started together, held open, stopped together.

The MCP SDK is async and the engine is not, so the servers' client sessions live on one event loop in a
background thread owned by `MCPServers`; a tool call from the sandbox (on a bridge thread) is handed to
that loop and waited for. Each server's connection is held by its own task (the SDK's transports must be
entered and left in the same task), which waits for `close()`. The call goes from the host, never from the
box: the box still has no network.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shlex
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import mcp_types
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client

from codecall.errors import InputError, ToolDefinitionError
from codecall.mcp.convert import MCPToolError, as_tool, python_names, tool_value
from codecall.tools import Tool

START_TIMEOUT = 60.0  #: seconds a server may take to start and list its tools
STOP_TIMEOUT = 10.0  #: seconds to wait for a server to stop before leaving it to the SDK's kill


class MCPServerWarning(UserWarning):
    """An MCP server did not start: the run goes on without its tools."""


@dataclass
class ServerConnection:
    """One server: how to reach it, and, once started, its client or why there is none."""

    name: str
    spec: str  #: the command line or URL as given
    target: StdioServerParameters | str
    log: Path | None = None  #: a stdio server's stderr, quoted when it fails
    client: Client | None = None
    error: str | None = None  #: why the server cannot be called (did not start, or died)
    tools: list[mcp_types.Tool] = field(default_factory=list)
    stop: asyncio.Event | None = None
    held: asyncio.Task | None = None  #: the task that holds the connection open

    def last_words(self, lines: int = 2) -> str:
        """The end of the server's stderr, for an error message."""
        if self.log is None or not self.log.exists():
            return ""
        tail = [" ".join(line.split()) for line in self.log.read_text(errors="replace").splitlines()]
        tail = [line for line in tail if line][-lines:]
        return f"; its stderr ends: {' | '.join(tail)}" if tail else ""


def parse_server(spec: str, cwd: str | Path | None = None) -> tuple[str, StdioServerParameters | str]:
    """A server's name and target from `[NAME=]URL` (streamable HTTP) or `[NAME=]COMMAND ARGS` (stdio);
    without a NAME, a URL is named by its host and port, a command as `_command_name` says. A command runs
    in `cwd` (default: this process's folder) with this process's environment."""
    name, _, rest = spec.partition("=")
    if not (rest and name.isidentifier()):
        name, rest = "", spec
    rest = rest.strip()
    if rest.startswith(("http://", "https://")):
        return name or urlsplit(rest).netloc, rest
    try:
        words = shlex.split(rest)
    except ValueError as error:
        raise InputError(f"MCP server {spec!r}: not a command line ({error})") from error
    if not words:
        raise InputError("an MCP server needs a command line or an http(s) URL")
    target = StdioServerParameters(command=words[0], args=words[1:], env=dict(os.environ), cwd=cwd)
    return name or _command_name(words), target


def _command_name(words: list[str]) -> str:
    """`python -m pkg` -> pkg, `python path/server.py` -> server, `uvx mcp-server-time` -> mcp-server-time,
    else the program's own name."""
    program = Path(words[0]).name
    if program.startswith("python") and "-m" in words[1:-1]:
        return words[words.index("-m") + 1]
    operands = [w for w in words[1:] if not w.startswith("-")]
    if operands and (program.startswith(("python", "node")) or program in ("uvx", "npx")):
        return Path(operands[0]).stem
    return Path(program).stem


class MCPServers:
    """MCP servers started together; `tools` are their tools as codecall `Tool`s (the sandbox calls them as
    any other). A server that fails to start is left out with an `MCPServerWarning`; one that dies later
    makes its tools raise a clear error in the sandbox. Use it as a context manager, or call `close()`.

    >>> with MCPServers(["python -m mcp_server_time"]) as servers:
    ...     agent = Agent(tools=servers.tools)
    """

    def __init__(self, specs: Iterable[str], *, timeout: float = 60.0, taken: Iterable[str] = (),
                 cwd: str | Path | None = None) -> None:  # fmt: skip
        self.timeout = timeout  #: seconds one tool call may take
        self.servers: list[ServerConnection] = []
        for spec in specs:
            name, target = parse_server(spec, cwd)
            names = {s.name for s in self.servers}
            while name in names:
                name += "_"
            self.servers.append(ServerConnection(name, spec, target))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="codecall-mcp", daemon=True)
        self._thread.start()
        self._closed = False
        self._logs = tempfile.TemporaryDirectory(prefix="codecall-mcp-")
        self._start()
        listed = [(s, t) for s in self.servers for t in s.tools]
        names = python_names(((s.name, t.name) for s, t in listed), taken)
        self.tools: list[Tool] = []
        for server, spec in listed:
            try:
                self.tools.append(as_tool(spec, names[(server.name, spec.name)], server.name, self._caller(server)))
            except ToolDefinitionError as error:  # e.g. a parameter named `from`: that one tool is left out
                warnings.warn(f"MCP server {server.name!r}: tool {spec.name!r} left out: {error}", MCPServerWarning,
                              stacklevel=2)  # fmt: skip

    @property
    def failures(self) -> dict[str, str]:
        """Each server that cannot be called, and why."""
        return {s.name: s.error for s in self.servers if s.error}

    # -- life cycle -------------------------------------------------------------------------------
    def _start(self) -> None:
        """Start every server at once; wait for each to list its tools, or leave it out with a warning."""
        opening = [(s, asyncio.run_coroutine_threadsafe(self._open(s), self._loop)) for s in self.servers]
        for server, opened in opening:
            try:
                server.held = opened.result(START_TIMEOUT)
            except Exception as error:  # noqa: BLE001 - any failure to start leaves this server out
                opened.cancel()
                server.error = f"MCP server {server.name!r} ({server.spec}) did not start: {_describe(error)}"
                server.error += server.last_words()
                warnings.warn(server.error, MCPServerWarning, stacklevel=3)

    async def _open(self, server: ServerConnection) -> asyncio.Task:
        """Start the task that holds `server`'s connection; return once it lists its tools."""
        ready = self._loop.create_future()
        server.stop = asyncio.Event()
        task = self._loop.create_task(self._hold(server, ready))
        try:
            await ready
        except BaseException:
            task.cancel()
            raise
        return task

    async def _hold(self, server: ServerConnection, ready: asyncio.Future) -> None:
        stdio = isinstance(server.target, StdioServerParameters)
        if stdio:
            server.log = Path(self._logs.name) / f"{server.name}.log"
        try:
            with open(server.log or os.devnull, "w") as log:
                transport = stdio_client(server.target, errlog=log) if stdio else server.target
                async with Client(transport, read_timeout_seconds=START_TIMEOUT) as client:
                    server.tools = await _list_tools(client)
                    server.client = client
                    ready.set_result(None)
                    await server.stop.wait()
        except BaseException as error:  # noqa: BLE001 - reported to whoever waits for this server
            if not ready.done():
                ready.set_exception(error)
            elif server.error is None and not server.stop.is_set():
                server.error = f"MCP server {server.name!r} stopped: {_describe(error)}{server.last_words()}"

    def close(self) -> None:
        """Stop every server (stdin closed, then the SDK's terminate and kill) and the loop."""
        if self._closed:
            return
        self._closed = True
        for server in self.servers:
            if server.stop is not None:
                self._loop.call_soon_threadsafe(server.stop.set)
        for server in self.servers:
            if server.held is not None:
                waited = asyncio.run_coroutine_threadsafe(_wait(server.held), self._loop)
                try:
                    waited.result(STOP_TIMEOUT)
                except Exception:  # noqa: BLE001 - a server that would not stop is killed with the loop
                    pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(STOP_TIMEOUT)
        if not self._thread.is_alive():
            self._loop.close()
        self._logs.cleanup()

    def __enter__(self) -> MCPServers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls ------------------------------------------------------------------------------------
    def _caller(self, server: ServerConnection) -> Callable[[str, dict[str, Any]], Any]:
        outputs = {t.name: t.output_schema for t in server.tools}

        def call(tool: str, arguments: dict[str, Any]) -> Any:
            return tool_value(self._call(server, tool, arguments), outputs.get(tool))

        return call

    def _call(self, server: ServerConnection, tool: str, arguments: dict[str, Any]) -> mcp_types.CallToolResult:
        if server.error:
            raise MCPToolError(server.error)
        if self._closed or server.client is None:
            raise MCPToolError(f"MCP server {server.name!r} is closed")
        request = server.client.call_tool(tool, arguments, read_timeout_seconds=self.timeout)
        future = asyncio.run_coroutine_threadsafe(request, self._loop)
        try:
            return future.result(self.timeout + 5)
        except MCPError as error:
            if error.code != mcp_types.CONNECTION_CLOSED:
                raise MCPToolError(f"MCP server {server.name!r}: {error.message}") from None
            cause = error.message
        except concurrent.futures.TimeoutError:  # the builtin TimeoutError from 3.11
            future.cancel()
            raise MCPToolError(f"MCP server {server.name!r} did not answer {tool} within {self.timeout:g} s") from None
        except Exception as error:  # noqa: BLE001 - the transport failed: the server is gone
            cause = _describe(error)
        server.error = f"MCP server {server.name!r} is gone ({cause}){server.last_words()}"
        raise MCPToolError(server.error)


async def _list_tools(client: Client) -> list[mcp_types.Tool]:
    tools, cursor = [], None
    while True:
        page = await client.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if cursor is None:
            return tools


async def _wait(task: asyncio.Task) -> None:
    await asyncio.wait([task])


def _describe(error: BaseException) -> str:
    """One line for an error, the first leaf of an exception group (where anyio's task groups put it)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}" if not isinstance(error, MCPError) else text


if sys.version_info < (3, 11):  # pragma: no cover - BaseExceptionGroup is a builtin from 3.11
    from exceptiongroup import BaseExceptionGroup
