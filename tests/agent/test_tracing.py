"""OpenTelemetry spans of a run, checked attribute by attribute with the SDK's in-memory
exporter; no-op and no import when OpenTelemetry is not set up."""

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from reverie import Agent, PendingCall, ProviderError, StopReason, Usage, tool
from reverie.agent.tracing import CONTENT_ENV, start_run_trace
from reverie.model import Call, Response
from reverie.testing.fake import ScriptedModel, reply

U1 = Usage(input_tokens=10, output_tokens=5, total_tokens=15)
U2 = Usage(
    input_tokens=30,
    output_tokens=7,
    total_tokens=37,
    cache_read_tokens=4,
    cache_write_tokens=2,
    reasoning_tokens=3,
)

CURRENT: list[str] = []


def weather(location: str) -> str:
    """Get the weather"""
    CURRENT.append(trace.get_current_span().name)  # type: ignore[attr-defined]
    return f"40 C in {location}"


async def shout(text: str) -> str:
    """Shout"""
    CURRENT.append(trace.get_current_span().name)  # type: ignore[attr-defined]
    return text.upper()


def broken(x: int) -> str:
    """Fails"""
    raise RuntimeError("disk on fire")


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    CURRENT.clear()
    return InMemorySpanExporter()


def provider_for(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def two_steps(model_id: str = "script-2025") -> ScriptedModel:
    first = reply("Checking.", tool_calls=[("c1", "weather", '{"location": "Rome"}')], usage=U1)
    second = reply("Hot.", usage=U2)
    return ScriptedModel(
        [
            Response(
                content=first.content,
                finish_reason=first.finish_reason,
                usage=U1,
                model_id=model_id,
            ),
            Response(
                content=second.content, finish_reason=second.finish_reason, usage=U2, model_id=""
            ),
        ]
    )


def by_name(spans: tuple[ReadableSpan, ...]) -> dict[str, list[ReadableSpan]]:
    out: dict[str, list[ReadableSpan]] = {}
    for span in spans:
        out.setdefault(span.name, []).append(span)
    return out


def attrs(span: ReadableSpan) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in (span.attributes or {}).items()}


@pytest.mark.parametrize("streaming", [False, True])
async def test_run_chat_and_tool_spans_with_their_attributes(
    exporter: InMemorySpanExporter, streaming: bool
) -> None:
    agent = Agent(
        two_steps(),
        tools=[weather],
        max_output_tokens=200,
        temperature=0.5,
        stop_sequences=["END"],
        seed=7,
        tracer_provider=provider_for(exporter),
    )
    if streaming:
        result = await agent.stream("weather?").collect()
    else:
        result = await agent.run("weather?")
    assert result.text == "Hot."

    spans = exporter.get_finished_spans()
    named = by_name(spans)
    assert sorted(named) == ["chat script", "execute_tool weather", "invoke_agent script"]
    (run,) = named["invoke_agent script"]
    chat1, chat2 = sorted(named["chat script"], key=lambda s: s.start_time or 0)
    (tool_span,) = named["execute_tool weather"]

    # Nesting: one trace; the chat and tool spans are children of the run span.
    assert run.parent is None
    for child in (chat1, chat2, tool_span):
        assert child.parent is not None
        assert child.parent.span_id == run.context.span_id
        assert child.context.trace_id == run.context.trace_id
    assert chat1.end_time <= tool_span.start_time <= tool_span.end_time <= chat2.start_time  # type: ignore[operator]

    assert run.kind == SpanKind.INTERNAL and chat1.kind == SpanKind.CLIENT
    assert tool_span.kind == SpanKind.INTERNAL
    assert attrs(run) == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": "scripted",
        "gen_ai.request.model": "script",
        "gen_ai.usage.input_tokens": 40,
        "gen_ai.usage.output_tokens": 12,
        "gen_ai.response.finish_reasons": ["stop"],
        "reverie.stop_reason": "done",
        "reverie.steps": 2,
    }
    request = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "scripted",
        "gen_ai.request.model": "script",
        "gen_ai.request.max_tokens": 200,
        "gen_ai.request.temperature": 0.5,
        "gen_ai.request.stop_sequences": ["END"],
        "gen_ai.request.seed": 7,
        **({"gen_ai.request.stream": True} if streaming else {}),
    }
    assert attrs(chat1) == {
        **request,
        "gen_ai.response.model": "script-2025",
        "gen_ai.response.finish_reasons": ["tool_call"],
        "gen_ai.usage.input_tokens": 10,
        "gen_ai.usage.output_tokens": 5,
    }
    assert attrs(chat2) == {
        **request,
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.usage.input_tokens": 30,
        "gen_ai.usage.output_tokens": 7,
        "gen_ai.usage.cache_read.input_tokens": 4,
        "gen_ai.usage.cache_creation.input_tokens": 2,
        "gen_ai.usage.reasoning.output_tokens": 3,
    }
    assert attrs(tool_span) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "weather",
        "gen_ai.tool.call.id": "c1",
        "gen_ai.tool.type": "function",
        "gen_ai.tool.description": "Get the weather",
    }
    for span in spans:
        assert span.status.status_code == StatusCode.UNSET
    # The sync tool ran in a worker thread with its span current.
    assert CURRENT == ["execute_tool weather"]


