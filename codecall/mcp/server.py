"""codecall as an MCP server: any MCP client runs Python in a persistent sandboxed session of its own, and
that code calls the tools given (host functions, other MCP servers' tools): the "write code against the
tools" pattern, with the OS as the boundary.

Each client has its own session: over stdio the process serves one client; over streamable HTTP a client
that keeps an `Mcp-Session-Id` (the handshake protocols) has one by that id, and one on the stateless
2026-07-28 protocol gets a handle with its first result, to pass back as `session`.
"""

from __future__ import annotations

import base64
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread
import mcp_types
from mcp.server import MCPServer
from mcp.server.mcpserver import Context

from codecall.mcp.client import MCPServers
from codecall.tools import Tool
from sandbox import Execution, Limits, Policy, Session
from sandbox.boxes.base import WORK_DIR_IN_BOX
from sandbox.errors import SandboxError

MAX_SESSIONS = 16  #: sandboxed sessions open at once on one server
FILE_LIMIT = 256 * 1024  #: a file the code wrote larger than this is listed, not sent


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)  #: one call at a time in a session
    session: Session | None = None  #: opened by its first call, under `lock`


class Sessions:
    """The sandboxed sessions of the server's clients, by key. At most `MAX_SESSIONS` stay open: opening
    one more closes the one used longest ago (a client that keeps no handle would otherwise fill the table)."""

    def __init__(self, backend: str, policy: Policy, limits: Limits, tools: Sequence[Tool]) -> None:
        self.backend, self.policy, self.limits = backend, policy, limits
        self.tools = {t.name: t for t in tools}
        self._open: OrderedDict[str, _Entry] = OrderedDict()  #: least recently used first
        self._guard = threading.Lock()

    def run(self, key: str, code: str, *, create: bool) -> tuple[Execution, Path]:
        """Run `code` in the session `key` (opened first where `create`): what it did, and the host folder
        of the session's work folder. Blocking, so call it in a thread."""
        with self._guard:
            entry = self._open.get(key)
            if entry is None and not create:
                raise KeyError(f"there is no session {key!r} (closed, or never opened): leave `session` out "
                               "to open a new one")  # fmt: skip
            entry = self._open.setdefault(key, _Entry())
            self._open.move_to_end(key)
            evicted = [self._open.popitem(last=False)[1] for _ in range(len(self._open) - MAX_SESSIONS)]
        for old in evicted:
            _close(old)
        with entry.lock:
            if entry.session is None:
                entry.session = Session(self.backend, policy=self.policy, limits=self.limits, tools=dict(self.tools))
            return entry.session.execute(code), entry.session.work_dir

    def close(self, key: str) -> bool:
        with self._guard:
            entry = self._open.pop(key, None)
        if entry is not None:
            _close(entry)
        return entry is not None

    def close_all(self) -> None:
        for key in list(self._open):
            self.close(key)


def _close(entry: _Entry) -> None:
    with entry.lock:  # after the call running in it, if any
        if entry.session is not None:
            entry.session.close()


def build_server(tools: Sequence[Tool], *, transport: str = "stdio", backend: str = "kernel",
                 policy: Policy | None = None, limits: Limits | None = None) -> tuple[MCPServer, Sessions]:  # fmt: skip
    """The MCP server and the sessions it keeps (close them with `Sessions.close_all` when it stops)."""
    sessions = Sessions(backend, policy or Policy(), limits or Limits(), tools)
    server = MCPServer("codecall", instructions=_instructions(tools), log_level="WARNING")

    def client_key(ctx: Context, session: str) -> tuple[str, bool]:
        """The session this call runs in, and whether it may be opened by it."""
        if session:
            return session, False
        if transport == "stdio":
            return "stdio", True
        connection = (ctx.headers or {}).get("mcp-session-id")
        return (f"http-{connection}", True) if connection else (uuid.uuid4().hex, True)

    @server.tool(description=_run_description(tools, transport))
    async def run_python(code: str, ctx: Context, session: str = "") -> mcp_types.CallToolResult:
        key, create = client_key(ctx, session)
        try:
            execution, work_dir = await anyio.to_thread.run_sync(lambda: sessions.run(key, code, create=create))
        except KeyError as error:
            return _error(str(error.args[0]))
        except SandboxError as error:  # the box is unavailable here, or the kernel died for good
            return _error(f"sandbox: {type(error).__name__}: {error}")
        handle = key if transport == "http" and not key.startswith("http-") else None
        return _result(execution, work_dir, handle)

    @server.tool()
    async def close_session(ctx: Context, session: str = "") -> str:
        """Close a sandboxed session (yours, without `session`): its variables and files are gone."""
        key, _ = client_key(ctx, session)
        closed = await anyio.to_thread.run_sync(lambda: sessions.close(key))
        return "closed" if closed else "there was no such session"

    return server, sessions


