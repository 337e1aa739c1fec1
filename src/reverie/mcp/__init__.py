"""MCP servers' tools for agents (the ``reverie[mcp]`` extra).

>>> import reverie.mcp
>>> async with reverie.mcp.stdio("python", ["server.py"]) as tools:
...     result = await Agent("openai:gpt-4o", tools=tools).run("Add 2 and 3")

Importing this module loads nothing of ``mcp``; connecting does.
"""

from reverie.mcp.connect import http, stdio
from reverie.mcp.toolset import MCPToolset

__all__ = ["MCPToolset", "http", "stdio"]
