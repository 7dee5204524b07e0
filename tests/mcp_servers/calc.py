"""A small MCP server written with the SDK, for the tests: typed tools, structured and text results, an
error, a tool that returns an image, and one that kills its own process (a server that dies mid-run).

Run as `python calc.py` (stdio) or `python calc.py --http PORT` (streamable HTTP on 127.0.0.1)."""

import base64
import os
import sys
from typing import Literal

from mcp.server import MCPServer
from mcp.server.mcpserver import Image
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("calc", log_level="WARNING")


@server.tool()
def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


@server.tool(name="unit-price")
def unit_price(total: float, count: int, currency: Literal["EUR", "USD"] = "EUR") -> dict:
    """The price of one item, as text.

    Args:
        total: what all the items cost
        count: how many items
        currency: the currency of the total
    """
    return {"price": round(total / count, 2), "currency": currency}


@server.tool()
def shout(text: str) -> str:
    """The text in capitals."""
    return text.upper()


@server.tool()
def divide(a: float, b: float) -> float:
    """Divide a by b."""
    if b == 0:
        raise ToolError("cannot divide by zero")
    return a / b


@server.tool()
def dot() -> Image:
    """A one-pixel PNG image."""
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    return Image(data=png, format="png")


@server.tool()
def crash() -> str:
    """End this server's process at once, as a crash would."""
    sys.stderr.write("calc: crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
