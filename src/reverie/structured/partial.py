"""Partial JSON read as it arrives: each character is looked at once, so the cost of a chunk
depends on the chunk, not on how much came before it.

The value is built in place. Only objects and arrays appear before they close; a string,
number, literal or key shows up once complete, so a partial never holds half a value.
Snapshots share every closed container with the live value: a container still open is
copied (shallowly) the first time it changes after a snapshot was taken, so a snapshot
handed to the caller never changes afterwards.

Text before the first ``{`` or ``[`` (a fence, a sentence) and after the value is skipped.
"""

from __future__ import annotations

import json
from typing import Any

_WHITESPACE = frozenset(" \t\n\r")
_SCALAR = frozenset("0123456789+-.eEtruefalsn")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}

# What the parser expects next.
_START = 0  # the opening bracket of the top-level value
_VALUE = 1  # a value (or, right after "[", the closing bracket)
_KEY = 2  # a key (or, right after "{", the closing brace)
_COLON = 3
_AFTER = 4  # a comma or the closing bracket
_END = 5  # the top-level value is complete
_FAILED = 6  # not JSON: no more partials


class _Frame:
    """An open container, and whether the caller holds it through a snapshot."""

    __slots__ = ("container", "is_object", "key", "shared")

    def __init__(self, container: dict[str, Any] | list[Any]) -> None:
        self.container = container
        self.is_object = isinstance(container, dict)
        self.key = ""
        self.shared = False


class PartialJson:
    """Feed text with :meth:`feed`; :attr:`changed` says whether :meth:`snapshot` would
    differ from the last one.

    >>> p = PartialJson()
    >>> p.feed('{"name": "Al')
    >>> p.snapshot()
    {}
    >>> p.feed('ice", "age": 3')
    >>> p.snapshot()
    {'name': 'Alice'}
    """

    __slots__ = ("_escaped", "_root", "_stack", "_state", "_token", "_token_kind", "changed")

    def __init__(self) -> None:
        self._stack: list[_Frame] = []
        self._root: dict[str, Any] | list[Any] | None = None
        self._state = _START
        self._token: list[str] = []
        self._token_kind = ""  # "string", "scalar" or "" (none open)
        self._escaped = False  # the open string's next character is escaped
        self.changed = False

    @property
    def done(self) -> bool:
        """The top-level value is complete."""
        return self._state == _END

    @property
    def failed(self) -> bool:
        """The text stopped being JSON; the final parse (with repair) will judge it."""
        return self._state == _FAILED

    def snapshot(self) -> dict[str, Any] | list[Any] | None:
        """The value so far (``None`` before it starts); never changed by later feeds."""
        for frame in self._stack:
            frame.shared = True
        self.changed = False
        return self._root

    def feed(self, text: str) -> None:
        i, n = 0, len(text)
        while i < n:
            state = self._state
            if state >= _END:
                return
            kind = self._token_kind
            if kind == "string":
                i = self._read_string(text, i)
                continue
            if kind == "scalar":
                j = i
                while j < n and text[j] in _SCALAR:
                    j += 1
                self._token.append(text[i:j])
                i = j
                if j < n:
                    self._end_scalar()
                continue
            c = text[i]
            i += 1
            if c in _WHITESPACE:
                continue
            if state == _START:
                if c == "{" or c == "[":
                    self._open(c)
            elif state == _VALUE:
                if c == '"':
                    self._begin("string")
                elif c == "{" or c == "[":
                    self._open(c)
                elif c == "]" and self._stack and not self._stack[-1].is_object:
                    self._close()  # "[]", or a trailing comma before "]"
                elif c in _SCALAR:
                    self._begin("scalar")
                    self._token.append(c)
                else:
                    self._state = _FAILED
            elif state == _KEY:
                if c == '"':
                    self._begin("string")
                elif c == "}":
                    self._close()
                else:
                    self._state = _FAILED
            elif state == _COLON:
                self._state = _VALUE if c == ":" else _FAILED
            elif c == ",":  # _AFTER
                self._state = _KEY if self._stack[-1].is_object else _VALUE
            elif c == "}" or c == "]":
                if (c == "}") != self._stack[-1].is_object:
                    self._state = _FAILED
                else:
                    self._close()
            else:
                self._state = _FAILED

    def _begin(self, kind: str) -> None:
        self._token_kind = kind
        self._token = []
        self._escaped = False

    def _read_string(self, text: str, i: int) -> int:
        """Consume string content up to and including its closing quote."""
        if self._escaped:
            self._token.append(text[i])
            self._escaped = False
            i += 1
        start = i
        while True:
            quote = text.find('"', i)
            if quote < 0:
                piece = text[start:]
                self._token.append(piece)
                self._escaped = _odd_backslashes(piece, len(piece))
                return len(text)
            if _odd_backslashes(text, quote, start):
                i = quote + 1  # an escaped quote: keep looking
                continue
            self._token.append(text[start:quote])
            self._end_string()
            return quote + 1

    def _end_string(self) -> None:
        raw = "".join(self._token)
        self._token_kind = ""
        value = raw
        if "\\" in raw:
            try:
                value = json.loads(f'"{raw}"', strict=False)
            except ValueError:
                self._state = _FAILED
                return
        if self._state == _KEY:
            self._stack[-1].key = value
            self._state = _COLON
        else:
            self._add(value)

    def _end_scalar(self) -> None:
        token = "".join(self._token)
        self._token_kind = ""
        if token in _LITERALS:
            self._add(_LITERALS[token])
            return
        try:
            value = json.loads(token)
        except ValueError:
            self._state = _FAILED
            return
        if not isinstance(value, int | float):
            self._state = _FAILED
            return
        self._add(value)

    def _open(self, bracket: str) -> None:
        container: dict[str, Any] | list[Any] = {} if bracket == "{" else []
        if self._stack:
            self._add(container)
        else:
            self._root = container
            self.changed = True
        self._stack.append(_Frame(container))
        self._state = _KEY if bracket == "{" else _VALUE

    def _close(self) -> None:
        self._stack.pop()
        self._state = _AFTER if self._stack else _END

    def _add(self, value: Any) -> None:
        frame = self._stack[-1]
        container = self._writable(len(self._stack) - 1)
        if frame.is_object:
            container[frame.key] = value  # type: ignore[call-overload]
        else:
            container.append(value)  # type: ignore[union-attr]
        self.changed = True
        self._state = _AFTER

    def _writable(self, level: int) -> dict[str, Any] | list[Any]:
        """The open container at ``level``, copied first (with its open ancestors) if a
        snapshot holds it."""
        frame = self._stack[level]
        if frame.shared:
            copy = frame.container.copy()
            frame.container = copy
            frame.shared = False
            if level == 0:
                self._root = copy
            else:
                parent = self._stack[level - 1]
                into = self._writable(level - 1)
                if parent.is_object:
                    into[parent.key] = copy  # type: ignore[call-overload]
                else:
                    into[-1] = copy  # type: ignore[index]
        return frame.container


def _odd_backslashes(text: str, end: int, start: int = 0) -> bool:
    """Whether an odd run of backslashes ends just before ``end`` (not looking before
    ``start``)."""
    count = 0
    k = end - 1
    while k >= start and text[k] == "\\":
        count += 1
        k -= 1
    return count % 2 == 1
