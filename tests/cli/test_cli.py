"""The ``reverie`` command, run as a user runs it: a subprocess, its output and exit code.

Agent runs talk to a scripted OpenAI-compatible server on 127.0.0.1 (first a weather tool
call, then an answer), so nothing touches the network and the output is deterministic.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ANSWER = "It is 40 C in Florence right now."


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "model": "test",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _usage(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "model": "test",
        "choices": [],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


def tool_call_chunks() -> list[dict[str, Any]]:
    call = {"index": 0, "id": "call_1", "type": "function"}
    return [
        _chunk({"role": "assistant", "content": "Let me check."}),
        _chunk({"tool_calls": [{**call, "function": {"name": "weather", "arguments": ""}}]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"location":'}}]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Florence"}'}}]}),
        _chunk({}, "tool_calls"),
        _usage(50, 10),
    ]


def answer_chunks(text: str) -> list[dict[str, Any]]:
    half = len(text) // 2
    return [
        _chunk({"role": "assistant", "content": text[:half]}),
        _chunk({"content": text[half:]}),
        _chunk({}, "stop"),
        _usage(70, 12),
    ]


class ScriptedServer(ThreadingHTTPServer):
    """Answers chat completions: a weather call unless the last message is a tool result."""

    daemon_threads = True
    requests: list[dict[str, Any]]


class Handler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "body": body})
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        messages = body["messages"]
        last = messages[-1]
        if last["role"] == "tool" or not body.get("tools"):
            users = [m["content"] for m in messages if m["role"] == "user"]
            chunks = answer_chunks(ANSWER if len(users) < 2 else f"Turn {len(users)}: {ANSWER}")
        else:
            chunks = tool_call_chunks()
        payload = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
        data = payload.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    httpd = ScriptedServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without API keys, proxies or model settings."""
    drop = ("API_KEY", "PROXY", "OPENAI_COMPAT", "REVERIE_", "COLOR", "COLUMNS")
    env = {k: v for k, v in os.environ.items() if not any(d in k.upper() for d in drop)}
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def reverie(
    *args: str, env: dict[str, str] | None = None, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reverie.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env if env is not None else clean_env(),
        cwd=cwd,
        timeout=60,
    )


def compat_env(server: ScriptedServer) -> dict[str, str]:
    port = server.server_address[1]
    return clean_env(OPENAI_COMPAT_BASE_URL=f"http://127.0.0.1:{port}/v1")


def assert_one_error_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


# run


