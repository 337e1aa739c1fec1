"""A loopback OpenAI-compatible chat server for the durable tests: stateless and scripted by
the request itself, and logging every request it answers (one JSON line each) to a file.

The script: a conversation ending in a user turn gets a call to ``get_weather`` for the city
named last in that turn (id ``call_<city>``; ``Paris+Rome`` gets a call for each); one ending
in tool results gets the answer ``"Forecast: <the tools' outputs, joined by '; '>"``.
``delay`` (seconds) makes every answer wait; a prompt naming ``Nowhere`` gets a 400.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def reply_to(body: dict[str, Any]) -> dict[str, Any]:
    messages = body["messages"]
    last = messages[-1]
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    if last["role"] == "tool":
        texts = []
        for item in reversed(messages):
            if item["role"] != "tool":
                break
            content = item["content"]
            texts.insert(0, content if isinstance(content, str) else json.dumps(content))
        message: dict[str, Any] = {"role": "assistant", "content": f"Forecast: {'; '.join(texts)}"}
        finish = "stop"
    else:
        prompt = last["content"]
        prompt = prompt if isinstance(prompt, str) else prompt[-1]["text"]
        cities = prompt.split()[-1].strip("?.").split("+")
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{city}",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": json.dumps({"city": city})},
                }
                for city in cities
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": usage,
    }


class FakeServer:
    """``with FakeServer(log) as server: server.base_url``."""

    def __init__(self, log: Path, delay: float = 0.0) -> None:
        self.log = log
        self.delay = delay
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms stalls

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length))
                with outer.lock, outer.log.open("a") as f:
                    f.write(json.dumps({"path": self.path, "t": time.time(), "body": body}) + "\n")
                if outer.delay:
                    time.sleep(outer.delay)
                status = 400 if "Nowhere" in json.dumps(body["messages"][-1]) else 200
                reply = reply_to(body) if status == 200 else {"error": {"message": "no such city"}}
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def requests(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
