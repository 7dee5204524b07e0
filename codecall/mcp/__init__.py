"""MCP in both directions: MCP servers' tools as tools the sandboxed code calls (`MCPServers`), and
codecall as an MCP server that runs code for any MCP client (`codecall.mcp.server`, `codecall mcp`)."""

from codecall.mcp.client import MCPServers, MCPServerWarning
from codecall.mcp.convert import MCPToolError

__all__ = ["MCPServerWarning", "MCPServers", "MCPToolError"]
