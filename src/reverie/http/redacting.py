"""A streamed answer without our credentials: a server echoing a key into text, reasoning or
a tool's input gets ``***`` into the parts instead, even when the key is split across deltas.

:class:`RedactingStream` wraps a family's parser (the ``WireStream`` that ``read_stream``
feeds), so the parts come out clean with no generator layer added per chunk. A delta's
text is passed on up to where a credential could begin: that tail is held until the next
delta of the same block shows whether it is one (then it is replaced) or not (then it goes
out with that delta), and is let go at the block's end, before a complete tool call, and
before the ``Finish``. Other parts (complete tool calls, sources, metadata, the Finish) are
rare and are searched whole.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Generic, TypeVar

from reverie.content import ToolCall
from reverie.http.auth import REDACTED, fewest
from reverie.http.reading import WireStream
from reverie.model import (
    Finish,
    ReasoningDelta,
    ReasoningEnd,
    StreamPart,
    TextDelta,
    TextEnd,
    ToolInputDelta,
    ToolInputEnd,
)

E = TypeVar("E")

_Delta = TextDelta | ReasoningDelta | ToolInputDelta
_DELTAS = frozenset({TextDelta, ReasoningDelta, ToolInputDelta})
_ENDS: dict[type, type] = {
    TextEnd: TextDelta,
    ReasoningEnd: ReasoningDelta,
    ToolInputEnd: ToolInputDelta,
}
_MAX_DEPTH = 64  # how deep a rare part's metadata is searched


class RedactingStream(Generic[E]):
    """``inner``'s parts with every one of ``secrets`` replaced by ``***``."""

    __slots__ = ("_heads", "_held", "_inner", "_secrets")

    def __init__(self, inner: WireStream[E], secrets: tuple[str, ...]) -> None:
        self._inner = inner
        self._secrets = fewest(secrets)
        self._heads = tuple((s[:2], s[0]) for s in self._secrets)
        #: (delta type, block id) → the tail held back, in the order the blocks began.
        self._held: dict[tuple[type, str], str] = {}

    @property
    def done(self) -> bool:
        return self._inner.done

    @property
    def terminal(self) -> str:
        return self._inner.terminal

    def feed(self, event: E) -> list[StreamPart]:
        parts = self._inner.feed(event)
        if parts and (self._held or not self._plain(parts)):
            return self._clean(parts)
        return parts

    def _plain(self, parts: list[StreamPart]) -> bool:
        """Whether ``parts`` are deltas in which no credential begins: the common case,
        passed on as they are for the cost of two searches per delta."""
        for part in parts:
            if type(part) not in _DELTAS:
                return False
            text: str = part.delta  # type: ignore[union-attr]
            for head, first in self._heads:
                if head in text or text[-1:] == first:
                    return False
        return True

    def finish(self) -> list[StreamPart]:
        return self._clean(self._inner.finish())

    def _clean(self, parts: list[StreamPart]) -> list[StreamPart]:
        out: list[StreamPart] = []
        held = self._held
        for part in parts:
            kind: Any = type(part)
            if kind in _DELTAS:
                delta: Any = part
                key = (kind, delta.id)
                text = held.pop(key, "") + delta.delta if held else delta.delta
                ready, rest = self._split(text)
                if rest:
                    held[key] = rest
                if ready == delta.delta:
                    out.append(part)
                elif ready:
                    out.append(kind(delta.id, ready))
                continue
            if held:
                if kind in _ENDS:
                    self._let_go((_ENDS[kind], getattr(part, "id", "")), out)
                elif kind is ToolCall:
                    self._let_go((ToolInputDelta, getattr(part, "tool_call_id", "")), out)
                elif kind is Finish:
                    for key in list(held):
                        self._let_go(key, out)
            out.append(_scrubbed(part, self._secrets))
        return out

    def _let_go(self, key: tuple[type, str], out: list[StreamPart]) -> None:
        """The held tail of a block that ends: not a whole credential, so it is text."""
        rest = self._held.pop(key, "")
        if rest:
            out.append(key[0](key[1], rest))

    def _split(self, text: str) -> tuple[str, str]:
        """``text`` redacted, cut where a credential could begin: (ready, held)."""
        size = len(text)
        cut = size
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
                size = cut = len(text)
        for secret in self._secrets:
            # Only a tail shorter than the secret can be the start of one; its first two
            # characters find the candidates (ordinary text rarely holds them), and a
            # last character equal to the secret's first is the one-character tail.
            head = secret[:2]
            at = text.find(head, max(0, size - len(secret) + 1))
            while 0 <= at < cut:
                if secret.startswith(text[at:]):
                    cut = at
                    break
                at = text.find(head, at + 1)
            else:
                if cut == size and size and text[-1] == secret[0]:
                    cut = size - 1
        if cut == size:
            return text, ""
        return text[:cut], text[cut:]


def _scrubbed(part: StreamPart, secrets: tuple[str, ...]) -> StreamPart:
    cleaned: StreamPart = scrub(part, secrets)
    return cleaned


def scrub(value: Any, secrets: tuple[str, ...], depth: int = 0) -> Any:
    """``value`` (text, bytes, containers, dataclasses) with every secret replaced; the very
    same object when nothing was found."""
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value
    if depth > _MAX_DEPTH or isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, bytes):
        for secret in secrets:
            raw = secret.encode()
            if raw in value:
                value = value.replace(raw, REDACTED.encode())
        return value
    if isinstance(value, dict):
        items = {k: scrub(v, secrets, depth + 1) for k, v in value.items()}
        changed = any(items[k] is not v for k, v in value.items())
        return items if changed else value
    if isinstance(value, list | tuple):
        cleaned = [scrub(v, secrets, depth + 1) for v in value]
        if all(a is b for a, b in zip(cleaned, value, strict=True)):
            return value
        return cleaned if isinstance(value, list) else tuple(cleaned)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = scrub(old, secrets, depth + 1)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
