"""The Responses API (OpenAI, Azure), from its docs:

- every ``function_call`` has a ``function_call_output`` of its ``call_id`` later in the input,
  and every output answers a call made before it;
- ``call_id``s of function calls are unique;
- a ``reasoning`` item carries the id of a reasoning item (``rs_…``) and an
  ``item_reference`` the id of an item (neither may name another vendor's item);
- messages have a role and content; an ``input_image``'s ``image_url`` is an ``http(s)`` or
  ``data:`` URL, an ``input_file``'s ``file_url`` an ``http(s)`` URL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def check_responses(body: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    calls: dict[str, bool] = {}
    for index, item in enumerate(body.get("input") or []):
        kind = item.get("type")
        if kind == "function_call":
            cid = str(item.get("call_id") or "")
            if not cid or cid in calls:
                problems.append(f"function call id {cid!r} is empty or used twice")
            calls[cid] = False
        elif kind == "function_call_output":
            cid = str(item.get("call_id") or "")
            if cid not in calls:
                problems.append(f"output {cid!r} answers no earlier function call")
            calls[cid] = True
        elif kind == "reasoning":
            if not str(item.get("id", "")).startswith("rs_"):
                problems.append(f"item {index}: reasoning with id {item.get('id')!r}")
        elif kind == "item_reference":
            if not str(item.get("id", "")).startswith(("rs_", "ws_", "msg_", "fc_")):
                problems.append(f"item {index}: a reference to {item.get('id')!r}")
        elif kind is None:
            if item.get("role") not in ("system", "developer", "user", "assistant"):
                problems.append(f"item {index} has role {item.get('role')!r}")
            if "content" not in item:
                problems.append(f"item {index} has no content")
            problems += _files(item.get("content"), index)
        else:
            problems.append(f"item {index} has type {kind!r}")
    problems += [f"function call {c} has no output" for c, done in calls.items() if not done]
    return problems


def _files(content: Any, index: int) -> list[str]:
    problems: list[str] = []
    for part in content if isinstance(content, list) else []:
        url = str(part.get("image_url") or part.get("file_url") or "data:")
        if part.get("type") == "input_file" and "file_url" in part:
            ok = _web(url)
        else:
            ok = _web(url) or url.startswith("data:")
        if not ok:
            problems.append(f"item {index}: a file at {url[:60]!r}")
    return problems


def _web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname not in (
        None,
        "generativelanguage.googleapis.com",
    )
