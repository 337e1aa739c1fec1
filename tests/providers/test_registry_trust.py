"""What becomes a host is checked before any credential is sent (issue 19): Bedrock's region,
Vertex's location and project, an Azure resource name; and no constructor frame of ours holds
a key bare, so a traceback that captures local variables never shows it."""

from __future__ import annotations

import asyncio
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
import pytest

import reverie
from reverie import ConfigurationError
from reverie.providers.kit import Call, Secret
from reverie.providers.registry import resolve_model

KEY = "sk-trust-SECRET-9c1e77ab42"
LIBRARY = str(Path(reverie.__file__).parent)


def sent_to(name: str, model: str, **settings: Any) -> str:
    """The host the provider's first request goes to (answered 400, never retried)."""
    hosts: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        hosts.append(request.url.host)
        return httpx2.Response(400, json={"error": {"message": "no"}})

    made: Any = reverie.provider(  # type: ignore[call-overload]
        name, client=httpx2.AsyncClient(transport=httpx2.MockTransport(handle)), **settings
    )
    with pytest.raises(reverie.ProviderError):
        asyncio.run(made.model(model).generate(Call(prompt=[reverie.user_message("hi")])))
    return hosts[0]


# ---- Bedrock's region ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "region",
    [
        "us-east-1",
        "eu-central-2",
        "ap-southeast-3",
        "us-gov-west-1",
        "il-central-1",
        "mx-central-1",
    ],
)
def test_an_aws_region_code_is_the_bedrock_host(region: str) -> None:
    host = sent_to("bedrock", "anthropic.claude", api_key=KEY, region=region)
    assert host == f"bedrock-runtime.{region}.amazonaws.com"


BAD_REGIONS = [
    "evil.example/x",
    "us-east-1.evil.example",
    "evil.example#",
    "us-east-1/../x",
    "user@evil",
    "US-EAST-1",
    "us-east-1 ",
    "useast1",
]


@pytest.mark.parametrize("region", BAD_REGIONS)
def test_a_region_that_is_not_a_region_code_is_refused_before_anything_is_sent(
    region: str,
) -> None:
    with pytest.raises(ConfigurationError, match="region must be an AWS region code") as info:
        reverie.provider("bedrock", api_key=KEY, region=region)
    assert repr(region) not in str(info.value)  # named, never quoted


def test_a_region_from_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "evil.example/x")
    with pytest.raises(ConfigurationError, match="AWS_REGION"):
        reverie.provider("bedrock", skip_auth=True)


# ---- Vertex's location and project -------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("us-central1", "us-central1-aiplatform.googleapis.com"),
        ("europe-west4", "europe-west4-aiplatform.googleapis.com"),
        ("northamerica-northeast1", "northamerica-northeast1-aiplatform.googleapis.com"),
        ("global", "aiplatform.googleapis.com"),
        ("us", "aiplatform.us.rep.googleapis.com"),
        ("eu", "aiplatform.eu.rep.googleapis.com"),
    ],
)
def test_a_vertex_location_is_its_documented_host(location: str, host: str) -> None:
    settings = {"project": "my-project", "location": location, "skip_auth": True}
    assert sent_to("vertex", "gemini-2.5-flash", **settings) == host
    assert sent_to("vertex", "claude-sonnet-4-5", **settings) == host


@pytest.mark.parametrize(
    "location",
    ["evil.example/x", "us-central1.evil.example", "global/x", "eu#", "US", "europe-west4-", "x@y"],
)
def test_a_location_that_is_not_one_is_refused(location: str) -> None:
    with pytest.raises(ConfigurationError, match="location must be a Google Cloud region"):
        reverie.provider("vertex", project="p", location=location, skip_auth=True)


def test_a_location_from_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "evil.example/x")
    with pytest.raises(ConfigurationError, match="GOOGLE_CLOUD_LOCATION"):
        reverie.provider("vertex", project="p", skip_auth=True)


@pytest.mark.parametrize("project", ["p/../../x", "p?alt=x", "p#", "My-Project", "p x"])
def test_a_project_that_would_change_the_path_is_refused(project: str) -> None:
    with pytest.raises(ConfigurationError, match="project must be a Google Cloud project id"):
        reverie.provider("vertex", project=project, skip_auth=True)


