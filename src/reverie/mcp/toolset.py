"""A live MCP connection as a list of tools.

The connection opens with ``async with`` and the server's tools are listed then; each is a
:class:`~reverie.Tool` whose input schema is the server's own and whose call goes to the
server. When the server says its tool list changed, the list is fetched again before the
next step of an agent given :meth:`MCPToolset.prepare_step` (an agent takes its tools once,
when it is made). Nothing here raises because of a tool call: a failing, dead or closed
server becomes an error result for the model.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack, suppress
from typing import TYPE_CHECKING, Any, overload

from reverie.errors import ConfigurationError, ReverieError, ToolError
from reverie.model import ProviderTool
from reverie.tools.tool import TOOL_NAME, Tool, ToolReturn

if TYPE_CHECKING:
    from reverie.agent.prepare import StepContext, StepPlan

Open = Callable[[AsyncExitStack], Awaitable[Any]]
"""Enters what the connection needs (an HTTP client) on the stack; returns what
``mcp.Client`` connects to."""

_INVALID = re.compile(r"[^a-zA-Z0-9_-]")


class MCPToolset(Sequence[Tool]):
    """The tools of one MCP server, usable while connected.

    >>> async with reverie.mcp.stdio("uvx", ["mcp-server-time"]) as tools:
    ...     result = await Agent(model, tools=tools).run("What time is it in Rome?")

    Made by :func:`reverie.mcp.stdio` or :func:`reverie.mcp.http`. ``prefix`` is put before
    every tool name (two servers may both have a ``search``); characters providers refuse
    in names become ``_``.
    """

    def __init__(
        self,
        open_server: Open,
        *,
        target: str,
        prefix: str = "",
    ) -> None:
        self._open_server = open_server
        self._target = target
        self._prefix = prefix
        self._tools: tuple[Tool, ...] = ()
        self._names: dict[str, str] = {}  # our tool name → the server's
        self._ever: set[str] = set()  # every name this toolset has offered
        self._client: Any = None
        self._stack: AsyncExitStack | None = None
        self._stale = False
        self._failure: str | None = None
        self._error: Exception | None = None
        self._closing: Any = None  # an anyio.Event while connected
        self._client_options: dict[str, Any] = {}  # for mcp.Client; tests pin the protocol

    def __repr__(self) -> str:
        # The target is a command name or a URL without credentials, never headers or env.
        state = f"{len(self._tools)} tools" if self._stack is not None else "not connected"
        return f"MCPToolset({self._target}, {state})"

    # -- the connection ------------------------------------------------------------------

    async def __aenter__(self) -> MCPToolset:
        if self._stack is not None:
            raise RuntimeError(f"{self!r} is connected already")
        try:
            import anyio
            import mcp  # noqa: F401
        except ImportError as exc:
            raise ConfigurationError(
                "MCP tools need the mcp package: pip install 'reverie[mcp]'"
            ) from exc
        self._closing = anyio.Event()
        self._error = None
        self._failure = None
        stack = AsyncExitStack()
        group = await stack.enter_async_context(anyio.create_task_group())
        await group.start(self._serve)
        if self._error is not None:
            error, self._error = self._error, None
            await stack.aclose()
            if isinstance(error, ReverieError):
                raise error
            raise ReverieError(
                f"could not connect to the MCP server {self._target}: {_describe(error)}"
            ) from error
        self._stack = stack
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            self._closing.set()
            await stack.aclose()

    async def _serve(self, *, task_status: Any) -> None:
        """The connection, in a task of its own: when the server dies, the mcp client's tasks
        fail and cancel this task only, never the caller's run; calls then report it."""
        import anyio
        from mcp import Client

        started = False
        try:
            async with AsyncExitStack() as stack:
                server = await self._open_server(stack)
                client = Client(server, message_handler=self._on_message, **self._client_options)
                await stack.enter_async_context(client)
                self._client = client
                await self._list()
                group = await stack.enter_async_context(anyio.create_task_group())
                await group.start(self._listen)
                task_status.started()
                started = True
                await self._closing.wait()
                group.cancel_scope.cancel()
        except Exception as exc:  # an ExceptionGroup from the client's tasks, too
            if started:
                self._failure = f"the connection ended: {_describe(exc)}"
            else:
                self._error = exc
        finally:
            self._client = None
            if not started:
                task_status.started()

    async def _listen(self, *, task_status: Any) -> None:
        """Hold a ``subscriptions/listen`` stream open (servers of 2026-07-28 and later send
        list changes only there; older ones send them unasked, to ``_on_message``)."""
        client = self._client
        tools = client.server_capabilities.tools
        if tools is None or not tools.list_changed:
            task_status.started()
            return
        try:
            async with client.listen(tools_list_changed=True) as subscription:
                task_status.started()
                async for _ in subscription:
                    self._stale = True
        except Exception:
            # An older protocol, or the server went away: changes come unasked or not at all;
            # tool calls report a dead server themselves.
            pass
        finally:
            # started() twice raises; once is enough whatever happened above.
            with suppress(RuntimeError):
                task_status.started()

    async def _on_message(self, message: Any) -> None:
        from mcp.types import ServerNotification, ToolListChangedNotification

        if isinstance(message, ServerNotification):
            message = getattr(message, "root", message)
        if isinstance(message, ToolListChangedNotification):
            self._stale = True

    # -- the tools -----------------------------------------------------------------------

    @property
    def tools(self) -> tuple[Tool, ...]:
        """The tools as last listed."""
        self._require_connected()
        return self._tools

    @property
    def changed(self) -> bool:
        """The server said its tool list changed since it was last listed."""
        return self._stale

    async def refresh(self) -> tuple[Tool, ...]:
        """List the server's tools again (done for you by :meth:`prepare_step`)."""
        self._require_connected()
        await self._list()
        return self._tools

    async def prepare_step(self, context: StepContext) -> StepPlan | None:
        """An agent's ``prepare_step`` that offers the server's current tools each step:
        fetched again if the server said they changed, in place of the ones the agent was
        made with. ``Agent(model, tools=toolset, prepare_step=toolset.prepare_step)``."""
        from reverie.agent.prepare import StepPlan

        if self._stale and self._client is not None:
            with suppress(Exception):  # the server is gone: its calls will say so
                await self._list()
        ours = [t for t in context.tools if t.name in self._ever]
        if ours == list(self._tools):
            return None
        others: list[Tool | ProviderTool] = [t for t in context.tools if t.name not in self._ever]
        return StepPlan(tools=[*others, *self._tools])

    async def _list(self) -> None:
        self._stale = False
        listed: list[Any] = []
        cursor: str | None = None
        while True:
            page = await self._client.list_tools(cursor=cursor, cache_mode="refresh")
            listed.extend(page.tools)
            cursor = page.next_cursor
            if not cursor:
                break
        names: dict[str, str] = {}
        tools: list[Tool] = []
        for spec in listed:
            name = self._our_name(spec.name)
            if name in names:
                raise ConfigurationError(
                    f"the MCP server {self._target} has tools {names[name]!r} and {spec.name!r}, "
                    f"both named {name!r} here"
                )
            names[name] = spec.name
            tools.append(self._make_tool(name, spec))
        self._names = names
        self._tools = tuple(tools)
        self._ever.update(names)

    def _our_name(self, server_name: str) -> str:
        name = self._prefix + server_name
        if TOOL_NAME.fullmatch(name) is None:
            name = _INVALID.sub("_", name)[:64] or "_"
        return name

    def _make_tool(self, name: str, spec: Any) -> Tool:
        server_name: str = spec.name

        async def call(args: dict[str, Any]) -> ToolReturn:
            return await self._call(server_name, args)

        annotations = spec.annotations
        return Tool.from_schema(
            name,
            spec.description or spec.title or "",
            dict(spec.input_schema),
            call,
            # A read-only tool cannot disturb another call: such calls may run together.
            parallel=bool(annotations is not None and annotations.read_only_hint),
        )

    async def _call(self, server_name: str, args: dict[str, Any]) -> ToolReturn:
        from reverie.mcp.results import to_tool_return

        if self._failure is not None:
            raise ToolError(f"the MCP server {self._target} is gone ({self._failure})")
        client = self._client
        if client is None:
            raise ToolError(f"the MCP server {self._target} is not connected")
        try:
            result = await client.call_tool(server_name, args)
        except Exception as exc:
            raise ToolError(
                f"the MCP tool {server_name!r} could not run ({self._target}): {_describe(exc)}"
            ) from exc
        return to_tool_return(result)

    def _require_connected(self) -> None:
        if self._stack is None:
            raise RuntimeError(
                f"{self!r}: use the tools inside `async with reverie.mcp.stdio(...) as tools:`"
            )

    # -- Sequence[Tool] ------------------------------------------------------------------

    @overload
    def __getitem__(self, index: int) -> Tool: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Tool]: ...

    def __getitem__(self, index: int | slice) -> Tool | Sequence[Tool]:
        return self.tools[index]

    def __len__(self) -> int:
        return len(self.tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter(self.tools)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return _describe(exc.exceptions[0])
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
