"""Gemini request bodies: how each kind of message part goes on the wire (or is dropped)."""

from __future__ import annotations

from typing import Any

from test_google import GoogleServer, answer, gemini

from reverie.messages import (
    ErrorOutput,
    FilePart,
    MediaOutput,
    Message,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    user_message,
)
from reverie.providers.kit import Call
from reverie.warning import CallWarning


def signed(signature: str) -> dict[str, dict[str, Any]]:
    return {"google": {"thought_signature": signature}}


async def send(*prompt: Message) -> tuple[dict[str, Any], list[CallWarning]]:
    """The body the Gemini API receives for ``prompt``, and the call's warnings."""
    server = GoogleServer().json(answer({"text": "ok"}))
    response = await gemini(server).generate(Call(prompt=list(prompt)))
    return server.requests[0], list(response.warnings)


def model_turn(*content: Any) -> Message:
    return Message(role="assistant", content=content)


def tool_turn(*results: ToolResultPart) -> Message:
    return Message(role="tool", content=results)


def result(call_id: str, name: str, output: Any) -> ToolResultPart:
    return ToolResultPart(tool_call_id=call_id, tool_name=name, output=output)


def call(call_id: str, name: str, input: str = "{}", **extra: Any) -> ToolCallPart:
    return ToolCallPart(tool_call_id=call_id, tool_name=name, input=input, **extra)


# ---- system instruction -------------------------------------------------------------------


async def test_system_messages_join_into_one_instruction() -> None:
    body, _ = await send(
        Message(role="system", content=(TextPart(text="Be brief."), TextPart(text="Be kind."))),
        Message(role="system", content=(TextPart(text="Answer in Italian."),)),
        user_message("Hi"),
    )
    assert body["systemInstruction"] == {
        "role": "user",
        "parts": [{"text": "Be brief."}, {"text": "Be kind."}, {"text": "Answer in Italian."}],
    }
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Hi"}]}]


async def test_no_system_message_sends_no_instruction() -> None:
    body, _ = await send(user_message("Hi"))
    assert "systemInstruction" not in body


# ---- user turns ---------------------------------------------------------------------------


async def test_user_parts_gemini_cannot_take_are_dropped_with_a_warning_or_sent_as_text() -> None:
    body, warnings = await send(
        Message(
            role="user",
            content=(
                TextPart(text="Look"),
                ReasoningPart(text="hmm"),
                call("1", "add"),
                result("1", "add", TextOutput(text="5")),
            ),
        )
    )
    # The result answers no model call: it is told as text.
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Look"}, {"text": "[add result: 5]"}]}
    ]
    assert warnings == [
        CallWarning(kind="other", message="a reasoning part in a user turn was dropped"),
        CallWarning(kind="other", message="a tool-call part in a user turn was dropped"),
    ]


async def test_user_turn_with_nothing_to_send_sends_no_content() -> None:
    body, warnings = await send(
        Message(role="user", content=(ReasoningPart(text="hmm"),)), user_message("Hi")
    )
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Hi"}]}]
    assert len(warnings) == 1


# ---- model turns --------------------------------------------------------------------------


async def test_model_text_is_sent_and_empty_text_only_when_signed() -> None:
    body, _ = await send(
        user_message("Hi"),
        model_turn(
            TextPart(text=""),
            TextPart(text="Hello", provider_options=signed("sig-a")),
            TextPart(text="there"),
            TextPart(text="", provider_options=signed("sig-b")),
        ),
    )
    assert body["contents"][1] == {
        "role": "model",
        "parts": [
            {"text": "Hello", "thoughtSignature": "sig-a"},
            {"text": "there"},
            {"text": "", "thoughtSignature": "sig-b"},
        ],
    }


async def test_reasoning_goes_back_as_a_thought_only_when_signed() -> None:
    body, _ = await send(
        user_message("Hi"),
        model_turn(
            ReasoningPart(text="unsigned summary"),
            ReasoningPart(text="signed summary", provider_options=signed("sig-r")),
            ReasoningPart(text="", provider_options={"google": {"thought_signature": ""}}),
            TextPart(text="Done."),
        ),
    )
    assert body["contents"][1]["parts"] == [
        {"text": "signed summary", "thought": True, "thoughtSignature": "sig-r"},
        {"text": "Done."},
    ]


async def test_a_signature_kept_under_another_provider_is_not_sent() -> None:
    body, _ = await send(
        user_message("Hi"),
        model_turn(TextPart(text="Hello", provider_options={"anthropic": {"signature": "x"}})),
    )
    assert body["contents"][1]["parts"] == [{"text": "Hello"}]


async def test_function_calls_carry_their_args_id_and_signature() -> None:
    body, _ = await send(
        user_message("Hi"),
        model_turn(
            call("c1", "add", '{"a": 2, "b": 3}', provider_options=signed("sig-c")),
            call("c2", "now"),
        ),
    )
    assert body["contents"][1]["parts"] == [
        {
            "functionCall": {"name": "add", "args": {"a": 2, "b": 3}, "id": "c1"},
            "thoughtSignature": "sig-c",
        },
        {"functionCall": {"name": "now", "args": {}, "id": "c2"}},
    ]


