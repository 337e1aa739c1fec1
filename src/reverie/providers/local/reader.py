"""Reading the model's reply back as it is generated, piece by piece, into stream parts.

The grammar (:mod:`reverie.providers.local.grammar`) decides what the model may write; this
only follows that format as it streams in, to frame text and calls for the caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from reverie.framer import Framer
from reverie.model import StreamPart
from reverie.providers.local.grammar import ARGUMENTS_KEY, TOOL_KEY, ReplyMode

TEXT_ID = "text-0"

_CALL_HEAD = re.compile(
    r'\s*\{\s*"' + TOOL_KEY + r'"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"' + ARGUMENTS_KEY + r'"\s*:\s*'
)


class ReplyReader:
    """Turns the reply's text, piece by piece, into framed stream parts.

    This follows the reply format; the :class:`~reverie.framer.Framer` does the framing (text
    start/delta/end; a call's input start/delta/end, then the complete ToolCall). ``done``
    turns true when nothing more should be generated: a stop sequence appeared in the text,
    or the call's JSON object is complete.
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
        self._framer = Framer()
        self._tool_name: str | None = None
        self._arguments_started = False
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
            self._feed_text(text)
        else:
            self._feed_call(text)
        return self._framer.drain()

    def finish(self) -> list[StreamPart]:
        """Parts that close the reply once generation has ended, for whatever reason."""
        framer = self._framer
        if self._kind is None:
            if self._mode is ReplyMode.JSON_EITHER:
                self._finish_json_either()
                return framer.drain()
            self._kind = "text"  # only whitespace was generated
        if self._kind == "text" or self._tool_name is None:
            # A call cut off before its tool name was complete is kept as the text it was.
            if not self.done:
                self._text(self._buffer)
            self._buffer = ""
            framer.end_text(TEXT_ID)
        elif not self.called:  # cut off inside the arguments: the agent may repair them
            self._end_call()
        return framer.drain()

    # text

    def _feed_text(self, text: str) -> None:
        if not self._stops:
            self._text(text)
            return
        pending = self._buffer + text
        cut = min((i for i in (pending.find(s) for s in self._stops) if i >= 0), default=-1)
        if cut >= 0:
            self.done = True
            self._buffer = ""
            self._text(pending[:cut])
            return
        keep = _held_back(pending, self._stops)
        self._buffer = pending[len(pending) - keep :] if keep else ""
        self._text(pending[: len(pending) - keep])

    def _text(self, text: str) -> None:
        if text:  # no block for nothing: an empty reply has no text part
            self._framer.text(TEXT_ID, text)

    # call

    def _feed_call(self, text: str) -> None:
        if self._tool_name is None:
            self._buffer += text
            match = _CALL_HEAD.match(self._buffer)
            if match is None:
                return
            self._tool_name = str(json.loads(match.group(1)))
            self._framer.tool_start(self._call_id, self._tool_name)
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
                self._frame_arguments(delta)
                self.done = True
                self._end_call()
                return
            elif char == '"':
                self._in_string = True
                self._escaped = False
            elif char in "{[":
                self._depth += 1
            elif char in "}]":
                self._depth -= 1
            if self._space:
                if self._arguments_started or delta:  # whitespace before the value is not in it
                    delta.append(self._space)
                self._space = ""
            delta.append(char)
        self._frame_arguments(delta)

    def _frame_arguments(self, delta: list[str]) -> None:
        if delta:
            self._arguments_started = True
            self._framer.tool_delta(self._call_id, "".join(delta))

    def _end_call(self) -> None:
        self.called = True
        self._framer.tool_end(self._call_id)

    def _finish_json_either(self) -> None:
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
            self._feed_call(reply)
            if self._tool_name is None:
                # Valid JSON the head pattern does not follow (keys in the other order): the
                # parsed call is still the call, so frame it whole rather than nameless.
                self._buffer = ""
                self.called = True
                self._framer.tool_end(
                    self._call_id,
                    input=json.dumps(value[ARGUMENTS_KEY]),
                    name=str(value[TOOL_KEY]),
                )
            elif not self.called:
                self._end_call()
            return
        self._kind = "text"
        self._text(reply)
        self._framer.end_text(TEXT_ID)


def _held_back(text: str, stops: Sequence[str]) -> int:
    """How many trailing characters of ``text`` could begin a stop sequence."""
    longest = 0
    for stop in stops:
        for size in range(min(len(stop) - 1, len(text)), longest, -1):
            if text.endswith(stop[:size]):
                longest = size
                break
    return longest
