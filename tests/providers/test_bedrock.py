"""Claude on Bedrock: URLs and body of InvokeModel, region, the AWS event stream carrying
Anthropic events, in-band exceptions, the bearer key and SigV4 against botocore's signer."""

from __future__ import annotations

import base64
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from conftest import FakeServer
from test_eventstream import encode_frame

from reverie import ProviderTool
from reverie.accumulate import StreamAccumulator
from reverie.errors import ConfigurationError, ContextOverflowError, StreamError
from reverie.finish_reason import FinishReason
from reverie.http.retry import NO_RETRY, RetryPolicy
from reverie.messages import system_message, user_message
from reverie.model import ErrorPart, Finish, FunctionTool, StreamPart
from reverie.providers.bedrock import Bedrock
from reverie.providers.kit import Call

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
ROOT = "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0"
TEXT_EVENTS = Path(__file__).parent / "fixtures" / "anthropic" / "text.sse"
HELLO = Call(prompt=[system_message("Be brief"), user_message("Say hi")])
WEATHER = FunctionTool(name="weather", description="Weather", input_schema={"type": "object"})
CHUNK = {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}


def chunk(event: dict[str, Any]) -> bytes:
    wrapped = {"bytes": base64.b64encode(json.dumps(event).encode()).decode(), "p": "abc"}
    return encode_frame(CHUNK, json.dumps(wrapped).encode())


def text_stream() -> bytes:
    """The hand-written Anthropic text stream, as Bedrock frames it."""
    lines = TEXT_EVENTS.read_text().splitlines()
    return b"".join(chunk(json.loads(line[5:])) for line in lines if line.startswith("data:"))


def exception(name: str, message: str) -> bytes:
    headers = {
        ":message-type": "exception",
        ":exception-type": name,
        ":content-type": "application/json",
    }
    return encode_frame(headers, json.dumps({"message": message}).encode())


class Server(FakeServer):
    def __init__(self, chunk_size: int = 64) -> None:
        super().__init__(chunk_size=chunk_size)
        self.urls: list[str] = []

    def frames(self, body: bytes) -> Server:
        self.answers.append((200, body, "application/vnd.amazon.eventstream"))
        return self

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        self.urls.append(str(request.url))
        return super()._handle(request)


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_BEARER_TOKEN_BEDROCK"):
        monkeypatch.delenv(name, raising=False)


def bedrock(server: FakeServer, retry: RetryPolicy = NO_RETRY, **settings: Any) -> Any:
    settings.setdefault("skip_auth", True)
    return Bedrock(client=server.client(), retry=retry, **settings).model(MODEL)


async def collect(model: Any, call: Call) -> list[StreamPart]:
    return [part async for part in model.stream(call)]


