"""Our messages → Anthropic's ``system`` and ``messages`` (providers/anthropic/messages.py),
one behaviour per test: which blocks each part becomes, how turns merge, where cache markers
land, and the warnings for what cannot be sent."""

from __future__ import annotations

from typing import Any

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
    assistant_message,
    system_message,
    user_message,
)
from reverie.providers.anthropic.messages import convert_prompt

MARKER = {"type": "ephemeral"}
CACHE = {"anthropic": {"cache_control": MARKER}}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def one_block(part: Any, role: str = "user") -> tuple[Any, list[str]]:
    """The single wire block ``part`` becomes in a ``role`` turn, and the warnings' texts (a
    result comes after the call it answers)."""
    prompt = [Message(role=role, content=(part,))]  # type: ignore[arg-type]
    if isinstance(part, ToolResultPart) and not part.provider_executed:
        call = ToolCallPart(tool_call_id=part.tool_call_id, tool_name=part.tool_name, input="{}")
        prompt.insert(0, Message(role="assistant", content=(call,)))
    _, messages, warnings = convert_prompt(prompt)
    [block] = messages[-1]["content"]
    return block, [w.message for w in warnings]


def server_blocks(call: ToolCallPart, result: ToolResultPart) -> tuple[Any, list[str]]:
    """The wire blocks of a provider-executed call and its result, in their assistant turn."""
    _, messages, warnings = convert_prompt([Message(role="assistant", content=(call, result))])
    [message] = messages
    return message["content"], [w.message for w in warnings]


SEARCHED = ToolResultPart(
    tool_call_id="s1",
    tool_name="web_search",
    output=TextOutput(text="[]"),
    provider_executed=True,
    provider_options={"anthropic": {"content": []}},
)


def tool_result(output: Any) -> ToolResultPart:
    return ToolResultPart(tool_call_id="t1", tool_name="shot", output=output)


# ---- system ---------------------------------------------------------------------------------


def test_a_system_message_after_the_first_turn_is_sent_as_system_with_a_warning() -> None:
    system, messages, warnings = convert_prompt([user_message("Hi"), system_message("Late rule")])
    assert system == [text("Late rule")]
    assert messages == [{"role": "user", "content": [text("Hi")]}]
    assert [(w.kind, w.message) for w in warnings] == [
        ("other", "a system message after the first turn was sent as system")
    ]


def test_a_system_message_sends_only_its_text_parts() -> None:
    message = Message(
        role="system",
        content=(TextPart(text="Rule"), FilePart(media_type="image/png", data=b"x")),
    )
    system, messages, warnings = convert_prompt([message])
    assert (system, messages, warnings) == ([text("Rule")], [], [])


def test_a_cache_marker_on_a_system_message_lands_on_its_last_block() -> None:
    message = Message(
        role="system", content=(TextPart(text="A"), TextPart(text="B")), provider_options=CACHE
    )
    system, _, _ = convert_prompt([message])
    assert system == [text("A"), {"type": "text", "text": "B", "cache_control": MARKER}]


def test_a_cache_marker_on_a_system_part_lands_on_that_block() -> None:
    message = Message(
        role="system", content=(TextPart(text="A", provider_options=CACHE), TextPart(text="B"))
    )
    system, _, _ = convert_prompt([message])
    assert system == [{"type": "text", "text": "A", "cache_control": MARKER}, text("B")]


def test_an_empty_system_text_is_not_sent() -> None:
    system, _, _ = convert_prompt([system_message(""), system_message("Rule")])
    assert system == [text("Rule")]


# ---- turns ----------------------------------------------------------------------------------


def test_tool_messages_travel_in_user_turns() -> None:
    call = Message(
        role="assistant", content=(ToolCallPart(tool_call_id="t1", tool_name="shot", input="{}"),)
    )
    result = Message(role="tool", content=(tool_result(TextOutput(text="ok")),))
    _, messages, _ = convert_prompt([call, result])
    assert messages[1:] == [
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t1", "content": [text("ok")]}],
        }
    ]


def test_a_message_with_nothing_to_send_is_dropped_and_its_neighbours_merge() -> None:
    _, messages, warnings = convert_prompt(
        [user_message("a"), assistant_message(""), user_message("b")]
    )
    assert messages == [{"role": "user", "content": [text("a"), text("b")]}]
    assert warnings == []


def test_a_cache_marker_on_a_merged_message_lands_on_its_own_last_block() -> None:
    marked = Message(role="user", content=(TextPart(text="b"),), provider_options=CACHE)
    _, messages, _ = convert_prompt([user_message("a"), marked])
    assert messages == [
        {
            "role": "user",
            "content": [text("a"), {"type": "text", "text": "b", "cache_control": MARKER}],
        }
    ]