def _instructions(tools: Sequence[Tool]) -> str:
    return ("Run Python with run_python: a sandboxed session keeps its variables between calls, has no "
            f"network, and may call {len(tools)} host function(s), listed in run_python's description.")  # fmt: skip


def _run_description(tools: Sequence[Tool], transport: str) -> str:
    lines = [
        "Run Python code in your own sandboxed IPython session (no network; variables, imports and files in "
        f"{WORK_DIR_IN_BOX} persist between calls). Returns stdout, the last expression's value, errors "
        "(with the line), images the code drew and files it wrote. Prefer printing results over long values.",
    ]
    if transport == "http":
        lines.append("The first result names your session's handle: pass it as `session` to keep your state.")
    if tools:
        lines += ["", "The code may call these functions (they run outside the sandbox):", ""]
        lines += [t.stub() for t in tools]
    return "\n".join(lines)


def _result(execution: Execution, work_dir: Path, handle: str | None) -> mcp_types.CallToolResult:
    """The execution as MCP content: one text block, then each image, then each file the code wrote."""
    text = execution.summary() or "(no output)"
    if execution.answered:
        text += f"\nfinal_answer: {execution.answer!r}"
    if execution.files:
        text += "\nfiles written: " + ", ".join(f"{WORK_DIR_IN_BOX}/{f}" for f in execution.files)
    if handle:
        text += f"\n[session: {handle}]"
    content: list[mcp_types.ContentBlock] = [mcp_types.TextContent(type="text", text=text)]
    for display in execution.displays:
        if display.path:
            data = base64.b64encode(Path(display.path).read_bytes()).decode()
            content.append(mcp_types.ImageContent(type="image", data=data, mime_type="image/png"))
    for name in execution.files:
        block = _file_block(work_dir / name, f"file://{WORK_DIR_IN_BOX}/{name}")
        if block is not None:
            content.append(block)
    return mcp_types.CallToolResult(content=content, is_error=not execution.ok)


def _file_block(path: Path, uri: str) -> mcp_types.EmbeddedResource | None:
    """A file the code wrote, as an embedded resource: text where it decodes as UTF-8, else bytes."""
    try:
        if path.stat().st_size > FILE_LIMIT:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    try:
        contents = mcp_types.TextResourceContents(uri=uri, text=data.decode("utf-8"))
    except UnicodeDecodeError:
        contents = mcp_types.BlobResourceContents(uri=uri, blob=base64.b64encode(data).decode())
    return mcp_types.EmbeddedResource(type="resource", resource=contents)


def _error(message: str) -> mcp_types.CallToolResult:
    return mcp_types.CallToolResult(content=[mcp_types.TextContent(type="text", text=message)], is_error=True)


def serve(tools: Sequence[Tool], *, mcp: Sequence[str] = (), port: int | None = None, host: str = "127.0.0.1",
          backend: str = "kernel", policy: Policy | None = None, limits: Limits | None = None) -> None:  # fmt: skip
    """Serve until the client goes (stdio) or the process is stopped (`port`: streamable HTTP on `host`);
    the MCP servers named by `mcp` start first, and their tools join `tools` in the sandbox."""
    limits = limits or Limits()
    with MCPServers(mcp, timeout=limits.timeout, taken=[t.name for t in tools]) as servers:
        server, sessions = build_server([*tools, *servers.tools], transport="stdio" if port is None else "http",
                                        backend=backend, policy=policy, limits=limits)  # fmt: skip
        try:
            if port is None:
                server.run()
            else:
                server.run("streamable-http", host=host, port=port)
        finally:
            sessions.close_all()
