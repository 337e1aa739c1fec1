"""MCP tools through an agent, against a real MCP server (tests/mcp/server.py) over stdio and
over streamable HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("mcp")

import reverie.mcp
from reverie import Agent, ErrorOutput, MediaOutput, RunResult, TextOutput, ToolResult
from reverie.mcp import MCPToolset
from reverie.testing import ScriptedModel
from reverie.testing.fake import reply

SERVER = str(Path(__file__).with_name("server.py"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, SERVER, "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the MCP test server did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)


def stdio_tools() -> MCPToolset:
    return reverie.mcp.stdio(sys.executable, [SERVER])


@pytest.fixture(params=["stdio", "http"])
def server(request: pytest.FixtureRequest) -> MCPToolset:
    """A toolset for the test to connect: the connection is entered and left in the test's
    own task (anyio's task groups must be)."""
    if request.param == "stdio":
        return stdio_tools()
    return reverie.mcp.http(request.getfixturevalue("http_url"))


def results(result: RunResult) -> dict[str, object]:
    return {r.tool_call_id: r.output for s in result.steps for r in s.tool_results}


def calls_every_kind() -> ScriptedModel:
    return ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("1", "add", '{"a": 2, "b": 3}'),
                    ("2", "pixel", "{}"),
                    ("3", "fail", '{"reason": "no"}'),
                    ("4", "note", "{}"),
                ]
            ),
            reply("done"),
        ]
    )


def check_every_kind(model: ScriptedModel, result: RunResult) -> None:
    assert result.text == "done"
    out = results(result)
    assert out["1"] == TextOutput(text="5")
    image = out["2"]
    assert isinstance(image, MediaOutput)
    assert image.media_type == "image/png"
    assert image.text == "one red pixel"
    assert base64.b64decode(image.data).startswith(b"\x89PNG")
    assert out["3"] == ErrorOutput(message="Error executing tool fail: refused: no")
    assert out["4"] == TextOutput(text="remember the milk")
    # Structured content stays with the application, out of the prompt.
    first = result.steps[0].tool_results[0]
    assert first.metadata["mcp"]["structured_content"] == {"result": "5"}
    # What the model was sent on its second call: the tool results as mapped.
    sent = model.calls[1].prompt[-1]
    assert sent.role == "tool"
    assert [getattr(p, "output", None) for p in sent.content] == [out[k] for k in "1234"]


async def test_tools_and_their_results_through_run_and_stream(server: MCPToolset) -> None:
    async with server as tools:
        names = [t.name for t in tools]
        assert names[:4] == ["add", "pixel", "fail", "note"]
        assert len(tools) == len(names)
        add = tools[0]
        assert add.description == "Add two numbers."
        # The schema as the server gave it, titles included.
        assert add.input_schema["properties"]["a"] == {"title": "A", "type": "integer"}
        assert add.input_schema["required"] == ["a", "b"]
        assert [t.name for t in tools[1:3]] == ["pixel", "fail"]

        model = calls_every_kind()
        check_every_kind(model, await Agent(model, tools=tools).run("go"))

        model = calls_every_kind()
        stream = Agent(model, tools=[*tools]).stream("go")
        events = [event async for event in stream]
        check_every_kind(model, stream.result)
        streamed = [e for e in events if isinstance(e, ToolResult)]
        assert [r.tool_call_id for r in streamed] == ["1", "2", "3", "4"]


