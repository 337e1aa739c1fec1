"""One Call → one Gemini ``generateContent`` body, plus warnings for what could not be sent.

The body is the same for the plain and the streaming endpoint; only the URL differs.
"""

from __future__ import annotations

from typing import Any

from reverie.model import Call
from reverie.providers.google.messages import convert_messages, validates_signatures
from reverie.providers.google.options import apply_options
from reverie.providers.google.tools import prepare_tools
from reverie.providers.wire import unsupported
from reverie.warning import CallWarning

# Our setting → its generationConfig name.
_SETTINGS = (
    ("max_output_tokens", "maxOutputTokens"),
    ("temperature", "temperature"),
    ("top_p", "topP"),
    ("top_k", "topK"),
    ("presence_penalty", "presencePenalty"),
    ("frequency_penalty", "frequencyPenalty"),
    ("seed", "seed"),
)


def build_body(
    call: Call, *, namespace: str, send_ids: bool, host: str = "google", model_id: str = ""
) -> tuple[dict[str, Any], list[CallWarning]]:
    system, contents, warnings = convert_messages(
        call.prompt,
        send_ids=send_ids,
        host=host,
        foreign_reasoning=call.settings.foreign_reasoning or "drop",
        dummy_signatures=validates_signatures(model_id),
    )
    body: dict[str, Any] = {"contents": contents}
    if system is not None:
        body["systemInstruction"] = system

    config: dict[str, Any] = {}
    settings = call.settings
    for name, wire in _SETTINGS:
        value = getattr(settings, name)
        if value is not None:
            config[wire] = value
    if settings.stop_sequences:
        config["stopSequences"] = list(settings.stop_sequences)
    if call.response_format is not None:
        # Gemini takes JSON schema itself here (responseJsonSchema), unconverted.
        config["responseMimeType"] = "application/json"
        config["responseJsonSchema"] = dict(call.response_format.schema)
    calling: dict[str, Any] = {}
    options = call.provider_options.get(namespace)
    warnings += apply_options(body, config, options, namespace, calling)
    if config:
        body["generationConfig"] = config

    tools, tool_config, tool_warnings = prepare_tools(call.tools, call.tool_choice)
    warnings += tool_warnings
    if tools:
        body["tools"] = tools
    if tool_config is not None:
        tool_config["functionCallingConfig"].update(calling)
        body["toolConfig"] = tool_config
    elif calling:
        warnings.append(
            unsupported(
                f"{namespace}.stream_function_call_arguments",
                "there are no function tools whose arguments could stream; not sent",
            )
        )
    return body, warnings
