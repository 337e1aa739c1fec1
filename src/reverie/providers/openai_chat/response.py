"""A non-streaming chat-completions answer → Response."""

from __future__ import annotations

from typing import Any

from reverie.content import Content, Text, ToolCall
from reverie.model import Response
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.finish_reason import map_finish_reason
from reverie.providers.openai_chat.usage import convert_usage
from reverie.warning import CallWarning


def parse_response(
    body: dict[str, Any], dialect: ChatDialect, warnings: list[CallWarning]
) -> Response:
    choices = body.get("choices") or [{}]
    choice = choices[0]
    message = choice.get("message") or {}
    content: list[Content] = list(dialect.reasoning_from_message(message))
    text = message.get("content")
    if isinstance(text, str) and text:
        content.append(Text(text=text))
    for index, call in enumerate(message.get("tool_calls") or ()):
        function = call.get("function") or {}
        content.append(
            ToolCall(
                tool_call_id=call.get("id") or f"call_{index}",
                tool_name=function.get("name", ""),
                input=function.get("arguments") or "{}",
            )
        )
    return Response(
        content=content,
        finish_reason=map_finish_reason(choice.get("finish_reason")),
        usage=convert_usage(body.get("usage")),
        provider_metadata=dialect.response_metadata(body),
        warnings=warnings,
        model_id=str(body.get("model", "")),
    )
