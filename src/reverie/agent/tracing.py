"""OpenTelemetry spans for agent runs, following the GenAI semantic conventions.

A run is an ``invoke_agent`` span; each model call a ``chat {model}`` span and each tool
execution an ``execute_tool {name}`` span, both children of the run's. We create spans only;
exporting them is the application's setup (``reverie[otel]`` needs ``opentelemetry-api``).

Nothing here costs anything unless the application uses OpenTelemetry: a run traces only
when ``opentelemetry.trace`` has been imported by someone (any setup of a tracer provider
does) and a real tracer provider is set, or when the agent is given ``tracer_provider=``.
Otherwise ``opentelemetry`` is never imported.

Message content (prompts, answers, tool arguments and results) is recorded only when asked:
``Agent(trace_content=True)``, or the environment variable
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`` (the one OpenTelemetry's own
GenAI instrumentations read) when ``trace_content`` is left unset.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reverie.content import File, Reasoning, Text, ToolCall, ToolResult
from reverie.errors import ProviderError
from reverie.messages import (
    ErrorOutput,
    FilePart,
    MediaOutput,
    Message,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolOutput,
    ToolResultPart,
)
from reverie.model import Call, FunctionTool, LanguageModel, Response, Settings
from reverie.tools.tool import Tool

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer, TracerProvider

    from reverie.agent.result import RunResult

CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
"""Read when ``trace_content`` is not given: ``true`` records message content."""

_CONTENT_ON = frozenset({"true", "1", "yes", "span_only", "span_and_event"})

PROVIDER_NAMES = {
    "openai": "openai",
    "openai-responses": "openai",
    "azure": "azure.ai.openai",
    "anthropic": "anthropic",
    "bedrock": "aws.bedrock",
    "google": "gcp.gemini",
    "vertex": "gcp.vertex_ai",
}
"""Our provider names where the conventions have a well-known value; others go as they are."""

FINISH_REASONS = {"tool-calls": "tool_call", "content-filter": "content_filter"}
"""Ours → the conventions' spelling (``stop``, ``length`` and ``error`` agree)."""

_SETTINGS = (
    ("max_output_tokens", "gen_ai.request.max_tokens"),
    ("temperature", "gen_ai.request.temperature"),
    ("top_p", "gen_ai.request.top_p"),
    ("top_k", "gen_ai.request.top_k"),
    ("presence_penalty", "gen_ai.request.presence_penalty"),
    ("frequency_penalty", "gen_ai.request.frequency_penalty"),
    ("seed", "gen_ai.request.seed"),
)


def start_run_trace(
    *,
    agent_name: str | None,
    model: LanguageModel,
    tracer_provider: TracerProvider | None,
    trace_content: bool | None,
    streaming: bool,
) -> RunTrace | None:
    """The run's span, or ``None`` (at the cost of a dict lookup) when nothing would record."""
    if tracer_provider is None:
        api = sys.modules.get("opentelemetry.trace")
        if api is None:  # nobody set OpenTelemetry up: spans could not go anywhere
            return None
        tracer_provider = api.get_tracer_provider()
        if isinstance(tracer_provider, api.ProxyTracerProvider | api.NoOpTracerProvider):
            return None  # the API without an SDK: every span would be a no-op
    if trace_content is None:
        trace_content = os.environ.get(CONTENT_ENV, "").strip().lower() in _CONTENT_ON
    return RunTrace(
        _tracer(tracer_provider), agent_name, model, content=trace_content, streaming=streaming
    )


@lru_cache(maxsize=8)
def _tracer(provider: TracerProvider) -> Tracer:
    from reverie.version import __version__

    return provider.get_tracer("reverie", __version__)


