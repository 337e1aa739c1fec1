"""A non-streaming chat-completions answer → Response.

A body that is not the documented shape is a ProviderError naming the field; an empty
``choices`` list is an error too, never an empty success.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.content import Content, Text, ToolCall
from reverie.model import Response
from reverie.providers.openai_chat.annotations import Citations
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.errors import ERRORS
from reverie.providers.openai_chat.finish_reason import map_finish_reason, refused
from reverie.providers.openai_chat.usage import convert_usage
from reverie.providers.wire import Reader
from reverie.warning import CallWarning


def parse_response(
    body: Any, dialect: ChatDialect, warnings: list[CallWarning], provider: str = "openai"
) -> Response:
    read = Reader(provider)
    error = ERRORS.in_body(body, provider)
    if error is not None:
        raise ERRORS.classify(error)
    body = read.answer(body)
    choices = read.items(body.get("choices"), "choices")
    if not choices:
        raise read.error(f"the response has no choices: {body!r:.200}")
    choice = read.obj(choices[0], "choices[0]")
    message = read.opt_obj(choice.get("message"), "choices[0].message")
    content: list[Content] = list(dialect.reasoning_from_message(message))
    text = _text(message.get("content"), read)
    if text:
        content.append(Text(text=text))
    # A refusal (structured outputs) comes instead of the content: it is the answer's text.
    refusal = read.opt_text(message.get("refusal"), "choices[0].message.refusal")
    if refusal:
        content.append(Text(text=refusal))
    annotations = message.get("annotations")
    if annotations:  # rare: most answers cite nothing
        content += Citations(provider).read(annotations)
    where = "choices[0].message.tool_calls"
    for index, call in enumerate(read.items(message.get("tool_calls"), where)):
        call = read.obj(call, (where, index))
        function = read.opt_obj(call.get("function"), (where, index, "function"))
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # an object sent unencoded: the intent is plain
            arguments = json.dumps(arguments)
        content.append(
            ToolCall(
                tool_call_id=read.name(call.get("id"), (where, index, "id")) or f"call_{index}",
                tool_name=read.name(function.get("name"), (where, index, "function", "name")),
                input=read.name(arguments, (where, index, "function", "arguments")) or "{}",
            )
        )
    return Response(
        content=content,
        finish_reason=refused(
            map_finish_reason(
                read.opt_text(choice.get("finish_reason"), "choices[0].finish_reason")
            ),
            bool(refusal),
        ),
        usage=convert_usage(body.get("usage"), provider),
        provider_metadata=dialect.response_metadata(body),
        warnings=warnings,
        model_id=read.name(body.get("model"), "model"),
    )


def _text(value: Any, read: Reader) -> str | None:
    """The message's text: a string, or a list of content parts whose text parts count."""
    where = "choices[0].message.content"
    if not isinstance(value, list):
        return read.opt_text(value, where)
    texts = []
    for index, part in enumerate(value):
        part = read.obj(part, (where, index))
        if part.get("type") == "text":
            texts.append(read.text(part.get("text"), (where, index, "text")))
    return "".join(texts)