@pytest.mark.parametrize("model", ["gemini/../../x", "claude-x?alt=1#"])
def test_a_vertex_model_id_stays_one_path_segment(model: str) -> None:
    made = reverie.provider("vertex", project="p", skip_auth=True).model(model)
    url = made._transport.generate_url if model.startswith("claude") else made._generate_url
    parsed = httpx2.URL(url)
    assert parsed.host == "us-central1-aiplatform.googleapis.com"
    assert f"/models/{quote(model, safe='@.-_')}:" in parsed.raw_path.decode()
    assert parsed.query in (b"", b"alt=sse") and not parsed.fragment


def test_a_domain_scoped_project_is_accepted() -> None:
    made = reverie.provider("vertex", project="example.com:my-project", skip_auth=True)
    assert made.project == "example.com:my-project"


# ---- Azure's resource name ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["res", "my-resource-1", "A1"])
def test_an_azure_resource_name_is_its_host(name: str) -> None:
    host = sent_to("azure", "gpt", api_key=KEY, resource_name=name)
    assert host == f"{name}.openai.azure.com".lower()


@pytest.mark.parametrize(
    "name", ["evil#", "evil?", "x:1@evil", "evil.example", "-res", "res-", "a" * 65, "res_1"]
)
def test_an_azure_resource_name_that_could_change_the_host_is_refused(name: str) -> None:
    with pytest.raises(ConfigurationError, match="resource name"):
        reverie.provider("azure", api_key=KEY, resource_name=name)


# ---- no key in a traceback's captured locals ----------------------------------------------------


def library_frames(error: BaseException) -> str:
    """Everything a traceback with locals shows of the library's frames (not the test's)."""
    tb = traceback.TracebackException.from_exception(error, capture_locals=True)
    chain, shown = [tb], ""
    while chain:
        exc = chain.pop()
        frames = [f for f in exc.stack if f.filename.startswith(LIBRARY)]
        shown += "".join(traceback.StackSummary.from_list(frames).format())
        chain += [e for e in (exc.__cause__, exc.__context__) if e is not None]
    return shown + str(error)


# Each fails after the key was given (or read): a bad key, or a bad setting next to a good key.
FAILING: list[tuple[str, dict[str, Any]]] = [
    ("openai", {"api_key": KEY + "\x00"}),
    ("openai", {"api_key": KEY, "api": "batch"}),
    ("openai-responses", {"api_key": "é" + KEY}),
    ("azure", {"api_key": KEY, "resource_name": "evil.example"}),
    ("azure", {"api_key": KEY, "base_url": "x", "resource_name": "y"}),
    ("openrouter", {"api_key": KEY + " x"}),
    ("vercel", {"api_key": KEY, "max_in_flight": 0}),
    ("openai-compat", {"api_key": KEY}),  # no base URL
    ("anthropic", {"api_key": KEY, "timeout": -1}),
    ("bedrock", {"api_key": KEY, "region": "evil.example/x"}),
    ("bedrock", {"api_key": KEY + "\n\n\x01"}),
    ("google", {"api_key": KEY, "tool_call_ids": "random"}),
]


@pytest.mark.parametrize(("name", "settings"), FAILING, ids=[f[0] for f in FAILING])
def test_no_constructor_frame_shows_the_key_to_a_traceback_with_locals(
    name: str, settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_COMPAT_BASE_URL", raising=False)
    for make in (
        lambda: reverie.provider(name, **settings),  # type: ignore[call-overload]
        lambda: resolve_model(f"{name}:m", **settings),
        lambda: PROVIDERS_CLASS(name)(**settings),
    ):
        with pytest.raises((ConfigurationError, ValueError)) as info:
            make()
        shown = library_frames(info.value)
        assert "Secret('***')" in shown or "api_key" not in shown
        assert KEY not in shown


def test_a_key_from_the_environment_is_no_local_either(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY + "\x01")
    with pytest.raises(ConfigurationError, match="control") as info:
        reverie.provider("anthropic")
    assert KEY not in library_frames(info.value)


def test_a_secret_shows_nothing_and_is_accepted_where_a_key_is() -> None:
    secret = Secret(KEY)
    assert KEY not in repr(secret) + str(secret) + f"{secret}"
    made = reverie.provider("anthropic", api_key=secret)
    assert KEY in made.http._secrets()  # still redacted from what a server echoes


def PROVIDERS_CLASS(name: str) -> Any:
    from reverie.providers.registry import PROVIDERS

    return PROVIDERS[name].load()
