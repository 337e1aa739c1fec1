"""A key in the request URL (Gemini's ``?key=``, put there by a client's ``params=``) reaches
no error, part, answer, log or recording, in every family, whatever quotes the URL back: an
error body, a streamed or plain answer, a transport error's message."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx2
import pytest

import reverie
from reverie import ProviderError
from reverie.http.auth import hide_secret_params
from reverie.model import ErrorPart
from reverie.testing import record_client

from .families import CASE_IDS, CASES, Answer, Case, answering
from .test_secrets_streamed import HELLO, FakeGoogleCredentials

URL_KEY = "AIzaSy-url-SECRET-0c4d8e2f6a"


def provider_for(case: Case, client: httpx2.AsyncClient) -> Any:
    settings: dict[str, Any] = {**dict(case.settings), "client": client}
    settings["retry"] = reverie.RetryPolicy(max_retries=0)
    if case.keyed:
        settings["api_key"] = "sk-header-key-0123456789"
    else:
        settings["credentials"] = FakeGoogleCredentials()
    return reverie.provider(case.provider, **settings)


def quoting(case: Case, how: str) -> Any:
    """A server quoting the URL it was asked for, in the way ``how``."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        url = str(request.url)
        assert URL_KEY in url  # the client's params were sent
        if how == "error":
            body = {"error": {"message": f"bad request to {url}", "type": "invalid_request"}}
            return httpx2.Response(400, json=body)
        if how == "transport":
            raise httpx2.ConnectError(f"cannot connect to {url}", request=request)
        return answering(case.family, Answer(text=(f"you asked {url}",)))(request)

    return handle


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("how", ["error", "transport", "answer"])
async def test_a_key_in_the_url_reaches_nothing_we_write(
    case: Case, how: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cassette = tmp_path / "rec.yaml"
    inner = httpx2.MockTransport(quoting(case, how))
    client = record_client(cassette, inner=inner, params={"key": URL_KEY})
    provider = provider_for(case, client)
    model = provider.model(case.model)
    seen = [repr(provider), repr(model), repr(provider.http)]
    try:
        response = await model.generate(HELLO)
        seen.append(repr(response))
    except ProviderError as error:
        seen += [str(error), repr(error), str(error.body)]
    parts = [p async for p in model.stream(HELLO)]
    seen.append(repr(parts))
    if isinstance(parts[-1], ErrorPart):
        seen.append(str(parts[-1].error.body))
    await client.aclose()
    # httpx2's own INFO line names the URL the caller's client sent to (its params
    # included): that client, and its logger, are the caller's. Nothing of ours may.
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    everything = "\n".join([*seen, *ours, cassette.read_text()])
    assert URL_KEY not in everything
    assert "***" in everything or how == "transport"


def test_a_url_shown_in_a_message_hides_its_secret_parameters() -> None:
    url = f"https://h/v1/m:generateContent?alt=sse&key={URL_KEY}&X-Amz-Signature=abc"
    shown = hide_secret_params(url)
    assert URL_KEY not in shown and "abc" not in shown
    assert shown.startswith("https://h/v1/m:generateContent?alt=sse&key=") and "***" in shown
    assert hide_secret_params("https://h/v1/x?alt=sse") == "https://h/v1/x?alt=sse"


async def test_a_transport_error_names_the_url_without_its_key() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    case = CASES[8]  # google
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(refuse))
    model = provider_for(case, client).model(case.model)
    url = model._generate_url + f"?key={URL_KEY}"  # a key given in the URL itself
    with pytest.raises(ProviderError) as info:
        await model.http.post_json(url, {"contents": []})
    await client.aclose()
    assert URL_KEY not in str(info.value) and "key=***" in json.dumps(str(info.value))
