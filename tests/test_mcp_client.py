"""MCP servers' tools called from sandboxed code: real servers over stdio (one written with the SDK here, the
published mcp-server-time) and over streamable HTTP on loopback, driven by a scripted model (not a language
model) and, once, by the bundled model."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from codecall import Agent
from codecall.mcp import MCPServers, MCPServerWarning
from codecall.models import Model, Scripted, resolve_model
from codecall.retrieve import select_tools

from .conftest import TEST_LIMITS

CALC = Path(__file__).parent / "mcp_servers" / "calc.py"
CALC_COMMAND = f"{sys.executable} {CALC}"
TIME_COMMAND = f"{sys.executable} -m mcp_server_time --local-timezone UTC"


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


def run(code: list[str], mcp: list[str], task: str = "Use the tools."):
    with Agent(Scripted([fenced(c) for c in code]), mcp=mcp, limits=TEST_LIMITS, max_steps=len(code)) as agent:
        return agent, agent.run(task)


def test_stdio_server_tools_are_stubs_called_from_the_box() -> None:
    code = """
total = add(2, 3.5)
each = unit_price(total=10, count=4)
capitals = shout(text="mcp")
image = dot()
try:
    divide(1, 0)
except ToolCallError as error:
    refused = str(error)
try:
    unit_price(total=1, count=1, currency="GBP")
except ToolCallError as error:
    invalid = str(error)
final_answer([total, each, capitals, image[:4], refused, invalid])
"""
    agent, result = run([code], [CALC_COMMAND])
    assert result.status == "answered", result.error
    total, each, capitals, png, refused, invalid = result.answer
    assert total == 5.5  # structured content, the SDK's {"result": ...} unwrapped
    assert isinstance(each, str) and '"price": 2.5' in each  # text content stays text
    assert capitals == "MCP"
    assert png == b"\x89PNG"  # an image block arrives as its bytes
    assert "cannot divide by zero" in refused
    assert "'GBP' is not one of ['EUR', 'USD']" in invalid  # the whole schema is checked on the host
    stubs = {t.name: t.stub() for t in agent.tools}
    assert stubs["add"].startswith("def add(a: float, b: float) -> float:\n    \"\"\"Add two numbers.\"\"\"")
    assert "unit_price" in stubs and "    total: what all the items cost" in stubs["unit_price"]  # "unit-price"
    calls = result.steps[0].tool_calls
    assert [(c.tool, c.server) for c in calls] == [("add", "calc"), ("unit_price", "calc"), ("shout", "calc"),
                                                   ("dot", "calc"), ("divide", "calc"), ("unit_price", "calc")]
    assert calls[0].error is None and "cannot divide by zero" in calls[4].error
    assert result.to_json()["steps"][0]["tool_calls"][0] == {"tool": "add", "server": "calc", "error": None}


def test_published_time_server_and_host_tools_side_by_side() -> None:
    def hours(text: str) -> int:
        """The hour of an ISO datetime."""
        return int(text[11:13])

    code = 'now = get_current_time(timezone="Asia/Tokyo")\nfinal_answer([now["timezone"], hours(now["datetime"])])'
    with Agent(Scripted([fenced(code)]), [hours], mcp=[TIME_COMMAND], limits=TEST_LIMITS, max_steps=1) as agent:
        result = agent.run("What hour is it in Tokyo?")
    assert result.status == "answered", result.error
    zone, hour = result.answer
    assert zone == "Asia/Tokyo" and 0 <= hour < 24
    assert [(c.tool, c.server) for c in result.steps[0].tool_calls] == [
        ("get_current_time", "mcp_server_time"), ("hours", None)]  # fmt: skip


@pytest.fixture
def http_calc() -> Iterator[str]:
    """calc.py served over streamable HTTP on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(CALC), "--http", str(port)], stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("the HTTP test server exited")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.kill()
        process.wait()


def test_streamable_http_server_on_loopback(http_calc: str) -> None:
    _, result = run(["final_answer([add(1, 2), shout(text='http')])"], [f"calc={http_calc}"])
    assert result.status == "answered", result.error
    assert result.answer == [3.0, "HTTP"]
    assert {c.server for c in result.steps[0].tool_calls} == {"calc"}


def test_an_http_server_that_dies_mid_run(http_calc: str) -> None:
    code = "try:\n    crash()\nexcept ToolCallError as error:\n    print(error)\nfinal_answer(shout(text='x'))"
    _, result = run([code], [f"calc={http_calc}"])
    execution = result.steps[0].execution
    assert "MCP server 'calc' is gone" in execution.stdout
    assert execution.error.type == "ToolCallError" and "is gone" in execution.error.message  # the next call too


