"""The Responses API (OpenAI, Azure), from its docs:

- every ``function_call`` has a ``function_call_output`` of its ``call_id`` later in the input,
  and every output answers a call made before it;
- ``call_id``s of function calls are unique;
- a ``reasoning`` item carries the id of a reasoning item (``rs_…``) and an
  ``item_reference`` the id of an item (neither may name another vendor's item);
- messages have a role and content.
"""

from __future__ import annotations

from typing import Any


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
        else:
            problems.append(f"item {index} has type {kind!r}")
    problems += [f"function call {c} has no output" for c, done in calls.items() if not done]
    return problems
