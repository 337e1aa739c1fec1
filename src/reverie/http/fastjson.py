"""JSON from the wire, decoded by pydantic-core's parser with the standard library's behind it.

``pydantic_core.from_json`` reads a typical stream chunk four to five times faster than
``json.loads``, and a streamed answer decodes one chunk per event. It accepts a subset of
what ``json.loads`` accepts (it refuses lone surrogate escapes and nesting deeper than 200),
so whatever it refuses goes to ``json.loads``: the result, and the error for bad input, are
exactly the standard library's, except that text holding a lone surrogate escape gets
U+FFFD in its place (no UTF-8 writer could carry it on: see :mod:`reverie.http.body`).
pydantic-core is imported at the first answer, not with the provider: importing it costs
~15 ms that an agent without tools otherwise never pays.
"""

from __future__ import annotations

import json
from typing import Any


def loads(data: str | bytes) -> Any:
    """``json.loads(data)``, faster; JSON nested too deeply for it is a ``ValueError`` too
    (never a ``RecursionError``), like any other JSON it cannot read."""
    try:
        return _parse(data)
    except ValueError:
        try:
            value = json.loads(data)
        except RecursionError:  # deeper than Python recurses: unreadable, as bad JSON is
            raise ValueError("JSON nested too deeply to read") from None
    if _SURROGATE[isinstance(data, str)] in data or _UPPER[isinstance(data, str)] in data:
        return _well_formed(value)
    return value


_SURROGATE: dict[bool, Any] = {False: b"\\ud", True: "\\ud"}
_UPPER: dict[bool, Any] = {False: b"\\uD", True: "\\uD"}


def _well_formed(value: Any) -> Any:
    """``value`` (fresh from ``json.loads``) with lone surrogates replaced in every string,
    keys included; walked without recursion, as the value may be nested deep."""
    from reverie.http.body import well_formed

    if isinstance(value, str):
        return well_formed(value)
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            items = [(well_formed(k), v) for k, v in node.items()]
            node.clear()
            for key, item in items:
                node[key] = well_formed(item) if isinstance(item, str) else item
                if isinstance(item, dict | list):
                    stack.append(item)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = well_formed(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
    return value


def _first_parse(data: str | bytes) -> Any:
    global _parse
    from pydantic_core import from_json

    _parse = from_json
    return from_json(data)


_parse = _first_parse