def test_a_server_that_dies_mid_run_and_one_that_never_starts() -> None:
    first = """
try:
    crash()
except ToolCallError as error:
    first = str(error)
try:
    add(1, 2)
except ToolCallError as error:
    second = str(error)
print(first)
print(second)
"""
    then = 'final_answer(get_current_time(timezone="UTC")["timezone"])'
    with pytest.warns(MCPServerWarning, match="'nothing' .* did not start: FileNotFoundError"):
        agent, result = run([first, then], [CALC_COMMAND, TIME_COMMAND, "nothing=/no/such/mcp-server"])
    assert result.status == "answered" and result.answer == "UTC"  # the run went on with the live server
    out = result.steps[0].execution.stdout
    assert "MCP server 'calc' is gone" in out and "crashing on purpose" in out  # its last words are quoted
    assert out.count("is gone") == 2  # later calls fail at once, with the same reason
    assert set(agent.mcp.failures) == {"calc", "nothing"}


def test_retrieval_and_the_guide_see_mcp_tools_as_any_tool() -> None:
    with MCPServers([CALC_COMMAND, TIME_COMMAND]) as servers:
        shown = select_tools("What time is it in Tokyo now?", servers.tools, 2)
        assert "get_current_time" in [t.name for t in shown]
        by_name = {t.name: t for t in servers.tools}
        assert by_name["convert_time"].parameters["required"] == ["source_timezone", "time", "target_timezone"]
        assert by_name["unit_price"].to_openai()["function"]["parameters"]["properties"]["currency"]["enum"] == [
            "EUR", "USD"]  # fmt: skip


def test_clashing_names_are_prefixed_by_server() -> None:
    with MCPServers([f"a={CALC_COMMAND}", f"b={CALC_COMMAND}"], taken=["shout"]) as servers:
        names = {t.name for t in servers.tools}
    assert {"a_add", "b_add", "a_shout", "b_shout"} <= names and "add" not in names


@pytest.fixture(scope="module")
def bundled() -> Model:
    return resolve_model(None)


def bundled_run(model: Model, server: str, task: str):
    with Agent(model, mcp=[server], limits=TEST_LIMITS, max_steps=2) as agent:
        result = agent.run(task)
    return result, [(c.tool, c.server) for s in result.steps for c in s.tool_calls]


@pytest.mark.model
def test_bundled_model_calls_a_tool_of_the_sdk_server(bundled: Model) -> None:
    result, calls = bundled_run(bundled, CALC_COMMAND, "Add 17 and 25.")
    assert ("add", "calc") in calls and result.answer == 42


@pytest.mark.model
def test_bundled_model_calls_the_published_time_server(bundled: Model) -> None:
    result, calls = bundled_run(bundled, TIME_COMMAND, "Get the current time in Asia/Tokyo.")
    assert ("get_current_time", "mcp_server_time") in calls
    assert result.status == "answered" and result.answer["timezone"] == "Asia/Tokyo"


@pytest.mark.model
def test_bundled_model_calls_a_server_over_http(bundled: Model, http_calc: str) -> None:
    result, calls = bundled_run(bundled, f"calc={http_calc}", "Add 17 and 25.")
    assert ("add", "calc") in calls and result.answer == 42


def test_parameters_named_as_no_python_function_can_be() -> None:
    keywords = f"{sys.executable} {Path(__file__).parent / 'mcp_servers' / 'keywords.py'}"
    _, result = run(["final_answer([span(2, 9), span(from_=2, to=9, max_count=3)])"], [keywords])
    assert result.status == "answered", result.error
    assert result.answer == ["[2, 3, 4, 5, 6, 7, 8, 9]", "[2, 3, 4]"]  # the server got `from`, `max-count`
    with MCPServers([keywords]) as servers:
        (span,) = servers.tools
    assert span.stub().startswith("def span(from_: int, to: int, max_count: int = None):")
    assert span.parameters["required"] == ["from_", "to"]


def test_the_trace_notebook_starts_the_servers_again_and_reruns_their_calls(tmp_path: Path) -> None:
    _, result = run(["x = add(2, 3)\nprint('x is', x)", "final_answer(shout(text='done'))"], [CALC_COMMAND])
    assert result.answer == "DONE"
    notebook = nbformat.read(str(result.to_notebook(tmp_path / "run.ipynb")), as_version=4)
    assert f"--mcp '{CALC_COMMAND}'" in notebook.cells[1].source
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert any(o.get("text") == "x is 5.0\n" for o in outputs)
