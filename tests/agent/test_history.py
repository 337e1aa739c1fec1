"""A step's content as conversation history, and how a run's options reach the model's call
(the sync facade included): what the next request replays is what the provider gave."""

from __future__ import annotations

import pytest

from reverie import Agent, Settings
from reverie.agent.prepare import merge_options, merge_settings
from reverie.agent.step import make_step
from reverie.content import File, Reasoning, Text, ToolCall, ToolResult
from reverie.conversation import to_messages
from reverie.finish_reason import FinishReason
from reverie.messages import (
    FilePart,
    Message,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    system_message,
    user_message,
)
from reverie.model import Response
from reverie.testing.fake import ScriptedModel, reply
from reverie.usage import Usage
from reverie.warning import CallWarning

META = {"p": {"id": "x1"}}


def test_a_steps_content_becomes_an_assistant_turn_keeping_provider_metadata() -> None:
    content = [
        Reasoning(text="hmm", provider_metadata={"p": {"signature": "s"}}),
        Text(text="Here", provider_metadata=META),
        File(data=b"png", media_type="image/png", provider_metadata=META),
        ToolCall(tool_call_id="c1", tool_name="t", input="{}", provider_metadata=META),
    ]
    assert to_messages(content, []) == [
        Message(
            role="assistant",
            content=(
                ReasoningPart(text="hmm", provider_options={"p": {"signature": "s"}}),
                TextPart(text="Here", provider_options=META),
                FilePart(data=b"png", media_type="image/png", provider_options=META),
                ToolCallPart(tool_call_id="c1", tool_name="t", input="{}", provider_options=META),
            ),
        )
    ]


def test_provider_executed_calls_and_results_stay_in_the_assistant_turn() -> None:
    search = ToolCall(tool_call_id="s1", tool_name="web", input="{}", provider_executed=True)
    found = ToolResult(
        tool_call_id="s1",
        tool_name="web",
        output=TextOutput(text="pages"),
        provider_executed=True,
        provider_metadata=META,
    )
    ours = ToolResult(tool_call_id="c1", tool_name="t", output=TextOutput(text="ok"))
    # our own results in the content are sent in the tool turn, not twice
    messages = to_messages([search, found, ours], [ours])
    assert messages == [
        Message(
            role="assistant",
            content=(
                ToolCallPart(
                    tool_call_id="s1", tool_name="web", input="{}", provider_executed=True
                ),
                ToolResultPart(
                    tool_call_id="s1",
                    tool_name="web",
                    output=TextOutput(text="pages"),
                    provider_executed=True,
                    provider_options=META,
                ),
            ),
        ),
        Message(
            role="tool",
            content=(
                ToolResultPart(tool_call_id="c1", tool_name="t", output=TextOutput(text="ok")),
            ),
        ),
    ]


def test_a_step_without_content_or_results_adds_no_messages() -> None:
    assert to_messages([], []) == []


def test_a_step_records_the_responses_fields_and_who_answered() -> None:
    warning = CallWarning(kind="other", message="w")
    usage = Usage(input_tokens=1, output_tokens=2)
    response = Response(
        content=[Text(text="hi")],
        finish_reason=FinishReason.STOP,
        usage=usage,
        warnings=[warning],
        provider_metadata=META,
        model_id="m-2024",
    )
    result = ToolResult(tool_call_id="c", tool_name="t", output=TextOutput(text="r"))
    model = ScriptedModel([], provider="acme", model_id="m")
    step = make_step(3, response, [Text(text="hi")], [result], [], model)
    assert (step.number, step.content, step.finish_reason, step.usage) == (
        3,
        [Text(text="hi"), result],
        FinishReason.STOP,
        usage,
    )
    assert (step.warnings, step.provider_metadata, step.model, step.model_id) == (
        [warning],
        META,
        "acme:m",
        "m-2024",
    )


def test_settings_set_on_a_run_win_field_by_field() -> None:
    base = Settings(temperature=0.2, max_output_tokens=100, stop_sequences=("END",))
    merged = merge_settings(base, Settings(temperature=0.9, seed=7))
    assert merged == Settings(
        temperature=0.9, max_output_tokens=100, stop_sequences=("END",), seed=7
    )
    assert merge_settings(base, None) is base
    assert merge_settings(base, Settings(stop_sequences=("STOP",))).stop_sequences == ("STOP",)


def test_provider_options_merge_per_namespace_and_the_runs_keys_win() -> None:
    base = {"openai": {"user": "a", "store": True}, "anthropic": {"x": 1}}
    merged = merge_options(base, {"openai": {"user": "b"}, "google": {"y": 2}})
    assert merged == {
        "openai": {"user": "b", "store": True},
        "anthropic": {"x": 1},
        "google": {"y": 2},
    }
    assert base == {"openai": {"user": "a", "store": True}, "anthropic": {"x": 1}}
    assert merge_options(base, None) is base and merge_options(base, {}) is base


def test_run_sync_passes_every_run_option_to_the_model() -> None:
    model = ScriptedModel([reply("done")])
    agent = Agent(
        model, temperature=0.1, headers={"x-app": "a"}, provider_options={"scripted": {"j": 0}}
    )
    earlier = [user_message("before"), Message(role="assistant", content=(TextPart(text="ok"),))]
    pdf = FilePart(data=b"%PDF", media_type="application/pdf")
    result = agent.run_sync(
        "now",
        messages=earlier,
        files=[pdf],
        settings=Settings(seed=3),
        headers={"x-run": "r"},
        provider_options={"scripted": {"k": 1}},
    )
    [call] = model.calls
    assert list(call.prompt) == [*earlier, user_message("now", [pdf])]
    assert call.settings == Settings(temperature=0.1, seed=3)
    assert dict(call.headers) == {"x-app": "a", "x-run": "r"}
    assert call.provider_options == {"scripted": {"j": 0, "k": 1}}
    assert result.text == "done"


def test_the_agents_system_text_comes_first_in_the_prompt() -> None:
    model = ScriptedModel([reply("done")])
    Agent(model, system="Be brief").run_sync("hi")
    assert list(model.calls[0].prompt) == [system_message("Be brief"), user_message("hi")]


def test_an_agent_given_a_model_string_resolves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    model = Agent("openai:gpt-4o").model
    assert (model.provider, model.model_id) == ("openai", "gpt-4o")
