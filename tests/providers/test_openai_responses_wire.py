"""Our messages → the Responses ``input`` items sent on the wire: system and user messages,
files, assistant text and calls, reasoning replay, tool results, and the warnings for what
cannot be sent."""

from __future__ import annotations

import json
from typing import Any

import httpx2

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
from reverie.providers.openai import OpenAI
from reverie.providers.openai_responses.messages import convert_messages
from reverie.providers.openai_responses.options import LocalOptions
from reverie.retry import NO_RETRY
from reverie.warning import CallWarning


def convert(
    *messages: Message, model: str = "gpt-4o", **local: bool
) -> tuple[list[dict[str, Any]], list[CallWarning]]:
    return convert_messages(messages, model, LocalOptions(**local))


def items(*messages: Message, model: str = "gpt-4o", **local: bool) -> list[dict[str, Any]]:
    converted, warnings = convert(*messages, model=model, **local)
    assert warnings == []
    return converted


def assistant(*content: Any) -> Message:
    return Message(role="assistant", content=content)


def reasoning(text: str, **meta: Any) -> ReasoningPart:
    return ReasoningPart(text=text, provider_options={"openai": meta})


def tool_result(output: Any, call_id: str = "c") -> list[Message]:
    """A tool turn, after the assistant turn making its call."""
    call = ToolCallPart(tool_call_id=call_id, tool_name="t", input="{}")
    part = ToolResultPart(tool_call_id=call_id, tool_name="t", output=output)
    return [assistant(call), Message(role="tool", content=(part,))]


def results(*turns: list[Message]) -> list[dict[str, Any]]:
    """The wire items of tool turns, without their calls."""
    return [i for i in items(*(m for t in turns for m in t)) if i.get("type") != "function_call"]


SEARCH = ToolCallPart(
    tool_call_id="ws_1", tool_name="web_search", input="{}", provider_executed=True
)
FOUND = ToolResultPart(
    tool_call_id="ws_1",
    tool_name="web_search",
    output=TextOutput(text="{}"),
    provider_executed=True,
)
ANSWER = TextPart(text="Found.", provider_options={"openai": {"item_id": "msg_1"}})
"""The text of the same Responses output: it says the search is OpenAI's own."""


# ---- system and user messages -------------------------------------------------------------


def test_a_system_messages_text_parts_are_joined_by_lines() -> None:
    system = Message(
        role="system",
        content=(TextPart(text="Be brief."), ReasoningPart(text="no"), TextPart(text="Be kind.")),
    )
    assert items(system) == [{"role": "system", "content": "Be brief.\nBe kind."}]


def test_reasoning_models_take_the_system_prompt_as_a_developer_message() -> None:
    system = Message(role="system", content=(TextPart(text="S"),))
    assert items(system, model="o3") == [{"role": "developer", "content": "S"}]


def test_user_text_parts_are_input_text_in_order() -> None:
    user = Message(role="user", content=(TextPart(text="a"), TextPart(text="b")))
    assert items(user) == [
        {
            "role": "user",
            "content": [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}],
        }
    ]


def test_an_image_without_a_detail_option_sends_no_detail() -> None:
    image = FilePart(media_type="image/gif", url="https://e.example/a.gif")
    other = FilePart(
        media_type="image/png",
        url="https://e.example/b.png",
        provider_options={"anthropic": {"image_detail": "high"}},
    )
    assert items(user_message("Look", [image, other]))[0]["content"][1:] == [
        {"type": "input_image", "image_url": "https://e.example/a.gif"},
        {"type": "input_image", "image_url": "https://e.example/b.png"},
    ]


def test_an_image_detail_option_is_sent_as_detail() -> None:
    image = FilePart(
        media_type="image/png", data=b"\x00", provider_options={"openai": {"image_detail": "high"}}
    )
    assert items(user_message("Look", [image]))[0]["content"][1] == {
        "type": "input_image",
        "image_url": "data:image/png;base64,AA==",
        "detail": "high",
    }


def test_a_pdf_without_a_filename_is_sent_as_document_pdf() -> None:
    pdf = FilePart(media_type="application/pdf", data=b"%PDF")
    assert items(user_message("Read", [pdf]))[0]["content"][1] == {
        "type": "input_file",
        "filename": "document.pdf",
        "file_data": "data:application/pdf;base64,JVBERg==",
    }


