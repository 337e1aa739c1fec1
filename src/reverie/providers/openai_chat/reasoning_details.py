"""``reasoning_details``, as OpenRouter and Vercel's AI Gateway send them: read from a message
or from stream deltas into Reasoning parts, and replayed on the next assistant message.

Both gateways return the same shape; only the provider-options namespace that holds the
replay metadata differs, so one :class:`ReasoningDetails` is made per namespace.

Two replay rules:

* **As received** (``lossless=True``, Vercel): the part keeps every entry as it came, in
  order: ``reasoning.text`` (``text``, maybe a ``signature``), ``reasoning.summary``
  (``summary``) and ``reasoning.encrypted`` (``data``), each with its ``format``, ``id`` and
  ``index``. Streamed entries arrive as fragments: a fragment whose ``type`` and ``index``
  match an entry already seen is merged into it (``text``, ``summary`` and ``data``
  appended; ``signature``, ``id`` and ``format`` set by the fragment that carries them); any
  other fragment starts a new entry. The part's metadata is
  ``{namespace: {"reasoning_details": [...]}}``, and those entries go back whole, except
  where the recorded gateway conversations differ: an OpenAI summary goes back without its
  ``id`` (and not at all when empty), and Gemini reasoning without an encrypted entry gets
  an empty one.
* **As recorded** (OpenRouter): what the recorded OpenRouter conversations show (fantasy's
  behaviour, which upstream providers accepted): one detail per assistant message, taken
  from the last reasoning block; Anthropic blocks keep their signature (and repeat the text
  as ``reasoning``); Gemini blocks keep their encrypted data and id; every other block is
  sent back as plain ``reasoning.text`` of format ``unknown``. When streamed, that plain text
  leaves out its first delta, as the recordings do. The metadata is
  ``{namespace: {"reasoning_detail": {...}}}``.

Either way, an Anthropic upstream's signature is also kept as ``{"anthropic": {"signature":
...}}`` so the history can move to Anthropic, and an assistant message sends back the
details of its last reasoning part (a stream whose reasoning resumes after the answer began
has two; the recordings send the later one).
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


# The fields a streamed fragment appends to its entry; any other field is set by the fragment
# that carries it (a signature, an id, a format).
_APPENDED = ("text", "summary", "data")


def _visible(detail: Mapping[str, Any]) -> str:
    """The text a reader sees in one detail: a text's ``text``, a summary's ``summary``."""
    kind = detail.get("type")
    if kind == "reasoning.text":
        value = detail.get("text")
    elif kind == "reasoning.summary":
        value = detail.get("summary")
    else:
        return ""
    return value if isinstance(value, str) else ""


class _Entries:
    """Reasoning details kept as received, in order; streamed fragments merged into whole
    entries by ``type`` and ``index``."""

    __slots__ = ("_by_key", "_namespace", "entries")

    def __init__(self, namespace: str) -> None:
        self._namespace = namespace
        self._by_key: dict[tuple[Any, int], dict[str, Any]] = {}
        self.entries: list[dict[str, Any]] = []

    def add(self, detail: Mapping[str, Any]) -> str:
        """Adds one whole entry (a message's) and returns the text it shows."""
        self.entries.append(dict(detail))
        return _visible(detail)

    def merge(self, detail: Mapping[str, Any]) -> str:
        """Adds one streamed fragment and returns the text it shows."""
        index = detail.get("index")
        if type(index) is not int:  # no index: nothing to merge it with
            return self.add(detail)
        key = (detail.get("type"), index)
        entry = self._by_key.get(key)
        if entry is None:
            entry = dict(detail)
            self._by_key[key] = entry
            self.entries.append(entry)
            return _visible(detail)
        for name, value in detail.items():
            if value is None:
                continue
            if name in _APPENDED and isinstance(value, str):
                before = entry.get(name)
                entry[name] = before + value if isinstance(before, str) else value
            else:
                entry[name] = value
        return _visible(detail)

    def metadata(self) -> Metadata:
        if not self.entries:
            return {}
        metadata: Metadata = {self._namespace: {"reasoning_details": self.entries}}
        signature = ""
        for entry in self.entries:
            if str(entry.get("format") or "").startswith("anthropic-claude"):
                found = entry.get("signature")
                if isinstance(found, str) and found:
                    signature = found
        if signature:
            # The signature in Anthropic's own namespace lets the history move to Anthropic.
            metadata["anthropic"] = {"signature": signature}
        return metadata


def _plain(text: Any) -> dict[str, Any] | None:
    """The detail standing for reasoning sent only as plain ``reasoning`` text."""
    if isinstance(text, str) and text:
        return {"type": "reasoning.text", "text": text, "format": "unknown", "index": 0}
    return None


class _EntriesStream(ReasoningStream):
    __slots__ = ("_entries", "_namespace")

    def __init__(self, namespace: str) -> None:
        self._namespace = namespace
        self._entries = _Entries(namespace)

    def feed(self, delta: dict[str, Any], framer: Framer) -> None:
        details = delta.get("reasoning_details")
        if not details:
            plain = _plain(delta.get("reasoning"))
            if plain is None:
                return
            details = (plain,)
        elif not isinstance(details, list):
            return
        entries = self._entries
        for detail in details:
            if isinstance(detail, dict):
                framer.reasoning(REASONING_ID, entries.merge(detail))

    def close(self, framer: Framer) -> None:
        if framer.is_open("reasoning", REASONING_ID):
            framer.end_reasoning(REASONING_ID, self._entries.metadata())
            self._entries = _Entries(self._namespace)


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
    """Reads and replays ``reasoning_details``, keeping replay metadata under ``namespace``.
    ``lossless`` replays every entry as received; otherwise the recorded rule (one detail,
    ``{namespace: {"reasoning_detail": ...}}``). A dialect delegates its reasoning hooks to
    one of these."""

    __slots__ = ("lossless", "namespace")

    def __init__(self, namespace: str, *, lossless: bool = False) -> None:
        self.namespace = namespace
        self.lossless = lossless

    def from_message(self, message: dict[str, Any]) -> list[Reasoning]:
        """The reasoning of a non-streamed message (``reasoning_details``, else ``reasoning``)."""
        details = message.get("reasoning_details") or ()
        if not isinstance(details, list):
            details = ()
        if self.lossless:
            entries = _Entries(self.namespace)
            texts = [entries.add(d) for d in details if isinstance(d, dict)]
            if not entries.entries:
                plain = _plain(message.get("reasoning"))
                if plain is None:
                    return []
                texts = [entries.add(plain)]
            return [Reasoning(text="".join(texts), provider_metadata=entries.metadata())]
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
        if self.lossless:
            return _EntriesStream(self.namespace)
        return _DetailsStream(self.namespace)

    def replay(self, parts: Sequence[ReasoningPart]) -> dict[str, Any]:
        """Fields that send reasoning back on an assistant message: the details of its last
        reasoning part (the last part's replaces an earlier part's, as the recorded
        conversations show), in the replay form of this reader's rule."""
        details: list[dict[str, Any]] = []
        for part in parts:
            options = part.provider_options.get(self.namespace) or {}
            found = options.get("reasoning_details")
            if isinstance(found, list):
                details = [d for d in found if isinstance(d, dict)]
            single = options.get("reasoning_detail")
            if isinstance(single, dict):
                details = [single]
        if self.lossless:
            details = _gateway_form(details)
        if not details:
            return {}
        fields: dict[str, Any] = {"reasoning_details": details}
        anthropic = [
            str(d.get("text") or "")
            for d in details
            if d.get("type") == "reasoning.text"
            and str(d.get("format", "")).startswith("anthropic-claude")
        ]
        if any(anthropic):
            fields["reasoning"] = "".join(anthropic)
        return fields


def _gateway_form(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries as received, in the two places the recorded gateway conversations differ:
    an OpenAI summary goes back without its ``id`` (the encrypted entry carries the item's id)
    and only when it has text; Gemini reasoning without an encrypted entry gets an empty one
    (its thought signature's place)."""
    out: list[dict[str, Any]] = []
    gemini = ""
    encrypted = False
    for detail in details:
        fmt = str(detail.get("format") or "")
        kind = detail.get("type")
        encrypted = encrypted or kind == "reasoning.encrypted"
        if fmt.startswith("google-gemini"):
            gemini = fmt
        if fmt.startswith("openai-responses") and kind == "reasoning.summary":
            # recorded quirk: summaries are replayed without their id, empty ones not at all.
            if not detail.get("summary"):
                continue
            detail = {k: v for k, v in detail.items() if k != "id"}
        out.append(detail)
    if gemini and not encrypted:
        # recorded quirk: Gemini reasoning always goes back with an encrypted entry.
        out.append({"type": "reasoning.encrypted", "format": gemini, "index": 0})
    return out