async def test_call_input_that_is_not_a_json_object_goes_as_empty_args() -> None:
    inputs = ["", "not json", "[1, 2]", '"text"', "3"]
    body, _ = await send(
        user_message("Hi"),
        model_turn(*(call(f"c{i}", "add", text) for i, text in enumerate(inputs))),
    )
    args = [p["functionCall"]["args"] for p in body["contents"][1]["parts"]]
    assert args == [{}] * len(inputs)


async def test_provider_executed_calls_are_sent_back_as_text() -> None:
    body, _ = await send(
        user_message("Search"),
        model_turn(
            call("s1", "google_search", '{"q": "x"}', provider_executed=True),
            TextPart(text="Found it."),
        ),
    )
    assert body["contents"][1]["parts"] == [
        {"text": '[google_search was run by the provider with input {"q": "x"}]'},
        {"text": "Found it."},
    ]


async def test_model_files_go_inline_or_by_uri() -> None:
    body, _ = await send(
        user_message("Draw"),
        model_turn(
            FilePart(media_type="image/png", data=b"\x89PNG"),
            FilePart(media_type="image/jpeg", url="https://example.com/cat.jpg"),
        ),
    )
    assert body["contents"][1]["parts"] == [
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}},
        {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/cat.jpg"}},
    ]


async def test_model_turn_with_nothing_to_send_sends_no_content() -> None:
    body, _ = await send(
        user_message("Hi"),
        model_turn(TextPart(text=""), ReasoningPart(text="unsigned")),
        user_message("Again"),
    )
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Hi"}]},
        {"role": "user", "parts": [{"text": "Again"}]},
    ]


# ---- tool turns ---------------------------------------------------------------------------


async def test_tool_results_send_text_and_error_messages() -> None:
    body, _ = await send(
        user_message("Hi"),
        model_turn(call("1", "add"), call("2", "div")),
        tool_turn(
            result("1", "add", TextOutput(text="5")),
            result("2", "div", ErrorOutput(message="division by zero")),
        ),
    )
    assert body["contents"][2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "add", "response": {"result": "5"}, "id": "1"}},
            {
                "functionResponse": {
                    "name": "div",
                    "response": {"result": "division by zero"},
                    "id": "2",
                }
            },
        ],
    }


async def test_media_results_send_their_text_and_the_media_after_all_responses() -> None:
    body, _ = await send(
        user_message("Shoot"),
        model_turn(call("1", "screenshot"), call("2", "photo"), call("3", "add")),
        tool_turn(
            result(
                "1", "screenshot", MediaOutput(data="AAAA", media_type="image/png", text="home")
            ),
            result("2", "photo", MediaOutput(data="BBBB", media_type="image/jpeg")),
            result("3", "add", TextOutput(text="5")),
        ),
    )
    assert body["contents"][2]["parts"] == [
        {"functionResponse": {"name": "screenshot", "response": {"result": "home"}, "id": "1"}},
        {"functionResponse": {"name": "photo", "response": {"result": ""}, "id": "2"}},
        {"functionResponse": {"name": "add", "response": {"result": "5"}, "id": "3"}},
        {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
        {"inlineData": {"mimeType": "image/jpeg", "data": "BBBB"}},
    ]


async def test_results_without_a_call_are_told_as_text_after_the_responses() -> None:
    body, _ = await send(
        user_message("Hi"),
        model_turn(call("1", "add"), call("2", "mul")),
        tool_turn(
            result("x", "orphan", TextOutput(text="a")),
            result("2", "mul", TextOutput(text="6")),
            result("y", "stray", TextOutput(text="b")),
            result("1", "add", TextOutput(text="5")),
        ),
    )
    ids = [p["functionResponse"]["id"] for p in body["contents"][2]["parts"]]
    assert ids == ["1", "2"]
    assert body["contents"][3] == {
        "role": "user",
        "parts": [{"text": "[orphan result: a]"}, {"text": "[stray result: b]"}],
    }


async def test_each_model_turn_sets_the_order_of_the_next_results() -> None:
    body, _ = await send(
        user_message("Hi"),
        model_turn(call("1", "add"), call("2", "mul")),
        tool_turn(
            result("2", "mul", TextOutput(text="6")), result("1", "add", TextOutput(text="5"))
        ),
        model_turn(call("3", "mul"), call("4", "add")),
        tool_turn(
            result("4", "add", TextOutput(text="9")), result("3", "mul", TextOutput(text="8"))
        ),
    )
    first = [p["functionResponse"]["id"] for p in body["contents"][2]["parts"]]
    second = [p["functionResponse"]["id"] for p in body["contents"][4]["parts"]]
    assert (first, second) == (["1", "2"], ["3", "4"])


async def test_results_before_any_model_turn_are_text_in_their_order() -> None:
    body, _ = await send(
        user_message("Hi"),
        tool_turn(
            result("2", "mul", TextOutput(text="6")), result("1", "add", TextOutput(text="5"))
        ),
    )
    assert body["contents"][1]["parts"] == [
        {"text": "[mul result: 6]"},
        {"text": "[add result: 5]"},
    ]


async def test_text_in_a_tool_turn_is_a_user_turn() -> None:
    body, _ = await send(
        user_message("Hi"),
        Message(role="tool", content=(TextPart(text="stray"),)),
        user_message("Again"),
    )
    assert [c["parts"] for c in body["contents"]] == [
        [{"text": "Hi"}],
        [{"text": "stray"}],
        [{"text": "Again"}],
    ]
