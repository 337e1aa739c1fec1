"""An ``httpx.AsyncClient`` given as ``client=`` may add credentials of its own (default
headers, event hooks, its ``auth=``): a server echoing them gets them into no error, plain
answer or streamed text, as with the credentials reverie adds itself."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from reverie import ProviderError, RetryPolicy
from reverie.messages import user_message
from reverie.model import ErrorPart, Finish, TextDelta
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.providers.openai_compat import OpenAICompatible

HELLO = Call(prompt=[user_message("Say hi")])
CLIENT_KEY = "ck-client-default-SECRET-71d2a9"
HOOK_KEY = "hk-event-hook-SECRET-0c4f88"
PASSWORD = "pw-client-auth-SECRET-3e9b"
PARAM_KEY = "pk-client-params-SECRET-5aa1"
BASIC = base64.b64encode(f"user:{PASSWORD}".encode()).decode()
URL = "http://localhost:8080/v1"


def echoed(request: httpx.Request) -> str:
    """Every credential the request carried, as a careless server quotes them."""
    values = [
        request.headers.get(name, "")
        for name in ("x-api-key", "api-key", "authorization", "x-goog-api-key")
    ]
    values.append(request.url.params.get("key", ""))
    return "you sent " + " and ".join(v for v in values if v)


def sse_text(text: str) -> bytes:
    chunks = [
        {"choices": [{"index": 0, "delta": {"content": text}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + (
        b"data: [DONE]\n\n"
    )


def server(kind: str) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        said = echoed(request)
        if kind == "error":
            return httpx.Response(400, json={"error": {"message": said}})
        if kind == "plain":
            message = {"content": said}
            return httpx.Response(200, json={"choices": [{"message": message}]})
        if kind == "refused":
            raise httpx.ConnectError(f"refused: {said}", request=request)
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=sse_text(said)
        )

    return answer


async def add_key(request: httpx.Request) -> None:
    request.headers["api-key"] = HOOK_KEY


def clients(kind: str) -> dict[str, Any]:
    transport = httpx.MockTransport(server(kind))
    return {
        "default header": OpenAI(
            api_key="sk-ours",
            client=httpx.AsyncClient(transport=transport, headers={"x-api-key": CLIENT_KEY}),
            retry=RetryPolicy(max_retries=0),
        ),
        "event hook": OpenAI(
            api_key="sk-ours",
            client=httpx.AsyncClient(transport=transport, event_hooks={"request": [add_key]}),
            retry=RetryPolicy(max_retries=0),
        ),
        "client params": OpenAI(
            api_key="sk-ours",
            client=httpx.AsyncClient(transport=transport, params={"key": PARAM_KEY}),
            retry=RetryPolicy(max_retries=0),
        ),
        "client auth": OpenAICompatible(
            base_url=URL,
            client=httpx.AsyncClient(transport=transport, auth=("user", PASSWORD)),
            retry=RetryPolicy(max_retries=0),
        ),
    }


SECRETS = {
    "default header": CLIENT_KEY,
    "event hook": HOOK_KEY,
    "client params": PARAM_KEY,
    "client auth": PASSWORD,
}
HOW = list(SECRETS)


def model(kind: str, how: str) -> Any:
    return clients(kind)[how].model("gpt-4o")


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("kind", ["error", "refused"])
async def test_an_echoed_client_credential_reaches_no_error(how: str, kind: str) -> None:
    with pytest.raises(ProviderError) as info:
        await model(kind, how).generate(HELLO)
    shown = f"{info.value} {info.value.body} {info.value!r}"
    assert SECRETS[how] not in shown and "***" in str(info.value)


@pytest.mark.parametrize("how", HOW)
async def test_an_echoed_client_credential_reaches_no_streamed_error(how: str) -> None:
    parts = [p async for p in model("error", how).stream(HELLO)]
    assert isinstance(parts[-1], ErrorPart)
    shown = f"{parts[-1].error} {parts[-1].error.body}"
    assert SECRETS[how] not in shown and "***" in str(parts[-1].error)
    assert BASIC not in shown  # the header's token too (Basic's, in base64)


@pytest.mark.parametrize("how", HOW)
async def test_an_echoed_client_credential_reaches_no_plain_answer(how: str) -> None:
    response = await model("plain", how).generate(HELLO)
    assert SECRETS[how] not in repr(response) and "***" in response.text


@pytest.mark.parametrize("how", HOW)
async def test_an_echoed_client_credential_reaches_no_streamed_text(how: str) -> None:
    parts = [p async for p in model("stream", how).stream(HELLO)]
    assert isinstance(parts[-1], Finish), parts[-1]
    said = "".join(p.delta for p in parts if isinstance(p, TextDelta))
    assert SECRETS[how] not in said and SECRETS[how] not in repr(parts)
    assert said.startswith("you sent ") and "***" in said