def test_a_cache_marker_on_a_part_lands_on_that_block() -> None:
    block, _ = one_block(TextPart(text="a", provider_options=CACHE))
    assert block == {"type": "text", "text": "a", "cache_control": MARKER}


def test_an_empty_text_part_is_not_sent() -> None:
    _, messages, _ = convert_prompt(
        [Message(role="user", content=(TextPart(text=""), TextPart(text="x")))]
    )
    assert messages == [{"role": "user", "content": [text("x")]}]


# ---- files ----------------------------------------------------------------------------------


def test_a_file_in_an_assistant_message_is_dropped_with_a_warning() -> None:
    message = Message(
        role="assistant",
        content=(TextPart(text="see"), FilePart(media_type="image/png", data=b"x")),
    )
    _, messages, warnings = convert_prompt([message])
    assert messages == [{"role": "assistant", "content": [text("see")]}]
    assert [(w.kind, w.message) for w in warnings] == [
        ("other", "files in assistant messages are not sent to Anthropic")
    ]


def test_an_image_never_carries_a_title() -> None:
    block, _ = one_block(FilePart(media_type="image/gif", data=b"GIF", filename="a.gif"))
    assert block == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/gif", "data": "R0lG"},
    }


def test_a_pdf_without_a_filename_has_no_title() -> None:
    block, _ = one_block(FilePart(media_type="application/pdf", data=b"%PDF"))
    assert block == {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERg=="},
    }


def test_plain_text_bytes_that_are_not_utf8_are_sent_with_replacement_characters() -> None:
    block, _ = one_block(FilePart(media_type="text/plain", data=b"caf\xe9"))
    assert block == {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "caf\ufffd"},
    }


def test_plain_text_by_url_is_not_supported() -> None:
    part = FilePart(media_type="text/plain", url="https://example.com/a.txt")
    _, messages, warnings = convert_prompt([Message(role="user", content=(part,))])
    # Claude reads images and PDFs by URL only: the file is named, not dropped silently.
    assert messages == [
        {
            "role": "user",
            "content": [
                {
                    "type": "text",
                    "text": "[a text/plain file was given here by URL "
                    "(https://example.com/a.txt); anthropic cannot read it from there]",
                }
            ],
        }
    ]
    assert [(w.kind, w.message) for w in warnings] == [
        (
            "other",
            "1 file(s) given by URL were not sent to anthropic, which cannot read them from "
            "there (named in text instead): a text/plain file at https://example.com/a.txt",
        )
    ]


# ---- reasoning ------------------------------------------------------------------------------


def test_redacted_data_wins_over_a_signature() -> None:
    meta = {"anthropic": {"redacted_data": "RED", "signature": "SIG"}}
    block, warnings = one_block(ReasoningPart(text="t", provider_options=meta), "assistant")
    assert block == {"type": "redacted_thinking", "data": "RED"}
    assert warnings == []


def test_reasoning_in_a_user_message_is_dropped_silently() -> None:
    meta = {"anthropic": {"signature": "SIG"}}
    message = Message(
        role="user", content=(ReasoningPart(text="t", provider_options=meta), TextPart(text="q"))
    )
    _, messages, warnings = convert_prompt([message])
    assert messages == [{"role": "user", "content": [text("q")]}]
    assert warnings == []


def test_unsigned_reasoning_is_dropped_with_a_warning() -> None:
    message = Message(
        role="assistant",
        content=(ReasoningPart(text="t", provider_options={"anthropic": None}), TextPart(text="a")),  # type: ignore[dict-item]
    )
    _, messages, warnings = convert_prompt([message])
    assert messages == [{"role": "assistant", "content": [text("a")]}]
    assert [(w.kind, w.setting, w.message) for w in warnings] == [
        (
            "unsupported-setting",
            "foreign_reasoning",
            "1 reasoning part(s) without replay data for anthropic were not sent "
            "(foreign_reasoning='drop')",
        )
    ]


def test_reasoning_is_dropped_silently_when_not_sending_reasoning() -> None:
    signed = {"anthropic": {"signature": "sig"}}
    message = Message(
        role="assistant",
        content=(ReasoningPart(text="t", provider_options=signed), TextPart(text="a")),
    )
    _, messages, warnings = convert_prompt([message], send_reasoning=False)
    assert messages == [{"role": "assistant", "content": [text("a")]}]
    assert warnings == []


# ---- tool calls -----------------------------------------------------------------------------


def test_a_provider_executed_call_is_a_server_tool_use_block() -> None:
    call = ToolCallPart(
        tool_call_id="s1", tool_name="web_search", input='{"query":"q"}', provider_executed=True
    )
    [block, _], warnings = server_blocks(call, SEARCHED)
    assert block == {
        "type": "server_tool_use",
        "id": "s1",
        "name": "web_search",
        "input": {"query": "q"},
    }
    assert warnings == []


