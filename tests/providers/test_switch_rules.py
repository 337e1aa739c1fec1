"""One rule per test of continuing a conversation on another provider (providers/portable.py
and the family hooks), seen through ``reverie.convert``: what the target is sent."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import httpx2
import pytest

import reverie
from reverie import (
    Agent,
    Message,
    ReasoningPart,
    Settings,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    user_message,
)
from reverie.errors import ConfigurationError, ProviderError
from reverie.testing import ScriptedModel

ANTHROPIC_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
FAMILIES = ["openai", "openai-responses", "anthropic", "google", "openrouter", "openai-compat"]


def assistant(*parts: Any) -> Message:
    return Message(role="assistant", content=parts)


def call(call_id: str, name: str = "weather", **options: Any) -> ToolCallPart:
    return ToolCallPart(tool_call_id=call_id, tool_name=name, input="{}", provider_options=options)


def result(call_id: str, text: str = "40 C", name: str = "weather") -> Message:
    part = ToolResultPart(tool_call_id=call_id, tool_name=name, output=TextOutput(text=text))
    return Message(role="tool", content=(part,))


def loop(*ids: str) -> list[Message]:
    """A user turn, then one call and its result per id, each in its own step."""
    history = [user_message("Weather?")]
    for i in ids:
        history += [assistant(call(i)), result(i, f"result {i}")]
    return history


def ids_of(messages: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Anthropic's (tool_use ids, tool_result ids), in order."""
    blocks = [b for m in messages for b in m["content"]]
    uses = [b["id"] for b in blocks if b["type"] == "tool_use"]
    results = [b["tool_use_id"] for b in blocks if b["type"] == "tool_result"]
    return uses, results


# ---- tool-call ids ------------------------------------------------------------------------


def test_ids_the_target_refuses_are_mapped_the_same_for_the_call_and_its_result() -> None:
    uses, results = ids_of(reverie.convert(loop("functions.weather:0"), to="anthropic").messages)
    assert uses == results
    assert ANTHROPIC_ID.match(uses[0]) and uses[0].startswith("functions_weather_0")


def test_mapping_is_deterministic() -> None:
    history = loop("functions.weather:0", "functions.weather:1")
    first = reverie.convert(history, to="anthropic").messages
    assert reverie.convert(history, to="anthropic").messages == first


def test_ids_repeated_across_turns_become_distinct_and_stay_paired() -> None:
    # Gemini's made-up ids restart at "1" with every provider instance.
    uses, results = ids_of(reverie.convert(loop("1", "1", "1"), to="anthropic").messages)
    assert len(set(uses)) == 3
    assert uses == results
    assert uses[0] == "1"  # a valid id the first time is kept


def test_a_mapped_id_never_takes_an_id_already_in_use() -> None:
    history = loop("functions_weather_0", "functions.weather:0")
    uses, results = ids_of(reverie.convert(history, to="anthropic").messages)
    assert len(set(uses)) == 2 and uses == results
    assert uses[0] == "functions_weather_0"


def test_openai_takes_ids_of_at_most_40_characters() -> None:
    long = "x" * 60
    messages = reverie.convert(loop(long), to="openai").messages
    [sent] = messages[1]["tool_calls"]
    assert len(sent["id"]) <= 40
    assert messages[2]["tool_call_id"] == sent["id"]


def test_ids_a_gateway_gave_go_back_to_it_unchanged() -> None:
    messages = reverie.convert(loop("functions.weather:0"), to="openrouter").messages
    assert messages[1]["tool_calls"][0]["id"] == "functions.weather:0"


# ---- pairing ------------------------------------------------------------------------------


def test_a_call_left_unanswered_gets_an_error_result_before_the_conversation_goes_on() -> None:
    history = [user_message("Hi"), assistant(call("c1")), user_message("Never mind")]
    messages = reverie.convert(history, to="openai").messages
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "user"]
    assert messages[2] == {
        "role": "tool",
        "tool_call_id": "c1",
        "content": "no result was recorded for this call",
    }


def test_a_result_without_its_call_is_told_as_text() -> None:
    history = [user_message("Hi"), result("gone", "40 C")]
    messages = reverie.convert(history, to="anthropic").messages
    assert messages == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Hi"},
                {"type": "text", "text": "[weather result: 40 C]"},
            ],
        }
    ]


