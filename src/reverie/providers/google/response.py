"""A Gemini ``generateContent`` answer → Response, and the readers the stream shares.

Each wire part becomes one content item and keeps its own thought signature: thought text
→ Reasoning, text → Text (an empty one only when signed), ``functionCall`` → ToolCall,
``inlineData`` → File. Grounding chunks become Sources.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from reverie.content import Content, File, Reasoning, Source, Text, ToolCall
from reverie.messages import Metadata
from reverie.model import Response
from reverie.providers.google.errors import ERRORS, google_error
from reverie.providers.google.finish_reason import map_finish_reason
from reverie.providers.google.ids import IdGenerator
from reverie.providers.google.signature import NAMESPACE, signature_metadata
from reverie.providers.google.usage import convert_usage, count
from reverie.providers.wire import Reader
from reverie.warning import CallWarning

# Candidate and answer fields kept in provider metadata, under their snake_case names.
_CANDIDATE_METADATA = (
    ("safetyRatings", "safety_ratings"),
    ("groundingMetadata", "grounding_metadata"),
    ("urlContextMetadata", "url_context_metadata"),
    ("finishMessage", "finish_message"),
)


def parse_response(
    body: Any,
    warnings: list[CallWarning],
    provider: str,
    ids: IdGenerator,
    *,
    include_thoughts: bool = False,
) -> Response:
    """The answer as a Response. With ``include_thoughts``, a model that thought but sent no
    thought summary gets an empty Reasoning first (as the stream does)."""
    error = google_error(body, provider)
    if error is not None:
        raise ERRORS.classify(error)
    read = Reader(provider)
    body = read.answer(body)
    candidate = first_candidate(body, read)
    content: list[Content] = []
    for index, part in enumerate(candidate_parts(candidate, read)):
        item = _content(
            read.obj(part, ("candidates", 0, "content", "parts", index)), read, ids, provider
        )
        if item is not None:
            content.append(item)
    usage = body.get("usageMetadata")
    if include_thoughts and content and not any(isinstance(c, Reasoning) for c in content):
        thoughts = count(usage, "thoughtsTokenCount", read) if isinstance(usage, dict) else 0
        if thoughts > 0 or content[0].provider_metadata:
            content.insert(0, Reasoning(text=""))
    content.extend(sources(candidate))
    has_calls = any(isinstance(c, ToolCall) for c in content)
    return Response(
        content=content,
        finish_reason=finish_reason(body, candidate, has_calls),
        usage=convert_usage(usage, provider),
        provider_metadata=response_metadata(body, candidate),
        warnings=warnings,
        model_id=read.name(body.get("modelVersion"), "modelVersion"),
    )


def first_candidate(chunk: dict[str, Any], read: Reader) -> dict[str, Any] | None:
    candidates = read.items(chunk.get("candidates"), "candidates")
    if not candidates:
        return None
    candidate = read.obj(candidates[0], "candidates[0]")
    read.opt_obj(candidate.get("content"), "candidates[0].content")
    return candidate


def candidate_parts(candidate: dict[str, Any] | None, read: Reader) -> list[Any]:
    """The candidate's ``content.parts`` (checked by :func:`first_candidate`)."""
    if not candidate:
        return []
    content = candidate.get("content")
    if not content:
        return []
    return read.items(content.get("parts"), "candidates[0].content.parts")


def _content(part: dict[str, Any], read: Reader, ids: IdGenerator, provider: str) -> Content | None:
    metadata = signature_metadata(part, provider)
    text = read.opt_text(part.get("text"), "part.text")
    if text is not None:
        if part.get("thought"):
            return Reasoning(text=text, provider_metadata=metadata)
        if text or metadata:
            return Text(text=text, provider_metadata=metadata)
        return None
    if "functionCall" in part:
        id_, name, input_ = read_call(part["functionCall"], read, ids)
        return ToolCall(tool_call_id=id_, tool_name=name, input=input_, provider_metadata=metadata)
    if "inlineData" in part:
        return read_file(part["inlineData"], read)
    return None  # executable code and other parts we do not model yet


def read_call(call: Any, read: Reader, ids: IdGenerator) -> tuple[str, str, str]:
    """(id, name, JSON input) of a ``functionCall``; the id is made when Gemini gave none."""
    call = read.obj(call, "functionCall")
    name = read.name(call.get("name"), "functionCall.name")
    args = call.get("args")
    id_ = read.name(call.get("id"), "functionCall.id")
    return (
        id_ or ids(name),
        name,
        json.dumps(args if args is not None else {}, ensure_ascii=False),
    )


def read_file(data: Any, read: Reader) -> File:
    data = read.obj(data, "inlineData")
    encoded = read.text(data.get("data"), "inlineData.data")
    try:
        raw = base64.b64decode(encoded)
    except ValueError:
        raise read.malformed("inlineData.data", encoded[:50], "base64") from None
    mime = read.name(data.get("mimeType"), "inlineData.mimeType")
    return File(data=raw, media_type=mime or "application/octet-stream")


def sources(candidate: dict[str, Any] | None) -> list[Source]:
    """Web and retrieved-context grounding chunks, in order."""
    grounding = (candidate or {}).get("groundingMetadata")
    chunks = grounding.get("groundingChunks") if isinstance(grounding, dict) else None
    out: list[Source] = []
    for index, chunk in enumerate(chunks if isinstance(chunks, list) else ()):
        if not isinstance(chunk, dict):
            continue
        ref = chunk.get("web") or chunk.get("retrievedContext")
        if isinstance(ref, dict) and isinstance(ref.get("uri"), str) and ref["uri"]:
            title = ref.get("title")
            out.append(
                Source(
                    id=f"source-{index}",
                    url=ref["uri"],
                    title=title if isinstance(title, str) else None,
                )
            )
    return out


def finish_reason(chunk: dict[str, Any], candidate: dict[str, Any] | None, has_calls: bool) -> Any:
    if candidate is None:
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, dict) and feedback.get("blockReason"):
            return map_finish_reason("SAFETY")  # the prompt itself was blocked
    return map_finish_reason((candidate or {}).get("finishReason"), has_tool_calls=has_calls)


def response_metadata(chunk: dict[str, Any], candidate: dict[str, Any] | None) -> Metadata:
    values: dict[str, Any] = {}
    for wire, name in _CANDIDATE_METADATA:
        if candidate and candidate.get(wire):
            values[name] = candidate[wire]
    if chunk.get("promptFeedback"):
        values["prompt_feedback"] = chunk["promptFeedback"]
    if chunk.get("responseId"):
        values["response_id"] = chunk["responseId"]
    return {NAMESPACE: values} if values else {}
