"""``OpenAICompatible(assistant_tool_call_content=...)``: the ``content`` an assistant message
with tool calls and no text carries, for servers whose chat template reads it."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FakeServer

from reverie.errors import ConfigurationError
from reverie.messages import (
    Message,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    user_message,
)
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.providers.openai_compat import OpenAICompatible

ANSWER = {
    "id": "c",
    "object": "chat.completion",
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
    ],
}


def conversation(text: str = "") -> list[Message]:
    content: list[Any] = [TextPart(text=text)] if text else []
    content.append(
        ToolCallPart(tool_call_id="call_1", tool_name="weather", input='{"city":"Oslo"}')
    )
    return [
        user_message("Weather in Oslo?"),
        Message(role="assistant", content=tuple(content)),
        Message(
            role="tool",
            content=(
                ToolResultPart(
                    tool_call_id="call_1", tool_name="weather", output=TextOutput(text="sunny")
                ),
            ),
        ),
    ]


async def sent(provider: Any, server: FakeServer, text: str = "") -> dict[str, Any]:
    await provider.model("m").generate(Call(prompt=conversation(text)))
    message: dict[str, Any] = server.requests[-1]["messages"][1]
    return message


@pytest.mark.parametrize(
    ("setting", "expected"), [("omit", {}), ("null", {"content": None}), ("empty", {"content": ""})]
)
async def test_a_tool_call_message_carries_the_content_asked_for(
    setting: Any, expected: dict[str, Any]
) -> None:
    server = FakeServer().json(ANSWER).json(ANSWER)
    provider = OpenAICompatible(
        base_url="http://h/v1", client=server.client(), assistant_tool_call_content=setting
    )
    message = await sent(provider, server)
    assert {k: v for k, v in message.items() if k == "content"} == expected
    assert message["tool_calls"][0]["function"]["name"] == "weather"
    # Text is sent as it is, whatever the setting.
    assert (await sent(provider, server, "Let me look."))["content"] == "Let me look."


async def test_the_default_and_other_providers_leave_content_out() -> None:
    server = FakeServer().json(ANSWER).json(ANSWER)
    default = OpenAICompatible(base_url="http://h/v1", client=server.client())
    assert "content" not in await sent(default, server)
    openai = OpenAI(api_key="sk-test", client=server.client())
    assert "content" not in await sent(openai, server)


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="assistant_tool_call_content"):
        OpenAICompatible(base_url="http://h/v1", assistant_tool_call_content="none")  # type: ignore[arg-type]
