"""``reasoning_details``, as OpenRouter and Vercel's AI Gateway send them: read from a message
or from stream deltas into Reasoning parts, and replayed on the next assistant message.

Both gateways return the same shape; only the provider-options namespace that holds the
replay metadata differs, so one :class:`ReasoningDetails` is made per namespace.

The replay rules reproduce what the recorded OpenRouter conversations show (fantasy's
behaviour, which upstream providers accepted): one detail per assistant message, taken from
the last reasoning block; Anthropic blocks keep their signature (and repeat the text as
``reasoning``); Gemini blocks keep their encrypted data and id; every other block is sent
back as plain ``reasoning.text`` of format ``unknown``. When streamed, that plain text
leaves out its first delta, as the recordings do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reverie.content import Reasoning
from reverie.framer import Framer
from reverie.messages import Metadata, ReasoningPart
from reverie.providers.openai_chat.dialect import REASONING_ID, ReasoningStream


@dataclass(slots=True)
class _Block:
    """Reasoning details that share a model family and an index."""

    family: str
    format: str
    text: list[str] = field(default_factory=list)
    replay_text: list[str] = field(default_factory=list)
    signature: str = ""
    data: str = ""
    id: str = ""

    def replay(self) -> dict[str, Any]:
        if self.family == "anthropic":
            detail: dict[str, Any] = {"type": "reasoning.text", "format": self.format, "index": 0}
            detail["text"] = "".join(self.text)
            if self.signature:
                detail["signature"] = self.signature
            return detail
        if self.family == "google":
            detail = {"type": "reasoning.encrypted", "format": self.format, "index": 0}
            if self.data:
                detail["data"] = self.data
            if self.id:
                detail["id"] = self.id
            return detail
        detail = {"type": "reasoning.text", "format": "unknown", "index": 0}
        text = "".join(self.replay_text)
        if text:
            detail["text"] = text
        return detail


def _family(fmt: str) -> str:
    if fmt.startswith("anthropic-claude"):
        return "anthropic"
    if fmt.startswith("google-gemini"):
        return "google"
    if fmt.startswith(("openai-responses", "xai-responses")):
        return "responses"
    return "other"


class _Blocks:
    """Groups reasoning details into blocks, in the order blocks first appear."""

    def __init__(self, namespace: str, *, streaming: bool) -> None:
        self._namespace = namespace
        self._streaming = streaming
        self._by_key: dict[tuple[str, int], _Block] = {}
        self.order: list[_Block] = []

    def add(self, detail: Mapping[str, Any]) -> str:
        """Adds one detail; returns the user-visible text it carried."""
        fmt = str(detail.get("format") or "unknown")
        family = _family(fmt)
        index = detail.get("index", 0)
        key = (family, index if isinstance(index, int) else 0)
        block = self._by_key.get(key)
        first = block is None
        if block is None:
            block = _Block(family=family, format=fmt)
            self._by_key[key] = block
            self.order.append(block)
        kind = detail.get("type")
        text = ""
        if kind == "reasoning.text":
            text = str(detail.get("text") or "")
            if detail.get("signature"):
                block.signature = str(detail["signature"])
        elif kind == "reasoning.summary":
            text = str(detail.get("summary") or "")
        elif kind == "reasoning.encrypted":
            block.data = str(detail.get("data") or "")
            if detail.get("id"):
                block.id = str(detail["id"])
        if text:
            block.text.append(text)
            # recorded quirk: streamed plain reasoning text is replayed without its first delta.
            if not (self._streaming and first and kind == "reasoning.text" and family == "other"):
                block.replay_text.append(text)
        return text

    def metadata(self) -> Metadata:
        if not self.order:
            return {}
        last = self.order[-1]
        metadata: Metadata = {self._namespace: {"reasoning_detail": last.replay()}}
        if last.family == "anthropic" and last.signature:
            # The signature in Anthropic's own namespace lets the history move to Anthropic.
            metadata["anthropic"] = {"signature": last.signature}
        return metadata


class _DetailsStream(ReasoningStream):
    def __init__(self, namespace: str) -> None:
        self._namespace = namespace
        self._blocks = _Blocks(namespace, streaming=True)

    def feed(self, delta: dict[str, Any], framer: Framer) -> None:
        details = delta.get("reasoning_details") or ()
        if not details:
            text = delta.get("reasoning")
            if isinstance(text, str) and text:
                details = ({"type": "reasoning.text", "text": text, "format": "unknown"},)
        if not isinstance(details, list | tuple):
            return
        for detail in details:
            if isinstance(detail, dict):
                framer.reasoning(REASONING_ID, self._blocks.add(detail))

    def close(self, framer: Framer) -> None:
        if framer.is_open("reasoning", REASONING_ID):
            framer.end_reasoning(REASONING_ID, self._blocks.metadata())
            self._blocks = _Blocks(self._namespace, streaming=True)


class ReasoningDetails:
    """Reads and replays ``reasoning_details``, keeping replay metadata under ``namespace``
    (``{namespace: {"reasoning_detail": ...}}``, plus ``{"anthropic": {"signature": ...}}``
    for Anthropic upstreams). A dialect delegates its reasoning hooks to one of these."""

    __slots__ = ("namespace",)

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def from_message(self, message: dict[str, Any]) -> list[Reasoning]:
        """The reasoning of a non-streamed message (``reasoning_details``, else ``reasoning``)."""
        details = message.get("reasoning_details") or ()
        blocks = _Blocks(self.namespace, streaming=False)
        texts = [blocks.add(d) for d in details if isinstance(d, dict)]
        if not blocks.order:
            text = message.get("reasoning")
            if isinstance(text, str) and text:
                blocks.add({"type": "reasoning.text", "text": text, "format": "unknown"})
                texts = [text]
            else:
                return []
        return [Reasoning(text="".join(texts), provider_metadata=blocks.metadata())]

    def stream(self) -> ReasoningStream:
        """A fresh reader for the reasoning in one response's stream deltas."""
        return _DetailsStream(self.namespace)

    def replay(self, parts: Sequence[ReasoningPart]) -> dict[str, Any]:
        """Fields that send the last reasoning detail back on an assistant message."""
        detail: dict[str, Any] | None = None
        for part in parts:
            found = (part.provider_options.get(self.namespace) or {}).get("reasoning_detail")
            if isinstance(found, dict):
                detail = found
        if detail is None:
            return {}
        fields: dict[str, Any] = {"reasoning_details": [detail]}
        if str(detail.get("format", "")).startswith("anthropic-claude") and detail.get("text"):
            fields["reasoning"] = detail["text"]
        return fields
