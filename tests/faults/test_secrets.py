"""Secrets (issue 7, defect 7): a distinctive key, read with its trailing newline, given as
``api_key`` and in the base URL's userinfo, echoed back by the server, through every
provider and every error path, recorded with the recorder, logged at DEBUG (httpx2 and
httpcore too), with tracebacks formatted with their locals: it appears nowhere."""

from __future__ import annotations

import base64
import json
import logging
import traceback
from pathlib import Path
from typing import Any

import httpx2
import pytest

import reverie
from reverie import ConfigurationError, ErrorPart, ProviderError
from reverie.testing import record_client

from .chunks import HELLO, OK_STREAM, completion, text
from .conftest import Harness
from .server import Answer, Connection, reset, respond, stream

KEY = "sk-reverie-SECRET-7f3a9c2e5b1d"
URL_KEY = "urlkey-SECRET-4e8b0a6c"
PROVIDERS = ["openai", "openrouter", "openai-compat"]


def echo(status: int, kind: str = "http") -> Answer:
    """An error answer quoting the request's credentials back, as some servers do."""

    async def answer(conn: Connection) -> None:
        assert conn.request is not None
        quoted = conn.request.headers.get("authorization", "")
        message = f"Incorrect API key provided: {quoted}"
        if kind == "http":
            await respond(status, {"error": {"message": message, "key": quoted}})(conn)
        elif kind == "stream":
            event = {"error": {"message": message, "code": status}}
            await stream([text("a"), event])(conn)
        elif kind == "plain-json":  # a JSON error where a stream was asked for
            await respond(200, {"error": {"message": message}})(conn)
        elif kind == "body":  # a successful answer quoting it
            await respond(200, completion(message))(conn)

    return answer


def secrets_in(text: str) -> list[str]:
    decoded = [KEY, URL_KEY, base64.b64encode(f"{URL_KEY}:".encode()).decode()]
    return [s for s in decoded if s in text]


LIBRARY = str(Path(reverie.__file__).parent)


def formatted(error: BaseException) -> str:
    """Everything a logger with locals could print about ``error`` from the library's frames
    (the test's own frames hold what the server saw)."""
    tb = traceback.TracebackException.from_exception(error, capture_locals=True)
    for exc in _chain(tb):
        exc.stack = traceback.StackSummary.from_list(
            [f for f in exc.stack if f.filename.startswith(LIBRARY)]
        )
    return "".join(tb.format()) + repr(error) + str(getattr(error, "body", ""))


def _chain(tb: traceback.TracebackException) -> list[traceback.TracebackException]:
    found = [tb]
    for nxt in (tb.__cause__, tb.__context__):
        if nxt is not None:
            found += _chain(nxt)
    return found


ERROR_PATHS = {
    "http-401": [echo(401)],
    "http-500-storm": [echo(500)],
    "reset": [reset],
    "stream-error-event": [echo(200, "stream")],
    "stream-cut": [stream([text("a")], then="reset")],
    "plain-json-for-stream": [echo(200, "plain-json")],
}


async def _drive(model: Any, seen: list[str]) -> None:
    """A plain call and a streamed one; every error's full formatting goes into ``seen``."""
    try:
        response = await model.generate(HELLO)
        seen.append(repr(response))
    except ProviderError as error:
        seen.append(formatted(error))
    async for part in model.stream(HELLO):
        seen.append(repr(part))
        if isinstance(part, ErrorPart):
            seen.append(formatted(part.error))


