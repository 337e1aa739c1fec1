"""Bad settings are refused when they are given, with ConfigurationError (TypeError for a
wrong type), and no request body ever carries NaN or Infinity (not JSON: servers refuse or
misread the bare tokens)."""

from __future__ import annotations

import math
from typing import Any

import httpx2
import pytest

import reverie
from reverie import ConfigurationError, RetryPolicy, Settings
from reverie.providers.registry import PROVIDERS
from reverie.testing.fake import ScriptedModel, reply

from .families import CASE_IDS, CASES, Answer, Case, answering

NAN, INF = math.nan, math.inf


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", NAN),
        ("temperature", INF),
        ("temperature", -0.1),
        ("top_p", 2),
        ("top_p", -0.5),
        ("top_p", NAN),
        ("presence_penalty", -INF),
        ("frequency_penalty", NAN),
        ("top_k", -1),
        ("max_output_tokens", 0),
    ],
)
def test_a_setting_out_of_range_is_refused(field: str, value: float) -> None:
    with pytest.raises(ConfigurationError, match=field):
        Settings(**{field: value})
    with pytest.raises(ConfigurationError, match=field):
        reverie.Agent(ScriptedModel([reply("x")]), **{field: value})


def test_settings_at_their_limits_are_kept() -> None:
    kept = Settings(temperature=0, top_p=1, top_k=0, presence_penalty=-2, frequency_penalty=2)
    assert kept.top_p == 1 and kept.temperature == 0


def test_stop_sequences_as_one_string_is_a_configuration_error_as_readme_says() -> None:
    with pytest.raises(ConfigurationError, match=r"use \['END'\]"):
        reverie.Agent(ScriptedModel([reply("x")]), stop_sequences="END")


@pytest.mark.parametrize("value", [INF, NAN, 0, -1])
def test_a_tool_timeout_that_is_no_number_of_seconds_is_refused(value: float) -> None:
    with pytest.raises(ConfigurationError, match="tool_timeout"):
        reverie.Agent(ScriptedModel([reply("x")]), tool_timeout=value)

    def lookup(q: str) -> str:
        """Look up."""
        return q

    with pytest.raises(ConfigurationError, match="timeout"):
        reverie.tool(timeout=value)(lookup)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_retries": -1}, ConfigurationError),
        ({"initial_delay": NAN}, ConfigurationError),
        ({"initial_delay": -1}, ConfigurationError),
        ({"max_delay": INF}, ConfigurationError),
        ({"max_retries": 1.5}, TypeError),
        ({"max_retries": True}, TypeError),
        ({"initial_delay": "1"}, TypeError),
        ({"sleep": 5}, TypeError),
    ],
)
def test_a_bad_retry_policy_is_refused(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error, match=next(iter(options))):
        RetryPolicy(**options)


@pytest.mark.parametrize("name", sorted(n for n in PROVIDERS if n != "local"))
@pytest.mark.parametrize("value", [2.5, 0, -3, NAN, True])
def test_every_provider_refuses_a_bound_that_is_not_a_whole_number(name: str, value: Any) -> None:
    settings: dict[str, Any] = {
        "openai-compat": {"base_url": "http://127.0.0.1:9/v1"},
        "azure": {"resource_name": "res"},
        "vertex": {"project": "p", "skip_auth": True},
        "bedrock": {"skip_auth": True},
    }.get(name, {})
    if name not in ("vertex", "bedrock"):
        settings["api_key"] = "sk-test-12345678"
    with pytest.raises(ConfigurationError, match="max_in_flight"):
        reverie.provider(name, max_in_flight=value, **settings)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_nan_in_a_tool_schema_is_refused_before_sending(case: Case) -> None:
    """What settings checks cannot see (a raw tool schema, provider options) is refused by
    the one body encoder: nothing with NaN or Infinity is sent."""
    sent: list[bytes] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.content)
        return answering(case.family, Answer(text=("ok",)))(request)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    settings: dict[str, Any] = {**dict(case.settings), "client": client}
    settings["api_key" if case.keyed else "skip_auth"] = "sk-test-12345678" if case.keyed else True
    model = reverie.provider(case.provider, **settings).model(case.model)
    schema = {"type": "object", "properties": {"x": {"type": "number", "maximum": NAN}}}
    tool = reverie.Tool.from_schema("weigh", "Weigh something", schema, lambda args: "1 kg")
    agent = reverie.Agent(model, tools=[tool])
    with pytest.raises(ConfigurationError, match="NaN or an infinite number"):
        await agent.run("hi")
    with pytest.raises(ConfigurationError, match="NaN or an infinite number"):
        await agent.stream("hi").collect()
    await client.aclose()
    assert sent == []
