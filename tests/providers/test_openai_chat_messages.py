"""Our messages as chat-completions ``messages``: each kind of part on the wire, and the
warnings for what the wire cannot carry."""

from __future__ import annotations

from typing import Any

import pytest

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
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.messages import convert_messages
from reverie.providers.openrouter import RouterDialect
from reverie.warning import CallWarning


def wire(*messages: Message) -> tuple[list[dict[str, Any]], list[CallWarning]]:
    return convert_messages(messages, ChatDialect())


def wire_results(results: Message) -> tuple[list[dict[str, Any]], list[CallWarning]]:
    """The wire messages of a tool turn, after the assistant turn making its calls."""
    calls = tuple(
        ToolCallPart(tool_call_id=p.tool_call_id, tool_name=p.tool_name, input="{}")
        for p in results.content
        if isinstance(p, ToolResultPart)
    )
    out, warnings = wire(Message(role="assistant", content=calls), results)
    return out[1:], warnings


def user_parts(*files: FilePart) -> tuple[list[dict[str, Any]], list[CallWarning]]:
    out, warnings = wire(user_message("See", files))
    return out[0]["content"][1:], warnings


def test_a_system_message_of_several_texts_is_one_string_joined_by_newlines() -> None:
    system = Message(role="system", content=(TextPart(text="Be brief."), TextPart(text="Be kind.")))
    assert wire(system)[0] == [{"role": "system", "content": "Be brief.\nBe kind."}]


def test_a_user_message_of_one_text_is_a_plain_string() -> None:
    assert wire(user_message("hi"))[0] == [{"role": "user", "content": "hi"}]


def test_a_pdf_is_a_file_part_with_its_name_and_a_data_url() -> None:
    pdf = FilePart(data=b"%PDF", media_type="application/pdf", filename="spec.pdf")
    content, warnings = user_parts(pdf)
    assert content == [
        {
            "type": "file",
            "file": {"filename": "spec.pdf", "file_data": "data:application/pdf;base64,JVBERg=="},
        }
    ]
    assert warnings == []


def test_a_pdf_without_a_name_is_called_document_pdf() -> None:
    content, _ = user_parts(FilePart(data=b"%PDF", media_type="application/pdf"))
    assert content[0]["file"]["filename"] == "document.pdf"


@pytest.mark.parametrize(
    ("media_type", "fmt"), [("audio/wav", "wav"), ("audio/mpeg", "mp3"), ("audio/mp3", "mp3")]
)
def test_audio_bytes_are_input_audio_in_base64_with_their_format(media_type: str, fmt: str) -> None:
    content, warnings = user_parts(FilePart(data=b"RIFF", media_type=media_type))
    assert content == [{"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": fmt}}]
    assert warnings == []


def test_an_image_url_is_sent_as_is() -> None:
    content, _ = user_parts(FilePart(url="https://x.test/cat.png", media_type="image/png"))
    assert content == [{"type": "image_url", "image_url": {"url": "https://x.test/cat.png"}}]


@pytest.mark.parametrize(
    "file",
    [FilePart(data=b"a,b", media_type="text/csv")],
)
def test_an_unsupported_file_is_left_out_with_a_warning_naming_its_type(file: FilePart) -> None:
    out, warnings = wire(user_message("See", [file]))
    assert out[0]["content"] == [{"type": "text", "text": "See"}]
    assert [(w.kind, w.message) for w in warnings] == [
        (
            "other",
            f"file of media type {file.media_type} is not supported by chat completions "
            "and was not sent",
        )
    ]


def test_audio_by_url_is_named_in_text_with_a_warning() -> None:
    # chat completions takes audio as bytes only (input_audio), never by URL
    file = FilePart(url="https://x.test/a.wav", media_type="audio/wav")
    out, warnings = wire(user_message("See", [file]))
    assert out[0]["content"] == [
        {"type": "text", "text": "See"},
        {
            "type": "text",
            "text": "[a audio/wav file was given here by URL (https://x.test/a.wav); "
            "openai cannot read it from there]",
        },
    ]
    assert [w.message for w in warnings] == [
        "1 file(s) given by URL were not sent to openai, which cannot read them from there "
        "(named in text instead): a audio/wav file at https://x.test/a.wav"
    ]


def test_an_assistant_turn_sends_all_its_text_parts_in_order() -> None:
    turn = Message(role="assistant", content=(TextPart(text="Hello, "), TextPart(text="world")))
    assert wire(turn)[0] == [{"role": "assistant", "content": "Hello, world"}]


def test_an_assistant_turn_sends_its_calls_and_provider_executed_ones_as_text() -> None:
    turn = Message(
        role="assistant",
        content=(
            ReasoningPart(text="thinking"),
            ToolCallPart(
                tool_call_id="s1", tool_name="web_search", input="{}", provider_executed=True
            ),
            ToolCallPart(tool_call_id="c1", tool_name="weather", input='{"city":"Rome"}'),
        ),
    )
    assert wire(turn)[0] == [
        {
            "role": "assistant",
            "content": "[web_search was run by the provider with input {}]",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"Rome"}'},
                }
            ],
        }
    ]


def result(output: Any) -> Message:
    part = ToolResultPart(tool_call_id="c1", tool_name="weather", output=output)
    return Message(role="tool", content=(part,))


