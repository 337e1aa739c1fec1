"""A non-streaming Responses answer → Response, and the output items both paths share.

Each ``output`` item becomes content: ``message`` → text (and a source per URL citation),
``reasoning`` → one reasoning part per summary part, then one per raw ``reasoning_text``
part of its ``content`` (at least one, so the encrypted content is kept even without
either), ``function_call`` → a tool call, ``web_search_call`` → a
provider-executed tool call and its result. A body that is not the documented shape is a
ProviderError naming the field.

The response id is kept in ``provider_metadata["openai"]["response_id"]``; passing it back
as the ``previous_response_id`` option (with ``store`` on) continues server-side state.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.content import Content, Reasoning, Source, Text, ToolCall, ToolResult
from reverie.messages import Metadata, TextOutput
from reverie.model import Response
from reverie.providers.openai_responses.errors import ERRORS
from reverie.providers.openai_responses.finish_reason import map_finish_reason
from reverie.providers.openai_responses.usage import convert_usage
from reverie.providers.portable import stamp_host
from reverie.providers.wire import Reader, show
from reverie.warning import CallWarning

NAMESPACE = "openai"
WEB_SEARCH = "web_search"


def parse_response(
    body: Any,
    warnings: list[CallWarning],
    provider: str = "openai",
    tool_names: dict[str, str] | None = None,
) -> Response:
    """``tool_names``: wire type of a provider tool → the name the caller gave it."""
    read = Reader(provider)
    body = read.answer(body)
    error = ERRORS.in_body(body, provider)
    if error is not None:
        raise ERRORS.classify(error)
    names = tool_names or {}
    content: list[Content] = []
    has_calls = False
    output = body.get("output")
    if not isinstance(output, list):
        raise read.malformed("output", output, "a list")
    for index, item in enumerate(output):
        item = read.obj(item, ("output", index))
        kind = item.get("type")
        if kind == "message":
            content.extend(message_content(item, read, ("output", index)))
        elif kind == "reasoning":
            content.extend(reasoning_parts(item, read))
        elif kind == "function_call":
            content.append(function_call(item, read))
            has_calls = True
        elif kind == "web_search_call":
            content.extend(web_search(item, names.get(WEB_SEARCH, WEB_SEARCH), read))
    return Response(
        content=content,
        finish_reason=map_finish_reason(
            read.opt_text(body.get("status"), "status"),
            read.opt_obj(body.get("incomplete_details"), "incomplete_details"),
            has_calls,
        ),
        usage=convert_usage(body.get("usage"), provider),
        provider_metadata=response_metadata(body),
        warnings=warnings,
        model_id=read.name(body.get("model"), "model"),
    )


def message_content(
    item: dict[str, Any], read: Reader, where: tuple[str | int, ...]
) -> list[Content]:
    """A message item's text (output text and refusals) and the sources its citations name."""
    content: list[Content] = []
    meta = item_metadata(item, read.provider)
    for position, part in enumerate(read.items(item.get("content"), (*where, "content"))):
        at = (*where, "content", position)
        part = read.obj(part, at)
        kind = part.get("type")
        text = None
        if kind == "output_text":
            text = read.opt_text(part.get("text"), (*at, "text"))
        elif kind == "refusal":
            text = read.opt_text(part.get("refusal"), (*at, "refusal"))
        if text:
            content.append(Text(text=text, provider_metadata=_copy(meta)))
        annotations = read.items(part.get("annotations"), (*at, "annotations"))
        for number, annotation in enumerate(annotations):
            source = to_source(annotation, f"{item.get('id')}:{position}:{number}")
            if source is not None:
                content.append(source)
    return content


def response_metadata(response: dict[str, Any]) -> Metadata:
    response_id = response.get("id")
    return {NAMESPACE: {"response_id": response_id}} if isinstance(response_id, str) else {}


def item_metadata(item: dict[str, Any], host: str = NAMESPACE) -> Metadata:
    """The item's id (and the host that made it, when not OpenAI: ids and encrypted content
    are valid only where they were made)."""
    return stamp_host({NAMESPACE: {"item_id": item.get("id")}}, NAMESPACE, host)


