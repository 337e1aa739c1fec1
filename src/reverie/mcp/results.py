"""An MCP ``CallToolResult`` as one of our tool outputs.

Text blocks join into the text; the first image, audio clip or binary resource becomes a
:class:`~reverie.MediaOutput` carrying that text; a text resource is text; a resource link is
named in the text; ``isError`` makes the whole result an error for the model.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.messages import ErrorOutput, MediaOutput, TextOutput, ToolOutput
from reverie.tools.tool import ToolReturn, sniff_media_type


def to_tool_return(result: Any) -> ToolReturn:
    """Our output for ``result`` (an ``mcp.types.CallToolResult``); its structured content and
    ``_meta`` go to the tool result's application metadata, never to the model."""
    texts: list[str] = []
    media: list[tuple[str, str]] = []  # (base64 data, media type)
    for block in result.content:
        kind = getattr(block, "type", None)
        if kind == "text":
            texts.append(block.text)
        elif kind in ("image", "audio"):
            media.append((block.data, block.mime_type))
        elif kind == "resource":
            resource = block.resource
            if hasattr(resource, "text"):
                texts.append(resource.text)
            else:
                media.append((resource.blob, resource.mime_type or _sniff(resource.blob)))
        elif kind == "resource_link":
            texts.append(f"[resource {block.uri}" + (f": {block.name}]" if block.name else "]"))
    if not texts and not media and result.structured_content is not None:
        # A server should also send structured content as text; some send only the structure.
        texts.append(json.dumps(result.structured_content, ensure_ascii=False))
    if len(media) > 1:
        # Our tool output holds one media item: say what the model does not see.
        kinds = ", ".join(media_type for _, media_type in media[1:])
        texts.append(f"[{len(media) - 1} more item(s) not shown: {kinds}]")
    text = "\n".join(texts)
    output: ToolOutput
    if result.is_error:
        output = ErrorOutput(message=text or "the tool reported an error")
    elif media:
        data, media_type = media[0]
        output = MediaOutput(data=data, media_type=media_type, text=text or None)
    else:
        output = TextOutput(text=text)
    metadata: dict[str, Any] = {}
    if result.structured_content is not None:
        metadata["structured_content"] = result.structured_content
    if result.meta:
        metadata["meta"] = dict(result.meta)
    return ToolReturn(output=output, metadata={"mcp": metadata} if metadata else {})


def _sniff(blob: str) -> str:
    import base64
    import binascii

    try:
        return sniff_media_type(base64.b64decode(blob[:64] + "=" * (-len(blob[:64]) % 4)))
    except (binascii.Error, ValueError):
        return "application/octet-stream"
