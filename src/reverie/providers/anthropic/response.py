"""A non-streaming Anthropic answer → Response; also the block conversions the stream shares
(provider-executed results, citations)."""

from __future__ import annotations

import json
from typing import Any

from reverie.content import Content, Reasoning, Source, Text, ToolCall, ToolResult
from reverie.messages import ErrorOutput, Metadata, TextOutput, ToolOutput
from reverie.model import Response
from reverie.providers.anthropic.errors import ERRORS
from reverie.providers.anthropic.finish_reason import map_finish_reason
from reverie.providers.anthropic.options import NAMESPACE
from reverie.providers.anthropic.usage import convert_usage
from reverie.providers.portable import stamp_host
from reverie.providers.wire import Reader
from reverie.warning import CallWarning


def parse_response(body: Any, provider: str, warnings: list[CallWarning]) -> Response:
    read = Reader(provider)
    body = read.answer(body)
    error = ERRORS.in_body(body, provider)
    if error is not None:
        raise ERRORS.classify(error)
    blocks = body.get("content")
    if not isinstance(blocks, list):
        raise read.malformed("content", blocks, "a list")
    content: list[Content] = []
    names: dict[str, str] = {}  # server tool call id → tool name, for its result
    for index, block in enumerate(blocks):
        at = ("content", index)
        block = read.obj(block, at)
        kind = block.get("type")
        if kind == "text":
            text = read.name(block.get("text"), (*at, "text"))
            if text:
                content.append(Text(text=text))
            for citation in read.items(block.get("citations"), (*at, "citations")):
                source = citation_source(citation, len(content))
                if source is not None:
                    content.append(source)
        elif kind == "thinking":
            signature = read.name(block.get("signature"), (*at, "signature"))
            meta = {NAMESPACE: {"signature": signature}}
            text = read.name(block.get("thinking"), (*at, "thinking"))
            content.append(Reasoning(text=text, provider_metadata=meta))
        elif kind == "redacted_thinking":
            meta = {NAMESPACE: {"redacted_data": read.name(block.get("data"), (*at, "data"))}}
            content.append(Reasoning(text="", provider_metadata=meta))
        elif kind in ("tool_use", "server_tool_use"):
            name = read.name(block.get("name"), (*at, "name"))
            arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
            call_id = read.name(block.get("id"), (*at, "id"))
            names[call_id] = name
            content.append(
                ToolCall(
                    tool_call_id=call_id,
                    tool_name=name,
                    input=arguments,
                    provider_executed=kind == "server_tool_use",
                )
            )
        elif isinstance(kind, str) and kind.endswith("_tool_result") and "tool_use_id" in block:
            content.append(server_result(block, names, provider))
    return Response(
        content=content,
        finish_reason=map_finish_reason(read.opt_text(body.get("stop_reason"), "stop_reason")),
        usage=convert_usage(body.get("usage"), provider),
        warnings=warnings,
        model_id=read.name(body.get("model"), "model"),
    )


def server_result(
    block: dict[str, Any], names: dict[str, str], host: str = NAMESPACE
) -> ToolResult:
    """A provider-executed tool's result block (``web_search_tool_result``…): the block's
    content is kept in metadata to be sent back as it came."""
    call_id = str(block.get("tool_use_id") or "")
    kind = str(block["type"])
    raw = block.get("content")
    # recorded quirk: fantasy replays search results without their null fields (page_age).
    replay = [_without_nulls(item) for item in raw] if isinstance(raw, list) else raw
    # The host is recorded (when not Anthropic's API): no host documents another's results.
    meta: Metadata = stamp_host({NAMESPACE: {"type": kind, "content": replay}}, NAMESPACE, host)
    return ToolResult(
        tool_call_id=call_id,
        tool_name=names.get(call_id) or kind.removesuffix("_tool_result"),
        output=_result_output(raw),
        provider_executed=True,
        provider_metadata=meta,
    )


def _without_nulls(item: Any) -> Any:
    if isinstance(item, dict):
        return {k: v for k, v in item.items() if v is not None}
    return item


def _result_output(raw: Any) -> ToolOutput:
    """What the application sees of a server result: its fields without encrypted payloads."""
    if isinstance(raw, dict) and raw.get("error_code"):
        return ErrorOutput(message=str(raw["error_code"]))
    if isinstance(raw, list):
        raw = [
            {k: v for k, v in item.items() if not k.startswith("encrypted")}
            if isinstance(item, dict)
            else item
            for item in raw
        ]
    return TextOutput(text=json.dumps(raw, ensure_ascii=False))


def citation_source(citation: Any, number: int) -> Source | None:
    """A citation → a Source (a URL for web results, a document for document citations)."""
    if not isinstance(citation, dict):
        return None
    source_id = f"source-{number}"
    url = citation.get("url")
    if isinstance(url, str) and url:
        title = citation.get("title")
        return Source(id=source_id, url=url, title=title if isinstance(title, str) else None)
    title = citation.get("document_title")
    if title is None and citation.get("document_index") is None:
        return None
    return Source(
        id=source_id,
        source_type="document",
        title=str(title) if title is not None else None,
    )