# ---- reasoning ----------------------------------------------------------------------------

CLAUDE_THOUGHT = ReasoningPart(
    text="I should check.", provider_options={"anthropic": {"signature": "sig-claude"}}
)


@pytest.mark.parametrize("to", [f for f in FAMILIES if f != "anthropic"])
def test_foreign_reasoning_is_dropped_with_the_same_warning_everywhere(to: str) -> None:
    history = [
        user_message("Hi"),
        assistant(CLAUDE_THOUGHT, TextPart(text="Hello")),
        user_message("Go"),
    ]
    conversion = reverie.convert(history, to=to)
    assert "sig-claude" not in str(conversion.body)
    assert "I should check." not in str(conversion.body)
    [warning] = [w for w in conversion.warnings if w.setting == "foreign_reasoning"]
    assert warning.kind == "unsupported-setting"
    assert re.fullmatch(
        r"1 reasoning part\(s\) without replay data for [a-z-]+ were not sent "
        r"\(foreign_reasoning='drop'\)",
        warning.message,
    )


@pytest.mark.parametrize("to", [f for f in FAMILIES if f != "anthropic"])
def test_foreign_reasoning_can_go_as_text(to: str) -> None:
    history = [
        user_message("Hi"),
        assistant(CLAUDE_THOUGHT, TextPart(text="Hello")),
        user_message("Go"),
    ]
    conversion = reverie.convert(history, to=to, foreign_reasoning="text")
    assert "<reasoning>\\nI should check.\\n</reasoning>" in str(conversion.messages)
    assert "sig-claude" not in str(conversion.body)
    assert not [w for w in conversion.warnings if w.setting == "foreign_reasoning"]


def test_an_unknown_foreign_reasoning_policy_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="foreign_reasoning"):
        Settings(foreign_reasoning="keep")  # type: ignore[arg-type]


def test_claude_thinking_goes_to_every_claude_host() -> None:
    history = [
        user_message("Hi"),
        assistant(CLAUDE_THOUGHT, TextPart(text="Hello")),
        user_message("Go"),
    ]
    for to in ("anthropic", "bedrock", "vertex:claude-sonnet-4-5"):
        conversion = reverie.convert(history, to=to)
        assert conversion.messages[1]["content"][0] == {
            "type": "thinking",
            "thinking": "I should check.",
            "signature": "sig-claude",
        }
        assert conversion.warnings == []


def test_plain_reasoning_of_an_openai_compatible_server_goes_back_as_reasoning_content() -> None:
    history = [user_message("Hi"), assistant(ReasoningPart(text="hmm"), TextPart(text="Hello"))]
    messages = reverie.convert([*history, user_message("Go")], to="openai-compat").messages
    assert messages[1] == {"role": "assistant", "content": "Hello", "reasoning_content": "hmm"}


async def test_an_agent_run_sets_the_policy_through_settings() -> None:
    sent: list[bytes] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.content)
        return httpx2.Response(400, json={"error": {"message": "no"}})

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as client:
        model = reverie.provider("openai", api_key="k", client=client).model("gpt-4o")
        history = [user_message("Hi"), assistant(CLAUDE_THOUGHT, TextPart(text="Hello"))]
        with pytest.raises(ProviderError):
            await Agent(model).run(
                "Go", messages=history, settings=Settings(foreign_reasoning="text")
            )
    assert b"<reasoning>" in sent[0]


# ---- replay metadata belongs to its host ---------------------------------------------------


def gemini_turn(host: str | None) -> list[Message]:
    options: dict[str, Any] = {"thought_signature": "sig-gemini"}
    if host:
        options["host"] = host
    return [
        user_message("Hi"),
        assistant(call("1", google=options)),
        result("1"),
        assistant(TextPart(text="Warm.")),
        user_message("Tomorrow?"),
    ]


def test_gemini_api_signatures_are_not_sent_to_vertex_and_vertex_ones_not_back() -> None:
    api = gemini_turn(None)
    assert "sig-gemini" in str(reverie.convert(api, to="google").body)
    assert "sig-gemini" not in str(reverie.convert(api, to="vertex").body)
    vertex = gemini_turn("vertex")
    assert "sig-gemini" in str(reverie.convert(vertex, to="vertex").body)
    assert "sig-gemini" not in str(reverie.convert(vertex, to="google").body)