async def test_list_changed_refreshes_the_tools_before_the_next_step(server: MCPToolset) -> None:
    # A name of this test's own: the HTTP server lives for the whole module.
    name = "added_" + ("stdio" if "stdio" in repr(server) else "http")
    async with server as tools:
        assert name not in [t.name for t in tools]
        made_before = Agent(
            ScriptedModel([reply(tool_calls=[("9", name, '{"word": "hi"}')]), reply("no")]),
            tools=tools,
        )
        model = ScriptedModel(
            [
                reply(tool_calls=[("1", "grow", json.dumps({"name": name}))]),
                reply(tool_calls=[("2", name, '{"word": "hi"}')]),
                reply("done"),
            ]
        )
        agent = Agent(model, tools=tools, prepare_step=tools.prepare_step)
        result = await agent.run("go")
        assert results(result) == {"1": TextOutput(text="grown"), "2": TextOutput(text="HI")}
        assert name in [t.name for t in tools]
        # The second call offered the new tool to the model, the first did not.
        assert name in [t.name for t in model.calls[1].tools]
        assert name not in [t.name for t in model.calls[0].tools]

        # An agent without the hook keeps the tools it was made with.
        missing = results(await made_before.run("go"))["9"]
        assert isinstance(missing, ErrorOutput)
        assert f"tool {name!r} not found" in missing.message


async def test_list_changed_reaches_a_client_of_the_older_protocol() -> None:
    # Servers before 2026-07-28 send the notification unasked, with no subscription.
    toolset = stdio_tools()
    toolset._client_options = {"mode": "legacy"}
    async with toolset as tools:
        model = ScriptedModel(
            [
                reply(tool_calls=[("1", "grow", '{"name": "legacy_tool"}')]),
                reply(tool_calls=[("2", "legacy_tool", '{"word": "ok"}')]),
                reply("done"),
            ]
        )
        result = await Agent(model, tools=tools, prepare_step=tools.prepare_step).run("go")
        assert results(result)["2"] == TextOutput(text="OK")


async def test_a_server_killed_mid_run_gives_error_results() -> None:
    model = ScriptedModel(
        [
            reply(tool_calls=[("1", "add", '{"a": 1, "b": 1}')]),
            reply(tool_calls=[("2", "die", "{}")]),
            reply(tool_calls=[("3", "add", '{"a": 1, "b": 1}')]),
            reply("the server is gone"),
        ]
    )
    async with stdio_tools() as tools:
        result = await Agent(model, tools=tools, prepare_step=tools.prepare_step).run("go")
    out = results(result)
    assert out["1"] == TextOutput(text="2")
    for key in ("2", "3"):
        error = out[key]
        assert isinstance(error, ErrorOutput)
        # "could not run" during the call that killed it, "is gone" or the same after.
        assert "MCP" in error.message and "stdio:python" in error.message
    assert result.text == "the server is gone"


async def test_an_http_server_killed_mid_run_gives_error_results() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, SERVER, "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
        model = ScriptedModel(
            [
                reply(tool_calls=[("1", "add", '{"a": 1, "b": 1}')]),
                reply(tool_calls=[("2", "add", '{"a": 1, "b": 1}')]),
                reply("the server is gone"),
            ]
        )
        tools = reverie.mcp.http(f"http://127.0.0.1:{port}/mcp")

        async def kill_after_first(context: object) -> None:
            if getattr(context, "number", 0) == 2:
                process.kill()
                process.wait(10)

        async with tools:
            result = await Agent(model, tools=tools, prepare_step=kill_after_first).run("go")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    out = results(result)
    assert out["1"] == TextOutput(text="2")
    error = out["2"]
    assert isinstance(error, ErrorOutput)
    assert "could not run" in error.message
    assert result.text == "the server is gone"


async def test_a_timed_out_call_is_an_error_result_and_the_connection_goes_on(
    server: MCPToolset,
) -> None:
    model = ScriptedModel(
        [
            reply(tool_calls=[("1", "slow", "{}")]),
            reply(tool_calls=[("2", "add", '{"a": 1, "b": 2}')]),
            reply("done"),
        ]
    )
    async with server as tools:
        result = await Agent(model, tools=tools, tool_timeout=0.5).run("go")
    out = results(result)
    assert out["1"] == ErrorOutput(message="the tool 'slow' timed out after 0.5 s")
    assert out["2"] == TextOutput(text="3")


