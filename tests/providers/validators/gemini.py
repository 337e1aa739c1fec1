"""Gemini ``generateContent`` (Gemini API and Vertex AI), from its docs:

- ``contents`` have role ``user`` or ``model``; parts are not empty;
- a model turn with ``functionCall`` parts is followed by a user turn holding exactly as many
  ``functionResponse`` parts, of the same names; a ``functionResponse`` answers the model
  turn right before it;
- a function name starts with a letter or ``_``, then letters, digits, ``_ . : -``, at most
  64 characters;
- Vertex AI refuses ``id`` in ``functionCall``/``functionResponse``;
- Gemini 3 refuses a turn of the current exchange (after the last user turn that is not only
  function responses) whose first ``functionCall`` has no ``thoughtSignature``;
- a ``thought`` part is sent back only with its signature; a text part is not empty (unless
  it carries a signature);
- ``fileData.fileUri`` is a URI the host reads: ``gs://`` or ``http(s)`` (on Vertex, not a
  Gemini API file URI); never a ``data:`` URL (inline data goes as ``inlineData``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}")


def check_gemini(body: dict[str, Any], *, vertex: bool) -> list[str]:
    problems: list[str] = []
    contents = body.get("contents") or []
    gemini3 = True  # the matrix targets Gemini 3
    for index, content in enumerate(contents):
        role = content.get("role")
        parts = content.get("parts") or []
        if role not in ("user", "model"):
            problems.append(f"content {index} has role {role!r}")
        if not parts:
            problems.append(f"content {index} has no parts")
        for part in parts:
            if vertex and (
                "id" in (part.get("functionCall") or {})
                or "id" in (part.get("functionResponse") or {})
            ):
                problems.append(f"content {index}: Vertex refuses function call ids")
            for key in ("functionCall", "functionResponse"):
                name = str((part.get(key) or {}).get("name", "ok"))
                if not NAME.fullmatch(name):
                    problems.append(f"content {index}: function name {name[:70]!r}")
            if part.get("thought") and not part.get("thoughtSignature"):
                problems.append(f"content {index}: a thought part without signature")
            if part.get("text") == "" and not part.get("thoughtSignature"):
                problems.append(f"content {index}: an empty text part")
            uri = str((part.get("fileData") or {}).get("fileUri", "-"))
            if uri != "-":
                parsed = urlsplit(uri)
                if parsed.scheme not in ("gs", "http", "https") or (
                    vertex and parsed.hostname == "generativelanguage.googleapis.com"
                ):
                    problems.append(f"content {index}: fileUri {uri[:60]!r} is not read")
        calls = [p["functionCall"].get("name") for p in parts if "functionCall" in p]
        responses = [p["functionResponse"].get("name") for p in parts if "functionResponse" in p]
        if calls:
            following = contents[index + 1]["parts"] if index + 1 < len(contents) else None
            if following is None:
                problems.append("the request ends with function calls")
            else:
                answered = [
                    p["functionResponse"].get("name") for p in following if "functionResponse" in p
                ]
                if sorted(answered) != sorted(calls):
                    problems.append(f"content {index}: calls {calls} answered by {answered}")
        if responses:
            before = contents[index - 1] if index else {}
            called = [
                p["functionCall"].get("name")
                for p in before.get("parts", [])
                if "functionCall" in p
            ]
            if before.get("role") != "model" or sorted(called) != sorted(responses):
                problems.append(f"content {index}: function responses answer no calls before them")
    if gemini3:
        problems += _current_turn_signed(contents)
    return problems


def _current_turn_signed(contents: list[dict[str, Any]]) -> list[str]:
    for content in reversed(contents):
        parts = content.get("parts") or []
        if content.get("role") == "user":
            if any("functionResponse" not in p for p in parts):
                return []
            continue
        first = next((p for p in parts if "functionCall" in p), None)
        if first is not None and not first.get("thoughtSignature"):
            return ["Gemini 3: a function call of the current turn has no thought signature"]
    return []