def test_a_pdf_at_a_url_is_sent_by_url() -> None:
    pdf = FilePart(media_type="application/pdf", url="https://e.example/a.pdf", filename="a.pdf")
    assert items(user_message("Read", [pdf]))[0]["content"][1] == {
        "type": "input_file",
        "file_url": "https://e.example/a.pdf",
    }


def test_a_file_the_api_cannot_take_is_left_out_with_a_warning() -> None:
    message = user_message("Listen", [FilePart(media_type="audio/mpeg", data=b"ID3")])
    converted, warnings = convert(message)
    assert converted == [{"role": "user", "content": [{"type": "input_text", "text": "Listen"}]}]
    assert warnings == [
        CallWarning(
            kind="other",
            message="file of media type audio/mpeg is not supported by the Responses API "
            "and was not sent",
        )
    ]


# ---- assistant messages -------------------------------------------------------------------


def test_assistant_text_is_an_assistant_message_and_empty_text_is_dropped() -> None:
    message = assistant(TextPart(text=""), TextPart(text="Hi."), TextPart(text="Bye."))
    assert items(message) == [
        {"role": "assistant", "content": "Hi."},
        {"role": "assistant", "content": "Bye."},
    ]


def test_a_provider_executed_call_is_left_out_without_store() -> None:
    assert items(assistant(SEARCH, FOUND, ANSWER)) == [{"role": "assistant", "content": "Found."}]


def test_a_provider_executed_call_is_referenced_by_id_with_store() -> None:
    assert items(assistant(SEARCH, FOUND, ANSWER), store=True) == [
        {"type": "item_reference", "id": "ws_1"},
        {"role": "assistant", "content": "Found."},
    ]


def test_another_vendors_provider_executed_call_is_text() -> None:
    found = ToolResultPart(
        tool_call_id="srvtoolu_1",
        tool_name="web_search",
        output=TextOutput(text='[{"url": "https://a.example", "title": "A"}]'),
        provider_executed=True,
        provider_options={"anthropic": {"content": []}},
    )
    call = ToolCallPart(
        tool_call_id="srvtoolu_1", tool_name="web_search", input='{"q":1}', provider_executed=True
    )
    assert items(assistant(call, found), store=True) == [
        {"role": "assistant", "content": '[web_search was run by the provider with input {"q":1}]'},
        {"role": "assistant", "content": "[web_search result, sources:\n- A <https://a.example>]"},
    ]


def test_a_function_call_is_sent_the_same_with_or_without_store() -> None:
    call = ToolCallPart(tool_call_id="call_1", tool_name="f", input='{"a":1}')
    wire = {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": '{"a":1}'}
    assert items(assistant(call), store=True) == [wire]
    assert items(assistant(call)) == [wire]


def test_reasoning_is_not_sent_unless_replay_is_asked_for() -> None:
    message = assistant(reasoning("Thought.", item_id="rs_1", encrypted_content="enc"))
    assert items(message) == []
    assert items(message, store=True) == []


# ---- reasoning replay ---------------------------------------------------------------------


def test_replayed_reasoning_without_encrypted_content_has_none_on_the_wire() -> None:
    message = assistant(reasoning("Thought.", item_id="rs_1", encrypted_content=None))
    assert items(message, replay_reasoning=True) == [
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "Thought."}],
        }
    ]


def test_replayed_reasoning_with_empty_text_has_an_empty_summary() -> None:
    message = assistant(reasoning("", item_id="rs_1", encrypted_content="enc"))
    assert items(message, replay_reasoning=True) == [
        {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "enc"}
    ]


def test_each_reasoning_item_is_replayed_once_in_the_order_it_came() -> None:
    message = assistant(
        reasoning("a1", item_id="rs_a"),
        TextPart(text="between"),
        reasoning("b1", item_id="rs_b"),
        reasoning("a2", item_id="rs_a"),
    )
    assert items(message, replay_reasoning=True) == [
        {
            "type": "reasoning",
            "id": "rs_a",
            "summary": [
                {"type": "summary_text", "text": "a1"},
                {"type": "summary_text", "text": "a2"},
            ],
        },
        {"role": "assistant", "content": "between"},
        {"type": "reasoning", "id": "rs_b", "summary": [{"type": "summary_text", "text": "b1"}]},
    ]


