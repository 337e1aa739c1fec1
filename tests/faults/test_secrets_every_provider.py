"""A key reaches no error, repr, log or recording, whichever provider family carries it.

Every registered HTTP provider gets a distinctive key with a trailing newline; the fake
server answers each request with an error that quotes every header it received (as some
servers do), for plain and streamed calls, and the conversation is recorded.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx2
import pytest

import reverie
from reverie import user_message
from reverie.model import ErrorPart
from reverie.providers.kit import Call
from reverie.providers.registry import PROVIDERS
from reverie.testing import record_client

KEY = "sk-every-provider-SECRET-7d1c9e"

# Settings each provider needs besides a key (a fake server answers every URL).
SETTINGS: dict[str, dict[str, Any]] = {
    "openai-compat": {"base_url": "http://127.0.0.1:9/v1"},
    "azure": {"resource_name": "res"},
    "bedrock": {"region": "us-east-1"},
    "vertex": {"project": "p", "location": "us-east5", "skip_auth": True},
}
# Providers that carry no key of ours (local runs in-process; Vertex uses cloud credentials).
KEYLESS = {"local", "vertex"}
NAMES = sorted(n for n in PROVIDERS if n != "local")


def echoing(request: httpx2.Request) -> httpx2.Response:
    quoted = {k: v for k, v in request.headers.items()}
    body = {"error": {"message": f"bad credentials: {json.dumps(quoted)}", "type": "auth"}}
    return httpx2.Response(401, json=body)


@pytest.mark.parametrize("name", NAMES)
async def test_the_key_reaches_nothing_we_write(
    name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cassette = tmp_path / "rec.yaml"
    client = record_client(cassette, inner=httpx2.MockTransport(echoing))
    settings: dict[str, Any] = {**SETTINGS.get(name, {}), "client": client}
    if name not in KEYLESS:
        settings["api_key"] = KEY + "\n"
    settings["retry"] = reverie.RetryPolicy(max_retries=0)
    provider = reverie.provider(name, **settings)
    model = provider.model("claude-x" if name == "bedrock" else "m")
    seen = [repr(provider), repr(model), repr(getattr(provider, "http", ""))]
    call = Call(prompt=[user_message("hi")])
    with pytest.raises(reverie.ProviderError) as info:
        await model.generate(call)
    seen += [str(info.value), repr(info.value), str(info.value.body)]
    parts = [p async for p in model.stream(call)]
    assert isinstance(parts[-1], ErrorPart)
    seen += [str(parts[-1].error), str(getattr(parts[-1].error, "body", ""))]
    await client.aclose()
    everything = "\n".join([*seen, caplog.text, cassette.read_text()])
    assert "bad credentials" in everything  # the echo happened and was reported
    if name not in KEYLESS:
        assert "***" in everything  # the echoed key was there, and was redacted
    assert KEY not in everything