async def test_no_content_unless_asked(exporter: InMemorySpanExporter, monkeypatch: Any) -> None:
    monkeypatch.delenv(CONTENT_ENV, raising=False)
    agent = Agent(
        two_steps(), system="Be brief", tools=[weather], tracer_provider=provider_for(exporter)
    )
    await agent.run("weather in Rome?")
    recorded = json.dumps([attrs(s) for s in exporter.get_finished_spans()])
    for secret in ("Rome", "Be brief", "Hot.", "40 C"):
        assert secret not in recorded

    # trace_content=False wins over the environment.
    monkeypatch.setenv(CONTENT_ENV, "true")
    exporter.clear()
    agent = Agent(
        two_steps(), tools=[weather], trace_content=False, tracer_provider=provider_for(exporter)
    )
    await agent.run("weather in Rome?")
    assert "Rome" not in json.dumps([attrs(s) for s in exporter.get_finished_spans()])


@pytest.mark.parametrize("opt_in", ["argument", "environment"])
async def test_content_when_opted_in(
    exporter: InMemorySpanExporter, monkeypatch: Any, opt_in: str
) -> None:
    if opt_in == "environment":
        monkeypatch.setenv(CONTENT_ENV, "True")
    else:
        monkeypatch.delenv(CONTENT_ENV, raising=False)
    agent = Agent(
        two_steps(),
        system="Be brief",
        tools=[weather],
        trace_content=True if opt_in == "argument" else None,
        tracer_provider=provider_for(exporter),
    )
    await agent.run("weather in Rome?")
    named = by_name(exporter.get_finished_spans())
    chat1, chat2 = sorted(named["chat script"], key=lambda s: s.start_time or 0)
    first = attrs(chat1)
    assert json.loads(first["gen_ai.system_instructions"]) == [
        {"type": "text", "content": "Be brief"}
    ]
    assert json.loads(first["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "weather in Rome?"}]}
    ]
    assert json.loads(first["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [
                {"type": "text", "content": "Checking."},
                {
                    "type": "tool_call",
                    "id": "c1",
                    "name": "weather",
                    "arguments": {"location": "Rome"},
                },
            ],
            "finish_reason": "tool_call",
        }
    ]
    (definition,) = json.loads(first["gen_ai.tool.definitions"])
    assert definition["name"] == "weather" and definition["type"] == "function"
    assert definition["parameters"]["properties"]["location"]["type"] == "string"
    assert json.loads(attrs(chat2)["gen_ai.input.messages"])[-1] == {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "c1", "response": "40 C in Rome"}],
    }
    (tool_span,) = named["execute_tool weather"]
    assert attrs(tool_span)["gen_ai.tool.call.arguments"] == '{"location": "Rome"}'
    assert attrs(tool_span)["gen_ai.tool.call.result"] == "40 C in Rome"


async def test_a_failed_model_call_sets_error_status_on_chat_and_run(
    exporter: InMemorySpanExporter,
) -> None:
    failing = ProviderError("overloaded", provider="scripted", status=529)
    model = ScriptedModel([reply(tool_calls=[("c1", "weather", '{"location": "x"}')]), failing])
    agent = Agent(model, tools=[weather], name="helper", tracer_provider=provider_for(exporter))
    with pytest.raises(ProviderError):
        await agent.run("go")
    named = by_name(exporter.get_finished_spans())
    (run,) = named["invoke_agent helper"]
    assert attrs(run)["gen_ai.agent.name"] == "helper"
    ok, failed = sorted(named["chat script"], key=lambda s: s.start_time or 0)
    assert ok.status.status_code == StatusCode.UNSET
    for span in (failed, run):
        assert span.status.status_code == StatusCode.ERROR
        assert span.status.description == "ProviderError: scripted HTTP 529"  # no message
        assert attrs(span)["error.type"] == "reverie.errors.ProviderError"
        assert [e.name for e in span.events] == ["exception"]
    assert "gen_ai.usage.input_tokens" not in attrs(failed)