class RunTrace:
    """The spans of one run. The run span is never made current: a run's generator may resume
    in another task (the sync facade, a stream read from several places), where detaching a
    context attached earlier fails. Children name it as their parent explicitly; a model call
    (non-streaming) and a tool execution are current while they run, so HTTP client spans and
    the tool's own spans nest under them."""

    def __init__(
        self,
        tracer: Tracer,
        agent_name: str | None,
        model: LanguageModel,
        *,
        content: bool,
        streaming: bool,
    ) -> None:
        from opentelemetry import trace

        self._api = trace
        self.tracer = tracer
        self.content = content
        self.streaming = streaming
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.provider.name": provider_name(model.provider),
            "gen_ai.request.model": model.model_id,
        }
        if agent_name:
            attributes["gen_ai.agent.name"] = agent_name
        self.span = tracer.start_span(
            f"invoke_agent {agent_name or model.model_id}",
            kind=trace.SpanKind.INTERNAL,
            attributes=attributes,
        )
        self.parent = trace.set_span_in_context(self.span)
        self._chat: Span | None = None
        self._closed = False

    # --- model calls -------------------------------------------------------------------

    def start_chat(self, model: LanguageModel, call: Call) -> None:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider_name(model.provider),
            "gen_ai.request.model": model.model_id,
        }
        attributes.update(settings_attributes(call.settings))
        if self.streaming:
            attributes["gen_ai.request.stream"] = True
        if self.content:
            attributes.update(prompt_attributes(call))
        self._chat = self.tracer.start_span(
            f"chat {model.model_id}",
            context=self.parent,
            kind=self._api.SpanKind.CLIENT,
            attributes=attributes,
        )

    async def generate(self, model: LanguageModel, call: Call) -> Response:
        """``model.generate(call)`` with the chat span current."""
        assert self._chat is not None
        with self._api.use_span(self._chat, record_exception=False, set_status_on_exception=False):
            return await model.generate(call)

    def end_chat(self, response: Response) -> None:
        span, self._chat = self._chat, None
        if span is None:
            return
        if span.is_recording():
            span.set_attributes(response_attributes(response))
            if self.content:
                output = [output_message(response)]
                span.set_attribute("gen_ai.output.messages", _json(output))
        span.end()

    # --- tools -------------------------------------------------------------------------

    @contextmanager
    def tool(self, call: ToolCall, tool: Tool) -> Iterator[Callable[[ToolResult], None]]:
        """The ``execute_tool`` span around one call, current while it runs; the caller
        hands the result to the function this yields."""
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool.name,
            "gen_ai.tool.call.id": call.tool_call_id,
            "gen_ai.tool.type": "function",
        }
        if tool.description:
            attributes["gen_ai.tool.description"] = tool.description
        if self.content:
            attributes["gen_ai.tool.call.arguments"] = call.input
        with self.tracer.start_as_current_span(
            f"execute_tool {tool.name}",
            context=self.parent,
            kind=self._api.SpanKind.INTERNAL,
            attributes=attributes,
        ) as span:

            def record(result: ToolResult) -> None:
                if not span.is_recording():
                    return
                if self.content:
                    span.set_attribute("gen_ai.tool.call.result", output_text(result.output))
                if isinstance(result.output, ErrorOutput):
                    span.set_attribute("error.type", "tool_error")
                    # The message may quote the tool's input: content, so only when allowed.
                    message = result.output.message if self.content else None
                    span.set_status(self._api.StatusCode.ERROR, message)

            yield record

    # --- the run's end -----------------------------------------------------------------

    def finish(self, result: RunResult) -> None:
        span = self.span
        if span.is_recording():
            usage = result.usage
            span.set_attributes(
                {
                    "gen_ai.usage.input_tokens": usage.input_tokens,
                    "gen_ai.usage.output_tokens": usage.output_tokens,
                    "reverie.stop_reason": str(result.stop_reason),
                    "reverie.steps": len(result.steps),
                }
            )
            if result.steps:
                reason = result.steps[-1].finish_reason
                span.set_attribute("gen_ai.response.finish_reasons", [finish_reason(reason)])
            if result.pending:
                span.set_attribute(
                    "reverie.pending_tool_call_ids", [p.tool_call_id for p in result.pending]
                )

    def fail(self, error: BaseException) -> None:
        """An error ends the run: it fails the open model call, if any, and the run."""
        if self._chat is not None:
            self._mark(self._chat, error)
            self._chat.end()
            self._chat = None
        self._mark(self.span, error)

    def close(self) -> None:
        """End what is still open; safe to repeat."""
        if self._chat is not None:  # left open by a consumer that stopped reading
            self._chat.end()
            self._chat = None
        if not self._closed:
            self._closed = True
            self.span.end()

    def _mark(self, span: Span, error: BaseException) -> None:
        if not isinstance(error, Exception) or not span.is_recording():
            return  # cancellation and exit are not failures of the call
        if self.content:
            described = f"{type(error).__name__}: {error}"
            span.record_exception(error)
        else:  # a message may quote the prompt (a 400) or the answer (NoObjectGenerated)
            described = content_free(error)
            frames = "".join(traceback.format_tb(error.__traceback__))
            span.record_exception(
                error,
                attributes={
                    "exception.message": described,
                    "exception.stacktrace": f"Traceback (most recent call last):\n{frames}"
                    f"{described}",
                },
            )
        span.set_attribute("error.type", error_type(error))
        span.set_status(self._api.StatusCode.ERROR, described)


