"""Streamed function-call arguments (Vertex's ``streamFunctionCallArguments``) → JSON text.

With the option on, one function call arrives over several parts: the first names it
(``{"name": …, "willContinue": true}``), the next carry ``partialArgs`` (``willContinue``
while more follow), and an empty ``functionCall`` ends it. Each partial arg is one value at a
JSON path (RFC 9535: ``$.location``, ``$.stops[0].city``, ``$['a b']``): ``stringValue``,
``numberValue``, ``boolValue`` or ``nullValue``; a string continues over several partial args
of the same path while its ``willContinue`` is true.

:class:`PartialCall` writes the arguments as JSON text while they arrive, so each partial
arg gives one input delta, and keeps the object they build. Paths that arrive in document
order (as a model writes them) give text equal to the object's JSON; if a path goes back to
a container already closed, the object is the truth and :meth:`PartialCall.final` says so.
"""

from __future__ import annotations

import json
import re
from typing import Any

Segment = str | int

_NAME = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")
_INDEX = re.compile(r"\[(\d+)\]")
_QUOTED = re.compile(r"""\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]""")


def parse_path(path: Any) -> list[Segment] | None:
    """``"$.a[0]['b c']"`` → ``["a", 0, "b c"]``; None for what is not such a path."""
    if not isinstance(path, str) or not path.startswith("$"):
        return None
    segments: list[Segment] = []
    at = 1
    while at < len(path):
        match = _NAME.match(path, at)
        if match is not None:
            segments.append(match.group(1))
        elif (match := _INDEX.match(path, at)) is not None:
            segments.append(int(match.group(1)))
        elif (match := _QUOTED.match(path, at)) is not None:
            quoted = match.group(1) if match.group(1) is not None else match.group(2)
            segments.append(re.sub(r"\\(.)", r"\1", quoted))
        else:
            return None
        at = match.end()
    return segments


def _value(arg: dict[str, Any]) -> tuple[bool, Any]:
    """(whether the partial arg carries a value, the value)."""
    if "stringValue" in arg:
        return True, str(arg["stringValue"] or "")
    if "numberValue" in arg:
        return True, arg["numberValue"]
    if "boolValue" in arg:
        return True, bool(arg["boolValue"])
    if "nullValue" in arg:
        return True, None
    return False, None


class PartialCall:
    """One streamed call's arguments: JSON text written as they come, and their object."""

    __slots__ = ("_filled", "_kinds", "_open", "_string", "_text", "args", "whole")

    def __init__(self) -> None:
        self.args: dict[str, Any] = {}
        self.whole = False  # arguments given whole (``args``) rather than in partials
        self._text: list[str] = []
        self._kinds: list[str] = []  # open containers, outermost first: "{" or "["
        self._filled: list[bool] = []  # whether each open container has a member yet
        self._open: list[Segment] = []  # the path of the open containers below the root
        self._string: list[Segment] | None = None  # the path of a string still open

    def add(self, arg: Any) -> str | None:
        """Adds one partial arg; returns the JSON text it adds (None when it is not one)."""
        if not isinstance(arg, dict):
            return None
        path = parse_path(arg.get("jsonPath"))
        present, value = _value(arg)
        if not path or not present:
            return None
        more = arg.get("willContinue") is True
        out: list[str] = []
        if self._string is not None:
            if self._string == path and isinstance(value, str):
                self._store(path, value, append=True)
                out.append(_escaped(value))
                if not more:
                    out.append('"')
                    self._string = None
                return self._emit(out)
            out.append('"')
            self._string = None
        if not self._kinds:
            out.append("{")
            self._kinds.append("{")
            self._filled.append(False)
        parent, key = path[:-1], path[-1]
        common = 0
        while common < min(len(parent), len(self._open)) and parent[common] == self._open[common]:
            common += 1
        while len(self._open) > common:
            out.append("}" if self._kinds.pop() == "{" else "]")
            self._filled.pop()
            self._open.pop()
        for depth in range(common, len(parent)):
            self._member(parent[depth], out)
            following = parent[depth + 1] if depth + 1 < len(parent) else key
            kind = "[" if isinstance(following, int) else "{"
            out.append(kind)
            self._kinds.append(kind)
            self._filled.append(False)
            self._open.append(parent[depth])
        self._member(key, out)
        self._store(path, value)
        if isinstance(value, str):
            out.append('"' + _escaped(value))
            if more:
                self._string = path
            else:
                out.append('"')
        else:
            out.append(json.dumps(value))
        return self._emit(out)

    def set_whole(self, args: dict[str, Any]) -> None:
        """Arguments given whole on one of the call's parts: they are the call's input."""
        self.args = args
        self.whole = True

    def close(self) -> str:
        """The text that closes what is still open (empty when nothing was written)."""
        out: list[str] = []
        if self._string is not None:
            out.append('"')
            self._string = None
        while self._kinds:
            out.append("}" if self._kinds.pop() == "{" else "]")
        self._filled.clear()
        self._open.clear()
        return self._emit(out) or ""

    def final(self) -> str | None:
        """The call's input when the text written is not it (nothing written, arguments given
        whole, or paths out of document order); None when the written text is the input."""
        expected = json.dumps(self.args, ensure_ascii=False)
        if self.whole or not self._text:
            return expected
        return None if "".join(self._text) == expected else expected

    def _member(self, segment: Segment, out: list[str]) -> None:
        if self._filled[-1]:
            out.append(", ")
        self._filled[-1] = True
        if self._kinds[-1] == "{":
            out.append(json.dumps(str(segment), ensure_ascii=False) + ": ")

    def _store(self, path: list[Segment], value: Any, append: bool = False) -> None:
        node: Any = self.args
        last = len(path) - 1
        for depth, segment in enumerate(path):
            if isinstance(node, dict):
                key: Any = str(segment)
            elif isinstance(node, list) and isinstance(segment, int):
                node.extend([None] * (segment + 1 - len(node)))
                key = segment
            else:
                return  # a name inside a list: nothing to place
            if depth == last:
                before = node[key] if isinstance(node, list) else node.get(key)
                node[key] = before + value if append and isinstance(before, str) else value
                return
            child = node[key] if isinstance(node, list) else node.get(key)
            if not isinstance(child, dict | list):
                child = node[key] = [] if isinstance(path[depth + 1], int) else {}
            node = child

    def _emit(self, out: list[str]) -> str | None:
        text = "".join(out)
        if text:
            self._text.append(text)
        return text or None


def _escaped(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]
