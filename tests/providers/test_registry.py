"""A provider's identity lives in its spec: the registry, the reader of recordings, the
conformance kinds and ``reverie models`` read it, and one constructor builds every HTTP
provider from it (key, base URL, the URL's ``user:password@``, client)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

import reverie
from reverie.conformance.kinds import kinds
from reverie.http.retry import NO_RETRY
from reverie.messages import user_message
from reverie.model import Call
from reverie.providers.catalog import BUILT_IN
from reverie.providers.openai_chat import ChatDialect, ChatProvider
from reverie.providers.provider import Provider
from reverie.providers.recorded import RecordedExchange, chat_dialect, read_recorded
from reverie.providers.registry import PROVIDERS, identify, register
from reverie.providers.spec import ProviderSpec

KEY = "sk-registry-secret-0042"
HI = Call(prompt=[user_message("hi")])
CHAT_ANSWER = {"choices": [{"index": 0, "message": {"content": "hi"}, "finish_reason": "stop"}]}
CLAUDE_ANSWER = {
    "id": "m",
    "type": "message",
    "role": "assistant",
    "model": "c",
    "content": [{"type": "text", "text": "hi"}],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 1, "output_tokens": 1},
}
GEMINI_ANSWER = {
    "candidates": [
        {"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}
    ]
}


def client(seen: list[httpx2.Request], answer: object) -> httpx2.AsyncClient:
    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=answer)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


def basic(userinfo: str) -> str:
    return "Basic " + base64.b64encode(userinfo.encode()).decode()


# ---- the specs say which provider and family a URL belongs to ---------------------------------


def _sample_hosts(spec: ProviderSpec) -> Iterator[str]:
    for pattern in spec.hosts:
        yield pattern.replace("*", "us-east-1" if "bedrock" in pattern else "europe-west4")
        if "*" not in pattern:
            yield "sub." + pattern


@pytest.mark.parametrize("spec", [s for s in BUILT_IN if s.hosts], ids=lambda s: s.name)
def test_every_host_and_path_of_a_spec_is_identified_as_its_provider(spec: ProviderSpec) -> None:
    for host in _sample_hosts(spec):
        for path, family in spec.paths:
            found = identify(f"https://{host}/v1/some/model{path}?alt=sse")
            assert found is not None
            # Providers sharing a host (openai, openai-responses) answer as the first of them.
            assert found[0].hosts == spec.hosts and found[1] == family


@pytest.mark.parametrize(
    ("url", "provider", "family"),
    [
        ("https://api.openai.com/v1/responses", "openai", "openai-responses"),
        ("https://res.openai.azure.com/openai/v1/responses", "azure", "openai-responses"),
        ("https://proxy.example/v1/responses", "openai", "openai-responses"),
        ("http://127.0.0.1:8080/v1/chat/completions", "openai-compat", "openai-chat"),
        ("https://proxy.example/v1/messages", "anthropic", "anthropic"),
        ("https://aiplatform.googleapis.com/v1/p/x:rawPredict", "vertex", "anthropic"),
        ("https://aiplatform.eu.rep.googleapis.com/v1/p/x:generateContent", "vertex", "google"),
        ("https://proxy.example/model/x/invoke", "bedrock", "anthropic"),
    ],
)
def test_a_url_is_identified_by_its_path_then_its_host(
    url: str, provider: str, family: str
) -> None:
    found = identify(url)
    assert found is not None and (found[0].name, found[1]) == (provider, family)


def test_a_url_no_provider_sends_to_is_not_identified() -> None:
    assert identify("https://api.openai.com/v1/embeddings") is None
    assert identify("http://[::1") is None


class AcmeDialect(ChatDialect):
    def extend_body(self, body: dict[str, object], call: Call, stream: bool) -> None:
        body["acme"] = True


ACME = ProviderSpec(
    name="acme",
    target=f"{__name__}:Acme",
    family="openai-chat",
    description="the Acme gateway",
    key_env=("ACME_API_KEY",),
    base_url="https://api.acme.test/v1",
    hosts=("acme.test",),
    dialect=f"{__name__}:AcmeDialect",
    object_mode="tool",
)


class Acme(ChatProvider):
    """A third-party chat gateway: a spec and a class, registered as a user registers one."""

    spec = ACME


@pytest.fixture
def acme() -> Iterator[ProviderSpec]:
    register(ACME)
    yield ACME
    PROVIDERS.pop("acme")


async def test_a_registered_spec_is_every_table_at_once(acme: ProviderSpec) -> None:
    # the registry and the typed entry point
    seen: list[httpx2.Request] = []
    model: Any = reverie.provider("acme", api_key=KEY, client=client(seen, CHAT_ANSWER)).model("m")
    assert model.object_mode == "tool"  # from its spec, not from a lookup by name
    await model.generate(HI)
    assert b'"acme":true' in seen[0].content.replace(b" ", b"")  # its dialect
    # the reader of recordings: its host means its provider and dialect
    name, dialect = chat_dialect("api.acme.test")
    assert name == "acme" and isinstance(dialect, AcmeDialect)
    reply = RecordedExchange(url="https://api.acme.test/v1/chat/completions", body="{}")
    with pytest.raises(reverie.ProviderError, match="acme"):
        await read_recorded(reply)  # read by the chat family, reported as acme's
    # the conformance kinds
    assert kinds()["acme"] == ("acme", {})
    # reverie models
    assert acme.setup_state({}) == "ACME_API_KEY not set"


def test_the_conformance_kinds_are_the_registered_names_and_their_responses_variants() -> None:
    table = kinds()
    assert set(PROVIDERS) <= set(table)
    assert table["azure-responses"] == ("azure", {"api": "responses"})
    assert table["openai-responses"] == ("openai", {"api": "responses"})
    assert "anthropic-responses" not in table


@pytest.mark.parametrize(
    ("name", "settings"),
    [
        ("openai", {"api_key": KEY}),
        ("azure", {"api_key": KEY, "resource_name": "res"}),
        ("openrouter", {"api_key": KEY}),
        ("vercel", {"api_key": KEY}),
        ("openai-compat", {"base_url": "http://127.0.0.1:9/v1"}),
        ("anthropic", {"api_key": KEY}),
        ("bedrock", {"skip_auth": True}),
        ("google", {"api_key": KEY}),
        ("vertex", {"project": "p", "skip_auth": True}),
        ("local", {}),
    ],
)
def test_every_built_in_provider_is_a_provider(name: str, settings: dict[str, object]) -> None:
    made = reverie.provider(name, **settings)
    assert isinstance(made, Provider) and made.name == name


@pytest.mark.parametrize(
    ("name", "model", "mode"),
    [
        ("openai", "gpt-4o", "json_schema"),
        ("openrouter", "openai/gpt-4o", "tool"),
        ("vercel", "openai/gpt-4o", "tool"),
        ("anthropic", "claude-x", "tool"),
        ("google", "gemini-x", "json_schema"),
    ],
)
def test_a_models_object_mode_is_its_providers_spec(name: str, model: str, mode: str) -> None:
    made: Any = reverie.provider(name, api_key=KEY).model(model)
    assert made.object_mode == mode


# ---- one constructor: a base URL's user:password@ is auth in every family ---------------------


@pytest.mark.parametrize(
    ("name", "settings", "answer", "key_header"),
    [
        ("openai-compat", {}, CHAT_ANSWER, None),
        ("anthropic", {"api_key": KEY}, CLAUDE_ANSWER, "x-api-key"),
        ("google", {"api_key": KEY}, GEMINI_ANSWER, "x-goog-api-key"),
        ("azure", {"api_key": KEY}, CHAT_ANSWER, "api-key"),
        ("bedrock", {"skip_auth": True}, CLAUDE_ANSWER, None),
        ("vertex", {"project": "p", "skip_auth": True}, GEMINI_ANSWER, None),
    ],
)
async def test_a_base_urls_userinfo_is_basic_auth_in_every_family(
    name: str, settings: dict[str, object], answer: object, key_header: str | None
) -> None:
    seen: list[httpx2.Request] = []
    made: Any = reverie.provider(
        name,
        base_url="https://proxy-user:proxy-pass-SECRET@proxy.example/api",
        client=client(seen, answer),
        retry=NO_RETRY,
        **settings,
    )
    await made.model("claude-x" if name == "bedrock" else "m").generate(HI)
    [request] = seen
    assert request.url.host == "proxy.example" and not request.url.userinfo
    assert request.headers["authorization"] == basic("proxy-user:proxy-pass-SECRET")
    if key_header is not None:  # a key in its own header goes along
        assert request.headers[key_header] == KEY
    assert "SECRET" not in repr(made) + repr(made.http) + made.base_url


async def test_a_bearer_key_wins_over_the_userinfo_as_httpx_has_it() -> None:
    seen: list[httpx2.Request] = []
    made = reverie.provider(
        "openai",
        api_key=KEY,
        base_url="https://u:p@proxy.example/v1",
        client=client(seen, CHAT_ANSWER),
    )
    await made.model("m").generate(HI)
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert made.base_url == "https://proxy.example/v1"


# ---- reverie models: what each provider needs, read off its spec --------------------------------


@pytest.mark.parametrize(
    ("name", "environ", "shown"),
    [
        ("openai", {}, "OPENAI_API_KEY not set"),
        ("openai", {"OPENAI_API_KEY": KEY}, "OPENAI_API_KEY set"),
        ("azure", {"AZURE_API_KEY": KEY}, "AZURE_API_KEY set"),
        ("openai-compat", {}, "optional: OPENAI_COMPAT_API_KEY not set"),
        ("openai-compat", {"OPENAI_COMPAT_API_KEY": KEY}, "OPENAI_COMPAT_API_KEY set"),
        ("bedrock", {}, "AWS credentials (or a key in AWS_BEARER_TOKEN_BEDROCK)"),
        ("bedrock", {"AWS_BEARER_TOKEN_BEDROCK": KEY}, "AWS_BEARER_TOKEN_BEDROCK set"),
        ("vertex", {}, "GOOGLE_CLOUD_PROJECT not set; needs application default credentials"),
        (
            "vertex",
            {"GOOGLE_CLOUD_PROJECT": "p"},
            "GOOGLE_CLOUD_PROJECT set; needs application default credentials",
        ),
        ("local", {}, "not needed"),
    ],
)
def test_what_a_provider_needs_is_said_from_its_spec(
    name: str, environ: dict[str, str], shown: str
) -> None:
    assert PROVIDERS[name].setup_state(environ) == shown
    assert KEY not in shown
