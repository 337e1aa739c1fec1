"""Vertex AI: Gemini URLs, no function-call ids on the wire, project/location, credentials."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from typing import Any

import httpx2
import pytest
from test_google import CALLS, GoogleServer, add, answer, collect, fold

import reverie
from reverie import Agent
from reverie.errors import ConfigurationError
from reverie.http.retry import NO_RETRY
from reverie.messages import user_message
from reverie.providers.kit import Call
from reverie.providers.vertex import Vertex

PROJECT = "my-project"
HOST = "https://us-east5-aiplatform.googleapis.com"
MODELS = f"{HOST}/v1beta1/projects/{PROJECT}/locations/us-east5/publishers/google/models"


def vertex(server: GoogleServer, **settings: Any) -> Vertex:
    settings.setdefault("project", PROJECT)
    settings.setdefault("location", "us-east5")
    settings.setdefault("skip_auth", True)
    return Vertex(client=server.client(), retry=NO_RETRY, **settings)


async def test_gemini_urls_and_no_ids_on_the_wire() -> None:
    server = GoogleServer().json(CALLS).json(answer({"text": "3 and 2"}))
    agent = Agent(vertex(server).model("gemini-2.5-flash"), tools=[add])
    result = await agent.run("add twice")
    assert result.text == "3 and 2"
    assert server.urls == [f"{MODELS}/gemini-2.5-flash:generateContent"] * 2
    # Our ids still tell the calls apart; Vertex never sees them.
    calls = [c.tool_call_id for c in result.steps[0].tool_calls]
    assert calls == ["1", "2"]
    contents = server.requests[1]["contents"]
    assert contents[1]["parts"] == [
        {"functionCall": {"name": "add", "args": {"a": 2, "b": 3}}},
        {"functionCall": {"name": "add", "args": {"a": 1, "b": 1}}},
    ]
    assert contents[2]["parts"] == [
        {"functionResponse": {"name": "add", "response": {"result": "5"}}},
        {"functionResponse": {"name": "add", "response": {"result": "2"}}},
    ]
    assert all("authorization" not in h for h in server.headers)


async def test_stream_url() -> None:
    server = GoogleServer().chunks("answer.chunks.txt")
    parts = await collect(vertex(server).model("gemini-2.5-pro"), Call(prompt=[user_message("x")]))
    assert fold(parts).text == "5 and 6."
    assert server.urls == [f"{MODELS}/gemini-2.5-pro:streamGenerateContent?alt=sse"]


async def test_project_and_location_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-project")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "europe-west4")
    server = GoogleServer().json(answer({"text": "ok"}))
    provider = reverie.provider("vertex", skip_auth=True, client=server.client())
    await provider.model("gemini-2.5-flash").generate(Call(prompt=[user_message("x")]))
    assert server.urls == [
        "https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/env-project"
        "/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent"
    ]


def test_global_location_uses_the_global_host() -> None:
    provider = vertex(GoogleServer(), location="global")
    assert provider.base_url == "https://aiplatform.googleapis.com"


def test_a_missing_project_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    with pytest.raises(ConfigurationError, match="GOOGLE_CLOUD_PROJECT"):
        Vertex(skip_auth=True)


async def test_claude_on_vertex_is_the_anthropic_family_over_raw_predict() -> None:
    seen: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        message = {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": "Olá"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 3, "output_tokens": 2},
        }
        return httpx2.Response(200, json=message)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    provider = Vertex(project="p", location="us-east5", skip_auth=True, client=client)
    model = provider.model("claude-3-7-sonnet@20250219")
    response = await model.generate(Call(prompt=[user_message("hi")]))
    assert response.text == "Olá"
    assert str(seen[0].url) == (
        "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5"
        "/publishers/anthropic/models/claude-3-7-sonnet@20250219:rawPredict"
    )
    body = json.loads(seen[0].content)
    assert body["anthropic_version"] == "vertex-2023-10-16"
    assert "model" not in body


class FakeCredentials:
    def __init__(self, valid: bool) -> None:
        self.valid = valid
        self.token = "tok-0" if valid else None
        self.refreshed = 0

    def refresh(self, request: object) -> None:
        assert isinstance(request, FakeRequest)
        self.refreshed += 1
        self.token = f"tok-{self.refreshed}"
        self.valid = True


class FakeRequest:
    pass


def fake_google_auth(monkeypatch: pytest.MonkeyPatch, credentials: FakeCredentials) -> None:
    """google-auth's few names we use, as modules, whether or not it is installed."""

    class DefaultCredentialsError(Exception):
        pass

    auth = types.ModuleType("google.auth")
    auth.default = lambda scopes: (credentials, "adc-project")  # type: ignore[attr-defined]
    exceptions = types.ModuleType("google.auth.exceptions")
    exceptions.DefaultCredentialsError = DefaultCredentialsError  # type: ignore[attr-defined]
    transport = types.ModuleType("google.auth.transport.requests")
    transport.Request = FakeRequest  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google.auth", auth)
    monkeypatch.setitem(sys.modules, "google.auth.exceptions", exceptions)
    monkeypatch.setitem(sys.modules, "google.auth.transport.requests", transport)


async def test_application_default_credentials_are_refreshed_and_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    credentials = FakeCredentials(valid=False)
    fake_google_auth(monkeypatch, credentials)
    server = GoogleServer().json(answer({"text": "a"})).json(answer({"text": "b"}))
    model = vertex(server, skip_auth=False).model("gemini-2.5-flash")
    await model.generate(Call(prompt=[user_message("x")]))
    await model.generate(Call(prompt=[user_message("y")]))
    assert [h["authorization"] for h in server.headers] == ["Bearer tok-1", "Bearer tok-1"]
    assert credentials.refreshed == 1
    assert "tok-1" not in repr(model.http)


async def test_given_credentials_need_no_discovery() -> None:
    server = GoogleServer().json(answer({"text": "a"}))
    model = vertex(server, skip_auth=False, credentials=FakeCredentials(valid=True))
    await model.model("gemini-2.5-flash").generate(Call(prompt=[user_message("x")]))
    assert server.headers[0]["authorization"] == "Bearer tok-0"


def test_missing_google_auth_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "google.auth", None)  # makes the import fail
    with pytest.raises(ConfigurationError, match=r"reverie\[vertex\]"):
        Vertex(project=PROJECT)


def test_google_auth_is_imported_only_on_the_vertex_path() -> None:
    code = (
        "import sys, json\n"
        "from reverie.errors import ConfigurationError\n"
        "from reverie.providers.vertex import Vertex\n"
        "Vertex(project='p', skip_auth=True).model('gemini-2.5-flash')\n"
        "before = sorted(m for m in sys.modules if m == 'google' or m.startswith('google.')"
        " or m == 'reverie.http.google_auth')\n"
        "try:\n"
        "    Vertex(project='p')\n"
        "except ConfigurationError:\n"
        "    pass\n"
        "print(json.dumps([before, 'reverie.http.google_auth' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = json.loads(out.stdout)
    assert before == [] and after is True
