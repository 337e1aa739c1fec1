"""The provider kit: authentication classes, client lifetime, specs and the registry."""

from __future__ import annotations

import json

import httpx2
import pytest

import reverie
from reverie import ConfigurationError, user_message
from reverie.http.auth import api_key_header, bearer, clean_key
from reverie.http.client import HttpClient
from reverie.http.retry import NO_RETRY
from reverie.providers.azure import Azure, normalize_base_url
from reverie.providers.catalog import BUILT_IN
from reverie.providers.kit import Call
from reverie.providers.registry import PROVIDERS, provider, resolve_model

KEY = "sk-kit-secret-4242"
HI = Call(prompt=[user_message("hi")])
ANSWER = {
    "model": "m",
    "choices": [{"index": 0, "message": {"content": "hello"}, "finish_reason": "stop"}],
}


def recording_client(seen: list[httpx2.Request]) -> httpx2.AsyncClient:
    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=ANSWER)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


# ---- auth ----------------------------------------------------------------------------------


def test_a_key_read_from_a_file_loses_its_newline() -> None:
    assert clean_key(f"  {KEY}\n", "openai") == KEY


@pytest.mark.parametrize("bad", [f"{KEY}\x00x", f"sk-é{KEY}", "sk one", "   "])
def test_a_key_no_header_can_carry_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        clean_key(bad, "openai")
    assert KEY not in str(info.value)
    assert "openai" in str(info.value)


async def test_bearer_and_header_auth_attach_the_key_only_inside_the_request_flow() -> None:
    for auth, header, value in (
        (bearer(KEY, "openai"), "authorization", f"Bearer {KEY}"),
        (api_key_header(KEY, "azure"), "api-key", KEY),
        (api_key_header(KEY, "anthropic", "x-api-key"), "x-api-key", KEY),
    ):
        seen: list[httpx2.Request] = []
        http = HttpClient("p", auth=auth, client=recording_client(seen), retry=NO_RETRY)
        await http.post_json("https://example.test/v1/x", {"a": 1})
        assert seen[0].headers[header] == value
        assert KEY not in repr(auth) and KEY not in repr(http)


async def test_azure_sends_its_key_as_api_key_never_as_bearer() -> None:
    seen: list[httpx2.Request] = []
    model = Azure(api_key=KEY, resource_name="res", client=recording_client(seen)).model("gpt")
    await model.generate(HI)
    assert seen[0].headers["api-key"] == KEY
    assert "authorization" not in seen[0].headers


# ---- lifetime ------------------------------------------------------------------------------


async def test_a_client_we_created_is_closed_by_async_with() -> None:
    async with reverie.provider("openai", api_key=KEY) as openai:
        http = openai.http
        client = http._http()
        assert not client.is_closed
    assert client.is_closed


async def test_a_client_the_user_passed_is_never_closed_by_us() -> None:
    seen: list[httpx2.Request] = []
    client = recording_client(seen)
    openai = reverie.provider("openai", api_key=KEY, client=client)
    async with openai, openai.model("gpt-4o") as model:
        await model.generate(HI)
    assert not client.is_closed
    await client.aclose()


async def test_a_closed_model_opens_a_new_client_when_used_again() -> None:
    model = reverie.provider("openai", api_key=KEY).model("gpt-4o")
    first = model.http._http()
    await model.aclose()
    assert first.is_closed
    assert model.http._http() is not first


# ---- specs and the registry ------------------------------------------------------------------


def test_every_built_in_spec_is_registered_and_loads_its_class() -> None:
    for spec in BUILT_IN:
        assert PROVIDERS[spec.name] is spec
        if spec.name != "local":
            assert getattr(spec.load(), "spec", None) is spec


def test_keys_and_base_urls_come_from_the_spec_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_COMPAT_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_COMPAT_BASE_URL", "http://127.0.0.1:9/v1")
    compat = provider("openai-compat")
    assert compat.base_url == "http://127.0.0.1:9/v1"
    monkeypatch.delenv("OPENAI_COMPAT_BASE_URL")
    with pytest.raises(ConfigurationError, match="OPENAI_COMPAT_BASE_URL"):
        provider("openai-compat")
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("AZURE_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="AZURE_OPENAI_API_KEY"):
        provider("azure", resource_name="res")


def test_a_model_string_names_the_provider_and_model() -> None:
    model = resolve_model("openai-responses:gpt-5", api_key=KEY)
    # The provider name round-trips: Step.model is "openai-responses:gpt-5" again.
    assert (model.provider, model.model_id) == ("openai-responses", "gpt-5")
    with pytest.raises(ConfigurationError, match="unknown provider 'nope'"):
        resolve_model("nope:x")
    with pytest.raises(TypeError):
        resolve_model(42)  # type: ignore[arg-type]


# ---- Azure -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        "res",
        "https://res.openai.azure.com",
        "https://res.openai.azure.com/",
        "https://res.openai.azure.com/openai",
        "https://res.openai.azure.com/openai/v1",
    ],
)
def test_azure_resource_names_and_urls_become_the_v1_root(given: str) -> None:
    assert normalize_base_url(given) == "https://res.openai.azure.com/openai/v1"


