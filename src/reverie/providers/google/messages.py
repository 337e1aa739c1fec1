"""Our messages → Gemini ``systemInstruction`` and ``contents``.

System messages become the system instruction; user and tool turns are ``user`` contents,
assistant turns ``model`` contents. Function responses are matched to their calls by name
and order (Gemini keeps no ids before Gemini 3), so a tool turn's results are put in the
order of the calls of the model turn before it. Thought signatures go back on the same kind
of part they came on; thought summaries without a signature are not sent back (Gemini does
not need them, and the recordings never carry them).

A history from elsewhere goes through :func:`reverie.providers.portable.prepare` first, with
Gemini's :func:`target`: signatures are taken only from the host that made them (the Gemini
API's are not sent to Vertex, nor Vertex's to the Gemini API). Gemini 3 refuses a function
call of the current turn without its signature; a call it did not make has none, so the
first call of each model turn of the current turn gets the dummy signature Google documents
for histories from other models (``skip_thought_signature_validator``, taken by both the
Gemini API and Vertex AI).
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from reverie.messages import (
    ErrorOutput,
    FilePart,
    MediaOutput,
    Message,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from reverie.providers.google.signature import NAMESPACE, signature_of
from reverie.providers.portable import (
    GEMINI_FILES,
    ForeignReasoning,
    IdRule,
    Target,
    prepare,
)
from reverie.warning import CallWarning

DUMMY_SIGNATURE = "skip_thought_signature_validator"


FUNCTION_NAMES = IdRule(allowed="[a-zA-Z0-9_.:-]", max_length=64, first="[a-zA-Z_]")
"""Gemini's function names (letters, digits, ``_ . : -``, at most 64, starting with a letter
or ``_``)."""


@functools.lru_cache(maxsize=64)  # a Target is frozen: one per host, built once
def target(host: str) -> Target:
    return Target(
        host=host,
        namespace=NAMESPACE,
        reasoning_hosts=frozenset({host}),
        own_unsigned=True,
        names=FUNCTION_NAMES,
        file_urls=gemini_file_uri if host == "google" else vertex_file_uri,
    )


def gemini_file_uri(part: FilePart) -> bool:
    """The Gemini API's ``fileData.fileUri``: its File API URIs, public or signed
    ``http(s)`` URLs and registered ``gs://`` objects."""
    return urlsplit(part.url or "").scheme in ("http", "https", "gs")


def vertex_file_uri(part: FilePart) -> bool:
    """Vertex's ``fileData.fileUri``: ``gs://`` objects and ``http(s)`` URLs, not the
    Gemini API's File API URIs (read with a Gemini API key only)."""
    parts = urlsplit(part.url or "")
    return parts.scheme == "gs" or (
        parts.scheme in ("http", "https") and parts.hostname != GEMINI_FILES
    )


def validates_signatures(model_id: str) -> bool:
    """Whether the model refuses function calls without signatures (Gemini 3 and later)."""
    match = re.search(r"gemini-(\d+)", model_id)
    return match is not None and int(match.group(1)) >= 3


def convert_messages(
    prompt: Sequence[Message],
    *,
    send_ids: bool,
    host: str = NAMESPACE,
    foreign_reasoning: ForeignReasoning = "drop",
    dummy_signatures: bool = False,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[CallWarning]]:
    """Returns (systemInstruction or None, contents, warnings)."""
    system: list[dict[str, Any]] = []
    contents: list[dict[str, Any]] = []
    prompt, warnings = prepare(prompt, target(host), foreign_reasoning)
    call_order: list[str] = []  # ids of the last model turn's calls, in order
    for message in prompt:
        if message.role == "system":
            if contents:
                warnings.append(
                    CallWarning(
                        kind="other",
                        message="a system message after the first turn was sent as system",
                    )
                )
            # Gemini refuses empty text parts.
            texts = (p for p in message.content if isinstance(p, TextPart) and p.text)
            system.extend({"text": p.text} for p in texts)
        elif message.role == "user":
            parts = _user_parts(message, warnings)
            if parts:
                contents.append({"role": "user", "parts": parts})
        elif message.role == "assistant":
            parts, call_order = _model_parts(message, send_ids)
            if parts:
                contents.append({"role": "model", "parts": parts})
        else:
            parts = _tool_parts(message, call_order, send_ids)
            if parts:
                contents.append({"role": "user", "parts": parts})
    if dummy_signatures:
        _sign_current_turn(contents)
    # recorded quirk: the system instruction carries role "user".
    instruction = {"parts": system, "role": "user"} if system else None
    return instruction, contents, warnings