@pytest.mark.parametrize(
    ("output", "content"),
    [(TextOutput(text="sunny"), "sunny"), (ErrorOutput(message="no such city"), "no such city")],
)
def test_a_tool_result_is_a_tool_message_of_its_text(output: Any, content: str) -> None:
    out, warnings = wire_results(result(output))
    assert out == [{"role": "tool", "tool_call_id": "c1", "content": content}]
    assert warnings == []


@pytest.mark.parametrize(
    ("text", "content"),
    [("a chart of rain", "a chart of rain"), (None, "[image/png result: the image follows]")],
)
def test_an_image_tool_result_sends_its_text_and_the_image_in_a_user_message_after(
    text: str | None, content: str
) -> None:
    out, warnings = wire_results(
        result(MediaOutput(data="aGk=", media_type="image/png", text=text))
    )
    assert out == [
        {"role": "tool", "tool_call_id": "c1", "content": content},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "[images returned by the tools above]"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,aGk="}},
            ],
        },
    ]
    assert warnings == []


def test_a_pdf_tool_result_follows_in_a_user_message_as_a_file() -> None:
    out, warnings = wire_results(result(MediaOutput(data="JVBE", media_type="application/pdf")))
    file = {"filename": "result.pdf", "file_data": "data:application/pdf;base64,JVBE"}
    assert out == [
        {
            "role": "tool",
            "tool_call_id": "c1",
            "content": "[application/pdf result: the file follows]",
        },
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "[files returned by the tools above]"},
                {"type": "file", "file": file},
            ],
        },
    ]
    assert warnings == []


def test_other_media_tool_results_send_their_text_or_a_placeholder_with_a_warning() -> None:
    out, warnings = wire_results(result(MediaOutput(data="aGk=", media_type="audio/wav")))
    assert out == [{"role": "tool", "tool_call_id": "c1", "content": "[audio/wav result omitted]"}]
    assert [(w.kind, w.message) for w in warnings] == [
        ("other", "chat completions cannot take media in tool results; sent its text only")
    ]


def test_several_tool_results_are_one_tool_message_each() -> None:
    parts = tuple(
        ToolResultPart(tool_call_id=f"c{i}", tool_name="t", output=TextOutput(text=str(i)))
        for i in (1, 2)
    )
    out, _ = wire_results(Message(role="tool", content=parts))
    assert [(m["tool_call_id"], m["content"]) for m in out] == [("c1", "1"), ("c2", "2")]


# Cache markers in the gateway's own namespace (the anthropic one is read by every gateway).
OWN_MARK = {"openrouter": {"cache_control": {"type": "ephemeral"}}}
CACHED = {"cache_control": {"type": "ephemeral"}}


def router_wire(*messages: Message) -> list[dict[str, Any]]:
    return convert_messages(messages, RouterDialect(), "openrouter")[0]


def test_a_marked_part_of_a_system_message_marks_the_message() -> None:
    system = Message(
        role="system",
        content=(TextPart(text="Be brief."), TextPart(text="Rules", provider_options=OWN_MARK)),
    )
    assert router_wire(system) == [{"role": "system", "content": "Be brief.\nRules", **CACHED}]


def test_a_marked_part_of_an_assistant_text_turn_marks_the_message() -> None:
    turn = Message(role="assistant", content=(TextPart(text="Done", provider_options=OWN_MARK),))
    assert router_wire(turn) == [{"role": "assistant", "content": "Done", **CACHED}]


def test_a_marked_tool_call_carries_the_marker_on_its_entry() -> None:
    call = ToolCallPart(tool_call_id="c1", tool_name="t", input="{}", provider_options=OWN_MARK)
    out = router_wire(Message(role="assistant", content=(call,)))
    assert out[0]["tool_calls"][0] == {
        "id": "c1",
        "type": "function",
        "function": {"name": "t", "arguments": "{}"},
        **CACHED,
    }


def test_a_marked_single_text_user_message_is_a_marked_string() -> None:
    user = Message(role="user", content=(TextPart(text="hi", provider_options=OWN_MARK),))
    assert router_wire(user) == [{"role": "user", "content": "hi", **CACHED}]


def test_a_marked_part_of_a_user_message_carries_the_marker_itself() -> None:
    user = Message(
        role="user",
        content=(
            TextPart(text="a", provider_options=OWN_MARK),
            TextPart(text="b"),
            # not sent: its marker goes nowhere, not onto the part before it
            FilePart(data=b"x", media_type="text/csv", provider_options=OWN_MARK),
        ),
    )
    assert router_wire(user) == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "a", **CACHED}, {"type": "text", "text": "b"}],
        }
    ]


def test_a_marked_user_message_of_parts_marks_its_last_part() -> None:
    image = FilePart(url="https://x.test/a.png", media_type="image/png")
    user = Message(
        role="user", content=(TextPart(text="a"), image, image), provider_options=OWN_MARK
    )
    content = router_wire(user)[0]["content"]
    assert [part.get("cache_control") for part in content] == [None, None, {"type": "ephemeral"}]


def test_a_marked_user_message_with_nothing_sendable_is_empty() -> None:
    csv = FilePart(data=b"x", media_type="text/csv")
    user = Message(role="user", content=(csv,), provider_options=OWN_MARK)
    assert router_wire(user) == [{"role": "user", "content": []}]


def test_a_media_result_chat_cannot_take_is_named_beside_its_text() -> None:
    output = MediaOutput(data="UklG", media_type="audio/wav", text="a recording")
    out, _ = wire_results(result(output))
    assert out == [
        {"role": "tool", "tool_call_id": "c1", "content": "a recording\n[audio/wav result omitted]"}
    ]
