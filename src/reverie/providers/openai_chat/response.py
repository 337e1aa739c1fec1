"""A non-streaming chat-completions answer → Response.

A body that is not the documented shape is a ProviderError naming the field; an empty
``choices`` list is an error too, never an empty success.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.content import Content, Text, ToolCall
from reverie.errors import ProviderError
from reverie.model import Response
from reverie.providers.openai_chat.annotations import Citations
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.finish_reason import map_finish_reason
from reverie.providers.openai_chat.usage import convert_usage
from reverie.warning import CallWarning


def parse_response(
    body: Any, dialect: ChatDialect, warnings: list[CallWarning], provider: str = "openai"
) -> Response:
    def bad(what: str, value: Any) -> ProviderError:
        return ProviderError(f"{provider}: {what}: {value!r:.200}", provider=provider)

    if not isinstance(body, dict):
        raise bad("the response is not a JSON object", body)
    choices = body.get("choices")
    if not isinstance(choices, list):
        raise bad("'choices' is not a list", choices)
    if not choices:
        raise bad("the response has no choices", body)
    choice = choices[0]
    if not isinstance(choice, dict):
        raise bad("'choices[0]' is not an object", choice)
    message = choice.get("message") or {}
    if not isinstance(message, dict):
        raise bad("'choices[0].message' is not an object", message)
    content: list[Content] = list(dialect.reasoning_from_message(message))
    text = message.get("content")
    if isinstance(text, str) and text:
        content.append(Text(text=text))
    content += Citations(provider).read(message.get("annotations"))
    calls = message.get("tool_calls") or ()
    if not isinstance(calls, list | tuple):
        raise bad("'tool_calls' is not a list", calls)
    for index, call in enumerate(calls):
        if not isinstance(call, dict):
            raise bad(f"'tool_calls[{index}]' is not an object", call)
        function = call.get("function") or {}
        if not isinstance(function, dict):
            raise bad(f"'tool_calls[{index}].function' is not an object", function)
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # an object sent unencoded: the intent is plain
            arguments = json.dumps(arguments)
        content.append(
            ToolCall(
                tool_call_id=str(call.get("id") or f"call_{index}"),
                tool_name=str(function.get("name") or ""),
                input=str(arguments or "{}"),
            )
        )
    return Response(
        content=content,
        finish_reason=map_finish_reason(choice.get("finish_reason")),
        usage=convert_usage(body.get("usage"), provider),
        provider_metadata=dialect.response_metadata(body),
        warnings=warnings,
        model_id=str(body.get("model", "")),
    )