async def test_a_failing_tool_sets_error_status_on_its_span_only(
    exporter: InMemorySpanExporter,
) -> None:
    model = ScriptedModel([reply(tool_calls=[("c1", "broken", '{"x": 1}')]), reply("sorry")])
    agent = Agent(model, tools=[broken], tracer_provider=provider_for(exporter))
    await agent.run("go")
    named = by_name(exporter.get_finished_spans())
    (tool_span,) = named["execute_tool broken"]
    assert tool_span.status.status_code == StatusCode.ERROR
    assert tool_span.status.description is None  # the message is content: not by default
    assert attrs(tool_span)["error.type"] == "tool_error"
    assert named["invoke_agent script"][0].status.status_code == StatusCode.UNSET

    exporter.clear()
    model = ScriptedModel([reply(tool_calls=[("c1", "broken", '{"x": 1}')]), reply("sorry")])
    agent = Agent(model, tools=[broken], trace_content=True, tracer_provider=provider_for(exporter))
    await agent.run("go")
    (tool_span,) = by_name(exporter.get_finished_spans())["execute_tool broken"]
    assert tool_span.status.description == "RuntimeError: disk on fire"


async def test_the_model_call_and_an_async_tool_run_with_their_span_current(
    exporter: InMemorySpanExporter,
) -> None:
    class Recording(ScriptedModel):
        async def generate(self, call: Call) -> Response:
            CURRENT.append(trace.get_current_span().name)  # type: ignore[attr-defined]
            return await super().generate(call)

    model = Recording([reply(tool_calls=[("c1", "shout", '{"text": "hi"}')]), reply("HI")])
    await Agent(model, tools=[shout], tracer_provider=provider_for(exporter)).run("go")
    assert CURRENT == ["chat script", "execute_tool shout", "chat script"]
    # The run span is not left current for the caller.
    assert not trace.get_current_span().get_span_context().is_valid


async def test_an_approval_pause_is_on_the_run_span_and_a_denied_call_has_no_span(
    exporter: InMemorySpanExporter,
) -> None:
    guarded = tool(name="weather", needs_approval=True)(weather)
    model = ScriptedModel([reply(tool_calls=[("c1", "weather", '{"location": "x"}')]), reply("ok")])
    agent = Agent(model, tools=[guarded], tracer_provider=provider_for(exporter))
    paused = await agent.run("go")
    assert paused.stop_reason == StopReason.APPROVAL
    (run,) = exporter.get_finished_spans()[-1:]
    assert attrs(run)["reverie.stop_reason"] == "approval"
    assert attrs(run)["reverie.pending_tool_call_ids"] == ["c1"]
    await agent.run(messages=paused.messages, approvals={paused.pending[0]: "no"})
    assert "execute_tool weather" not in by_name(exporter.get_finished_spans())


async def test_provider_names_follow_the_conventions(exporter: InMemorySpanExporter) -> None:
    for ours, theirs in (("bedrock", "aws.bedrock"), ("openrouter", "openrouter")):
        exporter.clear()
        model = ScriptedModel([reply("hi")], provider=ours)
        await Agent(model, tracer_provider=provider_for(exporter)).run("go")
        assert {attrs(s)["gen_ai.provider.name"] for s in exporter.get_finished_spans()} == {theirs}


def test_the_api_without_an_sdk_is_not_traced() -> None:
    # In this process opentelemetry.trace is imported but no provider is set globally.
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    model = ScriptedModel([])
    assert (
        start_run_trace(
            agent_name=None, model=model, tracer_provider=None, trace_content=None, streaming=False
        )
        is None
    )


def test_tracer_provider_is_checked() -> None:
    with pytest.raises(TypeError, match="tracer_provider must be an OpenTelemetry"):
        Agent(ScriptedModel([]), tracer_provider="jaeger")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="trace_content must be a bool"):
        Agent(ScriptedModel([]), trace_content="yes")  # type: ignore[arg-type]


