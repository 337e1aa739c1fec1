"""``run_sync``/``stream_sync`` run on one event loop per thread: a provider's pooled
connection serves every call, and nothing is left unclosed at exit."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import reverie
from reverie import Agent

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "gpt-4o",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "pong"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}


def chunk(delta: dict[str, object], finish: str | None = None) -> str:
    data = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(data)}\n\n"


STREAM = (
    chunk({"content": "po"}) + chunk({"content": "ng"}) + chunk({}, "stop") + "data: [DONE]\n\n"
)


class Server(ThreadingHTTPServer):
    """A keep-alive chat-completions server on 127.0.0.1 that counts connections."""

    daemon_threads = True
    connections = 0
    disconnections = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, delayed ACKs cost 40 ms a call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert isinstance(self.server, Server)
        self.server.connections += 1

    def finish(self) -> None:
        super().finish()
        assert isinstance(self.server, Server)
        self.server.disconnections += 1

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        streamed = bool(request.get("stream"))
        body = (STREAM if streamed else json.dumps(COMPLETION)).encode()
        self.send_response(200)
        kind = "text/event-stream" if streamed else "application/json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def agent_for(server: Server) -> Agent:
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    model = reverie.provider("openai", api_key="sk-test", base_url=base_url).model("gpt-4o")
    return Agent(model)


def test_fifty_run_sync_calls_use_one_connection(server: Server) -> None:
    agent = agent_for(server)
    for _ in range(50):
        assert agent.run_sync("ping").text == "pong"
    assert server.connections == 1


def test_stream_sync_and_run_sync_share_the_loop(server: Server) -> None:
    agent = agent_for(server)
    for _ in range(5):
        events = list(agent.stream_sync("ping"))
        assert isinstance(events[-1], reverie.RunFinish)
        assert events[-1].result.text == "pong"
        assert agent.run_sync("ping").text == "pong"
        assert agent.run_sync("ping").text == "pong"
    # Every call reuses the connection it finds in the pool: a stream is read to its body's
    # end after [DONE], so its connection goes back to the pool too.
    assert server.connections == 1


def test_a_finished_stream_returns_its_connection_to_the_pool(server: Server) -> None:
    agent = agent_for(server)
    for _ in range(3):
        list(agent.stream_sync("ping"))
    assert server.connections == 1


def test_each_thread_has_its_own_loop(server: Server) -> None:
    texts: list[str] = []

    def work() -> None:
        agent = agent_for(server)
        texts.extend(agent.run_sync("ping").text for _ in range(3))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert texts == ["pong"] * 6
    assert server.connections == 2  # one per thread, each reused


def test_an_agent_per_call_does_not_leave_its_connection_open(server: Server) -> None:
    import gc
    import warnings

    # Earlier tests' garbage is not this test's subject: collect it before watching.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(5):
            assert agent_for(server).run_sync("ping").text == "pong"
            gc.collect()
    # Each dropped model's client is closed by the next call on the thread's loop, not
    # left to the garbage collector (which warns about the open socket).
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
    assert server.connections == 5
    deadline = time.monotonic() + 5
    while server.disconnections < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.disconnections >= 4


SCRIPT = """
import atexit, sys, threading, time
sys.path[:0] = {paths!r}
from test_sync_loop import Server, Handler, agent_for

def after_reverie_closed():  # registered first, so it runs after reverie's own exit hook
    deadline = time.monotonic() + 5
    while srv.disconnections < srv.connections and time.monotonic() < deadline:
        time.sleep(0.01)
    print("open", srv.connections - srv.disconnections)

atexit.register(after_reverie_closed)
srv = Server(("127.0.0.1", 0), Handler)
threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
agent = agent_for(srv)
for event in agent.stream_sync("ping"):
    pass
for _ in range(50):
    assert agent.run_sync("ping").text == "pong"
print("connections", srv.connections)
"""


def test_connections_are_closed_at_exit_without_resource_warnings() -> None:
    here = str(Path(__file__).parent)
    src = str(Path(__file__).parents[2] / "src")
    code = textwrap.dedent(SCRIPT.format(paths=[src, here]))
    out = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    # One connection for the stream and the 50 calls, pooled until reverie's exit hook
    # closes it.
    assert out.stdout.split() == ["connections", "1", "open", "0"]
    assert "ResourceWarning" not in out.stderr
    assert "unclosed" not in out.stderr


async def test_the_sync_facade_refuses_a_running_loop_and_names_the_async_call() -> None:
    from reverie.testing.fake import ScriptedModel, reply

    agent = Agent(ScriptedModel([reply("never")]))
    with pytest.raises(RuntimeError) as caught:
        agent.run_sync("hi")
    assert str(caught.value) == (
        "run_sync cannot run inside a running event loop (async code, Jupyter): "
        "use `await agent.run(...)` there"
    )
    with pytest.raises(RuntimeError) as caught:
        next(agent.stream_sync("hi"))
    assert str(caught.value) == (
        "stream_sync cannot run inside a running event loop (async code, Jupyter): "
        "use `async for event in agent.stream(...)` there"
    )


def test_stream_sync_alone_registers_the_model_to_be_closed_at_exit(server: Server) -> None:
    from reverie.sync import thread_loop

    agent = agent_for(server)
    list(agent.stream_sync("ping"))
    assert agent.model in thread_loop().models