async def test_invoke_url_and_body() -> None:
    server = Server().json(
        {
            "model": "claude-sonnet-4-5-20250929",
            "content": [{"type": "text", "text": "Oi!"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 5, "output_tokens": 2},
        }
    )
    response = await bedrock(server).generate(
        Call(prompt=HELLO.prompt, tools=[WEATHER], tool_choice="auto")
    )
    assert response.text == "Oi!"
    assert server.urls == [ROOT + "/invoke"]
    assert server.requests[0] == {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 4096,
        "system": [{"type": "text", "text": "Be brief"}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Say hi"}]}],
        "tools": [
            {"name": "weather", "description": "Weather", "input_schema": {"type": "object"}}
        ],
        "tool_choice": {"type": "auto"},  # recorded: no parallel flag on Bedrock
    }
    assert "authorization" not in server.headers[0]  # skip_auth


async def test_betas_travel_in_the_body() -> None:
    server = Server().json({"content": [], "stop_reason": "end_turn", "usage": {}})
    computer = ProviderTool(
        id="anthropic.computer_20251124",
        name="computer",
        args={"display_width_px": 1024, "display_height_px": 768},
    )
    await bedrock(server).generate(Call(prompt=HELLO.prompt, tools=[computer]))
    assert server.urls == [ROOT + "/invoke"]
    assert server.requests[0]["anthropic_beta"] == ["computer-use-2025-11-24"]


def test_region_from_settings_then_environment_then_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Bedrock(skip_auth=True).region == "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert Bedrock(skip_auth=True).region == "eu-west-1"
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    provider = Bedrock(skip_auth=True)
    assert provider.base_url == "https://bedrock-runtime.eu-central-1.amazonaws.com"
    assert Bedrock(skip_auth=True, region="ap-northeast-1").region == "ap-northeast-1"


@pytest.mark.parametrize("chunk_size", [1, 10, 4096])
async def test_event_stream_carries_anthropic_events(chunk_size: int) -> None:
    server = Server(chunk_size).frames(text_stream())
    parts = await collect(bedrock(server), HELLO)
    assert server.urls == [ROOT + "/invoke-with-response-stream"]
    assert "stream" not in server.requests[0] and "model" not in server.requests[0]
    finish = parts[-1]
    assert isinstance(finish, Finish) and finish.finish_reason == FinishReason.STOP
    accumulator = StreamAccumulator()
    for part in parts:
        accumulator.add(part)
    assert accumulator.response().text == "Olá! Tudo bem?"


async def test_throttling_in_the_stream_is_retryable_and_retried() -> None:
    server = Server().frames(exception("throttlingException", "Too many requests"))
    [error] = await collect(bedrock(server), HELLO)
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert error.error.retryable and "throttlingException: Too many requests" in str(error.error)

    async def no_sleep(seconds: float) -> None:
        return None

    server = Server().frames(exception("throttlingException", "slow down")).frames(text_stream())
    parts = await collect(bedrock(server, RetryPolicy(sleep=no_sleep)), HELLO)
    assert isinstance(parts[-1], Finish) and len(server.requests) == 2


async def test_a_model_stream_error_after_output_ends_the_stream() -> None:
    first = chunk({"type": "message_start", "message": {"usage": {"input_tokens": 1}}})
    text = chunk(
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": "Hi"}}
    )
    body = first + text + exception("modelStreamErrorException", "the model failed")
    parts = await collect(bedrock(Server().frames(body)), HELLO)
    error = parts[-1]
    assert isinstance(error, ErrorPart) and "modelStreamErrorException" in str(error.error)
    assert not error.error.retryable  # type: ignore[attr-defined]


async def test_a_corrupt_event_stream_is_a_stream_error() -> None:
    body = bytearray(text_stream())
    body[20] ^= 0xFF
    [error] = await collect(bedrock(Server().frames(bytes(body))), HELLO)
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert "CRC" in str(error.error)


async def test_bearer_key_from_the_environment_or_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "env-bedrock-key")
    answer = {"content": [], "stop_reason": "end_turn", "usage": {}}
    server = Server().json(answer).json(answer)
    model = bedrock(server, skip_auth=False)
    await model.generate(HELLO)
    await bedrock(server, skip_auth=False, api_key="given-key").generate(HELLO)
    assert [h["authorization"] for h in server.headers] == [
        "Bearer env-bedrock-key",
        "Bearer given-key",
    ]
    assert "env-bedrock-key" not in repr(model) and "env-bedrock-key" not in repr(model.http)


def test_sigv4_without_botocore_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "botocore", None)
    with pytest.raises(ConfigurationError, match=r"reverie\[bedrock\]"):
        Bedrock(region="us-east-1")
    assert Bedrock(skip_auth=True).region == "us-east-1"  # replay needs no botocore
    assert Bedrock(api_key="k").region == "us-east-1"  # nor does a key


async def test_sigv4_matches_botocores_signer_on_a_fixed_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("botocore")
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: now)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")

    server = Server().json({"content": [], "stop_reason": "end_turn", "usage": {}})
    provider = Bedrock(region="us-west-2", client=server.client(), retry=NO_RETRY)
    await provider.model(MODEL).generate(HELLO)
    sent = server.headers[0]
    url = server.urls[0]
    assert url.endswith("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke")

    # botocore signs the same request on its own.
    body = json.dumps(server.requests[0], ensure_ascii=False, separators=(",", ":")).encode()
    reference = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={
            "host": "bedrock-runtime.us-west-2.amazonaws.com",
            "content-type": "application/json",
        },
    )
    credentials = Credentials(
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token"
    )
    botocore.auth.SigV4Auth(credentials, "bedrock", "us-west-2").add_auth(reference)
    assert sent["x-amz-date"] == "20260102T030405Z" == reference.headers["X-Amz-Date"]
    assert sent["x-amz-security-token"] == "session-token"
    assert sent["authorization"] == reference.headers["Authorization"]
    assert sent["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-west-2/bedrock/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="
    )


async def test_an_input_too_long_for_the_model_is_a_context_overflow() -> None:
    server = Server().json({"message": "Input is too long for requested model."}, status=400)
    with pytest.raises(ContextOverflowError) as error:
        await bedrock(server).generate(HELLO)
    assert error.value.used_tokens is None and error.value.status == 400