def _run_script(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


AGENT = """
import reverie
from reverie.testing.fake import ScriptedModel, reply

def add(a: int, b: int) -> int:
    "Add"
    return a + b

model = ScriptedModel([reply(tool_calls=[("c1", "add", '{"a": 1, "b": 2}')]), reply("3")])
result = reverie.Agent(model, tools=[add]).run_sync("1+2?")
assert result.text == "3"
"""


def test_the_global_tracer_provider_is_used_when_set() -> None:
    code = (
        """
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        """
        + textwrap.indent(AGENT, "        ")
        + """
        print(sorted(s.name for s in exporter.get_finished_spans()))
        """
    )
    assert _run_script(code) == str(
        ["chat script", "chat script", "execute_tool add", "invoke_agent script"]
    )


def test_a_run_without_opentelemetry_set_up_imports_none_of_it() -> None:
    code = AGENT + "\nimport sys\nprint(sorted(m for m in sys.modules if 'opentelemetry' in m))"
    assert _run_script(code) == "[]"


def test_a_run_works_when_opentelemetry_is_not_installed() -> None:
    code = "import sys\nsys.modules['opentelemetry'] = None\n" + AGENT + "\nprint('ok')"
    assert _run_script(code) == "ok"


async def test_a_traced_run_keeps_the_tool_timeout_and_the_hooks(
    exporter: InMemorySpanExporter,
) -> None:
    import anyio

    async def slow(location: str) -> str:
        """Slow"""
        await anyio.sleep(5)
        return "late"

    model = ScriptedModel([reply(tool_calls=[("c1", "slow", '{"location": "Rome"}')]), reply("ok")])
    agent = Agent(
        model,
        tools=[slow],
        tool_timeout=0.02,
        after_tool=lambda call, result, context: f"after: {result.output.message}",
        tracer_provider=provider_for(exporter),
    )
    result = await agent.run("go")
    [tool_result] = result.steps[0].tool_results
    assert tool_result.output.text == "after: the tool 'slow' timed out after 0.02 s"
    assert "execute_tool slow" in by_name(exporter.get_finished_spans())


async def test_calls_screened_for_approval_keep_the_timeout_and_their_spans(
    exporter: InMemorySpanExporter,
) -> None:
    import anyio

    @tool(needs_approval=lambda call, context: True)
    async def slow(location: str) -> str:
        """Slow"""
        await anyio.sleep(5)
        return "late"

    model = ScriptedModel([reply(tool_calls=[("c1", "slow", '{"location": "Rome"}')]), reply("ok")])
    agent = Agent(model, tools=[slow], tool_timeout=0.02, tracer_provider=provider_for(exporter))
    result = await agent.run("go")
    [tool_result] = result.steps[0].tool_results
    assert tool_result.output.message == "the tool 'slow' timed out after 0.02 s"
    assert "execute_tool slow" in by_name(exporter.get_finished_spans())


async def test_a_traced_run_sends_the_model_the_steps_call(exporter: InMemorySpanExporter) -> None:
    model = ScriptedModel([reply("hi")])
    await Agent(model, system="Be brief", tracer_provider=provider_for(exporter)).run("hello")
    [call] = model.calls
    assert [m.role for m in call.prompt] == ["system", "user"]


async def test_a_call_resumed_after_approval_has_its_tool_span(
    exporter: InMemorySpanExporter,
) -> None:
    from reverie import Message, ToolCallPart, user_message

    @tool(needs_approval=True)
    def wipe(path: str) -> str:
        """Wipe"""
        return f"wiped {path}"

    history = [
        user_message("wipe a"),
        Message(
            role="assistant",
            content=(ToolCallPart(tool_call_id="c1", tool_name="wipe", input='{"path": "a"}'),),
        ),
    ]
    agent = Agent(
        ScriptedModel([reply("done")]), tools=[wipe], tracer_provider=provider_for(exporter)
    )
    shown = PendingCall(tool_call_id="c1", tool_name="wipe", input='{"path": "a"}')
    result = await agent.run(messages=history, approvals={shown: True})
    assert result.resumed[0].output.text == "wiped a"
    assert "execute_tool wipe" in by_name(exporter.get_finished_spans())