def test_stored_reasoning_is_one_reference_per_item_without_its_text() -> None:
    message = assistant(
        reasoning("a1", item_id="rs_a", encrypted_content="enc"),
        reasoning("a2", item_id="rs_a", encrypted_content="enc"),
    )
    assert items(message, replay_reasoning=True, store=True) == [
        {"type": "item_reference", "id": "rs_a"}
    ]


def test_reasoning_items_are_kept_apart_across_assistant_messages() -> None:
    first = assistant(reasoning("a1", item_id="rs_a"))
    second = assistant(reasoning("a2", item_id="rs_a"))
    assert items(first, second, replay_reasoning=True) == [
        {"type": "reasoning", "id": "rs_a", "summary": [{"type": "summary_text", "text": "a1"}]},
        {"type": "reasoning", "id": "rs_a", "summary": [{"type": "summary_text", "text": "a2"}]},
    ]


def test_reasoning_without_an_item_id_is_left_out_with_a_warning() -> None:
    message = assistant(
        ReasoningPart(text="no metadata"),
        reasoning("empty id", item_id=""),
        reasoning("number id", item_id=7),
        ReasoningPart(text="other provider", provider_options={"anthropic": {"item_id": "x"}}),
    )
    converted, warnings = convert(message, replay_reasoning=True)
    assert converted == []
    # A part with no usable OpenAI metadata counts with foreign reasoning; an item id that is
    # not a string is the family's own to refuse.
    assert [(w.setting, w.message) for w in warnings] == [
        (
            "foreign_reasoning",
            "3 reasoning part(s) without replay data for openai were not sent "
            "(foreign_reasoning='drop')",
        ),
        (None, "reasoning without an OpenAI item id was not sent"),
    ]


# ---- tool results -------------------------------------------------------------------------


def test_a_text_result_is_its_text_and_an_error_result_its_message() -> None:
    assert results(
        tool_result(TextOutput(text="40 C")), tool_result(ErrorOutput(message="no"), "d")
    ) == [
        {"type": "function_call_output", "call_id": "c", "output": "40 C"},
        {"type": "function_call_output", "call_id": "d", "output": "no"},
    ]


def test_a_provider_executed_result_is_not_sent() -> None:
    assert items(assistant(FOUND, ANSWER)) == [{"role": "assistant", "content": "Found."}]


def test_a_media_result_that_is_not_an_image_is_an_input_file() -> None:
    output = MediaOutput(data="JVBERg==", media_type="application/pdf")
    assert results(tool_result(output)) == [
        {
            "type": "function_call_output",
            "call_id": "c",
            "output": [
                {
                    "type": "input_file",
                    "filename": "result",
                    "file_data": "data:application/pdf;base64,JVBERg==",
                }
            ],
        }
    ]


def test_an_image_result_without_text_is_only_the_image() -> None:
    output = MediaOutput(data="AAAA", media_type="image/webp")
    assert results(tool_result(output))[0]["output"] == [
        {"type": "input_image", "image_url": "data:image/webp;base64,AAAA"}
    ]


# ---- on the wire --------------------------------------------------------------------------


async def test_the_converted_history_and_its_warnings_reach_the_request() -> None:
    sent: list[dict[str, Any]] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(request.content))
        return httpx2.Response(200, json={"id": "r", "status": "completed", "output": []})

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(answer))
    model = OpenAI(api_key="k", client=client, retry=NO_RETRY, api="responses").model("gpt-4o")
    prompt = [
        user_message("Hear", [FilePart(media_type="audio/wav", data=b"RIFF")]),
        assistant(TextPart(text="Heard.")),
    ]
    response = await model.generate(Call(prompt=prompt))
    assert sent[0]["input"] == [
        {"role": "user", "content": [{"type": "input_text", "text": "Hear"}]},
        {"role": "assistant", "content": "Heard."},
    ]
    assert [w.message for w in response.warnings] == [
        "file of media type audio/wav is not supported by the Responses API and was not sent"
    ]
