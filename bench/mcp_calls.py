"""MCP tool calls from sandboxed code: the time of one call of `add` on tests/mcp_servers/calc.py, over stdio
and over streamable HTTP on loopback, made by code in a boxed session (stub -> bridge -> schema check ->
the host's MCP session), side by side with its anchors measured in the same run: the same call made
directly with the SDK's client on the host (no sandbox), and a host tool called from the same sandbox.
Reports ratios, asserts nothing.

  .venv/bin/python bench/mcp_calls.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from mcp import Client, StdioServerParameters

from codecall.mcp import MCPServers
from sandbox import Session

CALC = Path(__file__).resolve().parent.parent / "tests" / "mcp_servers" / "calc.py"


def host_add(a: float, b: float) -> float:
    """Add two numbers (a host tool)."""
    return a + b


def in_sandbox(session: Session, function: str, calls: int) -> float:
    """Milliseconds per call of `function(i, 1)` in a loop inside one execution."""
    execution = session.execute(f"for i in range({calls}):\n    {function}(i, 1)")
    if not execution.ok:
        raise SystemExit(f"{function}: {execution.summary()}")
    return execution.duration_s * 1000 / calls


def sdk_direct(target: StdioServerParameters | str, calls: int) -> float:
    """Milliseconds per `call_tool("add")` with the SDK's client on the host, one session, in sequence."""

    async def measure() -> float:
        async with Client(target) as client:
            await client.call_tool("add", {"a": 0, "b": 1})
            started = time.perf_counter()
            for i in range(calls):
                await client.call_tool("add", {"a": i, "b": 1})
            return (time.perf_counter() - started) * 1000 / calls

    return asyncio.run(measure())


def http_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(CALC), "--http", str(port)], stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}/mcp"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the HTTP server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200, help="calls per round and path")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each path in turn")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "mcp_calls.json")
    args = parser.parse_args()
    load = round(os.getloadavg()[0], 2)
    process, url = http_server()
    stdio = StdioServerParameters(command=sys.executable, args=[str(CALC)])
    try:
        with MCPServers([f"stdio={sys.executable} {CALC}", f"http={url}"]) as servers:
            tools = {"host_add": host_add, **{t.name: t for t in servers.tools if t.name.endswith("_add")}}
            with Session(tools=tools) as session:
                session.execute("host_add(0, 1); stdio_add(0, 1); http_add(0, 1)")  # warm every path
                rounds: dict[str, list[float]] = {}
                for _ in range(args.rounds):  # interleaved, so a change of load falls on every path alike
                    rounds.setdefault("host", []).append(in_sandbox(session, "host_add", args.calls))
                    for name, target in (("stdio", stdio), ("http", url)):
                        rounds.setdefault(f"{name}_sandbox", []).append(in_sandbox(session, f"{name}_add", args.calls))
                        rounds.setdefault(f"{name}_sdk", []).append(sdk_direct(target, args.calls))
    finally:
        process.kill()
    host = statistics.median(rounds["host"])
    rows = [{"transport": name, "sandbox_ms": statistics.median(rounds[f"{name}_sandbox"]),
             "sdk_direct_ms": statistics.median(rounds[f"{name}_sdk"])} for name in ("stdio", "http")]  # fmt: skip
    print(f"median of {args.rounds} rounds of {args.calls} calls each, {os.cpu_count()} CPUs, load average {load}; "
          f"host tool from the sandbox: {host:.3f} ms a call")  # fmt: skip
    for row in rows:
        row["vs_sdk"] = round(row["sandbox_ms"] / row["sdk_direct_ms"], 2)
        row["vs_host_tool"] = round(row["sandbox_ms"] / host, 1)
        print(f"{row['transport']:>5}: from the sandbox {row['sandbox_ms']:.3f} ms, SDK client on the host "
              f"{row['sdk_direct_ms']:.3f} ms ({row['vs_sdk']}x), host tool {row['vs_host_tool']}x")  # fmt: skip
    meta = {"date": str(date.today()), "machine": platform.machine(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "calls": args.calls, "rounds": args.rounds, "load_average_1m": load,
            "host_tool_ms": round(host, 4)}  # fmt: skip
    args.output.write_text(json.dumps({**meta, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
