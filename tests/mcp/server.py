"""A small MCP server for the tests, written with the mcp package's own server side.

Run as ``python server.py`` (stdio) or ``python server.py http PORT`` (streamable HTTP on
127.0.0.1). Tools: ``add`` (text), ``pixel`` (an image), ``fail`` (an isError result),
``note`` (an embedded text resource), ``grow`` (adds a tool and tells the client the list
changed), ``slow`` (sleeps a minute), ``header`` (the request's ``x-test`` header), ``die``
(the server process exits mid-call).
"""

from __future__ import annotations

import base64
import os
import sys

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import EmbeddedResource, ImageContent, TextContent, TextResourceContents

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

server = MCPServer("reverie-test")


@server.tool()
def add(a: int, b: int) -> str:
    """Add two numbers."""
    return str(a + b)


@server.tool()
def pixel() -> list[TextContent | ImageContent]:
    """A one-pixel PNG with a caption."""
    return [
        TextContent(type="text", text="one red pixel"),
        ImageContent(type="image", data=base64.b64encode(PNG).decode(), mime_type="image/png"),
    ]


@server.tool()
def fail(reason: str) -> str:
    """Always fails."""
    raise ToolError(f"refused: {reason}")


@server.tool()
def note() -> EmbeddedResource:
    """An embedded text resource."""
    return EmbeddedResource(
        type="resource",
        resource=TextResourceContents(
            uri="memo://1", text="remember the milk", mime_type="text/plain"
        ),
    )


def extra(word: str) -> str:
    """Added at run time by grow."""
    return word.upper()


@server.tool()
async def grow(name: str, ctx: Context) -> str:
    """Adds the tool 'extra' under ``name`` and notifies the client."""
    server.add_tool(extra, name=name)
    await ctx.notify_tools_changed()
    await ctx.session.send_tool_list_changed()
    await anyio.sleep(0.2)  # let the notification reach the client before the answer
    return "grown"


@server.tool()
async def slow() -> str:
    """Takes longer than any test waits."""
    await anyio.sleep(60)
    return "late"


@server.tool()
def header(ctx: Context) -> str:
    """The x-test header of the HTTP request that called it."""
    return (ctx.headers or {}).get("x-test", "none")


@server.tool()
def die() -> str:
    """The server exits in the middle of the call."""
    os._exit(3)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
