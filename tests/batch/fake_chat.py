"""A loopback OpenAI-compatible chat server for the batch tests (standard library only).

Each conversation is one tool loop: the first request gets a ``weather`` call whose location
is the user's prompt, the second (which holds the tool's result) gets the answer
``"<prompt>: <result>"``. A prompt containing ``FAIL`` gets HTTP 400, a non-retryable error.
Every reply reports 10 input and 5 output tokens. The server keeps no state.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}


def reply_for(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    messages = body["messages"]
    prompt = next(m["content"] for m in messages if m["role"] == "user")
    if isinstance(prompt, list):
        prompt = "".join(p.get("text", "") for p in prompt)
    if "FAIL" in prompt:
        return 400, {"error": {"message": "this prompt is refused", "type": "invalid_request"}}
    results = [m["content"] for m in messages if m["role"] == "tool"]
    if not results:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": json.dumps({"location": prompt})},
                }
            ],
        }
        finish = "tool_calls"
    else:
        message = {"role": "assistant", "content": f"{prompt}: {results[-1]}"}
        finish = "stop"
    return 200, {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": body["model"],
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": USAGE,
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        status, payload = reply_for(json.loads(self.rfile.read(length)))
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving() -> Iterator[str]:
    """The server on 127.0.0.1 (a free port) for the ``with`` block; yields its /v1 URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