def _sign_current_turn(contents: list[dict[str, Any]]) -> None:
    """The dummy signature on the first function call of each model turn since the last user
    turn that is not only function responses, where that call has no signature."""
    for content in reversed(contents):
        parts = content["parts"]
        if content["role"] == "user":
            if any("functionResponse" not in p for p in parts):
                return
            continue
        first = next((p for p in parts if "functionCall" in p), None)
        if first is not None and not first.get("thoughtSignature"):
            first["thoughtSignature"] = DUMMY_SIGNATURE


def _user_parts(message: Message, warnings: list[CallWarning]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, TextPart):
            if part.text:  # Gemini refuses an empty text part (a turn left empty is not sent)
                parts.append({"text": part.text})
        elif isinstance(part, FilePart):
            parts.append(file_part(part))
        else:
            warnings.append(
                CallWarning(kind="other", message=f"a {part.type} part in a user turn was dropped")
            )
    return parts


def file_part(part: FilePart) -> dict[str, Any]:
    """Bytes travel inline; a URL (``gs://``, a File API URI, https) as ``fileData``."""
    if part.url is not None:
        return {"fileData": {"mimeType": part.media_type, "fileUri": part.url}}
    data = base64.b64encode(part.data).decode("ascii")
    return {"inlineData": {"mimeType": part.media_type, "data": data}}


def _signed(wire: dict[str, Any], options: Any) -> dict[str, Any]:
    signature = signature_of(options)
    if signature:
        wire["thoughtSignature"] = signature
    return wire


def _model_parts(message: Message, send_ids: bool) -> tuple[list[dict[str, Any]], list[str]]:
    parts: list[dict[str, Any]] = []
    calls: list[str] = []
    for part in message.content:
        if isinstance(part, TextPart):
            # An empty text part is sent only when it holds a signature.
            if part.text or signature_of(part.provider_options):
                parts.append(_signed({"text": part.text}, part.provider_options))
        elif isinstance(part, ReasoningPart):
            if signature_of(part.provider_options):
                wire = {"text": part.text, "thought": True}
                parts.append(_signed(wire, part.provider_options))
        elif isinstance(part, ToolCallPart) and not part.provider_executed:
            call: dict[str, Any] = {"name": part.tool_name, "args": _args(part.input)}
            # recorded quirk: the Gemini API gets ids back even when we made them up.
            if send_ids:
                call["id"] = part.tool_call_id
            parts.append(_signed({"functionCall": call}, part.provider_options))
            calls.append(part.tool_call_id)
        elif isinstance(part, FilePart):
            parts.append(file_part(part))
    return parts, calls


def _args(text: str) -> dict[str, Any]:
    """The call's JSON input as the object Gemini wants (input that is not one sends ``{}``:
    the call was invalid and its error result follows)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # empty input too; nested deeper than Python reads
        return {}
    return value if isinstance(value, dict) else {}


def _tool_parts(message: Message, call_order: list[str], send_ids: bool) -> list[dict[str, Any]]:
    results = [p for p in message.content if isinstance(p, ToolResultPart)]
    position = {id_: i for i, id_ in enumerate(call_order)}
    results.sort(key=lambda r: position.get(r.tool_call_id, len(position)))
    parts: list[dict[str, Any]] = []
    media: list[dict[str, Any]] = []
    for result in results:
        output = result.output
        if isinstance(output, TextOutput):
            text = output.text
        elif isinstance(output, ErrorOutput):
            text = output.message
        else:
            assert isinstance(output, MediaOutput)
            text = output.text or ""
            media.append({"inlineData": {"mimeType": output.media_type, "data": output.data}})
        response: dict[str, Any] = {"name": result.tool_name, "response": {"result": text}}
        if send_ids:
            response["id"] = result.tool_call_id
        parts.append({"functionResponse": response})
    return parts + media
