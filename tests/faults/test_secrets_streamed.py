"""A credential the server echoes into its answer reaches no part, result, partial result or
error, streamed or not, in every family, even split across two deltas: text, reasoning and
a tool's input. Keys are ours (``api_key=``), Google OAuth tokens (Vertex, Gemini and Claude)
and AWS SigV4 credentials (Bedrock)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx2
import pytest

import reverie
from reverie import user_message
from reverie.model import ErrorPart, Finish
from reverie.providers.kit import Call
from reverie.testing import record_client

from .families import CASE_IDS, CASES, TOOL, Answer, Case, answering, sse

KEY = "sk-streamed-SECRET-4b7e1d9a2c"
TOKEN = "ya29.oauth-SECRET-token-81f2c3"
HELLO = Call(prompt=[user_message("hi")])


class FakeGoogleCredentials:
    """What google-auth credentials offer GoogleAuth: a valid token."""

    valid = True
    token = TOKEN


def mock(handler: Any) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


def secret_of(case: Case) -> str:
    return KEY if case.keyed else TOKEN


def make_provider(case: Case, client: httpx2.AsyncClient, **extra: Any) -> Any:
    settings: dict[str, Any] = {**dict(case.settings), "client": client, **extra}
    settings.setdefault("retry", reverie.RetryPolicy(max_retries=0))
    if case.keyed:
        settings["api_key"] = KEY
    else:
        settings["credentials"] = FakeGoogleCredentials()
    return reverie.provider(case.provider, **settings)


def split(secret: str, before: str, after: str) -> tuple[str, str]:
    """``before + secret + after`` cut inside the secret, as two deltas."""
    half = len(secret) // 2
    return before + secret[:half], secret[half:] + after


def echoed(secret: str) -> Answer:
    """An answer quoting ``secret`` in every place a model writes, split across deltas."""
    args = json.dumps({"q": f"key {secret} end"})
    cut = args.index(secret) + 5
    return Answer(
        text=split(secret, "Your key is ", ", keep it safe."),
        reasoning=split(secret, "The user sent ", " as a key."),
        args=(args[:cut], args[cut:]),
    )


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_an_echoed_credential_reaches_no_streamed_part(case: Case) -> None:
    secret = secret_of(case)
    client = mock(answering(case.family, echoed(secret)))
    model = make_provider(case, client).model(case.model)
    parts = [p async for p in model.stream(HELLO)]
    await client.aclose()
    assert isinstance(parts[-1], Finish), parts[-1]
    shown = repr(parts)
    assert secret not in shown
    text = "".join(p.delta for p in parts if p.type == "text-delta")
    assert text == "Your key is ***, keep it safe."
    reasoning = "".join(p.delta for p in parts if p.type == "reasoning-delta")
    assert reasoning == ("The user sent *** as a key." if case.family.reasoning else "")
    calls = [p for p in parts if p.type == "tool-call"]
    assert [json.loads(c.input) for c in calls] == [{"q": "key *** end"}]
    inputs = "".join(p.delta for p in parts if p.type == "tool-input-delta")
    assert secret not in inputs


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_an_echoed_credential_reaches_no_plain_answer(case: Case) -> None:
    secret = secret_of(case)
    client = mock(answering(case.family, echoed(secret)))
    model = make_provider(case, client).model(case.model)
    response = await model.generate(HELLO)
    await client.aclose()
    assert secret not in repr(response)
    assert response.text == "Your key is ***, keep it safe."


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("streamed", [True, False], ids=["stream", "run"])
async def test_an_echoed_credential_reaches_no_result_or_partial(
    case: Case, streamed: bool
) -> None:
    """A run whose first step quotes the credential (text and tool input) and whose second
    call fails with an error quoting it: the error, its partial result, and the messages
    to resume from are clean."""
    secret = secret_of(case)
    seen: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.content.decode())
        if len(seen) == 1:
            return answering(case.family, echoed(secret))(request)
        return httpx2.Response(400, json={"error": {"message": f"bad request from {secret}"}})

    def lookup(q: str) -> str:
        """Look something up."""
        return f"looked up {q}"

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    model = make_provider(case, client).model(case.model)
    agent = reverie.Agent(model, tools=[reverie.tool(name=TOOL)(lookup)])
    with pytest.raises(reverie.ProviderError) as info:
        if streamed:
            await agent.stream("hi").collect()
        else:
            await agent.run("hi")
    await client.aclose()
    error = info.value
    partial = error.partial
    assert partial is not None and len(partial.steps) == 1
    shown = repr(partial) + str(error) + repr(error) + str(error.body)
    shown += reverie.dump_result(partial)
    assert secret not in shown
    assert "***" in partial.steps[0].text
    # the tool ran on what the conversation holds, and the next request carried no echo
    assert partial.steps[0].tool_results[0].output.text == "looked up key *** end"  # type: ignore[union-attr]
    assert secret not in seen[1]


async def test_a_secret_split_across_many_deltas_of_every_size() -> None:
    """The held-back tail: the key cut into one-character deltas, amid other text."""
    case = CASES[0]
    chars = tuple("ab" + KEY + "cd" + KEY[:5] + "ef")
    client = httpx2.AsyncClient(
        transport=httpx2.MockTransport(answering(case.family, Answer(text=chars)))
    )
    model = make_provider(case, client).model(case.model)
    parts = [p async for p in model.stream(HELLO)]
    await client.aclose()
    text = "".join(p.delta for p in parts if p.type == "text-delta")
    assert text == "ab***cd" + KEY[:5] + "ef"  # a prefix alone is let go at the end


async def test_an_error_event_quoting_the_key_mid_stream_is_redacted() -> None:
    """Anthropic's in-band error after a delta holding half the key: the error and the parts
    before it are clean (the half is held back, then dropped with the broken stream)."""
    case = next(c for c in CASES if c.provider == "anthropic")
    first, _ = split(KEY, "key ", "")
    text = {"type": "text", "text": ""}
    delta = {"type": "text_delta", "text": first}
    error = {"type": "invalid_request_error", "message": f"bad key {KEY}"}
    message = {"id": "m", "model": "m", "usage": {"input_tokens": 1, "output_tokens": 1}}
    events = sse(
        [
            ("message_start", {"type": "message_start", "message": message}),
            (
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": text},
            ),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
            ("error", {"type": "error", "error": error}),
        ]
    )

    def handle(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=events)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    model = make_provider(case, client).model(case.model)
    parts = [p async for p in model.stream(HELLO)]
    await client.aclose()
    assert isinstance(parts[-1], ErrorPart)
    shown = repr(parts) + str(parts[-1].error) + str(getattr(parts[-1].error, "body", ""))
    assert KEY not in shown and KEY[: len(KEY) // 2] not in shown
    assert "bad key ***" in str(parts[-1].error)


# ---- AWS SigV4 (Bedrock) ---------------------------------------------------------------------

AWS_KEY_ID = "AKIAREVERIETEST12345"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1"
AWS_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/SESSION+TOKEN/secret=="


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("botocore")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", AWS_TOKEN)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def aws_secrets(request: httpx2.Request) -> list[str]:
    """What a SigV4 request carried that must never come back: the session token, the
    signature, the whole Authorization value (and the secret key, never sent)."""
    authorization = request.headers["authorization"]
    signature = authorization.rpartition("Signature=")[2]
    return [AWS_TOKEN, AWS_SECRET, authorization, signature]


@pytest.mark.usefixtures("aws_env")
@pytest.mark.parametrize("where", ["stream", "plain", "error", "error-escaped", "stream-error"])
async def test_sigv4_credentials_echoed_are_redacted(
    where: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case = next(c for c in CASES if c.provider == "bedrock")
    sent: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        quoted = " | ".join(
            f"{k}: {request.headers[k]}" for k in ("authorization", "x-amz-security-token")
        )
        if where == "error":
            said = {"message": f"The request signature is wrong: {quoted}"}
            return httpx2.Response(403, json=said)
        if where == "error-escaped":  # a JSON writer that escapes "/" (the token holds some)
            text = json.dumps({"message": f"The security token is invalid: {quoted}"})
            escaped = text.replace("/", "\\/").encode()
            return httpx2.Response(
                403, headers={"content-type": "application/json"}, content=escaped
            )
        if where == "stream-error":
            headers = {
                ":message-type": "exception",
                ":exception-type": "validationException",
                ":content-type": "application/json",
            }
            from reverie.testing.eventstream import encode_frame

            frame = encode_frame(headers, json.dumps({"message": quoted}).encode())
            content_type = {"content-type": "application/vnd.amazon.eventstream"}
            return httpx2.Response(200, headers=content_type, content=frame)
        said = Answer(text=split(quoted, "echo: ", " end"))
        return answering(case.family, said)(request)

    cassette = tmp_path / "rec.yaml"
    client = record_client(cassette, inner=httpx2.MockTransport(handle))
    provider = reverie.provider("bedrock", region="us-east-1", client=client)
    model = provider.model(case.model)
    seen: list[str] = []
    if where in ("plain", "error", "error-escaped"):
        try:
            seen.append(repr(await model.generate(HELLO)))
        except reverie.ProviderError as error:
            seen += [str(error), repr(error), str(error.body)]
    else:
        parts = [p async for p in model.stream(HELLO)]
        seen.append(repr(parts))
        if isinstance(parts[-1], ErrorPart):
            seen += [str(parts[-1].error), str(getattr(parts[-1].error, "body", ""))]
    await client.aclose()
    assert sent and sent[0].headers["x-amz-security-token"] == AWS_TOKEN  # it was signed
    everything = "\n".join([*seen, caplog.text, cassette.read_text()])
    assert "***" in "\n".join(seen)
    for secret in aws_secrets(sent[0]):
        assert secret not in everything
        assert secret.replace("/", "\\/") not in everything


@pytest.mark.usefixtures("aws_env")
async def test_botocore_logs_nothing_it_signs_under_debug_logging(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``logging.basicConfig(level=DEBUG)``: botocore's signer would log the canonical request
    (with the session token), the string to sign and the signature. Other botocore records,
    and the user's configuration, are untouched."""
    caplog.set_level(logging.DEBUG)
    case = next(c for c in CASES if c.provider == "bedrock")
    client = httpx2.AsyncClient(
        transport=httpx2.MockTransport(answering(case.family, Answer(text=("ok",))))
    )
    model = reverie.provider("bedrock", region="us-east-1", client=client).model(case.model)
    await model.generate(HELLO)
    await client.aclose()
    assert AWS_TOKEN not in caplog.text and AWS_SECRET not in caplog.text
    assert "Signature=" not in caplog.text and "CanonicalRequest" not in caplog.text
    # botocore's own records outside signing still reach the user's handlers
    logging.getLogger("botocore.auth").debug("outside signing")
    assert "outside signing" in caplog.text
    assert logging.getLogger("botocore.auth").level == logging.NOTSET
