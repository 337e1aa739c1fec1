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
from reverie.errors import ProviderError
from reverie.http.client import error_message
from reverie.messages import Metadata, TextOutput
from reverie.model import Response
from reverie.providers.openai_responses.finish_reason import map_finish_reason
from reverie.providers.openai_responses.usage import convert_usage
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

    def bad(what: str, value: Any) -> ProviderError:
        return _bad(provider, what, value)

    if not isinstance(body, dict):
        raise bad("the response is not a JSON object", body)
    if body.get("error"):
        message = error_message(body) or str(body["error"])[:500]
        raise ProviderError(f"{provider}: {message}", provider=provider, body=str(body["error"]))
    output = body.get("output")
    if not isinstance(output, list):
        raise bad("'output' is not a list", output)
    names = tool_names or {}
    content: list[Content] = []
    has_calls = False
    for index, item in enumerate(output):
        if not isinstance(item, dict):
            raise bad(f"'output[{index}]' is not an object", item)
        kind = item.get("type")
        if kind == "message":
            parts = item.get("content") or []
            if not isinstance(parts, list):
                raise bad(f"'output[{index}].content' is not a list", parts)
            meta = item_metadata(item)
            for position, part in enumerate(parts):
                if not isinstance(part, dict):
                    raise bad(f"'output[{index}].content[{position}]' is not an object", part)
                text = part.get("text") if part.get("type") == "output_text" else None
                if part.get("type") == "refusal":
                    text = part.get("refusal")
                if isinstance(text, str) and text:
                    content.append(Text(text=text, provider_metadata=_copy(meta)))
                annotations = part.get("annotations") or []
                if not isinstance(annotations, list):
                    raise bad(f"'output[{index}].content[{position}].annotations'", annotations)
                for number, annotation in enumerate(annotations):
                    source = to_source(annotation, f"{item.get('id')}:{position}:{number}")
                    if source is not None:
                        content.append(source)
        elif kind == "reasoning":
            content.extend(reasoning_parts(item, provider))
        elif kind == "function_call":
            content.append(function_call(item, provider))
            has_calls = True
        elif kind == "web_search_call":
            content.extend(web_search(item, names.get(WEB_SEARCH, WEB_SEARCH), provider))
    return Response(
        content=content,
        finish_reason=map_finish_reason(
            body.get("status"), body.get("incomplete_details"), has_calls
        ),
        usage=convert_usage(body.get("usage"), provider),
        provider_metadata=response_metadata(body),
        warnings=warnings,
        model_id=str(body.get("model") or ""),
    )


def response_metadata(response: dict[str, Any]) -> Metadata:
    response_id = response.get("id")
    return {NAMESPACE: {"response_id": response_id}} if isinstance(response_id, str) else {}


def item_metadata(item: dict[str, Any]) -> Metadata:
    return {NAMESPACE: {"item_id": item.get("id")}}


def reasoning_metadata(item: dict[str, Any]) -> Metadata:
    """What a reasoning part must carry to be replayed: the item id and encrypted content."""
    return {
        NAMESPACE: {"item_id": item.get("id"), "encrypted_content": item.get("encrypted_content")}
    }


def summary_texts(item: dict[str, Any], provider: str) -> list[str]:
    summary = item.get("summary") or []
    if not isinstance(summary, list):
        raise _bad(provider, "reasoning 'summary' is not a list", summary)
    texts: list[str] = []
    for part in summary:
        if not isinstance(part, dict) or not isinstance(part.get("text"), str):
            raise _bad(provider, "a reasoning summary part has no text", part)
        texts.append(part["text"])
    return texts


def reasoning_texts(item: dict[str, Any], provider: str) -> list[tuple[int, str]]:
    """The raw reasoning of an item: its ``content``'s ``reasoning_text`` parts, in order,
    each with its position in ``content``."""
    content = item.get("content") or []
    if not isinstance(content, list):
        raise _bad(provider, "reasoning 'content' is not a list", content)
    return [
        (index, part["text"])
        for index, part in enumerate(content)
        if isinstance(part, dict)
        and part.get("type") == "reasoning_text"
        and isinstance(part.get("text"), str)
    ]


def raw_metadata(metadata: Metadata) -> Metadata:
    """A raw reasoning part's metadata: its item's, marked to go back as ``reasoning_text``."""
    return {NAMESPACE: {**metadata[NAMESPACE], "reasoning_text": True}}


def reasoning_parts(item: dict[str, Any], provider: str) -> list[Reasoning]:
    metadata = reasoning_metadata(item)
    summaries = summary_texts(item, provider)
    raw = reasoning_texts(item, provider)
    parts = [Reasoning(text=t, provider_metadata=metadata) for t in summaries]
    parts += [Reasoning(text=t, provider_metadata=raw_metadata(metadata)) for _, t in raw]
    return parts or [Reasoning(text="", provider_metadata=metadata)]


def function_call(item: dict[str, Any], provider: str) -> ToolCall:
    call_id = item.get("call_id")
    if not isinstance(call_id, str) or not call_id:
        raise _bad(provider, "function call without 'call_id'", item)
    arguments = item.get("arguments")
    if isinstance(arguments, dict):  # an object sent unencoded: the intent is plain
        arguments = json.dumps(arguments)
    return ToolCall(
        tool_call_id=call_id,
        tool_name=str(item.get("name") or ""),
        input=str(arguments or "{}"),
        provider_metadata=item_metadata(item),
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


def web_search(item: dict[str, Any], name: str, provider: str) -> list[Content]:
    if not isinstance(item.get("id"), str):
        raise _bad(provider, "web search call without 'id'", item)
    call = ToolCall(
        tool_call_id=item["id"],
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


def _bad(provider: str, what: str, value: Any) -> ProviderError:
    return ProviderError(f"{provider}: {what}: {value!r:.200}", provider=provider)
