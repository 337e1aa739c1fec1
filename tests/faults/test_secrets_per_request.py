"""The credentials a client searches answers for are worked out again only when a request's
differ from the last one's (http/client.py ``_secrets``; tests/property/test_credentials_memo.py
checks the memo against a fresh look). Whatever changes between requests, a header set per
call or a token a client's hook rotates, each answer is searched for the credentials of the
request it answers."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

import reverie
from reverie import user_message
from reverie.providers.kit import Call

from .families import CASES, Answer, answering

KEY = "sk-provider-SECRET-0f3a9c2e"
CHAT = next(c for c in CASES if c.provider == "openai")


def echo_of(header: str) -> Any:
    """An answer quoting the value ``header`` had in the request it answers."""

    def said(request: httpx2.Request) -> Answer:
        return Answer(text=(f"you sent {request.headers.get(header)} and {KEY}",))

    return said


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "stream"])
async def test_a_credential_header_set_per_call_is_redacted_in_each_answer(
    streamed: bool,
) -> None:
    client = httpx2.AsyncClient(
        transport=httpx2.MockTransport(answering(CHAT.family, echo_of("x-api-key")))
    )
    model = reverie.provider("openai", api_key=KEY, client=client).model(CHAT.model)
    tokens = ["per-call-SECRET-one", "per-call-SECRET-two", "per-call-SECRET-one", None]
    for token in tokens:
        headers = {"x-api-key": token} if token else {}
        call = Call(prompt=[user_message("hi")], headers=headers)
        if streamed:
            parts = [p async for p in model.stream(call)]
            text = "".join(p.delta for p in parts if p.type == "text-delta")
        else:
            text = (await model.generate(call)).text
        assert text == f"you sent {'***' if token else None} and ***"
    await client.aclose()


async def test_a_token_a_client_hook_rotates_is_redacted_in_each_answer() -> None:
    """A client of the caller's whose hook signs every request anew (a proxy's signer)."""
    signed = 0

    async def sign(request: httpx2.Request) -> None:
        nonlocal signed
        signed += 1
        request.headers["Proxy-Authorization"] = f"Bearer rotating-SECRET-{signed:04d}"

    client = httpx2.AsyncClient(
        transport=httpx2.MockTransport(answering(CHAT.family, echo_of("proxy-authorization"))),
        event_hooks={"request": [sign]},
    )
    model = reverie.provider("openai", api_key=KEY, client=client).model(CHAT.model)
    for _ in range(3):
        response = await model.generate(Call(prompt=[user_message("hi")]))
        assert response.text == "you sent Bearer *** and ***"
    await client.aclose()
    assert signed == 3
