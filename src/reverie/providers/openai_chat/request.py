"""One Call → one chat-completions request body, plus warnings for what could not be sent."""

from __future__ import annotations

from typing import Any

from reverie.model import Call
from reverie.providers.cache_breakpoints import check_cache_breakpoints
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.messages import convert_messages
from reverie.providers.openai_chat.tools import prepare_tools
from reverie.providers.openai_strict import close_objects
from reverie.providers.wire import unsupported
from reverie.warning import CallWarning

_SAMPLING = ("temperature", "top_p", "presence_penalty", "frequency_penalty")


def build_body(
    call: Call, model_id: str, dialect: ChatDialect, namespace: str, *, stream: bool
) -> tuple[dict[str, Any], list[CallWarning]]:
    messages, warnings = convert_messages(
        call.prompt, dialect, namespace, foreign_reasoning=call.settings.foreign_reasoning
    )
    body: dict[str, Any] = {"model": model_id, "messages": messages}
    settings = call.settings

    if settings.max_output_tokens is not None:
        key = (
            "max_completion_tokens"
            if dialect.uses_max_completion_tokens(model_id)
            else "max_tokens"
        )
        body[key] = settings.max_output_tokens
    rejects = dialect.rejects_sampling(model_id)
    for name in _SAMPLING:
        value = getattr(settings, name)
        if value is None:
            continue
        if rejects:
            warnings.append(unsupported(name, f"{model_id} does not accept {name}"))
        else:
            body[name] = value
    if settings.top_k is not None:
        warnings.append(unsupported("top_k", "chat completions has no top_k"))
    if settings.stop_sequences:
        body["stop"] = list(settings.stop_sequences)
    if settings.seed is not None:
        body["seed"] = settings.seed

    if call.response_format is not None:
        fmt = call.response_format
        schema: dict[str, Any] = {
            "name": fmt.name or "response",
            "schema": close_objects(dict(fmt.schema), require_all=True),
        }
        if fmt.description:
            schema["description"] = fmt.description
        schema["strict"] = True
        body["response_format"] = {"type": "json_schema", "json_schema": schema}

    options = call.provider_options.get(namespace) or {}
    warnings += dialect.apply_options(body, dict(options), call, namespace)

    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}

    tools, tool_choice, tool_warnings = prepare_tools(
        call.tools, call.tool_choice, dialect, namespace
    )
    warnings += tool_warnings
    if tools:
        body["tools"] = tools
        body["tool_choice"] = tool_choice
    dialect.extend_body(body, call, stream)
    check_cache_breakpoints(body, namespace or model_id)
    return body, warnings