def responses_turn(host: str | None) -> list[Message]:
    meta: dict[str, Any] = {"item_id": "rs_1", "encrypted_content": "enc-openai"}
    if host:
        meta["host"] = host
    thought = ReasoningPart(text="Summary.", provider_options={"openai": meta})
    return [user_message("Hi"), assistant(thought, TextPart(text="Hello")), user_message("Go")]


def test_openai_encrypted_reasoning_is_not_sent_to_azure_and_azure_s_not_to_openai() -> None:
    replay = {"openai": {"replay_reasoning": True}}
    own = reverie.convert(responses_turn(None), to="openai-responses", provider_options=replay)
    assert "enc-openai" in str(own.body)
    moved = reverie.convert(
        responses_turn(None), to="azure", api="responses", provider_options=replay
    )
    assert "enc-openai" not in str(moved.body) and "rs_1" not in str(moved.body)
    azure = reverie.convert(
        responses_turn("azure"), to="azure", api="responses", provider_options=replay
    )
    assert "enc-openai" in str(azure.body)
    back = reverie.convert(responses_turn("azure"), to="openai-responses", provider_options=replay)
    assert "enc-openai" not in str(back.body)


def test_the_host_is_recorded_only_away_from_the_namespace_s_home() -> None:
    from reverie.providers.google.signature import signature_metadata

    part = {"thoughtSignature": "s"}
    assert signature_metadata(part, "google") == {"google": {"thought_signature": "s"}}
    assert signature_metadata(part, "vertex") == {
        "google": {"thought_signature": "s", "host": "vertex"}
    }


# ---- switching inside an open tool loop ---------------------------------------------------

THINKING = {"anthropic": {"thinking": {"type": "enabled", "budget_tokens": 2048}}}


def test_claude_with_thinking_runs_a_loop_begun_elsewhere_without_thinking() -> None:
    conversion = reverie.convert(loop("call_1"), to="anthropic", provider_options=THINKING)
    assert "thinking" not in conversion.body
    [warning] = [w for w in conversion.warnings if w.setting == "thinking"]
    assert "open tool loop" in warning.message


def test_claude_keeps_thinking_for_its_own_loop() -> None:
    signed = ReasoningPart(text="t", provider_options={"anthropic": {"signature": "s"}})
    history = [user_message("Hi"), assistant(signed, call("toolu_1")), result("toolu_1")]
    conversion = reverie.convert(history, to="anthropic", provider_options=THINKING)
    assert conversion.body["thinking"] == {"type": "enabled", "budget_tokens": 2048}


def test_claude_keeps_thinking_once_the_foreign_loop_is_closed_by_a_user_turn() -> None:
    history = [*loop("call_1"), assistant(TextPart(text="Warm.")), user_message("Tomorrow?")]
    conversion = reverie.convert(history, to="anthropic", provider_options=THINKING)
    assert conversion.body["thinking"]["type"] == "enabled"


def test_gemini_3_gets_the_documented_dummy_signature_on_the_current_turn_only() -> None:
    history = [*loop("a"), assistant(TextPart(text="Warm.")), user_message("More?")]
    history += [assistant(call("b"), call("c")), result("b"), result("c")]
    contents = reverie.convert(history, to="google:gemini-3-pro-preview").messages
    signed = [
        [p.get("thoughtSignature") for p in c["parts"] if "functionCall" in p]
        for c in contents
        if c["role"] == "model" and any("functionCall" in p for p in c["parts"])
    ]
    # The earlier turn's call is not validated; the current turn's first call is.
    assert signed == [[None], ["skip_thought_signature_validator", None]]


def test_gemini_3_keeps_a_real_signature_and_gemini_2_5_gets_no_dummy() -> None:
    history = [
        user_message("Hi"),
        assistant(call("1", google={"thought_signature": "real"})),
        result("1"),
    ]
    contents = reverie.convert(history, to="google:gemini-3-pro-preview").messages
    assert contents[1]["parts"][0]["thoughtSignature"] == "real"
    plain = reverie.convert(loop("1"), to="google:gemini-2.5-flash").messages
    assert "thoughtSignature" not in plain[1]["parts"][0]


