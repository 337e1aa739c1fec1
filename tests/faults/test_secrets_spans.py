"""A key the provider echoes in an error (an HTTP error, an in-band stream error) reaches no
OpenTelemetry span of the run: status, events, the recorded exception and its stack."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import reverie

from .families import CASE_IDS, CASES, Case
from .test_secrets_streamed import KEY, TOKEN, FakeGoogleCredentials
from .wire_faults import stream_head


def spans_text(exporter: InMemorySpanExporter) -> str:
    out = []
    for span in exporter.get_finished_spans():
        out.append(json.dumps(dict(span.attributes or {}), default=str))
        out.append(str(span.status.description))
        for event in span.events:
            out.append(json.dumps(dict(event.attributes or {}), default=str))
    return "\n".join(out)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("how", ["http", "stream-event"])
@pytest.mark.parametrize("content", [True, False], ids=["content", "no-content"])
async def test_an_echoed_key_reaches_no_span(case: Case, how: str, content: bool) -> None:
    secret = KEY if case.keyed else TOKEN

    def echo(request: httpx2.Request) -> httpx2.Response:
        quoted = request.headers.get("authorization") or request.headers.get("x-api-key") or ""
        quoted = quoted or request.headers.get("api-key") or request.headers.get("x-goog-api-key")
        message = f"invalid key {quoted} ({secret})"
        if how == "http":
            return httpx2.Response(401, json={"error": {"message": message, "type": "auth"}})
        head = stream_head(case.family.name, "Hi")
        if case.family.name == "bedrock":
            from reverie.testing.eventstream import encode_frame

            headers = {":message-type": "exception", ":exception-type": "accessDeniedException"}
            tail = encode_frame(headers, json.dumps({"message": message}).encode())
        elif case.family.name == "gemini":
            tail = f"data: {json.dumps({'error': {'code': 403, 'message': message}})}\n\n".encode()
        else:
            event = {"type": "error", "error": {"type": "authentication_error", "message": message}}
            tail = f"event: error\ndata: {json.dumps(event)}\n\n".encode()
        kind = case.family.content_type
        return httpx2.Response(200, headers={"content-type": kind}, content=head + tail)

    exporter = InMemorySpanExporter()
    tracer = TracerProvider()
    tracer.add_span_processor(SimpleSpanProcessor(exporter))
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(echo))
    settings: dict[str, Any] = {**dict(case.settings), "client": client}
    settings["retry"] = reverie.RetryPolicy(max_retries=0)
    if case.keyed:
        settings["api_key"] = KEY
    else:
        settings["credentials"] = FakeGoogleCredentials()
    model = reverie.provider(case.provider, **settings).model(case.model)
    agent = reverie.Agent(model, tracer_provider=tracer, trace_content=content)
    with pytest.raises(reverie.ProviderError) as info:
        if how == "http":
            await agent.run("hi")
        else:
            await agent.stream("hi").collect()
    await client.aclose()
    recorded = spans_text(exporter)
    assert exporter.get_finished_spans()
    assert ("invalid key" in recorded) is content  # the message is there only on opt-in
    assert secret not in recorded and secret not in str(info.value)
