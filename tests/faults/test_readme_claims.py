"""README's reliability and security promises that no other test pinned down, each checked
so that the test fails if the promise is false (tests/faults/README_CLAIMS.md lists every
claim and the test that holds it)."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

import reverie
from reverie import ConfigurationError, ProviderError, RetryPolicy
from reverie.providers.registry import PROVIDERS

from .chunks import HELLO, error
from .conftest import Harness
from .server import respond

HTTP_PROVIDERS = sorted(n for n in PROVIDERS if n != "local")
KEYED = [n for n in HTTP_PROVIDERS if n != "vertex"]  # Vertex takes cloud credentials
SETTINGS: dict[str, dict[str, Any]] = {
    "openai-compat": {"base_url": "http://127.0.0.1:9/v1"},
    "azure": {"resource_name": "res"},
    "vertex": {"project": "p", "skip_auth": True},
    "bedrock": {"region": "us-east-1"},
}
KEY = "sk-readme-SECRET-key-0b9d4e"


def make(name: str, **extra: Any) -> Any:
    settings = {**SETTINGS.get(name, {}), **extra}
    if name in KEYED and "api_key" not in settings:
        settings["api_key"] = KEY
    return reverie.provider(name, **settings)


# "Passing failures (429, 408/409, 5xx, 529, dropped connections) are retried twice with
# exponential backoff, or after the server's Retry-After"


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_every_provider_retries_by_the_default_policy(name: str) -> None:
    policy = make(name).http.retry
    assert policy == RetryPolicy()
    assert (policy.max_retries, policy.initial_delay) == (2, 0.5)


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 529])
async def test_every_passing_status_is_retried_twice_with_backoff(h: Harness, status: int) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    h.server.script(*[respond(status, error("busy"))] * 3)
    model = h.model(retry=RetryPolicy(sleep=sleep))  # every other field its default
    with pytest.raises(ProviderError) as info:
        await model.generate(HELLO)
    assert info.value.status == status and info.value.retryable
    assert h.server.attempts == 3 and slept == [0.5, 1.0]
    await h.check_clean()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_a_request_the_server_refused_is_not_retried(h: Harness, status: int) -> None:
    h.server.script(respond(status, error("no")), respond(200, {}))
    with pytest.raises(ProviderError) as info:
        await h.model().generate(HELLO)
    assert info.value.status == status and not info.value.retryable
    assert h.server.attempts == 1
    await h.check_clean()


async def test_a_provider_retry_policy_changes_how_often(h: Harness) -> None:
    """``OpenAI(retry=reverie.RetryPolicy(max_retries=5))`` changes that."""

    async def sleep(seconds: float) -> None:
        pass

    h.server.script(*[respond(503, error("busy"))] * 7)
    with pytest.raises(ProviderError):
        await h.model(retry=RetryPolicy(max_retries=5, sleep=sleep)).generate(HELLO)
    assert h.server.attempts == 6
    await h.check_clean()


# "timeout= (default 3600 ...), idle_timeout= (default 300 ...), max_in_flight= (default
# 100 ...). None turns each off."


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_every_provider_has_the_documented_limits(name: str) -> None:
    http = make(name).http
    assert (http.timeout, http.idle_timeout, http.max_concurrency) == (3600, 300, 100)
    off = make(name, timeout=None, idle_timeout=None, max_in_flight=None).http
    assert (off.timeout, off.idle_timeout, off.max_concurrency) == (None, None, None)


# "Keys are checked when the provider is made: surrounding whitespace (a key read from a file)
# is stripped, and a key no HTTP header can carry is refused with a message that never
# quotes it."


@pytest.mark.parametrize("name", KEYED)
async def test_every_provider_strips_a_key_and_sends_it(name: str) -> None:
    import httpx2

    seen: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(401, json={"error": {"message": "no"}})

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    provider = make(name, api_key=f"  {KEY}\n", client=client, retry=RetryPolicy(max_retries=0))
    model = provider.model("anthropic.claude-x" if name == "bedrock" else "m")
    with pytest.raises(ProviderError):
        await model.generate(HELLO)
    await client.aclose()
    sent = [v for k, v in seen[0].headers.items() if KEY in v or KEY in str(seen[0].url)]
    assert sent or KEY in str(seen[0].url), "the key was sent"
    assert all(v.strip() == v and v.endswith(KEY) for v in sent)


@pytest.mark.parametrize("bad", [KEY + "\x00x", KEY[:10] + "é" + KEY[10:], KEY[:9] + " " + KEY])
@pytest.mark.parametrize("name", KEYED)
def test_every_provider_refuses_a_key_no_header_can_carry_without_quoting_it(
    name: str, bad: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        make(name, api_key=bad)
    shown = str(info.value) + repr(info.value) + "".join(traceback.format_exception(info.value))
    assert KEY[:9] not in shown and name in str(info.value)
