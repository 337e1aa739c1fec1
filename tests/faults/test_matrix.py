"""Fault matrix over every wire family (and every host of it): truncated bodies and streams,
errors in 200 answers and mid-stream, Retry-After in every form, pages instead of JSON, huge
bodies, duplicated tool calls, hostile tool names and arguments, keys in URLs."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import httpx2
import pytest

import reverie
from reverie import user_message
from reverie.errors import OverloadedError, ProviderError, RateLimitError, StreamError
from reverie.model import ErrorPart, Finish, TextDelta, ToolCall as ToolCallPart
from reverie.providers.kit import Call

from .families import CASE_IDS, CASES, Answer, Case, bedrock_frame, dumps
from .test_secrets_streamed import FakeGoogleCredentials
from .wire_faults import (
    chat_call,
    chat_calls,
    error_in_200,
    in_band_error,
    invalid_body,
    ok,
    overloaded_body,
    plain,
    served,
    status,
    stream_head,
    streamed,
)

KEY = "sk-matrix-SECRET-5a9c03e1"
HELLO = Call(prompt=[user_message("hi")])


class Run:
    def __init__(self, case: Case, handler: Any, **extra: Any) -> None:
        self.case = case
        self.handler = handler
        self.slept: list[float] = []

        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        self.client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
        settings: dict[str, Any] = {**dict(case.settings), "client": self.client, **extra}
        settings.setdefault("retry", reverie.RetryPolicy(sleep=sleep, max_retries=2))
        if case.keyed:
            settings["api_key"] = KEY
        else:
            settings["credentials"] = FakeGoogleCredentials()
        self.model = reverie.provider(case.provider, **settings).model(case.model)

    @property
    def attempts(self) -> int:
        return len(self.handler.seen)

    async def stream(self) -> list[Any]:
        parts = [p async for p in self.model.stream(HELLO)]
        await self.client.aclose()
        return parts

    async def generate(self) -> Any:
        try:
            return await self.model.generate(HELLO)
        finally:
            await self.client.aclose()


def family(case: Case) -> str:
    return case.family.name


def text_of(parts: list[Any]) -> str:
    return "".join(p.delta for p in parts if isinstance(p, TextDelta))


def ended_in_error(parts: list[Any]) -> ProviderError:
    assert isinstance(parts[-1], ErrorPart), parts[-1]
    assert not any(isinstance(p, Finish) for p in parts)
    error = parts[-1].error
    assert isinstance(error, ProviderError)
    return error


cases = pytest.mark.parametrize("case", CASES, ids=CASE_IDS)


# ---- truncated bodies --------------------------------------------------------------------------


@cases
async def test_a_truncated_json_answer_is_a_retryable_error_then_retried(case: Case) -> None:
    whole = dumps(case.family.plain(Answer(text=("fine",))))
    run = Run(case, served(case, plain(case, whole[: len(whole) // 2]), ok(case)))
    response = await run.generate()
    assert response.text == "fine" and run.attempts == 2


@cases
async def test_a_truncated_json_answer_that_stays_cut_is_named(case: Case) -> None:
    whole = dumps(case.family.plain(Answer(text=("fine",))))
    run = Run(case, served(case, plain(case, whole[:40])))
    with pytest.raises(ProviderError) as info:
        await run.generate()
    assert "cut short" in str(info.value) and info.value.retryable
    assert run.attempts == 3


@cases
async def test_a_stream_cut_mid_event_after_text_keeps_the_text(case: Case) -> None:
    head = stream_head(family(case), "Hello")
    if family(case) == "bedrock":
        cut = head + bedrock_frame({"type": "content_block_stop", "index": 0})[:30]
    else:
        cut = head + b'data: {"choi'

    run = Run(case, served(case, streamed(case, cut)))
    parts = await run.stream()
    error = ended_in_error(parts)
    assert isinstance(error, StreamError) and error.retryable
    assert text_of(parts) == "Hello" and run.attempts == 1


@cases
async def test_a_stream_cut_before_any_part_is_retried(case: Case) -> None:
    head = stream_head(family(case), "Hello")
    run = Run(case, served(case, streamed(case, head[:30]), ok(case)))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and text_of(parts) == "fine"
    assert run.attempts == 2


@cases
async def test_a_stream_ending_without_its_terminal_event_is_a_stream_error(case: Case) -> None:
    run = Run(case, served(case, streamed(case, stream_head(family(case), "Hello"))))
    parts = await run.stream()
    error = ended_in_error(parts)
    assert isinstance(error, StreamError) and "ended before" in str(error)
    assert text_of(parts) == "Hello" and run.attempts == 1


# ---- errors in 200 answers and mid-stream ------------------------------------------------------


@cases
async def test_an_error_in_a_200_answer_is_typed_and_retried(case: Case) -> None:
    run = Run(case, served(case, status(200, error_in_200(family(case))), ok(case)))
    response = await run.generate()
    assert response.text == "fine" and run.attempts == 2


@cases
async def test_an_error_in_a_200_answer_that_persists_is_raised_typed(case: Case) -> None:
    run = Run(case, served(case, status(200, error_in_200(family(case)))))
    with pytest.raises(ProviderError) as info:
        await run.generate()
    assert "overloaded" in str(info.value) and info.value.retryable
    assert run.attempts == 3


@cases
async def test_a_stream_answered_with_a_json_error_is_typed_and_retried(case: Case) -> None:
    run = Run(case, served(case, status(200, error_in_200(family(case))), ok(case)))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and run.attempts == 2


@cases
async def test_an_error_event_after_text_keeps_the_text_and_is_not_retried(case: Case) -> None:
    body = stream_head(family(case), "Hello") + in_band_error(family(case))
    run = Run(case, served(case, streamed(case, body), ok(case)))
    parts = await run.stream()
    error = ended_in_error(parts)
    assert isinstance(error, StreamError) and error.retryable
    assert isinstance(error, OverloadedError) or family(case) in ("chat",), type(error)
    assert text_of(parts) == "Hello" and run.attempts == 1
    assert "overloaded" in str(error).lower()


@cases
async def test_a_passing_error_event_before_any_part_is_retried(case: Case) -> None:
    run = Run(case, served(case, streamed(case, in_band_error(family(case))), ok(case)))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and text_of(parts) == "fine"
    assert run.attempts == 2


@cases
async def test_a_lasting_error_event_before_any_part_is_not_retried(case: Case) -> None:
    data = in_band_error(family(case), passing=False)
    run = Run(case, served(case, streamed(case, data), ok(case)))
    error = ended_in_error(await run.stream())
    assert not error.retryable and run.attempts == 1


# ---- Retry-After -------------------------------------------------------------------------------


def _date(seconds: float) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


RETRY_AFTER = {
    "seconds": ({"Retry-After": "3"}, (3.0, 3.0)),
    "http-date": ({"Retry-After": "__date__"}, (7.0, 9.0)),
    "ms": ({"retry-after-ms": "1250"}, (1.25, 1.25)),
    "absurd-capped": ({"Retry-After": "99999999"}, (20.0, 20.0)),
    "absurd-date-capped": ({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, (20.0, 20.0)),
    "negative-ignored": ({"Retry-After": "-5"}, (0.5, 0.5)),
    "negative-ms-ignored": ({"retry-after-ms": "-100"}, (0.5, 0.5)),
    "garbage-ignored": ({"Retry-After": "soon"}, (0.5, 0.5)),
    "nan-ignored": ({"Retry-After": "nan"}, (0.5, 0.5)),
    "inf-capped": ({"Retry-After": "inf"}, (0.5, 20.0)),
    "past-date": ({"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"}, (0.0, 0.5)),
}


@cases
@pytest.mark.parametrize("code", [429, 503])
@pytest.mark.parametrize("how", RETRY_AFTER, ids=list(RETRY_AFTER))
async def test_retry_after_is_honoured_capped_or_ignored(case: Case, code: int, how: str) -> None:
    headers, (low, high) = RETRY_AFTER[how]
    if headers.get("Retry-After") == "__date__":
        headers = {"Retry-After": _date(8.5)}
    run = Run(case, served(case, status(code, overloaded_body(family(case)), headers), ok(case)))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and run.attempts == 2
    assert len(run.slept) == 1 and low <= run.slept[0] <= high, run.slept


# ---- pages and huge bodies ---------------------------------------------------------------------

PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title>"
    b"<style>body{font-family:sans-serif}</style></head>\n<body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx</center>" + b"<!-- padding -->" * 20000 + b"</body></html>"
)


@cases
@pytest.mark.parametrize("streaming", [False, True], ids=["plain", "stream"])
async def test_an_html_error_page_is_a_short_clean_error(case: Case, streaming: bool) -> None:
    run = Run(case, served(case, status(502, PAGE)))
    if streaming:
        error = ended_in_error(await run.stream())
    else:
        with pytest.raises(ProviderError) as info:
            await run.generate()
        error = info.value
    message = str(error)
    assert error.status == 502 and error.retryable and run.attempts == 3
    assert "502 Bad Gateway" in message
    assert "<" not in message and "padding" not in message and len(message) < 300
    assert error.body is not None and len(error.body) <= 65536


@cases
async def test_a_huge_json_error_message_is_shortened(case: Case) -> None:
    body = invalid_body(family(case))
    body["error"]["message"] = "x" * 1_000_000
    run = Run(case, served(case, status(400, body)))
    with pytest.raises(ProviderError) as info:
        await run.generate()
    assert len(str(info.value)) < 2000
    assert info.value.body is not None and len(info.value.body) <= 65536


@cases
async def test_a_line_without_end_is_refused_past_the_limit(case: Case) -> None:
    if family(case) == "bedrock":
        pytest.skip("frames carry their length; the frame limit is tested in test_eventstream")
    huge = b"data: " + b"a" * (70 * 1024 * 1024)
    run = Run(case, served(case, streamed(case, stream_head(family(case), "Hi") + huge)))
    error = ended_in_error(await run.stream())
    assert isinstance(error, StreamError) and "longer than 64 MiB" in str(error)
    assert str(error).startswith(f"{case.provider}: ")
    assert not error.retryable and run.attempts == 1


# ---- tool calls --------------------------------------------------------------------------------


chat_only = pytest.mark.parametrize(
    "case", [c for c in CASES if c.family.name == "chat"], ids=lambda c: c.id
)


async def _calls(case: Case, deltas: list[dict[str, Any]]) -> list[ToolCallPart]:
    run = Run(case, served(case, streamed(case, chat_calls(deltas))))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish), parts[-1]
    return [p for p in parts if isinstance(p, ToolCallPart)]


@chat_only
async def test_a_whole_call_repeated_under_one_id_and_index_is_not_merged(case: Case) -> None:
    calls = await _calls(
        case, [chat_call(0, "call_1", '{"n": 1}'), chat_call(0, "call_1", '{"n": 2}')]
    )
    assert [json.loads(c.input) for c in calls] == [{"n": 1}, {"n": 2}]
    assert len({c.tool_call_id for c in calls}) == 2  # two calls, told apart


@chat_only
async def test_two_indices_with_one_id_are_two_calls(case: Case) -> None:
    deltas = [chat_call(0, "call_1", ""), chat_call(1, "call_1", "")]
    deltas += [chat_call(n, None, json.dumps({"n": n}), name=None) for n in (0, 1)]
    calls = await _calls(case, deltas)
    assert [json.loads(c.input) for c in calls] == [{"n": 0}, {"n": 1}]
    assert [c.tool_call_id for c in calls] == ["call_1", "call_1_2"]


@chat_only
async def test_fragments_repeating_the_id_and_name_are_one_call(case: Case) -> None:
    deltas = [chat_call(0, "call_1", f) for f in ('{"q": ', '"a', 'b"}')]
    calls = await _calls(case, deltas)
    assert [(c.tool_call_id, json.loads(c.input)) for c in calls] == [("call_1", {"q": "ab"})]


@chat_only
async def test_every_call_numbered_zero_with_its_own_id_is_its_own_call(case: Case) -> None:
    calls = await _calls(case, [chat_call(0, f"call_{n}", json.dumps({"n": n})) for n in (1, 2, 3)])
    assert [c.tool_call_id for c in calls] == ["call_1", "call_2", "call_3"]
    assert [json.loads(c.input) for c in calls] == [{"n": 1}, {"n": 2}, {"n": 3}]


# ---- a terminal event without a finish reason ---------------------------------------------------


def _without_reason(case: Case) -> bytes | None:
    """The family's whole stream with its finish reason left out (None: the family's stream
    ends at its finish reason, so without one it is cut, tested above)."""
    fam = family(case)
    body = case.family.stream(Answer(text=("Hello",)))
    if fam == "chat":
        return body.replace(b'"finish_reason": "stop"', b'"finish_reason": null')
    if fam in ("anthropic", "bedrock"):
        from .families import anthropic_events, bedrock_frame, sse

        events = [
            e for e in anthropic_events(Answer(text=("Hello",))) if e["type"] != "message_delta"
        ]
        if fam == "bedrock":
            return b"".join(bedrock_frame(e) for e in events)
        return sse([(e["type"], e) for e in events])
    return None


@cases
async def test_a_stream_ending_without_a_finish_reason_never_claims_stop(case: Case) -> None:
    body = _without_reason(case)
    if body is None:
        pytest.skip("this family's stream ends at its finish reason")
    run = Run(case, served(case, streamed(case, body)))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and parts[-1].finish_reason == "unknown"
    assert text_of(parts) == "Hello"


@cases
async def test_a_failed_response_mid_stream_is_typed_and_keeps_the_text(case: Case) -> None:
    if family(case) != "responses":
        pytest.skip("the Responses API's response.failed event")
    from .families import sse

    error = {"code": "rate_limit_exceeded", "message": "Rate limit reached"}
    failed = {
        "type": "response.failed",
        "response": {"id": "r", "status": "failed", "error": error},
    }
    body = stream_head("responses", "Hello") + sse([("response.failed", failed)])
    run = Run(case, served(case, streamed(case, body)))
    parts = await run.stream()
    got = ended_in_error(parts)
    assert isinstance(got, RateLimitError) and isinstance(got, StreamError) and got.retryable
    assert text_of(parts) == "Hello" and run.attempts == 1


def _retry_info(delay: str) -> dict[str, Any]:
    detail = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}
    error = {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}
    return {"error": {**error, "details": [{"@type": "x.QuotaFailure"}, detail]}}


@cases
@pytest.mark.parametrize(
    ("delay", "slept"), [("7s", 7.0), ("0.25s", 0.25), ("999999s", 20.0), ("soon", 0.5)]
)
async def test_a_google_retry_info_delay_is_honoured(case: Case, delay: str, slept: float) -> None:
    if case.provider not in ("google", "vertex"):
        pytest.skip("Google's error details (the Gemini API, Vertex AI)")
    run = Run(case, served(case, status(429, _retry_info(delay)), ok(case)))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and run.attempts == 2 and run.slept == [slept]


@cases
async def test_a_retry_after_header_wins_over_retry_info(case: Case) -> None:
    if case.provider not in ("google", "vertex"):
        pytest.skip("Google's error details")
    answer = status(429, _retry_info("7s"), {"Retry-After": "2"})
    run = Run(case, served(case, answer, ok(case)))
    await run.generate()
    assert run.slept == [2.0]


@cases
async def test_a_huge_json_answer_where_a_stream_was_asked_is_read_only_in_part(
    case: Case,
) -> None:
    padding = "x" * (8 * 1024 * 1024)
    body = {**overloaded_body(family(case)), "padding": padding}
    run = Run(case, served(case, status(200, body)), retry=reverie.RetryPolicy(max_retries=0))
    error = ended_in_error(await run.stream())
    assert len(str(error)) < 2000 and (error.body is None or len(error.body) <= 65536)


# ---- a refusal instead of an answer (chat completions' structured outputs) ---------------------


@chat_only
@pytest.mark.parametrize("streaming", [False, True], ids=["plain", "stream"])
async def test_a_refusal_is_the_answer_s_text_not_silence(case: Case, streaming: bool) -> None:
    from .families import sse

    said = "I can't help with that."
    if streaming:
        chunks = [{"choices": [{"index": 0, "delta": {"role": "assistant", "refusal": ""}}]}]
        chunks += [{"choices": [{"index": 0, "delta": {"refusal": w}}]} for w in said.split(" ")]
        chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        body = sse([(None, c) for c in chunks] + [(None, "[DONE]")])
        answer = streamed(case, body)
    else:
        message = {"role": "assistant", "content": None, "refusal": said}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        answer = plain(case, json.dumps({"id": "c", "model": "m", "choices": [choice]}))
    run = Run(case, served(case, answer))
    if streaming:
        parts = await run.stream()
        assert isinstance(parts[-1], Finish) and parts[-1].finish_reason == "content-filter"
        assert text_of(parts) == "".join(said.split(" "))
    else:
        response = await run.generate()
        assert response.text == said and response.finish_reason == "content-filter"


@cases
@pytest.mark.parametrize("split", [0, 1, 2, 3], ids=["whole", "1", "2", "3"])
async def test_a_stream_led_by_a_byte_order_mark_loses_nothing(case: Case, split: int) -> None:
    if family(case) == "bedrock":
        pytest.skip("a binary framing: no byte order mark")
    body = b"\xef\xbb\xbf" + case.family.stream(Answer(text=("Hello",)))

    def answer(request: httpx2.Request) -> httpx2.Response:
        pieces = [body[:split], body[split:]] if split else [body]
        headers = {"content-type": case.family.content_type}
        return httpx2.Response(200, headers=headers, content=_chunks(pieces))

    run = Run(case, served(case, answer))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and text_of(parts) == "Hello"


class _chunks(httpx2.AsyncByteStream):
    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    async def __aiter__(self) -> Any:
        for piece in self.pieces:
            yield piece


@cases
async def test_a_bedrock_model_timeout_frame_is_retried(case: Case) -> None:
    if family(case) != "bedrock":
        pytest.skip("Bedrock's exception frames")
    from reverie.testing.eventstream import encode_frame

    headers = {":message-type": "exception", ":exception-type": "modelTimeoutException"}
    frame = encode_frame(headers, json.dumps({"message": "Model has timed out"}).encode())
    run = Run(case, served(case, streamed(case, frame), ok(case)))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and run.attempts == 2


@cases
async def test_an_empty_200_answer_is_retried_as_a_cut_one(case: Case) -> None:
    run = Run(case, served(case, plain(case, ""), ok(case)))
    assert (await run.generate()).text == "fine" and run.attempts == 2
    again = Run(case, served(case, plain(case, "  ")))
    with pytest.raises(ProviderError, match="the JSON answer was empty") as info:
        await again.generate()
    assert info.value.retryable and again.attempts == 3


AZURE_FILTERED = {
    "error": {
        "message": "The response was filtered due to the prompt triggering Azure OpenAI's "
        "content management policy. Please modify your prompt and retry.",
        "type": None,
        "param": "prompt",
        "code": "content_filter",
        "status": 400,
        "innererror": {
            "code": "ResponsibleAIPolicyViolation",
            "content_filter_result": {"hate": {"filtered": True, "severity": "high"}},
        },
    }
}


@chat_only
@pytest.mark.parametrize("streaming", [False, True], ids=["plain", "stream"])
async def test_a_content_filter_refusal_is_not_retried_nor_taken_for_an_overflow(
    case: Case, streaming: bool
) -> None:
    run = Run(case, served(case, status(400, AZURE_FILTERED)))
    if streaming:
        error = ended_in_error(await run.stream())
    else:
        with pytest.raises(ProviderError) as info:
            await run.generate()
        error = info.value
    assert type(error) is ProviderError and error.code == "content_filter"
    assert not error.retryable and run.attempts == 1
    assert "content management policy" in str(error)


@chat_only
async def test_a_stream_stopped_by_the_content_filter_keeps_its_text(case: Case) -> None:
    from .families import sse

    chunks = [{"choices": [], "prompt_filter_results": [{"prompt_index": 0}]}]
    chunks.append({"choices": [{"index": 0, "delta": {"content": "Once"}}]})
    filtered = {"hate": {"filtered": True, "severity": "medium"}}
    end = {"index": 0, "delta": {}, "finish_reason": "content_filter"}
    chunks.append({"choices": [{**end, "content_filter_results": filtered}]})
    body = sse([(None, c) for c in chunks] + [(None, "[DONE]")])
    run = Run(case, served(case, streamed(case, body)))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and parts[-1].finish_reason == "content-filter"
    assert text_of(parts) == "Once"


def test_an_event_of_endless_data_lines_is_refused_past_the_limit() -> None:
    from reverie.http.sse import MAX_EVENT_BYTES, SseDecoder

    decoder = SseDecoder()
    assert decoder.feed(b"data: first\n\n")[0].data == "first"
    line = b"data: " + b"x" * 4090 + b"\n"
    chunk = line * 16  # 64 KiB a read, never a blank line
    fed = 0
    started = time.process_time()
    with pytest.raises(StreamError, match="longer than 64 MiB"):
        while fed <= 2 * MAX_EVENT_BYTES:
            decoder.feed(chunk)
            fed += len(chunk)
    assert MAX_EVENT_BYTES < fed < MAX_EVENT_BYTES + 2 * len(chunk)
    assert time.process_time() - started < 5  # each line counted once, not once a read