def test_a_call_with_empty_input_sends_an_empty_object_without_a_warning() -> None:
    block, warnings = one_block(
        ToolCallPart(tool_call_id="t", tool_name="now", input=""), "assistant"
    )
    assert block == {"type": "tool_use", "id": "t", "name": "now", "input": {}}
    assert warnings == []


def test_a_call_whose_input_is_json_but_not_an_object_sends_an_empty_object() -> None:
    call = ToolCallPart(tool_call_id="t9", tool_name="f", input="[1, 2]")
    block, warnings = one_block(call, "assistant")
    assert block == {"type": "tool_use", "id": "t9", "name": "f", "input": {}}
    assert warnings == ["the input of tool call t9 is not a JSON object; sent {}"]


def test_a_call_whose_input_is_not_json_sends_an_empty_object_with_a_warning() -> None:
    call = ToolCallPart(tool_call_id="t8", tool_name="f", input="{oops")
    block, warnings = one_block(call, "assistant")
    assert block["input"] == {}
    assert warnings == ["the input of tool call t8 is not a JSON object; sent {}"]


def test_a_provider_executed_call_with_bad_input_is_warned_about_too() -> None:
    call = ToolCallPart(
        tool_call_id="s1", tool_name="web_search", input="3", provider_executed=True
    )
    [block, _], warnings = server_blocks(call, SEARCHED)
    assert block == {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {}}
    assert warnings == ["the input of tool call s1 is not a JSON object; sent {}"]


# ---- tool results ---------------------------------------------------------------------------


def test_a_media_result_with_text_sends_the_text_before_the_image() -> None:
    block, _ = one_block(
        tool_result(MediaOutput(data="AAA=", media_type="image/jpeg", text="Shot"))
    )
    assert block == {
        "type": "tool_result",
        "tool_use_id": "t1",
        "content": [
            text("Shot"),
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/jpeg", "data": "AAA="},
            },
        ],
    }


def test_a_pdf_result_is_a_document_block() -> None:
    block, _ = one_block(tool_result(MediaOutput(data="JVBE", media_type="application/pdf")))
    assert block["content"] == [
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"},
        }
    ]


def test_an_unsupported_media_result_with_text_still_names_what_was_omitted() -> None:
    output = MediaOutput(data="UklG", media_type="audio/wav", text="a recording")
    block, _ = one_block(tool_result(output))
    assert block["content"] == [text("a recording"), text("[audio/wav result omitted]")]


def test_an_unsupported_media_result_without_text_says_it_was_omitted() -> None:
    block, warnings = one_block(tool_result(MediaOutput(data="UklG", media_type="audio/wav")))
    assert block["content"] == [text("[audio/wav result omitted]")]
    assert warnings == []


def test_an_error_result_is_marked_as_an_error() -> None:
    block, _ = one_block(tool_result(ErrorOutput(message="boom")))
    assert block == {
        "type": "tool_result",
        "tool_use_id": "t1",
        "content": [text("boom")],
        "is_error": True,
    }


def test_a_provider_executed_result_is_replayed_with_its_recorded_type_and_content() -> None:
    meta = {"anthropic": {"type": "code_execution_tool_result", "content": {"stdout": "4"}}}
    part = ToolResultPart(
        tool_call_id="s1",
        tool_name="code_execution",
        output=TextOutput(text="4"),
        provider_executed=True,
        provider_options=meta,
    )
    call = ToolCallPart(
        tool_call_id="s1", tool_name="code_execution", input="{}", provider_executed=True
    )
    [_, block], warnings = server_blocks(call, part)
    assert block == {
        "type": "code_execution_tool_result",
        "tool_use_id": "s1",
        "content": {"stdout": "4"},
    }
    assert warnings == []


def test_a_provider_executed_result_without_a_type_is_a_web_search_result() -> None:
    part = ToolResultPart(
        tool_call_id="s1",
        tool_name="web_search",
        output=TextOutput(text="[]"),
        provider_executed=True,
        provider_options={"anthropic": {"content": []}},
    )
    call = ToolCallPart(
        tool_call_id="s1", tool_name="web_search", input="{}", provider_executed=True
    )
    [_, block], _ = server_blocks(call, part)
    assert block == {"type": "web_search_tool_result", "tool_use_id": "s1", "content": []}


def test_a_provider_executed_result_without_content_is_sent_as_text() -> None:
    part = ToolResultPart(
        tool_call_id="s7",
        tool_name="web_search",
        output=TextOutput(text='[{"url": "https://a.example", "title": "A"}]'),
        provider_executed=True,
        provider_options={"anthropic": None},  # type: ignore[dict-item]
    )
    _, messages, warnings = convert_prompt(
        [Message(role="tool", content=(part,)), user_message("next")]
    )
    assert messages == [
        {
            "role": "user",
            "content": [
                text("[web_search result, sources:\n- A <https://a.example>]"),
                text("next"),
            ],
        }
    ]
    assert warnings == []