def test_azure_refuses_a_host_without_scheme() -> None:
    with pytest.raises(ConfigurationError, match="resource name"):
        normalize_base_url("res.openai.azure.com")


async def test_azure_chat_and_responses_urls_and_the_optional_api_version() -> None:
    seen: list[httpx2.Request] = []
    chat = Azure(api_key=KEY, resource_name="res", client=recording_client(seen))
    await chat.model("gpt").generate(HI)
    assert str(seen[0].url) == "https://res.openai.azure.com/openai/v1/chat/completions"
    assert json.loads(seen[0].content)["model"] == "gpt"
    dated = Azure(
        api_key=KEY, resource_name="res", api_version="2024-10-21", client=recording_client(seen)
    )
    await dated.model("gpt").generate(HI)
    assert str(seen[1].url).endswith("/chat/completions?api-version=2024-10-21")


async def test_azure_error_bodies_become_provider_errors_with_the_message() -> None:
    def handle(request: httpx2.Request) -> httpx2.Response:
        body = {"error": {"code": "DeploymentNotFound", "message": "The deployment does not exist"}}
        return httpx2.Response(404, json=body)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    model = Azure(api_key=KEY, resource_name="res", client=client, retry=NO_RETRY).model("x")
    with pytest.raises(reverie.ProviderError) as info:
        await model.generate(HI)
    assert info.value.status == 404 and not info.value.retryable
    assert "The deployment does not exist" in str(info.value)
    assert KEY not in str(info.value)


async def test_a_call_retry_policy_overrides_the_providers_for_that_call() -> None:
    answers = [
        httpx2.Response(503, json={"error": {"message": "busy"}}),
        httpx2.Response(200, json=ANSWER),
    ]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(lambda request: answers.pop(0)))
    model = reverie.provider("openai", api_key=KEY, client=client, retry=NO_RETRY).model("m")
    patient = reverie.RetryPolicy(max_retries=1, initial_delay=0.25, sleep=sleep)
    call = Call(prompt=[user_message("hi")], retry=patient)
    assert (await model.generate(call)).text == "hello"
    assert slept == [0.25]
    answers[:] = [httpx2.Response(503, json={"error": {"message": "busy"}})]
    with pytest.raises(reverie.ProviderError, match="busy"):
        await model.generate(HI)  # the provider's own policy: no retry


@pytest.mark.parametrize(
    ("name", "settings"),
    [
        ("openai", {}),
        ("openai-responses", {}),
        ("azure", {"resource_name": "res"}),
        ("openrouter", {}),
        ("vercel", {}),
        ("openai-compat", {"base_url": "http://127.0.0.1:9/v1"}),
        ("anthropic", {}),
        ("bedrock", {"skip_auth": True}),
        ("google", {}),
        ("vertex", {"project": "p", "skip_auth": True}),
    ],
)
def test_every_http_provider_takes_the_common_http_settings(
    name: str, settings: dict[str, object]
) -> None:
    policy = reverie.RetryPolicy(max_retries=7)
    if name != "vertex":  # Vertex takes cloud credentials, not a key
        settings = {**settings, "api_key": KEY}
    made = reverie.provider(
        name,
        timeout=12.0,
        idle_timeout=3.0,
        max_in_flight=4,
        retry=policy,
        headers={"X-Trace": "t"},
        **settings,
    )
    http = made.http
    assert (http.timeout, http.idle_timeout, http.max_concurrency) == (12.0, 3.0, 4)
    assert http.retry is policy
    assert http._headers["X-Trace"] == "t"


async def test_a_new_chat_completions_gateway_is_a_spec_and_a_class() -> None:
    # The whole of a gateway that speaks plain chat completions (the lines a user writes).
    from reverie.providers.openai_chat import ChatProvider
    from reverie.providers.registry import register
    from reverie.providers.spec import ProviderSpec

    acme = ProviderSpec(
        name="acme",
        target=f"{__name__}:Acme",
        family="openai-chat",
        description="the Acme gateway",
        key_env=("ACME_API_KEY",),
        base_url="https://api.acme.test/v1",
    )

    class Acme(ChatProvider):
        spec = acme

    register(acme)
    globals()["Acme"] = Acme
    try:
        seen: list[httpx2.Request] = []
        model = reverie.provider("acme", api_key=KEY, client=recording_client(seen)).model("m")
        assert (await model.generate(HI)).text == "hello"
        assert str(seen[0].url) == "https://api.acme.test/v1/chat/completions"
        assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    finally:
        PROVIDERS.pop("acme")
        globals().pop("Acme")


async def test_each_request_goes_to_its_own_url_however_many_there_are() -> None:
    # URLs are kept parsed per client, in a bounded cache: past its size, still the right URL.
    seen: list[httpx2.Request] = []
    http = HttpClient("p", client=recording_client(seen), retry=NO_RETRY)
    urls = [f"https://example.test/v1/models/m{i}:generate?alt=sse" for i in range(150)]
    for url in [*urls, urls[0], urls[149], urls[0]]:
        await http.post_json(url, {"a": 1})
    assert [str(r.url) for r in seen] == [*urls, urls[0], urls[149], urls[0]]
    assert len(http._urls) <= 64
