"""`codecall mcp` driven by the official MCP SDK's client, as any MCP client would: over stdio (the client
starts the server), and over streamable HTTP on loopback with two clients at once."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import mcp_types
import pytest
from mcp import Client, StdioServerParameters

from codecall.interfaces.cli import main
from codecall.mcp import server
from sandbox import Policy

from .conftest import TEST_LIMITS

HERE = Path(__file__).parent
TOOLS = HERE / "mcp_servers" / "host_tools.py"
CALC = HERE / "mcp_servers" / "calc.py"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # this checkout's codecall, in the server too


def text(result: mcp_types.CallToolResult) -> str:
    return "\n".join(b.text for b in result.content if isinstance(b, mcp_types.TextContent))


def test_stdio_client_runs_code_that_keeps_state_calls_a_host_tool_and_draws() -> None:
    args = ["-m", "codecall", "mcp", "--tools", str(TOOLS), "--timeout", "20"]
    command = StdioServerParameters(command=sys.executable, args=args, env=ENV)

    async def session() -> dict:
        async with Client(command) as client:
            listed = {t.name: t for t in (await client.list_tools()).tools}
            first = await client.call_tool("run_python", {"code": "total = rate('EUR') * 10\nprint(round(total, 2))"})
            second = await client.call_tool("run_python", {"code": "total + 1"})
            plot = await client.call_tool("run_python", {"code": "import matplotlib.pyplot as plt\n"
                                                         "plt.plot([1, 3, 2])\nplt.show()\n"
                                                         "open('notes.txt', 'w').write('kept')"})  # fmt: skip
            failed = await client.call_tool("run_python", {"code": "x = 1\nrate('yen')"})
            return {"listed": listed, "first": first, "second": second, "plot": plot, "failed": failed}

    got = anyio.run(session)
    assert set(got["listed"]) == {"run_python", "close_session"}
    assert "def rate(currency: str) -> float:" in got["listed"]["run_python"].description  # the host tool's stub
    assert text(got["first"]) == "11.0" and not got["first"].is_error  # the host tool ran, called from the box
    assert text(got["second"]) == "Out: 12.0"  # state kept from the first call
    images = [b for b in got["plot"].content if isinstance(b, mcp_types.ImageContent)]
    assert len(images) == 1 and base64.b64decode(images[0].data).startswith(b"\x89PNG")
    files = [b for b in got["plot"].content if isinstance(b, mcp_types.EmbeddedResource)]
    assert [(str(f.resource.uri), f.resource.text) for f in files] == [("file:///workspace/notes.txt", "kept")]
    assert got["failed"].is_error and "ToolCallError" in text(got["failed"]) and "line 2" in text(got["failed"])


@pytest.fixture
def http_server() -> Iterator[str]:
    """`codecall mcp --http` on a free loopback port, with the calc MCP server's tools in its sandbox."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "codecall", "mcp", "--http", str(port), "--timeout", "20",
                                "--mcp", f"{sys.executable} {CALC}"], env=ENV, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("codecall mcp --http exited")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(30)


def test_http_clients_each_get_their_own_session(http_server: str) -> None:
    async def client_run(value: int) -> tuple[str, str, str]:
        async with Client(http_server) as client:
            first = text(await client.call_tool("run_python", {"code": f"mine = add({value}, 1)\nmine"}))
            handle = first.rsplit("[session: ", 1)[1].rstrip("]")
            again = text(await client.call_tool("run_python", {"code": "mine * 10", "session": handle}))
            fresh = text(await client.call_tool("run_python", {"code": "mine"}))  # no handle: a new session
            return first, again, fresh

    async def both() -> list:
        results: list = [None, None]

        async def one(index: int, value: int) -> None:
            results[index] = await client_run(value)

        async with anyio.create_task_group() as group:
            group.start_soon(one, 0, 1)
            group.start_soon(one, 1, 100)
        return results

    (first_a, again_a, fresh_a), (first_b, again_b, _) = anyio.run(both)
    assert first_a.startswith("Out: 2.0") and first_b.startswith("Out: 101.0")  # add() is the calc MCP server's
    assert again_a.startswith("Out: 20.0") and again_b.startswith("Out: 1010.0")  # each its own state
    assert "NameError" in fresh_a


def test_the_session_used_longest_ago_is_closed_when_the_table_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "MAX_SESSIONS", 1)
    sessions = server.Sessions("kernel", Policy(), TEST_LIMITS, [])
    try:
        assert sessions.run("a", "x = 1", create=True)[0].ok
        assert sessions.run("b", "x = 2\nx", create=True)[0].value == 2  # "a" made room
        with pytest.raises(KeyError, match="there is no session 'a'"):
            sessions.run("a", "x", create=False)
    finally:
        sessions.close_all()


def test_help_shows_the_client_configuration(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["mcp", "--help"])
    shown = capsys.readouterr().out
    assert '{"mcpServers": {"codecall": {"command": "codecall",' in shown and "http://127.0.0.1:8000/mcp" in shown
    assert "--tools" in shown and "--mcp" in shown and "--timeout" in shown