def reasoning_metadata(item: dict[str, Any], host: str = NAMESPACE) -> Metadata:
    """What a reasoning part must carry to be replayed: the item id and encrypted content."""
    values = {"item_id": item.get("id"), "encrypted_content": item.get("encrypted_content")}
    return stamp_host({NAMESPACE: values}, NAMESPACE, host)


def summary_texts(item: dict[str, Any], read: Reader) -> list[str]:
    return [
        read.text(read.obj(part, ("summary", index)).get("text"), ("summary", index, "text"))
        for index, part in enumerate(read.items(item.get("summary"), "reasoning.summary"))
    ]


def reasoning_texts(item: dict[str, Any], read: Reader) -> list[tuple[int, str]]:
    """The raw reasoning of an item: its ``content``'s ``reasoning_text`` parts, in order,
    each with its position in ``content``."""
    texts: list[tuple[int, str]] = []
    for index, part in enumerate(read.items(item.get("content"), "reasoning.content")):
        where = ("reasoning", "content", index)
        part = read.obj(part, where)
        if part.get("type") == "reasoning_text":
            texts.append((index, read.text(part.get("text"), (*where, "text"))))
    return texts


def raw_metadata(metadata: Metadata) -> Metadata:
    """A raw reasoning part's metadata: its item's, marked to go back as ``reasoning_text``."""
    return {NAMESPACE: {**metadata[NAMESPACE], "reasoning_text": True}}


def reasoning_parts(item: dict[str, Any], read: Reader) -> list[Reasoning]:
    metadata = reasoning_metadata(item, read.provider)
    summaries = summary_texts(item, read)
    raw = reasoning_texts(item, read)
    parts = [Reasoning(text=t, provider_metadata=metadata) for t in summaries]
    parts += [Reasoning(text=t, provider_metadata=raw_metadata(metadata)) for _, t in raw]
    return parts or [Reasoning(text="", provider_metadata=metadata)]


def function_call(item: dict[str, Any], read: Reader) -> ToolCall:
    call_id = read.name(item.get("call_id"), "function_call.call_id")
    if not call_id:
        raise read.error(f"function call without 'call_id': {show(item)}")
    arguments = item.get("arguments")
    if isinstance(arguments, dict):  # an object sent unencoded: the intent is plain
        arguments = json.dumps(arguments)
    return ToolCall(
        tool_call_id=call_id,
        tool_name=read.name(item.get("name"), "function_call.name"),
        input=read.name(arguments, "function_call.arguments") or "{}",
        provider_metadata=item_metadata(item, read.provider),
    )


def web_search_input(item: dict[str, Any]) -> str:
    action = item.get("action")
    return dump(action) if isinstance(action, dict) else "{}"


def web_search_result(item: dict[str, Any], name: str) -> ToolResult:
    """The provider-executed result of a web search call: its status and action."""
    return ToolResult(
        tool_call_id=str(item.get("id")),
        tool_name=name,
        output=TextOutput(text=dump({"status": item.get("status"), "action": item.get("action")})),
        input=web_search_input(item),
        provider_executed=True,
    )


def web_search(item: dict[str, Any], name: str, read: Reader) -> list[Content]:
    call = ToolCall(
        tool_call_id=read.text(item.get("id"), "web_search_call.id"),
        tool_name=name,
        input=web_search_input(item),
        provider_executed=True,
    )
    return [call, web_search_result(item, name)]


def to_source(annotation: Any, id: str) -> Source | None:
    """A URL or file citation → Source; other annotations carry no source."""
    if not isinstance(annotation, dict):
        return None
    kind = annotation.get("type")
    if kind == "url_citation":
        url = annotation.get("url")
        return Source(
            id=id,
            source_type="url",
            url=url if isinstance(url, str) else None,
            title=annotation.get("title") if isinstance(annotation.get("title"), str) else None,
        )
    if kind == "file_citation":
        filename = annotation.get("filename")
        return Source(
            id=id,
            source_type="document",
            title=filename if isinstance(filename, str) else None,
            filename=filename if isinstance(filename, str) else None,
            provider_metadata={NAMESPACE: {"file_id": annotation.get("file_id")}},
        )
    return None


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _copy(meta: Metadata) -> Metadata:
    return {k: dict(v) for k, v in meta.items()}
