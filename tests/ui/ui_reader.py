"""What a front end does with the UI message stream, written from the protocol's docs: split
the SSE text into chunks, check each chunk carries only its type's documented keys, and
assemble the assistant's UIMessage parts the way ``useChat`` shows them."""

from __future__ import annotations

import json
from typing import Any

# type → (required keys, optional keys), from the AI SDK's stream protocol (v1)
SCHEMA: dict[str, tuple[set[str], set[str]]] = {
    "start": (set(), {"messageId", "messageMetadata"}),
    "start-step": (set(), set()),
    "finish-step": (set(), set()),
    "finish": (set(), {"finishReason", "messageMetadata"}),
    "text-start": ({"id"}, {"providerMetadata"}),
    "text-delta": ({"id", "delta"}, {"providerMetadata"}),
    "text-end": ({"id"}, {"providerMetadata"}),
    "reasoning-start": ({"id"}, {"providerMetadata"}),
    "reasoning-delta": ({"id", "delta"}, {"providerMetadata"}),
    "reasoning-end": ({"id"}, {"providerMetadata"}),
    "tool-input-start": ({"toolCallId", "toolName"}, {"providerExecuted", "dynamic", "title"}),
    "tool-input-delta": ({"toolCallId", "inputTextDelta"}, set()),
    "tool-input-available": ({"toolCallId", "toolName", "input"}, {"providerExecuted", "dynamic"}),
    "tool-input-error": ({"toolCallId", "toolName", "input", "errorText"}, {"providerExecuted"}),
    "tool-output-available": ({"toolCallId", "output"}, {"providerExecuted", "preliminary"}),
    "tool-output-error": ({"toolCallId", "errorText"}, {"providerExecuted"}),
    "tool-approval-request": ({"approvalId", "toolCallId"}, set()),
    "source-url": ({"sourceId", "url"}, {"title", "providerMetadata"}),
    "source-document": ({"sourceId", "mediaType", "title"}, {"filename", "providerMetadata"}),
    "file": ({"url", "mediaType"}, {"providerMetadata"}),
    "error": ({"errorText"}, set()),
}


def chunks_of(sse_text: str) -> list[dict[str, Any]]:
    """The chunks of a whole stream; asserts the framing and the final ``[DONE]``."""
    events = sse_text.split("\n\n")
    assert events[-1] == "", "the stream ends with a blank line"
    datas = []
    for event in events[:-1]:
        assert event.startswith("data: ") and "\n" not in event, event
        datas.append(event[6:])
    assert datas[-1] == "[DONE]"
    chunks = [json.loads(d) for d in datas[:-1]]
    for chunk in chunks:
        kind = chunk["type"]
        if kind.startswith("data-"):
            assert set(chunk) <= {"type", "id", "data", "transient"}
            continue
        required, optional = SCHEMA[kind]
        keys = set(chunk) - {"type"}
        assert required <= keys, (kind, keys)
        assert keys <= required | optional, (kind, keys - required - optional)
    return chunks


def assemble(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """The assistant UIMessage the chunks build, as the front end keeps it."""
    message: dict[str, Any] = {"id": "", "role": "assistant", "parts": []}
    parts = message["parts"]
    texts: dict[str, dict[str, Any]] = {}
    tools: dict[str, dict[str, Any]] = {}
    for chunk in chunks:
        kind = chunk["type"]
        if kind == "start":
            message["id"] = chunk.get("messageId", "")
        elif kind == "start-step":
            parts.append({"type": "step-start"})
        elif kind in ("text-start", "reasoning-start"):
            part = {"type": kind.split("-")[0], "text": "", "state": "streaming"}
            texts[chunk["id"]] = part
            parts.append(part)
        elif kind in ("text-delta", "reasoning-delta"):
            texts[chunk["id"]]["text"] += chunk["delta"]
        elif kind in ("text-end", "reasoning-end"):
            texts.pop(chunk["id"])["state"] = "done"
        elif kind == "tool-input-start":
            part = {
                "type": f"tool-{chunk['toolName']}",
                "toolCallId": chunk["toolCallId"],
                "state": "input-streaming",
                "input": None,
            }
            tools[chunk["toolCallId"]] = part
            parts.append(part)
        elif kind in ("tool-input-available", "tool-input-error"):
            part = tools.get(chunk["toolCallId"])
            if part is None:
                part = {"type": f"tool-{chunk['toolName']}", "toolCallId": chunk["toolCallId"]}
                tools[chunk["toolCallId"]] = part
                parts.append(part)
            part["input"] = chunk["input"]
            part["state"] = "input-available" if kind == "tool-input-available" else "output-error"
            if kind == "tool-input-error":
                part["errorText"] = chunk["errorText"]
        elif kind == "tool-output-available":
            tools[chunk["toolCallId"]].update(state="output-available", output=chunk["output"])
        elif kind == "tool-output-error":
            tools[chunk["toolCallId"]].update(state="output-error", errorText=chunk["errorText"])
        elif kind == "source-url":
            parts.append({"type": "source-url", "sourceId": chunk["sourceId"], "url": chunk["url"]})
    return message
