"""With content capture off, no prompt or answer reaches a span through a failure: a
provider's 400 quoting the prompt, or a final answer that fails validation (pydantic's
message quotes the input), leaves only the error's type, provider and status in the span's
status and exception event; with capture on, the whole message is there."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pydantic import BaseModel

from reverie import Agent, NoObjectGenerated, ProviderError
from reverie.testing.fake import ScriptedModel, reply

PROMPT = "my diary entry: PRIVATE-PROMPT-7731"
ANSWER = "PRIVATE-ANSWER-0442"


class Verdict(BaseModel):
    score: int


def spans_of(exporter: InMemorySpanExporter) -> tuple[ReadableSpan, ...]:
    return exporter.get_finished_spans()


def everything(spans: tuple[ReadableSpan, ...]) -> str:
    """All a span exporter would send: names, attributes, status, events."""
    out = []
    for span in spans:
        out.append(span.name)
        out.append(repr(dict(span.attributes or {})))
        out.append(str(span.status.description))
        for event in span.events:
            out.append(event.name + repr(dict(event.attributes or {})))
    return "\n".join(out)


def tracer(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


async def fail_with_a_400(content: bool, exporter: InMemorySpanExporter) -> None:
    quoted = ProviderError(
        f"openai: HTTP 400: messages[0].content '{PROMPT}' is too long",
        provider="openai",
        status=400,
    )
    agent = Agent(ScriptedModel([quoted]), trace_content=content, tracer_provider=tracer(exporter))
    with pytest.raises(ProviderError):
        await agent.run(PROMPT)


async def fail_validation(content: bool, exporter: InMemorySpanExporter) -> None:
    bad = reply(tool_calls=[("c1", "final_answer", f'{{"score": "{ANSWER}"}}')])
    agent = Agent(
        ScriptedModel([bad]),
        output=Verdict,
        output_retries=0,
        trace_content=content,
        tracer_provider=tracer(exporter),
    )
    with pytest.raises(NoObjectGenerated) as info:
        await agent.run("rate it")
    assert ANSWER in str(info.value)  # the error itself keeps it, for the caller


CASES: dict[str, tuple[Any, str]] = {
    "provider-400": (fail_with_a_400, PROMPT),
    "invalid-final-answer": (fail_validation, ANSWER),
}


@pytest.mark.parametrize("case", CASES)
async def test_a_failure_puts_no_content_in_spans_unless_asked(case: str) -> None:
    fail, secret = CASES[case]
    exporter = InMemorySpanExporter()
    await fail(False, exporter)
    spans = spans_of(exporter)
    failed = [s for s in spans if s.status.status_code == StatusCode.ERROR]
    assert failed, "the failure is recorded"
    for span in failed:
        assert [e.name for e in span.events] == ["exception"]
        assert span.events[0].attributes is not None
        assert "Traceback" in str(span.events[0].attributes["exception.stacktrace"])
    assert secret not in everything(spans)
    if case == "provider-400":
        assert failed[0].status.description == "ProviderError: openai HTTP 400"

    exporter = InMemorySpanExporter()
    await fail(True, exporter)
    assert secret in everything(spans_of(exporter))  # opted in: the whole message
