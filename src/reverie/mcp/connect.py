"""Where an MCP server is: a command to start (stdio) or a URL (streamable HTTP)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import urlsplit

from reverie.mcp.toolset import MCPToolset

CONNECT_TIMEOUT = 30.0
READ_TIMEOUT = 300.0
"""A tool call may run for minutes, and a server holds its event stream open."""


def stdio(
    command: str,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    *,
    cwd: str | None = None,
    prefix: str = "",
) -> MCPToolset:
    """The tools of an MCP server started as ``command args...``, spoken to over its stdin and
    stdout; ``env`` is added to a minimal environment (``PATH``, ``HOME``…), not to ours, so
    pass the keys the server needs. The process starts on ``async with`` and ends with it.

    >>> async with reverie.mcp.stdio("python", ["server.py"]) as tools:
    ...     await Agent(model, tools=tools).run("...")
    """
    if isinstance(args, str):
        raise TypeError("args must be a list of str, not a str: use args=['--flag']")
    arguments = list(args)
    variables = dict(env or {})

    async def open_server(stack: AsyncExitStack) -> Any:
        from mcp import StdioServerParameters

        return StdioServerParameters(command=command, args=arguments, env=variables, cwd=cwd)

    return MCPToolset(open_server, target=f"stdio:{os.path.basename(command)}", prefix=prefix)


def http(
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    prefix: str = "",
) -> MCPToolset:
    """The tools of an MCP server at ``url`` over streamable HTTP; ``headers`` go with every
    request (an ``Authorization`` header, say) and are never shown in reprs or errors.

    >>> async with reverie.mcp.http("https://mcp.example.com/mcp", {"Authorization": key}) as tools:
    ...     await Agent(model, tools=tools).run("...")
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be an http:// or https:// URL of the server's MCP endpoint")
    sent = dict(headers or {})
    # What reprs and errors show: no userinfo, no query (either may carry a token).
    shown = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    shown += parts.path

    async def open_server(stack: AsyncExitStack) -> Any:
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        client = await stack.enter_async_context(
            httpx2.AsyncClient(
                headers=sent, timeout=httpx2.Timeout(CONNECT_TIMEOUT, read=READ_TIMEOUT)
            )
        )
        return streamable_http_client(url, http_client=client)

    return MCPToolset(open_server, target=shown, prefix=prefix)