# ---- provider-executed tools --------------------------------------------------------------

SEARCH_CALL = ToolCallPart(
    tool_call_id="srvtoolu_1", tool_name="web_search", input='{"query":"q"}', provider_executed=True
)
SEARCH_RESULT = ToolResultPart(
    tool_call_id="srvtoolu_1",
    tool_name="web_search",
    output=TextOutput(text='[{"url": "https://a.example", "title": "A"}]'),
    provider_executed=True,
    provider_options={"anthropic": {"type": "web_search_tool_result", "content": [{"x": 1}]}},
)


def test_another_vendors_web_search_becomes_text_with_its_sources() -> None:
    history = [user_message("Find"), assistant(SEARCH_CALL, SEARCH_RESULT, TextPart(text="A."))]
    messages = reverie.convert([*history, user_message("More")], to="openai").messages
    assert messages[1]["content"] == (
        '[web_search was run by the provider with input {"query":"q"}]'
        "[web_search result, sources:\n- A <https://a.example>]A."
    )


def test_claude_gets_its_own_web_search_back_as_blocks() -> None:
    history = [user_message("Find"), assistant(SEARCH_CALL, SEARCH_RESULT, TextPart(text="A."))]
    blocks = reverie.convert([*history, user_message("More")], to="anthropic").messages[1][
        "content"
    ]
    assert [b["type"] for b in blocks] == ["server_tool_use", "web_search_tool_result", "text"]


def test_a_web_search_of_another_claude_host_is_text() -> None:
    bedrock = ToolResultPart(
        tool_call_id="srvtoolu_1",
        tool_name="web_search",
        output=SEARCH_RESULT.output,
        provider_executed=True,
        provider_options={
            "anthropic": {**SEARCH_RESULT.provider_options["anthropic"], "host": "bedrock"}
        },
    )
    history = [user_message("Find"), assistant(SEARCH_CALL, bedrock), user_message("More")]
    blocks = reverie.convert(history, to="anthropic").messages[1]["content"]
    assert [b["type"] for b in blocks] == ["text", "text"]


# ---- the fallback promise (README) ----------------------------------------------------------


