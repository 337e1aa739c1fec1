"""One Call → one Responses request body, plus warnings for what could not be sent.

``"store": false`` is always sent unless the ``store`` option says otherwise, so OpenAI keeps
nothing by default.
"""

from __future__ import annotations

from typing import Any

from reverie.model import Call
from reverie.providers.openai_models import is_reasoning_model
from reverie.providers.openai_responses.messages import convert_messages
from reverie.providers.openai_responses.options import apply_options
from reverie.providers.openai_responses.tools import prepare_tools
from reverie.providers.openai_strict import close_objects
from reverie.providers.wire import unsupported
from reverie.warning import CallWarning

_SAMPLING = ("temperature", "top_p")
_UNSUPPORTED = ("top_k", "presence_penalty", "frequency_penalty", "seed")


def build_body(
    call: Call, model_id: str, namespace: str, *, stream: bool, host: str = "openai"
) -> tuple[dict[str, Any], list[CallWarning]]:
    body: dict[str, Any] = {"model": model_id, "store": False}
    options = call.provider_options.get(namespace) or {}
    local, warnings = apply_options(body, options, namespace)
    items, message_warnings = convert_messages(
        call.prompt, model_id, local, host=host, foreign_reasoning=call.settings.foreign_reasoning
    )
    body["input"] = items
    warnings += message_warnings

    settings = call.settings
    if settings.max_output_tokens is not None:
        body["max_output_tokens"] = settings.max_output_tokens
    reasoning = is_reasoning_model(model_id)
    for name in _SAMPLING:
        value = getattr(settings, name)
        if value is None:
            continue
        if reasoning:
            warnings.append(unsupported(name, f"{model_id} does not accept {name}"))
        else:
            body[name] = value
    for name in _UNSUPPORTED:
        if getattr(settings, name) is not None:
            warnings.append(unsupported(name, f"the Responses API has no {name}"))
    if settings.stop_sequences:
        warnings.append(unsupported("stop_sequences", "the Responses API has no stop sequences"))

    if call.response_format is not None:
        fmt = call.response_format
        wire: dict[str, Any] = {
            "type": "json_schema",
            "name": fmt.name or "response",
            "schema": close_objects(dict(fmt.schema), require_all=bool(local.strict_json_schema)),
        }
        if local.strict_json_schema is not None:
            wire["strict"] = local.strict_json_schema
        body.setdefault("text", {})["format"] = wire

    tools, tool_choice, tool_warnings = prepare_tools(call.tools, call.tool_choice)
    warnings += tool_warnings
    if tools:
        body["tools"] = tools
        body["tool_choice"] = tool_choice
    if stream:
        body["stream"] = True
    return body, warnings