def content_free(error: BaseException) -> str:
    """What a failure is, without its message: the type, and for a provider's error who
    answered and the HTTP status (the message may quote the prompt or the answer)."""
    described = type(error).__name__
    if isinstance(error, ProviderError):
        described += f": {error.provider}" if error.provider else ""
        described += f" HTTP {error.status}" if error.status else ""
    return described


def provider_name(provider: str) -> str:
    return PROVIDER_NAMES.get(provider, provider)


def finish_reason(reason: str) -> str:
    return FINISH_REASONS.get(reason, reason)


def error_type(error: BaseException) -> str:
    """The exception's fully qualified class name, as the conventions ask."""
    kind = type(error)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def settings_attributes(settings: Settings) -> dict[str, Any]:
    """The request settings that are set."""
    out: dict[str, Any] = {}
    for field, attribute in _SETTINGS:
        value = getattr(settings, field)
        if value is not None:
            out[attribute] = value
    if settings.stop_sequences:
        out["gen_ai.request.stop_sequences"] = list(settings.stop_sequences)
    return out


def response_attributes(response: Response) -> dict[str, Any]:
    usage = response.usage
    out: dict[str, Any] = {
        "gen_ai.response.finish_reasons": [finish_reason(response.finish_reason)],
        "gen_ai.usage.input_tokens": usage.input_tokens,
        "gen_ai.usage.output_tokens": usage.output_tokens,
    }
    if response.model_id:
        out["gen_ai.response.model"] = response.model_id
    if usage.cache_read_tokens:
        out["gen_ai.usage.cache_read.input_tokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens:
        out["gen_ai.usage.cache_creation.input_tokens"] = usage.cache_write_tokens
    if usage.reasoning_tokens:
        out["gen_ai.usage.reasoning.output_tokens"] = usage.reasoning_tokens
    return out


# --- message content, only when opted in: the conventions' JSON shapes -----------------


def prompt_attributes(call: Call) -> dict[str, str]:
    system = [m for m in call.prompt if m.role == "system"]
    out = {
        "gen_ai.input.messages": _json(
            [input_message(m) for m in call.prompt if m.role != "system"]
        )
    }
    if system:
        out["gen_ai.system_instructions"] = _json(
            [{"type": "text", "content": m.text} for m in system]
        )
    functions = [t for t in call.tools if isinstance(t, FunctionTool)]
    if functions:
        out["gen_ai.tool.definitions"] = _json(
            [
                {
                    "type": "function",
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.input_schema,
                }
                for t in functions
            ]
        )
    return out


def input_message(message: Message) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, TextPart):
            parts.append({"type": "text", "content": part.text})
        elif isinstance(part, ReasoningPart):
            parts.append({"type": "reasoning", "content": part.text})
        elif isinstance(part, ToolCallPart):
            parts.append(_call_part(part.tool_call_id, part.tool_name, part.input))
        elif isinstance(part, ToolResultPart):
            parts.append(
                {
                    "type": "tool_call_response",
                    "id": part.tool_call_id,
                    "response": output_text(part.output),
                }
            )
        elif isinstance(part, FilePart):  # the bytes stay out of traces
            parts.append({"type": "file", "mime_type": part.media_type})
    return {"role": message.role, "parts": parts}


def output_message(response: Response) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for item in response.content:
        if isinstance(item, Text):
            parts.append({"type": "text", "content": item.text})
        elif isinstance(item, Reasoning):
            parts.append({"type": "reasoning", "content": item.text})
        elif isinstance(item, ToolCall):
            parts.append(_call_part(item.tool_call_id, item.tool_name, item.input))
        elif isinstance(item, File):
            parts.append({"type": "file", "mime_type": item.media_type})
    return {
        "role": "assistant",
        "parts": parts,
        "finish_reason": finish_reason(response.finish_reason),
    }


def output_text(output: ToolOutput) -> str:
    if isinstance(output, TextOutput):
        return output.text
    if isinstance(output, ErrorOutput):
        return output.message
    if isinstance(output, MediaOutput):
        return output.text or f"[{output.media_type}]"
    return ""


def _call_part(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    try:
        parsed: Any = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        parsed = arguments
    return {"type": "tool_call", "id": call_id, "name": name, "arguments": parsed}


def _json(value: Sequence[Any]) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