def test_the_command_ends_without_teardown_but_runs_atexit_and_writes_everything(
    server: ScriptedServer, tmp_path: Path
) -> None:
    # The process ends with os._exit once the command is done: what atexit handlers do
    # (a tool's, logging's, a telemetry exporter's) still happens, output is all there.
    (tmp_path / "mytools.py").write_text(
        "import atexit, pathlib\n"
        "atexit.register(pathlib.Path('atexit-ran').write_text, 'yes')\n"
        "def weather(location: str) -> str:\n"
        '    """Made-up weather."""\n'
        "    return 'x' * 200_000\n"
    )
    result = reverie(
        "run", "weather?", "-m", "openai-compat:test", "--tool", "mytools:weather", "--json",
        env=compat_env(server), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert ("x" * 200_000) in result.stdout  # more than a pipe holds: flushed whole
    assert json.loads(result.stdout)  # to its last byte
    assert (tmp_path / "atexit-ran").read_text() == "yes"
    failed = reverie("run", "", env=compat_env(server))
    assert failed.returncode == 2  # the exit code survives the early exit


def test_run_streams_tool_call_result_text_and_usage(server: ScriptedServer) -> None:
    result = reverie(
        "run", "What's the weather in Florence?", "--model", "openai-compat:test",
        env=compat_env(server),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # --model given: no "model: …" line
    lines = result.stdout.splitlines()
    assert lines == [
        "Let me check.",
        '-> weather {"location": "Florence"}',
        "<- weather: 40 C",
        ANSWER,
        "usage: 120 input + 22 output = 142 tokens",
    ]
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes

    first, second = (r["body"] for r in server.requests)
    assert first["stream"] is True
    assert [t["function"]["name"] for t in first["tools"]] == ["weather"]
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "40 C",
    }


def test_run_sends_the_system_prompt(server: ScriptedServer) -> None:
    result = reverie(
        "run", "hi", "-m", "openai-compat:test", "--system", "Be brief", "--no-tools",
        env=compat_env(server),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ANSWER
    (request,) = server.requests
    assert request["body"]["messages"][0] == {"role": "system", "content": "Be brief"}
    assert "tools" not in request["body"]


def test_run_json_prints_one_object(server: ScriptedServer) -> None:
    result = reverie(
        "run", "What's the weather in Florence?", "--model", "openai-compat:test", "--json",
        env=compat_env(server),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["model"] == "openai-compat:test"
    assert out["text"] == ANSWER
    assert out["steps"] == 2
    assert out["stop_reason"] == "done"
    assert out["usage"]["input_tokens"] == 120
    assert out["usage"]["output_tokens"] == 22
    assert out["usage"]["total_tokens"] == 142
    assert out["usage"]["cost"] is None
    assert out["tool_calls"] == [
        {
            "step": 1,
            "id": "call_1",
            "name": "weather",
            "input": {"location": "Florence"},
            "output": "40 C",
            "error": False,
        }
    ]


def test_run_step_limit_is_reported(server: ScriptedServer) -> None:
    result = reverie(
        "run", "weather?", "-m", "openai-compat:test", "--max-steps", "1",
        env=compat_env(server),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "<- weather: 40 C" in result.stdout
    assert "stopped: reached the step limit (1 steps)" in result.stdout
    assert len(server.requests) == 1


def test_run_with_a_user_tool_from_the_current_directory(
    server: ScriptedServer, tmp_path: Path
) -> None:
    (tmp_path / "mytools.py").write_text(
        "def weather(location: str) -> str:\n"
        '    """Made-up weather."""\n'
        "    return f'sunny in {location}'\n"
    )
    result = reverie(
        "run", "weather?", "-m", "openai-compat:test", "--tool", "mytools:weather",
        env=compat_env(server), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "<- weather: sunny in Florence" in result.stdout
    tool = server.requests[0]["body"]["tools"][0]["function"]
    assert tool["description"] == "Made-up weather."


def test_run_provider_error_is_one_line(server: ScriptedServer) -> None:
    env = compat_env(server)
    env["OPENAI_COMPAT_BASE_URL"] += "/wrong"
    result = reverie("run", "hi", "-m", "openai-compat:test", env=env)
    line = assert_one_error_line(result, 1)
    assert "HTTP 404" in line


def test_run_unreachable_server_is_one_line() -> None:
    env = clean_env(OPENAI_COMPAT_BASE_URL="http://127.0.0.1:9/v1")
    result = reverie("run", "hi", "-m", "openai-compat:test", env=env)
    line = assert_one_error_line(result, 1)
    assert "cannot reach http://127.0.0.1:9/v1/chat/completions" in line


# chat


def test_chat_keeps_history_across_turns(server: ScriptedServer) -> None:
    result = reverie(
        "chat", "-m", "openai-compat:test", "--no-tools",
        env=compat_env(server), stdin="hello\n\nagain\nquit\nnever sent\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # stdin is not a terminal: no prompt is shown, but each turn's line is echoed before
    # its answer, so the transcript reads as a conversation
    out = result.stdout
    assert out.count("you>") == 2
    assert out.index("you> hello") < out.index(ANSWER) < out.index("you> again")
    assert out.index("you> again") < out.index(f"Turn 2: {ANSWER}")
    assert "you> quit" not in out and "never sent" not in out
    assert result.stdout.count("usage: ") == 2
    assert len(server.requests) == 2  # the blank line is skipped, "quit" ends the chat
    second = server.requests[1]["body"]["messages"]
    assert [(m["role"], m["content"]) for m in second] == [
        ("user", "hello"),
        ("assistant", ANSWER),
        ("user", "again"),
    ]


def test_chat_runs_tools_and_ends_on_eof(server: ScriptedServer) -> None:
    result = reverie("chat", "-m", "openai-compat:test", env=compat_env(server), stdin="weather?")
    assert result.returncode == 0, result.stderr
    assert "<- weather: 40 C" in result.stdout
    assert ANSWER in result.stdout


# models


def provider_rows(out: str) -> dict[str, str]:
    """The provider table (the lines before the first blank one), by provider name."""
    table = out.split("\n\n")[0].splitlines()
    assert table[0].split() == ["provider", "credentials", "description"]
    return {line.split()[0]: line for line in table[1:]}


def test_models_without_keys() -> None:
    result = reverie("models", env=clean_env(REVERIE_MODELS_DIR="/nonexistent"))
    assert result.returncode == 0, result.stderr
    rows = provider_rows(result.stdout)
    assert "OPENAI_API_KEY not set" in rows["openai"]
    assert "OPENROUTER_API_KEY not set" in rows["openrouter"]
    assert "not needed" in rows["local"]
    assert "optional: OPENAI_COMPAT_API_KEY not set" in rows["openai-compat"]
    assert "needs application default credentials" in rows["vertex"]
    assert "not needed" not in rows["vertex"]
    assert "default for run and chat: local:smollm2 (no API key set)" in result.stdout


def test_models_with_a_key_never_prints_it(tmp_path: Path) -> None:
    (tmp_path / "tiny.gguf").write_bytes(b"\0" * 2048)
    env = clean_env(OPENAI_API_KEY="sk-dummy-secret-value", REVERIE_MODELS_DIR=str(tmp_path))
    result = reverie("models", env=env)
    assert result.returncode == 0, result.stderr
    assert "sk-dummy-secret-value" not in result.stdout + result.stderr
    rows = provider_rows(result.stdout)
    assert "OPENAI_API_KEY set" in rows["openai"]
    assert "OPENROUTER_API_KEY not set" in rows["openrouter"]
    assert f"  local:{tmp_path / 'tiny.gguf'}  2.0 KiB" in result.stdout
    assert "default for run and chat: openai:gpt-4o-mini (OPENAI_API_KEY is set)" in result.stdout


# replay


def test_replay_streamed_and_json_interactions() -> None:
    result = reverie("replay", str(FIXTURES / "weather.yaml"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "weather.yaml: 3 interactions" in out
    assert "#0 POST https://api.openai.com/v1/chat/completions" in out
    assert "model gpt-4o-mini, streaming" in out
    assert "tools offered: weather" in out
    assert "system: You are a helpful assistant" in out
    assert "user: What's the weather in Florence?" in out
    # The SSE body of #0, read by the chat family's own stream parser.
    assert "→ 200 OK, event stream (6 events)" in out
    assert "assistant: Let me check." in out
    assert 'tool call: weather {"location": "Florence"} [call_1]' in out
    assert "finish: tool-calls" in out
    assert "usage: input_tokens=50, output_tokens=10, total_tokens=60" in out
    # #1 sends the tool result back and gets a JSON answer.
    assert 'assistant tool call: weather {"location": "Florence"} [call_1]' in out
    assert "tool result [call_1]: 40 C" in out
    assert "assistant: It is 40 C in Florence." in out
    assert "usage: input_tokens=70, output_tokens=9, total_tokens=79, cost=0.00012" in out
    # #2 is an unknown shape with a binary body, shown as recorded.
    assert "#2 POST https://example.com/v1/generate" in out
    assert '"prompt_text": "hello"' in out  # pretty JSON
    assert "(no known wire format at this URL; the body as recorded:)" in out
    assert "binary body, 5 bytes, application/octet-stream" in out


def test_replay_rejects_a_file_that_is_not_a_cassette(tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_text("just: a mapping\n")
    line = assert_one_error_line(reverie("replay", str(path)), 1)
    assert "not a go-vcr v2 cassette" in line


def test_replay_of_malformed_yaml_is_one_line_saying_where(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: 2\ninteractions: [\n  - {a: 1\n")
    line = assert_one_error_line(reverie("replay", str(path)), 1)
    assert f"{path}: not YAML: " in line and "at line 3" in line


def test_an_empty_prompt_says_what_to_do() -> None:
    line = assert_one_error_line(reverie("run", ""), 2)
    assert "the prompt is empty" in line and "reverie run" in line and "stdin" in line


def test_replay_malformed_reply_is_shown_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    text = (FIXTURES / "weather.yaml").read_text()
    assert """body: '{"id":"c2",""" in text
    path.write_text(text.replace("""body: '{"id":"c2",""", """body: '{"id":"c2",,"""))
    result = reverie("replay", str(path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "  error: openai: response is not JSON: " in result.stdout
    assert "  (the body as recorded:)" in result.stdout
    assert "finish: tool-calls" in result.stdout  # the other replies are still read


def test_replay_missing_file_is_a_usage_error() -> None:
    line = assert_one_error_line(reverie("replay", "no-such-cassette.yaml"), 2)
    assert "does not exist" in line


# errors


@pytest.mark.parametrize("spec", ["weather", "reverie.examples.weather", ":weather", "a b:c"])
def test_bad_tool_spec_says_the_format(spec: str) -> None:
    result = reverie("run", "hi", "--tool", spec)
    line = assert_one_error_line(result, 2)
    assert "expected module:function, e.g. reverie.examples.weather:weather" in line


def test_tool_that_does_not_exist() -> None:
    line = assert_one_error_line(reverie("run", "hi", "--tool", "reverie.examples.weather:x"), 2)
    assert "has no attribute 'x'" in line
    line = assert_one_error_line(reverie("run", "hi", "--tool", "no_such_module_xyz:f"), 2)
    assert "no module named 'no_such_module_xyz'" in line


def test_unknown_provider() -> None:
    line = assert_one_error_line(reverie("run", "hi", "--model", "nope:model"), 2)
    assert "unknown provider 'nope'" in line
    assert "openai" in line


def test_model_without_provider() -> None:
    line = assert_one_error_line(reverie("run", "hi", "--model", "gpt-4o"), 2)
    assert "expected provider:model" in line


def test_missing_api_key_names_the_variable() -> None:
    line = assert_one_error_line(reverie("run", "hi", "--model", "openai:gpt-4o-mini"), 1)
    assert "set OPENAI_API_KEY" in line


def test_openai_compat_without_base_url() -> None:
    line = assert_one_error_line(reverie("run", "hi", "--model", "openai-compat:x"), 1)
    assert "OPENAI_COMPAT_BASE_URL" in line


def test_usage_errors_are_one_line() -> None:
    line = assert_one_error_line(reverie("run"), 2)
    assert "Missing argument 'PROMPT'" in line
    line = assert_one_error_line(reverie("frobnicate"), 2)
    assert "No such command" in line


def test_help_and_version() -> None:
    result = reverie("--help")
    assert result.returncode == 0
    for command in ("run", "chat", "replay", "models"):
        assert command in result.stdout
    result = reverie("--version")
    assert result.returncode == 0
    assert "reverie" in result.stdout


# in-process: the model choice and the example tool


def test_model_choice_prefers_the_first_hosted_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from reverie.cli.choose import choose_model

    for name in ("OPENAI_API_KEY", "OPENROUTER_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert choose_model(None).spec == "local:smollm2"
    monkeypatch.setenv("OPENROUTER_API_KEY", "x")
    assert choose_model(None).spec == "openrouter:openai/gpt-4o-mini"
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    choice = choose_model(None)
    assert (choice.spec, choice.reason) == ("openai:gpt-4o-mini", "OPENAI_API_KEY is set")
    assert choose_model("openrouter:x/y").reason == ""


def test_example_weather_tool() -> None:
    from reverie.examples.weather import weather
    from reverie.tools import tool

    assert weather("Florence") == "40 C"
    spec = tool(weather).spec
    assert spec.description.startswith("Get weather information for a location")
    assert spec.input_schema["properties"]["location"]["description"] == "the city"


def test_import_reverie_does_not_load_the_cli() -> None:
    code = "import sys, reverie; print(any(m.startswith(('click', 'rich')) for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"


# cost on the usage line


def test_the_usage_line_shows_an_estimated_cost_from_the_price_table(
    server: ScriptedServer,
) -> None:
    genai_prices = pytest.importorskip("genai_prices")
    port = server.server_address[1]
    env = clean_env(OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", OPENAI_API_KEY="k")
    result = reverie("run", "What's the weather in Florence?", "-m", "openai:gpt-4o", env=env)
    assert result.returncode == 0, result.stderr
    # the server names its model "test", which has no price: the requested id's is used
    table = genai_prices.Usage(input_tokens=120, output_tokens=22)
    price = float(genai_prices.calc_price(table, "gpt-4o", provider_id="openai").total_price)
    assert price > 0
    assert result.stdout.splitlines()[-1] == (
        f"usage: 120 input + 22 output = 142 tokens, cost ~${price:.6f} (estimate)"
    )


def test_a_compatible_server_gets_no_cost_from_the_table(server: ScriptedServer) -> None:
    """A self-hosted model named gpt-4o does not cost what OpenAI charges."""
    args = ("run", "hi", "--no-tools", "-m", "openai-compat:gpt-4o", "--json")
    result = reverie(*args, env=compat_env(server))
    assert result.returncode == 0, result.stderr
    usage = json.loads(result.stdout)["usage"]
    assert usage["input_tokens"] == 70 and usage["cost"] is None
    assert usage["cost_source"] is None and usage["reported"] is True


def test_format_usage_marks_estimates_and_calls_without_usage() -> None:
    from reverie.cli.render import format_usage
    from reverie.usage import Usage

    tokens = {"input_tokens": 120, "output_tokens": 19, "total_tokens": 139}
    reported = Usage(**tokens, cost=0.00012, cost_source="provider")
    estimated = Usage(**tokens, cost=0.00012, cost_source="estimate")
    line = "usage: 120 input + 19 output = 139 tokens"
    assert format_usage(reported) == line + ", cost $0.000120"
    assert format_usage(estimated) == line + ", cost ~$0.000120 (estimate)"
    assert format_usage(Usage(**tokens)) == line  # unknown: no cost shown, never $0
    assert format_usage(Usage()) == "usage: not reported"
    assert format_usage(Usage(reported=False)) == "usage: not reported"
    some = reported + Usage(reported=False)
    assert format_usage(some) == line + ", some calls reported no usage"
