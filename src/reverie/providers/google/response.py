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
from reverie.errors import ProviderError
from reverie.messages import Metadata
from reverie.model import Response
from reverie.providers.google.errors import google_error
from reverie.providers.google.finish_reason import map_finish_reason
from reverie.providers.google.ids import IdGenerator
from reverie.providers.google.signature import NAMESPACE, signature_metadata
from reverie.providers.google.usage import convert_usage, count
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
        raise error
    if not isinstance(body, dict):
        raise bad(provider, "the response is not a JSON object", body)
    candidate = first_candidate(body, provider)
    content: list[Content] = []
    parts = (candidate.get("content", {}).get("parts") or []) if candidate else []
    if not isinstance(parts, list):
        raise bad(provider, "'content.parts' is not a list", parts)
    for part in parts:
        if not isinstance(part, dict):
            raise bad(provider, "a part is not an object", part)
        item = _content(part, provider, ids)
        if item is not None:
            content.append(item)
    usage = body.get("usageMetadata")
    if include_thoughts and content and not any(isinstance(c, Reasoning) for c in content):
        thoughts = count(usage, "thoughtsTokenCount", provider) if isinstance(usage, dict) else 0
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
        model_id=str(body.get("modelVersion") or ""),
    )


def bad(provider: str, what: str, value: Any) -> ProviderError:
    return ProviderError(f"{provider}: {what}: {value!r:.200}", provider=provider)


def first_candidate(chunk: dict[str, Any], provider: str) -> dict[str, Any] | None:
    candidates = chunk.get("candidates")
    if not candidates:
        return None
    if not isinstance(candidates, list) or not isinstance(candidates[0], dict):
        raise bad(provider, "'candidates' is not a list of objects", candidates)
    candidate: dict[str, Any] = candidates[0]
    if not isinstance(candidate.get("content", {}), dict):
        raise bad(provider, "'content' is not an object", candidate.get("content"))
    return candidate


def _content(part: dict[str, Any], provider: str, ids: IdGenerator) -> Content | None:
    metadata = signature_metadata(part, provider)
    text = part.get("text")
    if isinstance(text, str):
        if part.get("thought"):
            return Reasoning(text=text, provider_metadata=metadata)
        if text or metadata:
            return Text(text=text, provider_metadata=metadata)
        return None
    if "functionCall" in part:
        id_, name, input_ = read_call(part["functionCall"], provider, ids)
        return ToolCall(tool_call_id=id_, tool_name=name, input=input_, provider_metadata=metadata)
    if "inlineData" in part:
        return read_file(part["inlineData"], provider)
    return None  # executable code and other parts we do not model yet


def read_call(call: Any, provider: str, ids: IdGenerator) -> tuple[str, str, str]:
    """(id, name, JSON input) of a ``functionCall``; the id is made when Gemini gave none."""
    if not isinstance(call, dict):
        raise bad(provider, "'functionCall' is not an object", call)
    name = str(call.get("name") or "")
    args = call.get("args")
    id_ = call.get("id")
    return (
        id_ if isinstance(id_, str) and id_ else ids(name),
        name,
        json.dumps(args if args is not None else {}, ensure_ascii=False),
    )


def read_file(data: Any, provider: str) -> File:
    if not isinstance(data, dict) or not isinstance(data.get("data"), str):
        raise bad(provider, "'inlineData' has no data", data)
    try:
        raw = base64.b64decode(data["data"])
    except ValueError:
        raise bad(provider, "'inlineData.data' is not base64", data["data"][:50]) from None
    return File(data=raw, media_type=str(data.get("mimeType") or "application/octet-stream"))


def sources(candidate: dict[str, Any] | None) -> list[Source]:
    """Web and retrieved-context grounding chunks, in order."""
    grounding = (candidate or {}).get("groundingMetadata")
    chunks = grounding.get("groundingChunks") if isinstance(grounding, dict) else None
    out: list[Source] = []
    for index, chunk in enumerate(chunks if isinstance(chunks, list) else ()):
        if not isinstance(chunk, dict):
            continue
        ref = chunk.get("web") or chunk.get("retrievedContext")
        if isinstance(ref, dict) and ref.get("uri"):
            out.append(Source(id=f"source-{index}", url=str(ref["uri"]), title=ref.get("title")))
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
