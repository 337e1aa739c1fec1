"""The floor: hand-written httpx, the least a correct client can do per request.

One ``httpx.AsyncClient``; bodies written with ``json.dumps``, answers read with
``json.loads``; streams read line by line (SSE ``data:`` lines), text and tool-call
fragments accumulated by hand. Every wire family the fake server speaks; for Bedrock's
binary event stream, frames cut from the bytes by their prelude, both CRCs checked
(``zlib.crc32``), the payload's base64 ``bytes`` decoded to the Anthropic event.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

import httpx
from common import (
    CHAT_TOOL,
    PARAMETERS,
    PROMPT,
    RESPONSES_TOOL,
    SYSTEM,
    TOOL_DESCRIPTION,
    weather_reading as weather,
)

HEADERS = {"content-type": "application/json", "authorization": "Bearer k"}
FAMILIES = ("chat", "responses", "anthropic", "gemini", "bedrock")
BEDROCK_BODY = {"anthropic_version": "bedrock-2023-05-31"}


class Client:
    def __init__(self, base: str, family: str, limits: httpx.Limits | None = None) -> None:
        self.family = family
        self.http = httpx.AsyncClient(
            base_url=base, timeout=600, limits=limits or httpx.Limits(max_connections=100)
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def post(self, url: str, body: dict[str, Any]) -> Any:
        response = await self.http.post(url, content=json.dumps(body), headers=HEADERS)
        response.raise_for_status()
        return json.loads(response.content)

    # ---- the tool loop, one function per family ------------------------------------------

    async def tool_loop(self, model: str) -> str:
        return str(await getattr(self, f"loop_{self.family}")(model))

    async def loop_chat(self, model: str) -> str:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": PROMPT},
        ]
        while True:
            body = {"model": model, "messages": messages, "tools": [CHAT_TOOL]}
            message = (await self.post("/v1/chat/completions", body))["choices"][0]["message"]
            calls = message.get("tool_calls")
            if not calls:
                return str(message["content"])
            messages.append(message)
            for call in calls:
                args = json.loads(call["function"]["arguments"])
                messages.append(
                    {"role": "tool", "tool_call_id": call["id"], "content": weather(**args)}
                )

    async def loop_responses(self, model: str) -> str:
        items: list[dict[str, Any]] = [{"role": "user", "content": PROMPT}]
        while True:
            body = {"model": model, "instructions": SYSTEM, "input": items}
            body["tools"] = [RESPONSES_TOOL]
            output = (await self.post("/v1/responses", body))["output"]
            calls = [item for item in output if item["type"] == "function_call"]
            if not calls:
                return "".join(
                    part["text"]
                    for item in output
                    if item["type"] == "message"
                    for part in item["content"]
                    if part["type"] == "output_text"
                )
            for call in calls:
                items.append(call)
                result = weather(**json.loads(call["arguments"]))
                items.append(
                    {"type": "function_call_output", "call_id": call["call_id"], "output": result}
                )

    async def loop_bedrock(self, model: str) -> str:
        return await self.loop_anthropic(model, bedrock=True)

    async def loop_anthropic(self, model: str, bedrock: bool = False) -> str:
        tool = {"name": "weather", "description": TOOL_DESCRIPTION, "input_schema": PARAMETERS}
        messages: list[dict[str, Any]] = [{"role": "user", "content": PROMPT}]
        url = f"/model/{model}/invoke" if bedrock else "/v1/messages"
        while True:
            body = {**BEDROCK_BODY} if bedrock else {"model": model}
            body.update(max_tokens=4096, system=SYSTEM, messages=messages, tools=[tool])
            answer = await self.post(url, body)
            calls = [block for block in answer["content"] if block["type"] == "tool_use"]
            if not calls:
                return "".join(b["text"] for b in answer["content"] if b["type"] == "text")
            messages.append({"role": "assistant", "content": answer["content"]})
            results = [
                {"type": "tool_result", "tool_use_id": c["id"], "content": weather(**c["input"])}
                for c in calls
            ]
            messages.append({"role": "user", "content": results})

    async def loop_gemini(self, model: str) -> str:
        declaration = {"name": "weather", "description": TOOL_DESCRIPTION}
        declaration["parameters"] = PARAMETERS
        contents: list[dict[str, Any]] = [{"role": "user", "parts": [{"text": PROMPT}]}]
        while True:
            body = {
                "contents": contents,
                "systemInstruction": {"parts": [{"text": SYSTEM}]},
                "tools": [{"functionDeclarations": [declaration]}],
            }
            answer = await self.post(f"/v1beta/models/{model}:generateContent", body)
            parts = answer["candidates"][0]["content"]["parts"]
            calls = [p["functionCall"] for p in parts if "functionCall" in p]
            if not calls:
                return "".join(p.get("text", "") for p in parts)
            contents.append({"role": "model", "parts": parts})
            responses = [
                {"functionResponse": {"name": c["name"], "response": {"result": weather(**args)}}}
                for c in calls
                for args in [c["args"]]
            ]
            contents.append({"role": "user", "parts": responses})

    # ---- one streamed answer -------------------------------------------------------------

    async def stream(self, model: str) -> int:
        """Streams one answer; returns the length of the text received."""
        if self.family == "bedrock":
            return await self.stream_bedrock(model)
        if self.family == "chat":
            url = "/v1/chat/completions"
            body: dict[str, Any] = {
                "model": model,
                "messages": [
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": PROMPT},
                ],
                "stream": True,
                "stream_options": {"include_usage": True},
            }
        elif self.family == "responses":
            url = "/v1/responses"
            body = {"model": model, "instructions": SYSTEM, "input": PROMPT, "stream": True}
        elif self.family == "anthropic":
            url = "/v1/messages"
            body = {"model": model, "max_tokens": 4096, "system": SYSTEM, "stream": True}
            body["messages"] = [{"role": "user", "content": PROMPT}]
        else:
            url = f"/v1beta/models/{model}:streamGenerateContent?alt=sse"
            body = {
                "contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
                "systemInstruction": {"parts": [{"text": SYSTEM}]},
            }
        text: list[str] = []
        usage: Any = None
        family = self.family
        async with self.http.stream("POST", url, content=json.dumps(body), headers=HEADERS) as r:
            r.raise_for_status()
            async for line in r.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                event = json.loads(data)
                if family == "chat":
                    if event["choices"]:
                        content = event["choices"][0]["delta"].get("content")
                        if content:
                            text.append(content)
                    usage = event.get("usage") or usage
                elif family == "responses":
                    kind = event["type"]
                    if kind == "response.output_text.delta":
                        text.append(event["delta"])
                    elif kind == "response.completed":
                        usage = event["response"]["usage"]
                        break
                elif family == "anthropic":
                    kind = event["type"]
                    if kind == "content_block_delta" and event["delta"]["type"] == "text_delta":
                        text.append(event["delta"]["text"])
                    elif kind == "message_delta":
                        usage = event["usage"]
                    elif kind == "message_stop":
                        break
                else:
                    candidate = event["candidates"][0]
                    for part in candidate["content"]["parts"]:
                        if "text" in part:
                            text.append(part["text"])
                    usage = event.get("usageMetadata") or usage
                    if "finishReason" in candidate:
                        break
        assert usage is not None, "the stream carried no usage"
        return len("".join(text))

    async def stream_bedrock(self, model: str) -> int:
        url = f"/model/{model}/invoke-with-response-stream"
        body = {**BEDROCK_BODY, "max_tokens": 4096, "system": SYSTEM}
        body["messages"] = [{"role": "user", "content": PROMPT}]
        text: list[str] = []
        usage: Any = None
        buffer = b""
        done = False
        async with self.http.stream("POST", url, content=json.dumps(body), headers=HEADERS) as r:
            r.raise_for_status()
            async for data in r.aiter_bytes():
                buffer += data
                pos = 0  # frames are cut at offsets; the rest kept once per read
                while len(buffer) - pos >= 12 and not done:
                    total, headers_length, prelude_crc = struct.unpack_from(">III", buffer, pos)
                    end = pos + total
                    if len(buffer) < end:
                        break
                    if zlib.crc32(buffer[pos : pos + 8]) != prelude_crc:
                        raise ValueError("event stream: prelude CRC mismatch")
                    if (
                        zlib.crc32(buffer[pos : end - 4])
                        != struct.unpack_from(">I", buffer, end - 4)[0]
                    ):
                        raise ValueError("event stream: message CRC mismatch")
                    start = pos + 12 + headers_length
                    if b":event-type\x07\x00\x05chunk" not in buffer[pos + 12 : start]:
                        raise ValueError("event stream: not a chunk event")
                    wrapped = json.loads(buffer[start : end - 4])
                    pos = end
                    event = json.loads(base64.b64decode(wrapped["bytes"]))
                    kind = event["type"]
                    if kind == "content_block_delta" and event["delta"]["type"] == "text_delta":
                        text.append(event["delta"]["text"])
                    elif kind == "message_delta":
                        usage = event["usage"]
                    elif kind == "message_stop":
                        done = True
                buffer = buffer[pos:]
                if done:
                    break
        assert usage is not None, "the stream carried no usage"
        return len("".join(text))


async def make(base: str, family: str) -> Client:
    return Client(base, family)