async def test_fallback_continues_a_claude_history_on_openai_with_a_valid_request() -> None:
    from validators import check

    sent: list[dict[str, Any]] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        import json

        sent.append(json.loads(request.content))
        reply = {
            "choices": [
                {"message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
            ]
        }
        return httpx2.Response(200, json=reply)

    overloaded = ProviderError(
        "anthropic: overloaded", provider="anthropic", status=529, retryable=True
    )
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as client:
        openai = reverie.provider("openai", api_key="k", client=client).model("gpt-4o")
        model = reverie.fallback(ScriptedModel([overloaded]), openai)
        signed = ReasoningPart(text="t", provider_options={"anthropic": {"signature": "sig"}})
        history = [
            user_message("Weather?"),
            assistant(signed, call("toolu_01A")),
            result("toolu_01A"),
        ]
        tools = [reverie.Tool.from_schema("weather", "w", {"type": "object"}, lambda _a: "ok")]
        run = await Agent(model, tools=tools).run(None, messages=history)
    assert run.text == "Hi"
    assert check("openai", sent[0], history) == []
    assert "sig" not in str(sent[0]["messages"])


# ---- files --------------------------------------------------------------------------------


@pytest.mark.parametrize("to", ["openai", "openai-responses"])
def test_a_file_in_an_assistant_turn_is_named_in_text_with_a_warning(to: str) -> None:
    image = reverie.FilePart(media_type="image/png", data=b"\x89PNG")
    history = [user_message("Draw"), assistant(TextPart(text="Here:"), image), user_message("Nice")]
    conversion = reverie.convert(history, to=to)
    assert "[a image/png file was attached here]" in str(conversion.messages)
    assert [w.message for w in conversion.warnings] == [
        f"1 file(s) in assistant turns were not sent to {'openai'}: it takes none there"
    ]


def test_gemini_takes_files_in_model_turns() -> None:
    image = reverie.FilePart(media_type="image/png", data=b"\x89PNG")
    history = [user_message("Draw"), assistant(image), user_message("Nice")]
    contents = reverie.convert(history, to="google").messages
    assert contents[1]["parts"] == [{"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}}]


IMAGE_URL = "https://example.com/cat.png"
PDF_URL = "https://example.com/report.pdf"
GEMINI_FILE = "https://generativelanguage.googleapis.com/v1beta/files/abc123"
SIGNED = "https://bucket.s3.amazonaws.com/cat.png?X-Amz-Signature=secret-sig&X-Amz-Credential=k"


def asked(*files: reverie.FilePart) -> list[Message]:
    return [Message(role="user", content=(TextPart(text="Look"), *files))]


def url_file(url: str, media: str = "image/png") -> reverie.FilePart:
    return reverie.FilePart(media_type=media, url=url)


# Where each target reads a file given by URL (documented fileUri / url / image_url / file_url).
READS = {
    ("anthropic", IMAGE_URL, "image/png"): True,
    ("anthropic", PDF_URL, "application/pdf"): True,
    ("anthropic", GEMINI_FILE, "image/png"): False,
    ("anthropic", "gs://bucket/cat.png", "image/png"): False,
    ("bedrock", IMAGE_URL, "image/png"): False,
    ("vertex:claude-sonnet-4-5@20250929", IMAGE_URL, "image/png"): False,
    ("openai", IMAGE_URL, "image/png"): True,
    ("openai", PDF_URL, "application/pdf"): False,
    ("openai", GEMINI_FILE, "image/png"): False,
    ("openrouter", PDF_URL, "application/pdf"): True,
    ("openai-responses", PDF_URL, "application/pdf"): True,
    ("openai-responses", "gs://bucket/a.pdf", "application/pdf"): False,
    ("google", GEMINI_FILE, "image/png"): True,
    ("google", "gs://bucket/cat.png", "image/png"): True,
    ("google", IMAGE_URL, "image/png"): True,
    ("vertex:gemini-2.5-pro", "gs://bucket/cat.png", "image/png"): True,
    ("vertex:gemini-2.5-pro", GEMINI_FILE, "image/png"): False,
    ("vertex:gemini-2.5-pro", "s3://bucket/cat.png", "image/png"): False,
}


@pytest.mark.parametrize(("to", "url", "media"), sorted(READS))
def test_a_file_url_goes_where_the_target_reads_it_and_is_named_in_text_elsewhere(
    to: str, url: str, media: str
) -> None:
    conversion = reverie.convert(asked(url_file(url, media)), to=to)
    sent = json.dumps(conversion.messages)
    if READS[to, url, media]:
        assert url in sent
        assert not any("given by URL" in w.message for w in conversion.warnings)
    else:
        # never sent as a file where it cannot be read (nor fetched here): only named
        assert sent.count(url) == sent.count(f"URL ({url});") == 1
        assert "was given here by URL" in sent and "cannot read it from there" in sent
        [warning] = [w for w in conversion.warnings if "given by URL" in w.message]
        assert warning.message.startswith("1 file(s) given by URL were not sent to ")
        assert media in warning.message


@pytest.mark.parametrize("to", [*FAMILIES, "bedrock", "vertex:gemini-2.5-pro"])
def test_a_data_url_is_sent_as_the_bytes_it_holds(to: str) -> None:
    data_url = "data:image/png;base64,iVBORw=="
    conversion = reverie.convert(asked(url_file(data_url)), to=to)
    sent = json.dumps(conversion.messages)
    assert "iVBORw==" in sent  # the base64 the target wants (or the data URL rebuilt)
    assert conversion.warnings == []
    if to in ("anthropic", "bedrock"):
        source = conversion.messages[0]["content"][1]["source"]
        assert source == {"type": "base64", "media_type": "image/png", "data": "iVBORw=="}
    if to.startswith(("google", "vertex")):
        part = conversion.messages[0]["parts"][1]
        assert part == {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}}


def test_an_unreadable_data_url_is_named_not_sent() -> None:
    conversion = reverie.convert(
        asked(url_file("data:image/png;base64,@@not base64@@")), to="anthropic"
    )
    assert "@@" not in json.dumps(conversion.messages)
    assert any("given by URL" in w.message for w in conversion.warnings)


def test_a_signed_url_s_query_stays_out_of_text_and_warnings() -> None:
    conversion = reverie.convert(asked(url_file(SIGNED)), to="bedrock")
    shown = json.dumps(conversion.messages) + " ".join(w.message for w in conversion.warnings)
    assert "secret-sig" not in shown and "X-Amz" not in shown
    assert "https://bucket.s3.amazonaws.com/cat.png" in shown


def test_a_file_url_in_a_gemini_model_turn_is_checked_too() -> None:
    history = [user_message("Draw"), assistant(url_file(GEMINI_FILE)), user_message("Nice")]
    on_gemini = reverie.convert(history, to="google").messages
    assert on_gemini[1]["parts"] == [
        {"fileData": {"mimeType": "image/png", "fileUri": GEMINI_FILE}}
    ]
    on_vertex = reverie.convert(history, to="vertex:gemini-2.5-pro")
    assert "fileData" not in json.dumps(on_vertex.messages)
    assert any("given by URL" in w.message for w in on_vertex.warnings)


def test_results_lead_a_user_turn_that_also_holds_text() -> None:
    answer = ToolResultPart(tool_call_id="c1", tool_name="weather", output=TextOutput(text="ok"))
    history = [
        user_message("Hi"),
        assistant(call("c1")),
        Message(role="user", content=(TextPart(text="Here:"), answer)),
    ]
    [*_, last] = reverie.convert(history, to="anthropic").messages
    assert [b["type"] for b in last["content"]] == ["tool_result", "text"]


# ---- reverie.convert ------------------------------------------------------------------------


def test_convert_names_the_target_and_keeps_the_system_apart() -> None:
    history = [reverie.system_message("Be brief."), user_message("Hi")]
    conversion = reverie.convert(history, to="anthropic")
    assert conversion.to == "anthropic:claude-sonnet-4-5"
    assert conversion.system == [{"type": "text", "text": "Be brief."}]
    assert conversion.messages == [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    assert conversion.body["messages"] == conversion.messages


async def test_convert_works_inside_a_running_event_loop() -> None:
    conversion = reverie.convert([user_message("Hi")], to="google:gemini-2.5-flash")
    assert conversion.messages == [{"role": "user", "parts": [{"text": "Hi"}]}]
    from reverie.conversion import convert_async

    same = await convert_async([user_message("Hi")], to="google:gemini-2.5-flash")
    assert same.body == conversion.body


def test_convert_refuses_an_unknown_target() -> None:
    with pytest.raises(ConfigurationError, match="to must name one of"):
        reverie.convert([user_message("Hi")], to="nowhere")


def test_a_huge_or_hostile_id_is_cut_and_cleaned() -> None:
    hostile = "a\nb\u202e" + "x" * 1_000_000
    uses, results = ids_of(reverie.convert(loop(hostile, ""), to="anthropic").messages)
    assert all(ANTHROPIC_ID.match(u) for u in uses)
    assert uses[0].startswith("a_b_x") and len(uses[0]) == 64
    assert uses[1].startswith("call_")
    assert uses == results


def test_gemini_leaves_out_its_own_unsigned_thought_summaries_without_a_word() -> None:
    signed = call("1", google={"thought_signature": "s"})
    history = [user_message("Hi"), assistant(ReasoningPart(text="summary"), signed), result("1")]
    conversion = reverie.convert(history, to="google")
    assert "summary" not in str(conversion.body)
    assert conversion.warnings == []
    # Elsewhere the same part is reasoning without replay data, told like any other.
    moved = reverie.convert(history, to="anthropic")
    assert [w.setting for w in moved.warnings] == ["foreign_reasoning"]


def test_claude_thinking_whose_signature_never_came_is_told_like_foreign_reasoning() -> None:
    signed = ReasoningPart(text="a", provider_options={"anthropic": {"signature": "s"}})
    history = [
        user_message("Hi"),
        assistant(signed, ReasoningPart(text="cut"), TextPart(text="Hi")),
    ]
    conversion = reverie.convert([*history, user_message("Go")], to="anthropic")
    assert "cut" not in str(conversion.body)
    assert [w.setting for w in conversion.warnings] == ["foreign_reasoning"]


def test_a_provider_call_and_its_result_are_kept_or_told_together() -> None:
    thought = ReasoningPart(text="t", provider_options={"anthropic": {"signature": "s"}})
    empty = ToolResultPart(
        tool_call_id="srvtoolu_1",
        tool_name="web_search",
        output=TextOutput(text="[]"),
        provider_executed=True,
    )
    history = [user_message("Find"), assistant(thought, SEARCH_CALL, empty), user_message("More")]
    blocks = reverie.convert(history, to="anthropic").messages[1]["content"]
    # Nothing to replay the result from: neither goes as a block, so none is left unpaired.
    assert [b["type"] for b in blocks] == ["thinking", "text", "text"]


def test_options_such_as_cache_markers_are_not_taken_for_replay_metadata() -> None:
    marked = TextPart(text="Hello", provider_options={"openai-compat": {"cache_control": {}}})
    history = [user_message("Hi"), assistant(ReasoningPart(text="hmm"), marked), user_message("Go")]
    messages = reverie.convert(history, to="openai-compat").messages
    assert messages[1]["reasoning_content"] == "hmm"


def test_a_gateways_reasoning_details_go_back_whole_to_it_and_to_no_other_host() -> None:
    details = [
        {"type": "reasoning.text", "text": "Plan.", "signature": "sig-vercel-1", "index": 0},
        {"type": "reasoning.encrypted", "data": "enc-vercel-2", "index": 1},
    ]
    thought = ReasoningPart(
        text="Plan.", provider_options={"vercel": {"reasoning_details": details}}
    )
    history = [user_message("Hi"), assistant(thought, TextPart(text="Hello")), user_message("Go")]
    own = reverie.convert(history, to="vercel")
    assert own.messages[1]["reasoning_details"] == details
    assert not [w for w in own.warnings if w.setting == "foreign_reasoning"]
    for to in ("openrouter", "openai-compat"):
        other = reverie.convert(history, to=to)
        assert "sig-vercel-1" not in str(other.body) and "enc-vercel-2" not in str(other.body)
        assert [w for w in other.warnings if w.setting == "foreign_reasoning"], to


SIGNED_BY_A_CLAUDE_HOST = {"anthropic": {"signature": "sig"}}


# ---- turns each target refuses ------------------------------------------------------------


def blank(text: str) -> Message:
    return Message(role="user", content=(TextPart(text=text),))


@pytest.mark.parametrize("to", ["anthropic", "bedrock", "vertex:claude-sonnet-4-5@20250929"])
@pytest.mark.parametrize("space", ["", " ", "\n\t "])
def test_claude_is_sent_no_empty_or_whitespace_only_text_block(to: str, space: str) -> None:
    history = [
        Message(role="system", content=(TextPart(text="Be brief."), TextPart(text=space))),
        Message(role="user", content=(TextPart(text="Hi"), TextPart(text=space))),
        assistant(TextPart(text=space), call("c1")),
        result("c1"),
        assistant(TextPart(text=space)),
        user_message("And tomorrow?"),
    ]
    conversion = reverie.convert(history, to=to)
    blocks = [b for m in conversion.messages for b in m["content"]] + conversion.system
    texts = [b["text"] for b in blocks if b["type"] == "text"]
    assert texts and all(t.strip() for t in texts)
    roles = [m["role"] for m in conversion.messages]
    assert all(a != b for a, b in itertools.pairwise(roles))  # still alternating


def test_claude_continuing_an_assistant_turn_gets_it_without_trailing_whitespace() -> None:
    history = [user_message("Count"), assistant(TextPart(text="One, two, \n"))]
    messages = reverie.convert(history, to="anthropic").messages
    assert messages[-1] == {"role": "assistant", "content": [{"type": "text", "text": "One, two,"}]}


@pytest.mark.parametrize("to", ["google", "vertex:gemini-2.5-pro"])
def test_gemini_is_sent_no_empty_text_part_nor_empty_turn(to: str) -> None:
    history = [
        Message(role="system", content=(TextPart(text=""),)),
        blank(""),
        assistant(TextPart(text="Hello")),
        Message(role="user", content=(TextPart(text=""), TextPart(text="Weather?"))),
    ]
    conversion = reverie.convert(history, to=to)
    assert conversion.messages == [
        {"role": "model", "parts": [{"text": "Hello"}]},
        {"role": "user", "parts": [{"text": "Weather?"}]},
    ]


@pytest.mark.parametrize("to", ["google", "anthropic"])
def test_a_system_message_in_the_middle_goes_to_the_system_with_a_warning(to: str) -> None:
    history = [
        user_message("Hi"),
        assistant(TextPart(text="Hello")),
        Message(role="system", content=(TextPart(text="Answer in French."),)),
        user_message("Weather?"),
    ]
    conversion = reverie.convert(history, to=to)
    assert "Answer in French." in json.dumps(conversion.system)
    assert "Answer in French." not in json.dumps(conversion.messages)
    assert [w.message for w in conversion.warnings] == [
        "a system message after the first turn was sent as system"
    ]


@pytest.mark.parametrize("to", [*FAMILIES, "bedrock", "vertex:gemini-2.5-pro"])
def test_an_assistant_turn_of_foreign_reasoning_only_leaves_no_empty_turn(to: str) -> None:
    if to in ("anthropic", "bedrock"):
        pytest.skip("a Claude host's own reasoning: sent back")
    history = [
        user_message("Hi"),
        assistant(ReasoningPart(text="hmm", provider_options=SIGNED_BY_A_CLAUDE_HOST)),
        user_message("Weather?"),
    ]
    conversion = reverie.convert(history, to=to)
    messages = conversion.messages if isinstance(conversion.messages, list) else []
    for message in messages:
        content = message.get("content", message.get("parts"))
        assert content not in ([], None, ""), message
    assert any("reasoning part(s)" in w.message for w in conversion.warnings)


@pytest.mark.parametrize("to", ["anthropic", "bedrock"])
@pytest.mark.parametrize("empty", ["", "  \n"])
def test_an_empty_tool_result_goes_to_claude_without_an_empty_text_block(
    to: str, empty: str
) -> None:
    history = [user_message("Weather?"), assistant(call("c1")), result("c1", empty)]
    messages = reverie.convert(history, to=to).messages
    assert messages[-1]["content"] == [{"type": "tool_result", "tool_use_id": "c1"}]


def test_a_turn_of_plain_reasoning_only_goes_to_a_compatible_server_with_empty_content() -> None:
    history = [user_message("Hi"), assistant(ReasoningPart(text="hmm")), user_message("Well?")]
    messages = reverie.convert(history, to="openai-compat").messages
    assert messages[1] == {"role": "assistant", "content": "", "reasoning_content": "hmm"}


def test_each_file_a_target_cannot_read_is_named_in_the_one_warning() -> None:
    files = (
        url_file("gs://bucket/a.png"),
        url_file("https://example.com/b.pdf", "application/pdf"),
    )
    conversion = reverie.convert(asked(*files), to="bedrock")
    [warning] = conversion.warnings
    assert warning.message == (
        "2 file(s) given by URL were not sent to bedrock, which cannot read them from there "
        "(named in text instead): a image/png file at gs://bucket/a.png; "
        "a application/pdf file at https://example.com/b.pdf"
    )


@pytest.mark.parametrize("to", ["google", "vertex:gemini-2.5-pro"])
def test_gemini_gets_a_made_up_name_starting_with_a_digit_under_one_starting_with_underscore(
    to: str,
) -> None:
    history = [
        user_message("Go"),
        assistant(call("c1", "9lives")),
        result("c1", name="9lives"),
    ]
    contents = reverie.convert(history, to=to).messages
    assert contents[1]["parts"][0]["functionCall"]["name"] == "_9lives"
    assert contents[2]["parts"][0]["functionResponse"]["name"] == "_9lives"


def test_a_name_rule_with_a_first_character_fits_ids_and_names_alike() -> None:
    from reverie.providers.portable import IdRule

    rule = IdRule(allowed="[a-zA-Z0-9_]", max_length=12, first="[a-zA-Z_]")
    assert not rule.valid("9ab") and rule.valid("_9ab")
    assert rule.name("9-ab") == "_9_ab"
    assert rule.name("9" * 20) == "_" + "9" * 11
    for original in ("9", "", "-" * 30):
        fitted = rule.fit(original, set(), 0)
        assert rule.valid(fitted), fitted
