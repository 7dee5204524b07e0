"""An MCP server on the SDK's low-level API, for the tests: a tool whose parameters are named `from`, `to`
and `max-count`, names JSON Schema allows and no Python function can have."""

import anyio
import mcp_types
from mcp.server import Server
from mcp.server.stdio import stdio_server

SPAN = mcp_types.Tool(
    name="span",
    description="The whole numbers from `from` up to `to`, at most `max-count` of them.",
    input_schema={
        "type": "object",
        "properties": {"from": {"type": "integer"}, "to": {"type": "integer"}, "max-count": {"type": "integer"}},
        "required": ["from", "to"],
    },
)


async def list_tools(ctx, params) -> mcp_types.ListToolsResult:
    return mcp_types.ListToolsResult(tools=[SPAN])


async def call_tool(ctx, params) -> mcp_types.CallToolResult:
    args = params.arguments or {}
    numbers = list(range(args["from"], args["to"] + 1))[: args.get("max-count")]
    return mcp_types.CallToolResult(content=[mcp_types.TextContent(type="text", text=str(numbers))])


server = Server("keywords", on_list_tools=list_tools, on_call_tool=call_tool)


async def main() -> None:
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
