"""``reverie run`` (live and ``--json``) never prints a key the server echoes into its
streamed answer, even split across two chunks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

KEY = "sk-cli-echo-SECRET-5e1f0a7c"


class Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        token = self.headers["Authorization"].removeprefix("Bearer ")
        half = len(token) // 2
        pieces = [f"Your key is {token[:half]}", f"{token[half:]}, keep it safe."]
        chunks = [
            {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": p}}]}
            for p in pieces
        ]
        chunks.append(
            {
                "id": "c",
                "model": "m",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
        )
        data = ("".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "live"])
def test_reverie_run_never_prints_an_echoed_key(url: str, as_json: bool) -> None:
    drop = ("API_KEY", "PROXY", "OPENAI_COMPAT", "REVERIE_", "COLOR", "COLUMNS")
    env = {k: v for k, v in os.environ.items() if not any(d in k.upper() for d in drop)}
    env.update(
        NO_PROXY="127.0.0.1,localhost",
        PYTHONIOENCODING="utf-8",
        OPENAI_COMPAT_BASE_URL=url,
        OPENAI_COMPAT_API_KEY=KEY,
    )
    args = ["run", "what is my key?", "--model", "openai-compat:m", "--no-tools"]
    result = subprocess.run(
        [sys.executable, "-m", "reverie.cli", *args, *(["--json"] if as_json else [])],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert KEY not in result.stdout + result.stderr
    assert "Your key is ***, keep it safe." in result.stdout
    if as_json:
        assert json.loads(result.stdout)["text"] == "Your key is ***, keep it safe."