async def test_http_headers_reach_the_server(http_url: str) -> None:
    model = ScriptedModel([reply(tool_calls=[("1", "header", "{}")]), reply("done")])
    async with reverie.mcp.http(http_url, {"x-test": "from reverie"}) as tools:
        result = await Agent(model, tools=tools).run("go")
    assert results(result)["1"] == TextOutput(text="from reverie")


async def test_tools_are_unusable_outside_the_connection(http_url: str) -> None:
    toolset = reverie.mcp.http(http_url)
    with pytest.raises(RuntimeError, match="async with"):
        Agent(ScriptedModel([]), tools=toolset)
    async with toolset:
        tool = toolset[0]
    output, _ = await tool.run({"a": 1, "b": 2}, _context())
    assert isinstance(output, ErrorOutput)
    assert "not connected" in output.message


async def test_a_server_that_does_not_start_is_a_clear_error() -> None:
    from reverie import ReverieError

    toolset = reverie.mcp.stdio(sys.executable, ["-c", "import sys; sys.exit(2)"])
    with pytest.raises(ReverieError, match="could not connect to the MCP server stdio:python"):
        async with toolset:
            pass


def test_reprs_show_no_secrets() -> None:
    toolset = reverie.mcp.http(
        "https://user:pw@mcp.example.com/mcp?token=s3cret", {"Authorization": "Bearer s3cret"}
    )
    assert "s3cret" not in repr(toolset) and "pw" not in repr(toolset)
    assert repr(toolset) == "MCPToolset(https://mcp.example.com/mcp, not connected)"
    env = reverie.mcp.stdio("server", env={"API_KEY": "s3cret"})
    assert "s3cret" not in repr(env)


def test_prefix_and_names_providers_refuse() -> None:
    toolset = reverie.mcp.stdio("server", prefix="fs_")
    assert toolset._our_name("read.file") == "fs_read_file"
    assert toolset._our_name("list") == "fs_list"


def _context() -> object:
    from reverie.tools.tool import ToolRunContext

    return ToolRunContext(tool_call_id="x", tool_name="add")


def test_results_map_without_a_server() -> None:
    from mcp.types import (
        BlobResourceContents,
        CallToolResult,
        EmbeddedResource,
        ImageContent,
        ResourceLink,
        TextContent,
    )

    from reverie.mcp.results import to_tool_return

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n....").decode()
    two = CallToolResult(
        content=[
            ImageContent(type="image", data=png, mime_type="image/png"),
            ImageContent(type="image", data=png, mime_type="image/jpeg"),
            ResourceLink(type="resource_link", uri="file:///a.txt", name="a.txt"),
        ]
    )
    out = to_tool_return(two).output
    assert out == MediaOutput(
        data=png,
        media_type="image/png",
        text="[resource file:///a.txt: a.txt]\n[1 more item(s) not shown: image/jpeg]",
    )
    blob = CallToolResult(
        content=[
            EmbeddedResource(type="resource", resource=BlobResourceContents(uri="x://b", blob=png))
        ]
    )
    assert to_tool_return(blob).output == MediaOutput(data=png, media_type="image/png")
    only_structure = CallToolResult(content=[], structured_content={"n": 1})
    assert to_tool_return(only_structure).output == TextOutput(text=json.dumps({"n": 1}))
    empty_error = CallToolResult(content=[], is_error=True)
    assert to_tool_return(empty_error).output == ErrorOutput(message="the tool reported an error")
    text = CallToolResult(
        content=[TextContent(type="text", text="a"), TextContent(type="text", text="b")]
    )
    assert to_tool_return(text).output == TextOutput(text="a\nb")


def test_importing_reverie_mcp_loads_no_mcp() -> None:
    code = "import sys, reverie.mcp; print('mcp' in sys.modules, 'httpx2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


async def test_without_the_mcp_package_connecting_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reverie import ConfigurationError

    monkeypatch.setitem(sys.modules, "mcp", None)  # import mcp now raises ImportError
    with pytest.raises(ConfigurationError, match=r"pip install 'reverie\[mcp\]'"):
        async with stdio_tools():
            pass