@pytest.mark.parametrize("path", ERROR_PATHS, ids=list(ERROR_PATHS))
@pytest.mark.parametrize("name", PROVIDERS)
async def test_the_key_reaches_no_error_log_or_recording(
    h: Harness, name: str, path: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h.server.script(*ERROR_PATHS[path])
    cassette = tmp_path / "rec.yaml"
    seen: list[str] = []
    host = h.server.url.removeprefix("http://")
    recorder = record_client(cassette)
    provider = h.provider(
        name, api_key=KEY + "\n", base_url=f"http://{URL_KEY}@{host}", client=recorder
    )
    seen.append(repr(provider) + repr(provider.http))
    await _drive(provider.model("m"), seen)
    await recorder.aclose()
    assert h.server.attempts >= 2
    # the key was sent: the server saw it, stripped of its newline
    assert h.server.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert URL_KEY not in h.server.requests[0].path
    everything = "\n".join([*seen, caplog.text, cassette.read_text()])
    assert "Incorrect API key" in everything or path in ("reset", "stream-cut")
    assert secrets_in(everything) == []
    await h.check_clean()


@pytest.mark.parametrize("name", PROVIDERS)
async def test_userinfo_alone_is_sent_as_basic_auth_and_never_shown(
    h: Harness, name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h.server.script(echo(401), echo(200, "body"), stream(OK_STREAM))
    host = h.server.url.removeprefix("http://")
    cassette = tmp_path / "rec.yaml"
    recorder = record_client(cassette)
    provider = reverie.provider(
        name, base_url=f"http://{URL_KEY}:@{host}", client=recorder, **_no_key(name)
    )
    h.providers.append(provider)
    seen: list[str] = []
    model = provider.model("m")
    with pytest.raises(ProviderError) as info:
        await model.generate(HELLO)
    seen.append(formatted(info.value))
    seen.append(repr(await model.generate(HELLO)))  # a success quoting it
    seen += [repr(p) async for p in model.stream(HELLO)]
    await recorder.aclose()
    sent = h.server.requests[0].headers["authorization"]
    if name == "openai-compat":  # no key of its own: the userinfo is the credential
        assert sent == "Basic " + base64.b64encode(f"{URL_KEY}:".encode()).decode()
    everything = "\n".join([*seen, caplog.text, cassette.read_text()])
    assert secrets_in(everything) == []
    await h.check_clean()


def _no_key(name: str) -> dict[str, Any]:
    # openai and openrouter require a key; openai-compat takes none
    return {} if name == "openai-compat" else {"api_key": KEY}


async def test_the_recorder_redacts_any_client_s_credentials(h: Harness, tmp_path: Path) -> None:
    """Whatever sends through it: userinfo, an auth header, a key parameter, echoed back."""
    h.server.script(echo(200, "body"))
    cassette = tmp_path / "rec.yaml"
    host = h.server.url.removeprefix("http://")
    async with record_client(cassette) as client:
        await client.post(
            f"http://{URL_KEY}:pw-SECRET-123@{host}/v1/x?key={KEY}&a=1",
            headers={"Authorization": f"Bearer {KEY}", "X-Api-Key": "xkey-SECRET-99"},
            content=json.dumps({"echo": [KEY, "xkey-SECRET-99", "pw-SECRET-123"]}),
        )
    written = cassette.read_text()
    for secret in (KEY, URL_KEY, "xkey-SECRET-99", "pw-SECRET-123"):
        assert secret not in written
    assert "***" in written and "a=1" in written
    await h.check_clean()


@pytest.mark.parametrize(
    "bad", [KEY + "\x00x", KEY[:10] + "é" + KEY[10:], KEY[:10] + " " + KEY[10:], " \n"]
)
@pytest.mark.parametrize("name", PROVIDERS)
def test_a_bad_key_is_refused_without_showing_it(name: str, bad: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        reverie.provider(name, api_key=bad, base_url="http://127.0.0.1:9/v1")
    shown = str(info.value) + repr(info.value)
    shown += "".join(traceback.format_exception(info.value))  # without locals: our frames
    assert KEY[:10] not in shown and name in str(info.value)


async def test_a_transport_error_with_locals_holds_no_header(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The frames of a failed send hold the request; its auth is added inside httpx2.Auth."""
    caplog.set_level(logging.DEBUG)

    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(refuse))
    model = reverie.provider(
        "openai", api_key=KEY + "\n", client=client, retry=reverie.RetryPolicy(max_retries=0)
    ).model("m")
    with pytest.raises(ProviderError) as info:
        await model.generate(HELLO)
    assert secrets_in(formatted(info.value) + caplog.text) == []
    await client.aclose()
