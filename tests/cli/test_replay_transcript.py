"""``reverie replay`` in-process: replies decoded by the providers' own parsers
(``reverie.providers.recorded``), and bodies no parser reads shown raw, never a traceback.

Cassettes are built here with ``reverie.testing``'s own classes; the recorded corpus in
../shared/conformance is read in place (and skipped when absent), never copied.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

from reverie.cli.transcript import CassetteError, describe_response, transcript
from reverie.content import File, Reasoning, Source, Text, ToolCall, ToolResult
from reverie.errors import ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.messages import ErrorOutput, MediaOutput, TextOutput
from reverie.model import Response
from reverie.providers import recorded
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_compat import CompatDialect
from reverie.providers.openrouter import RouterDialect
from reverie.providers.recorded import (
    Parsers,
    RecordedExchange,
    chat_dialect,
    read_recorded,
    wire_family,
)
from reverie.providers.spec import ProviderSpec
from reverie.testing.cassette import Cassette, Interaction, RecordedRequest, RecordedResponse
from reverie.usage import Usage
from reverie.warning import CallWarning

CHAT = "https://api.openai.com/v1/chat/completions"
CORPUS = Path(os.environ["REVERIE_CONFORMANCE"]) / "cassettes"


def sse(*chunks: dict[str, Any] | str) -> str:
    return "".join(f"data: {c if isinstance(c, str) else json.dumps(c)}\n\n" for c in chunks)


def write_cassette(
    path: Path,
    url: str,
    body: str | bytes,
    *,
    content_type: str = "application/json",
    code: int = 200,
    request: dict[str, Any] | None = None,
) -> Path:
    sent = request if request is not None else {"model": "m", "messages": []}
    interaction = Interaction(
        id=0,
        request=RecordedRequest(method="POST", url=url, body=json.dumps(sent)),
        response=RecordedResponse(
            code=code,
            status=f"{code} X",
            body=body,
            headers={"Content-Type": [content_type]},
        ),
    )
    return Cassette([interaction]).save(path)


def text_of(path: Path) -> str:
    return "\n".join(line for line, _ in transcript(path))


# The registry and the family of a URL


@pytest.mark.parametrize(
    ("url", "family"),
    [
        (CHAT, "openai-chat"),
        ("http://127.0.0.1:8080/v1/chat/completions/", "openai-chat"),
        ("https://api.openai.com/v1/responses", "openai-responses"),
        ("https://api.anthropic.com/v1/messages", "anthropic"),
        ("https://x.googleapis.com/v1/publishers/anthropic/models/c:streamRawPredict", "anthropic"),
        ("https://bedrock-runtime.us-east-1.amazonaws.com/model/a.claude/invoke", "anthropic"),
        ("https://g.googleapis.com/v1beta/models/gemini:streamGenerateContent?alt=sse", "google"),
        ("https://g.googleapis.com/v1beta/models/gemini:generateContent", "google"),
        ("https://example.com/v1/generate", None),
        ("http://[::1", None),
    ],
)
def test_wire_family_from_the_url(url: str, family: str | None) -> None:
    assert wire_family(url) == family


@pytest.mark.parametrize(
    ("host", "provider", "dialect"),
    [
        ("openrouter.ai", "openrouter", RouterDialect),
        ("api.openai.com", "openai", ChatDialect),
        ("fantasy.openai.azure.com", "azure", ChatDialect),
        ("127.0.0.1", "openai-compat", CompatDialect),
    ],
)
def test_chat_dialect_from_the_host(host: str, provider: str, dialect: type) -> None:
    name, found = chat_dialect(host)
    assert name == provider
    assert type(found) is dialect


async def test_a_family_without_a_decoder_reads_as_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(recorded.DECODERS, "google")
    url = "https://g.googleapis.com/v1beta/models/gemini:generateContent"
    assert await read_recorded(RecordedExchange(url=url, body="{}")) is None


async def test_a_registered_family_decodes_with_its_parsers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Any] = []

    def parse(body: Any) -> Any:
        seen.append(body)
        return Response(content=[Text(text="hi")], finish_reason=FinishReason.STOP)

    def parsers(spec: ProviderSpec) -> Parsers:
        assert spec.name == "google"  # the provider whose requests use that URL
        return Parsers("google", parse, lambda: pytest.fail("not streamed"))

    monkeypatch.setitem(recorded.DECODERS, "google", parsers)
    url = "https://g.googleapis.com/v1beta/models/gemini:generateContent"
    response = await read_recorded(RecordedExchange(url=url, body='{"candidates": []}'))
    assert response is not None and response.text == "hi"
    assert seen == [{"candidates": []}]


async def test_a_decoder_that_fails_is_a_bug_shown_not_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def parsers(spec: ProviderSpec) -> Parsers:
        raise AttributeError("no_such_name")

    monkeypatch.setitem(recorded.DECODERS, "google", parsers)
    url = "https://g.googleapis.com/v1beta/models/gemini:generateContent"
    with pytest.raises(AttributeError, match="no_such_name"):
        await read_recorded(RecordedExchange(url=url, body="{}"))


# Chat replies, through the chat family's own parsers


async def test_streamed_chat_reply_is_the_parsers_response() -> None:
    body = sse(
        {"model": "gpt-x", "choices": [{"index": 0, "delta": {"content": "Hel"}}]},
        {"choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}},
        "[DONE]",
    )
    exchange = RecordedExchange(url=CHAT, content_type="text/event-stream", body=body)
    response = await read_recorded(exchange)
    assert response is not None
    assert response.content == [Text(text="Hello")]
    assert response.finish_reason is FinishReason.STOP
    assert (response.usage.input_tokens, response.usage.total_tokens) == (3, 5)
    assert response.model_id == "gpt-x"


async def test_openrouter_reasoning_is_read_by_its_dialect() -> None:
    detail = {"type": "reasoning.text", "text": "Think.", "format": "anthropic-claude-v1"}
    body = {
        "model": "anthropic/claude",
        "provider": "Anthropic",
        "choices": [
            {
                "index": 0,
                "message": {"content": "Done.", "reasoning_details": [detail]},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "cost": 0.5},
    }
    url = "https://openrouter.ai/api/v1/chat/completions"
    response = await read_recorded(RecordedExchange(url=url, body=json.dumps(body)))
    assert response is not None
    reasoning, text = response.content
    assert isinstance(reasoning, Reasoning) and reasoning.text == "Think."
    assert reasoning.provider_metadata["openrouter"]["reasoning_detail"]["text"] == "Think."
    assert text == Text(text="Done.")
    assert response.usage.cost == 0.5
    assert response.provider_metadata == {"openrouter": {"provider": "Anthropic"}}


def test_transcript_of_a_streamed_chat_cassette(tmp_path: Path) -> None:
    call = {"index": 0, "id": "call_9", "function": {"name": "weather", "arguments": ""}}
    body = sse(
        {"model": "qwen", "choices": [{"index": 0, "delta": {"reasoning_content": "Hmm."}}]},
        {"choices": [{"index": 0, "delta": {"content": "Checking."}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {}}]}}]},
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"c":1}'}}]},
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {
                "prompt_tokens": 7,
                "completion_tokens": 5,
                "completion_tokens_details": {"reasoning_tokens": 2},
            },
        },
        "[DONE]",
    )
    url = "http://127.0.0.1:8080/v1/chat/completions"
    request = {"model": "qwen", "stream": True, "messages": [{"role": "user", "content": "Go"}]}
    path = write_cassette(
        tmp_path / "s.yaml", url, body, content_type="text/event-stream", request=request
    )
    lines = transcript(path)
    text = [line for line, _ in lines]
    assert text[2:] == [
        f"#0 POST {url}",
        "  model qwen, streaming",
        "  user: Go",
        "→ 200 X, event stream (6 events)",
        "  reasoning: Hmm.",
        "  assistant: Checking.",
        '  tool call: weather {"c": 1} [call_9]',
        "  finish: tool-calls",
        "  usage: input_tokens=7, output_tokens=5, total_tokens=12, reasoning_tokens=2",
    ]
    assert ("  reasoning: Hmm.", "dim italic") in lines


def test_transcript_shows_the_answering_model_when_it_differs(tmp_path: Path) -> None:
    body = {
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "message": {"content": "Hi"}, "finish_reason": "length"}],
    }
    path = write_cassette(tmp_path / "j.yaml", CHAT, json.dumps(body), request={"model": "gpt-4o"})
    out = text_of(path)
    assert "  assistant: Hi\n  finish: length\n  model: gpt-4o-2024-08-06" in out
    assert "usage:" not in out  # nothing reported, nothing shown


# Bodies no parser reads: raw, with a note, never a traceback


def test_unknown_family_is_shown_raw(tmp_path: Path) -> None:
    body = json.dumps({"generated": "hello", "tokens": 5})
    path = write_cassette(tmp_path / "u.yaml", "https://example.com/v1/generate", body)
    out = text_of(path)
    assert "→ 200 X\n  (no known wire format at this URL; the body as recorded:)" in out
    assert '    "generated": "hello",' in out


def test_an_anthropic_stream_is_read_by_the_anthropic_parser(tmp_path: Path) -> None:
    events = [
        {"type": "message_start", "message": {"model": "claude-x", "usage": {"input_tokens": 5}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Oi"}},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 2},
        },
        {"type": "message_stop"},
    ]
    path = write_cassette(
        tmp_path / "a.yaml",
        "https://api.anthropic.com/v1/messages",
        sse(*events),
        content_type="text/event-stream",
    )
    out = text_of(path)
    assert "  assistant: Oi" in out
    assert "  finish: stop" in out


def test_raw_bodies_are_cut(tmp_path: Path) -> None:
    body = "\n".join(f"line {n} " + "x" * 400 for n in range(30))
    path = write_cassette(tmp_path / "t.yaml", "https://example.com/x", body, content_type="")
    out = text_of(path).splitlines()
    shown = [line for line in out if line.startswith("  line ")]
    assert len(shown) == 12
    assert shown[0].endswith("… (107 more)")
    assert out[-1] == "  … (18 more lines)"


def test_binary_body_is_described(tmp_path: Path) -> None:
    url = (
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/a.claude/invoke-with-response-stream"
    )
    path = write_cassette(
        tmp_path / "b.yaml", url, b"\x00\x01\x02", content_type="application/vnd.amazon.eventstream"
    )
    out = text_of(path)
    # Three bytes are not an event-stream frame: the decoder says so, the body is shown raw.
    assert "ended inside a frame" in out
    assert "binary body, 3 bytes, application/vnd.amazon.eventstream" in out


@pytest.mark.parametrize(
    ("body", "content_type", "error", "raw"),
    [
        (
            "{not json",
            "application/json",
            "error: openai: response is not JSON: '{not json'",
            "  {not json",
        ),
        (
            '{"choices": "many"}',
            "application/json",
            "error: openai: 'choices' is not a list",
            '    "choices": "many"',
        ),
        (
            sse({"choices": [{"index": 0, "delta": {"content": "Hi"}}]}),
            "text/event-stream",
            "error: openai: the stream ended before [DONE]",
            '  data: {"choices": [{"index": 0, "delta": {"content": "Hi"}}]}',
        ),
        (
            "data: {oops\n\ndata: [DONE]\n\n",
            "text/event-stream",
            "error: openai: malformed stream event: '{oops'",
            "  data: {oops",
        ),
        (
            sse({"error": {"message": "overloaded"}}),
            "text/event-stream",
            "error: openai: stream error: overloaded",
            '  data: {"error": {"message": "overloaded"}}',
        ),
    ],
)
def test_malformed_body_is_an_error_line_and_the_raw_body(
    tmp_path: Path, body: str, content_type: str, error: str, raw: str
) -> None:
    path = write_cassette(tmp_path / "m.yaml", CHAT, body, content_type=content_type)
    lines = transcript(path)
    texts = [line for line, _ in lines]
    at = next(i for i, line in enumerate(texts) if line.startswith("  error: "))
    assert texts[at].startswith(f"  {error}")
    assert lines[at][1] == "red"
    assert texts[at + 1] == "  (the body as recorded:)"
    assert raw in texts[at + 2 :]


def test_error_status_shows_the_providers_message(tmp_path: Path) -> None:
    body = json.dumps({"error": {"message": "Invalid model", "type": "invalid_request_error"}})
    path = write_cassette(tmp_path / "e.yaml", CHAT, body, code=400)
    lines = transcript(path)
    assert ("→ 400 X", "red") in lines
    assert ("  error: openai: HTTP 400: Invalid model", "red") in lines
    assert ('      "message": "Invalid model",', "dim") in lines


async def test_parser_errors_are_typed() -> None:
    with pytest.raises(StreamError, match="ended before"):
        await read_recorded(
            RecordedExchange(url=CHAT, content_type="text/event-stream", body="data: {}\n\n")
        )
    with pytest.raises(ProviderError, match="not JSON"):
        await read_recorded(RecordedExchange(url=CHAT, body=""))


# Loading


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "just: a mapping\n",
            "not a go-vcr v2 cassette (it has neither 'interactions' nor 'version: 2')",
        ),
        ("- 1\n", "not a go-vcr v2 cassette (the file is a list; a cassette is a mapping"),
        ("version: 1\n", "unsupported cassette version 1 (reverie reads go-vcr version 2)"),
        ("version: 2\ninteractions: [1]\n", "interaction 0 is not a mapping"),
        (
            "version: 2\ninteractions:\n- response: {code: x}\n",
            "interaction 0: response.code is not a whole number: 'x'",
        ),
        ("a: [\n", "not YAML: did not find expected node content at line 2, column 1"),
    ],
)
def test_files_that_are_not_cassettes(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(content)
    with pytest.raises(CassetteError) as caught:
        transcript(path)
    assert str(caught.value).startswith(str(path))
    assert problem in str(caught.value)


# The recorded corpus


def chat_cassettes() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        p
        for group in ("TestOpenAICommon", "TestOpenRouterThinking", "TestOpenRouterCommon")
        for p in (CORPUS / group).rglob("*.yaml")
    )


@pytest.mark.skipif(not chat_cassettes(), reason="../shared/conformance is absent")
def test_every_recorded_chat_reply_is_decoded() -> None:
    for path in chat_cassettes():
        lines = [line for line, _ in transcript(path)]
        replies = [i for i, line in enumerate(lines) if line.startswith("→ ")]
        assert replies, path
        for at in replies:
            following = lines[at + 1 : lines.index("", at) if "" in lines[at:] else None]
            assert not any(line.startswith("  (") for line in following), (path, following)
            assert any(line.startswith("  finish: ") for line in following), (path, following)
            assert any(line.startswith("  usage: input_tokens=") for line in following), path


def responses_cassettes() -> list[Path]:
    return sorted(CORPUS.glob("TestOpenAIResponsesCommon/*/*.yaml")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not responses_cassettes(), reason="../shared/conformance is absent")
def test_recorded_responses_replies_wait_for_their_family_or_decode() -> None:
    """While ``reverie.providers.openai_responses`` is absent its replies are shown raw; once
    it lands, the names registered for it must read every recorded reply."""
    built = importlib.util.find_spec("reverie.providers.openai_responses") is not None
    for path in responses_cassettes():
        lines = [line for line, _ in transcript(path)]
        notes = [line for line in lines if line.startswith("  (")]
        if built:
            assert not notes, (path, notes)
            assert not any(line.startswith("  error: ") for line in lines), path
        else:
            assert notes, path
            assert all("openai-responses replies are not decoded yet" in n for n in notes), path


def test_every_kind_of_content_is_described() -> None:
    response = Response(
        content=[
            Reasoning(text="", provider_metadata={"openai": {"encrypted": "x"}}),
            ToolCall(
                tool_call_id="ws_1",
                tool_name="web_search",
                input='{"query": "tokyo"}',
                provider_executed=True,
            ),
            ToolResult(
                tool_call_id="ws_1",
                tool_name="web_search",
                output=TextOutput(text='{"status": "completed"}'),
                provider_executed=True,
            ),
            ToolResult(tool_call_id="c2", tool_name="shot", output=ErrorOutput(message="boom")),
            ToolResult(
                tool_call_id="c3", tool_name="shot", output=MediaOutput(data="", media_type="a/b")
            ),
            ToolCall(tool_call_id="c4", tool_name="nope", input="{", invalid=True, error="bad"),
            Source(id="s1", url="https://example.com", title="Example"),
            File(data=b"abc", media_type="image/png"),
            Text(text="Done."),
        ],
        finish_reason=FinishReason.STOP,
        usage=Usage(input_tokens=4, cache_read_tokens=2, cost=0.0),
        warnings=[CallWarning(kind="other", message="seed ignored")],
        model_id="m",
    )
    assert [line for line, _ in describe_response(response, "m")] == [
        "  reasoning: [encrypted]",
        '  tool call: web_search {"query": "tokyo"} [ws_1] (run by the provider)',
        '  tool result [ws_1] web_search: {"status": "completed"}',
        "  tool result [c2] shot: error: boom",
        "  tool result [c3] shot: [a/b]",
        "  tool call: nope { [c4] (invalid: bad)",
        "  source: https://example.com (Example)",
        "  file: image/png, 3 bytes",
        "  assistant: Done.",
        "  finish: stop",
        "  usage: input_tokens=4, cache_read_tokens=2",
        "  warning: seed ignored",
    ]
