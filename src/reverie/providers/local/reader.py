"""Reading the model's reply back as it is generated, piece by piece, into stream parts.

The grammar (:mod:`reverie.providers.local.grammar`) decides what the model may write; this
only follows that format as it streams in, to frame text and calls for the caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from reverie.content import ToolCall
from reverie.model import (
    StreamPart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)
from reverie.providers.local.grammar import ARGUMENTS_KEY, TOOL_KEY, ReplyMode

TEXT_ID = "text-0"

_CALL_HEAD = re.compile(
    r'\s*\{\s*"' + TOOL_KEY + r'"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"' + ARGUMENTS_KEY + r'"\s*:\s*'
)


class ReplyReader:
    """Turns the reply's text, piece by piece, into framed stream parts.

    Text is framed TextStart/TextDelta/TextEnd; a call ToolInputStart/Delta/End followed by
    the complete ToolCall. ``done`` turns true when nothing more should be generated: a
    stop sequence appeared in the text, or the call's JSON object is complete.
    """

    def __init__(
        self,
        mode: ReplyMode,
        tool_names: Sequence[str],
        *,
        call_id: str,
        stop_sequences: Sequence[str] = (),
    ) -> None:
        self._mode = mode
        self._tool_names = tuple(tool_names)
        self._call_id = call_id
        self._stops = tuple(s for s in stop_sequences if s)
        self._kind: str | None = {ReplyMode.TEXT: "text", ReplyMode.CALL: "call"}.get(mode)
        self._buffer = ""  # undecided text, the call's head, or text held back before a stop
        self._text_open = False
        self._tool_name: str | None = None
        self._arguments: list[str] = []
        self._space = ""  # whitespace after the arguments so far: emitted only if more follows
        self._depth = 0
        self._in_string = False
        self._escaped = False
        self.done = False
        self.called = False

    def feed(self, text: str) -> list[StreamPart]:
        if self.done or not text:
            return []
        if self._kind is None:
            self._buffer += text
            if self._mode is ReplyMode.JSON_EITHER:
                return []  # decided in finish()
            stripped = self._buffer.lstrip()
            if not stripped:
                return []
            self._kind = "call" if stripped.startswith("{") else "text"
            text, self._buffer = self._buffer, ""
        if self._kind == "text":
            return self._feed_text(text)
        return self._feed_call(text)

    def finish(self) -> list[StreamPart]:
        """Parts that close the reply once generation has ended, for whatever reason."""
        parts: list[StreamPart] = []
        if self._kind is None:
            if self._mode is ReplyMode.JSON_EITHER:
                return self._finish_json_either()
            self._kind = "text"  # only whitespace was generated
        if self._kind == "text":
            if not self.done and self._buffer:
                parts += self._text(self._buffer)
                self._buffer = ""
            if self._text_open:
                self._text_open = False
                parts.append(TextEnd(TEXT_ID))
            return parts
        if self._tool_name is None:
            # Cut off before the tool name was complete: keep what was generated as text.
            parts += self._text(self._buffer)
            self._buffer = ""
            if self._text_open:
                parts.append(TextEnd(TEXT_ID))
            return parts
        if not self.called:  # cut off inside the arguments: the agent may repair them
            parts += self._end_call()
        return parts

    # text

    def _feed_text(self, text: str) -> list[StreamPart]:
        if not self._stops:
            return self._text(text)
        pending = self._buffer + text
        cut = min((i for i in (pending.find(s) for s in self._stops) if i >= 0), default=-1)
        if cut >= 0:
            self.done = True
            self._buffer = ""
            return self._text(pending[:cut])
        keep = _held_back(pending, self._stops)
        self._buffer = pending[len(pending) - keep :] if keep else ""
        return self._text(pending[: len(pending) - keep])

    def _text(self, text: str) -> list[StreamPart]:
        if not text:
            return []
        parts: list[StreamPart] = []
        if not self._text_open:
            self._text_open = True
            parts.append(TextStart(TEXT_ID))
        parts.append(TextDelta(TEXT_ID, text))
        return parts

    # call

    def _feed_call(self, text: str) -> list[StreamPart]:
        parts: list[StreamPart] = []
        if self._tool_name is None:
            self._buffer += text
            match = _CALL_HEAD.match(self._buffer)
            if match is None:
                return []
            self._tool_name = str(json.loads(match.group(1)))
            parts.append(ToolInputStart(self._call_id, self._tool_name))
            text, self._buffer = self._buffer[match.end() :], ""
        delta: list[str] = []
        for char in text:
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif char == "\\":
                    self._escaped = True
                elif char == '"':
                    self._in_string = False
            elif self._depth == 0 and char.isspace():
                self._space += char
                continue
            elif self._depth == 0 and char == "}":
                # The brace that closes the whole call: the arguments are complete.
                if delta:
                    chunk = "".join(delta)
                    self._arguments.append(chunk)
                    parts.append(ToolInputDelta(self._call_id, chunk))
                self.done = True
                return parts + self._end_call()
            elif char == '"':
                self._in_string = True
                self._escaped = False
            elif char in "{[":
                self._depth += 1
            elif char in "}]":
                self._depth -= 1
            if self._space:
                if self._arguments or delta:  # whitespace before the value is not part of it
                    delta.append(self._space)
                self._space = ""
            delta.append(char)
        if delta:
            chunk = "".join(delta)
            self._arguments.append(chunk)
            parts.append(ToolInputDelta(self._call_id, chunk))
        return parts

    def _end_call(self) -> list[StreamPart]:
        self.called = True
        name = self._tool_name or ""
        return [
            ToolInputEnd(self._call_id),
            ToolCall(
                tool_call_id=self._call_id, tool_name=name, input="".join(self._arguments) or "{}"
            ),
        ]

    def _finish_json_either(self) -> list[StreamPart]:
        reply = self._buffer.strip()
        self._buffer = ""
        try:
            value = json.loads(reply)
        except ValueError:
            value = None
        if (
            isinstance(value, dict)
            and set(value) == {TOOL_KEY, ARGUMENTS_KEY}
            and value[TOOL_KEY] in self._tool_names
        ):
            self._kind = "call"
            parts = self._feed_call(reply)
            return parts if self.called else parts + self._end_call()
        self._kind = "text"
        return [*self._text(reply), *([TextEnd(TEXT_ID)] if reply else [])]


def _held_back(text: str, stops: Sequence[str]) -> int:
    """How many trailing characters of ``text`` could begin a stop sequence."""
    longest = 0
    for stop in stops:
        for size in range(min(len(stop) - 1, len(text)), longest, -1):
            if text.endswith(stop[:size]):
                longest = size
                break
    return longest
