"""A conversation from any provider, made into one another provider accepts.

Every family's ``messages.py`` passes the prompt through :func:`prepare` before writing its
wire messages; the family gives only a :class:`Target` (whose replay metadata it reads, from
which hosts, which tool-call ids it takes). What is done here, once for every family:

- **Reasoning.** A reasoning part is the target's own when it (or, for a part with no
  metadata, another part of its message) carries replay metadata in the target's namespace
  from a host the target accepts. Own reasoning is left to the family, unchanged. Any other
  is dropped (``foreign_reasoning="drop"``, the default), with one warning per request, or
  sent as assistant text in ``<reasoning>`` tags (``"text"``).
- **Replay metadata of another host.** A signature or item id in the target's namespace that
  another host produced (the Gemini API's signature on Vertex, OpenAI's item ids on Azure) is
  taken off the part; the rest of the part is sent.
- **Provider-executed tools.** Another vendor's calls and results (a web search) become
  assistant text naming the tool, its input and the sources of its result.
- **Tool-call ids.** Ids the target refuses (characters, length) or that repeat an earlier
  call's id get a new id, derived deterministically from the original, used for the call and
  its result alike; every result is matched to the earliest unanswered call of its id.
- **Tool names.** A call's name the target refuses (no tool of the request has it: a model
  made it up) is sent fitted to the target's rule, in the call and its result alike.
- **Files given by URL.** A ``data:`` URL is decoded into the part's bytes (every target
  takes bytes; none is asked to fetch a ``data:`` URL). A URL the target cannot read
  (``Target.file_urls``: another vendor's file store, ``gs://`` away from Google, any URL on
  a host taking bytes only) is never fetched here: the file is named in text where it stood
  (its URL without query or credentials), with one warning naming each such part.
- **Pairing.** A result whose call is not in the conversation becomes user text; a call left
  unanswered before the conversation goes on gets an error result saying so.

Messages themselves are never changed: this runs on the way out, so a conversation continued
on B and then on A again sends A's parts to A exactly as A returned them. A conversation with
nothing to change (every part the target's own or free of replay metadata, every id valid
and used once, every call answered in order: a loop on one provider) is found so by one cheap
pass and sent as it is, its messages not copied.

Where a host is recorded: replay metadata carries ``"host"`` in its namespace when the host
that produced it is not the namespace's home (``{"google": {"thought_signature": …, "host":
"vertex"}}``); without it the metadata is the home host's (``anthropic``, ``google``,
``openai``, or the gateway named by the namespace).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import unquote_to_bytes, urlsplit

from reverie.messages import (
    ErrorOutput,
    FilePart,
    Message,
    Metadata,
    Part,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from reverie.warning import CallWarning

__all__ = [
    "ANY_ID",
    "FOREIGN_REASONING",
    "FUNCTION_NAMES",
    "HOST_KEY",
    "ForeignReasoning",
    "IdRule",
    "Target",
    "host_of",
    "no_file_urls",
    "prepare",
    "stamp_host",
    "web_file",
    "web_url",
]

ForeignReasoning = Literal["drop", "text"]
FOREIGN_REASONING: tuple[ForeignReasoning, ...] = ("drop", "text")

HOST_KEY = "host"
"""The key, inside a namespace's metadata, naming the host that produced it."""

REPLAY_KEYS: dict[str, tuple[str, ...]] = {
    "anthropic": ("signature", "redacted_data", "type", "content"),
    "google": ("thought_signature",),
    "openai": ("item_id", "encrypted_content"),
    "openrouter": ("reasoning_detail", "reasoning_details"),
    "vercel": ("reasoning_detail", "reasoning_details"),
}
"""Per namespace, the keys that are replay metadata (what a provider must get back as it
gave it); other keys in a namespace are options (a cache marker) and always stay."""

HOME: dict[str, str] = {"anthropic": "anthropic", "google": "google", "openai": "openai"}
"""The host a namespace's metadata belongs to when it names none; a gateway's namespace is
its own name."""

ALIASES: dict[str, str] = {"openai-responses": "openai"}
"""Provider names that are one host (``openai-responses:`` is OpenAI's API)."""


def host_name(provider: str) -> str:
    """The host a provider name stands for."""
    return ALIASES.get(provider, provider)


def host_of(metadata: Metadata, namespace: str) -> str:
    """The host that produced ``metadata[namespace]``."""
    values = metadata.get(namespace) or {}
    host = values.get(HOST_KEY) if isinstance(values, dict) else None
    return host if isinstance(host, str) and host else HOME.get(namespace, namespace)


def stamp_host(metadata: Metadata, namespace: str, host: str) -> Metadata:
    """``metadata`` with ``host`` recorded in ``namespace`` when it is not the home host (so
    metadata of the home hosts stays as it always was)."""
    values = metadata.get(namespace)
    host = host_name(host)
    if not values or host == HOME.get(namespace, namespace):
        return metadata
    return {**metadata, namespace: {**values, HOST_KEY: host}}


@dataclass(frozen=True, slots=True, kw_only=True)
class IdRule:
    """The tool-call ids a target takes: characters (a regular expression matching one
    character) and a maximum length (``None``: any)."""

    allowed: str | None = None
    max_length: int | None = None
    first: str | None = None
    """The characters a value may start with (a regular expression matching one character;
    ``None``: any it allows)."""

    def valid(self, value: str) -> bool:
        if not value:
            return False
        if self.max_length is not None and len(value) > self.max_length:
            return False
        if self.first is not None and _id_pattern(self.first).fullmatch(value[0]) is None:
            return False
        return self.allowed is None or _id_pattern(self.allowed).fullmatch(value) is not None

    def _lead(self, base: str) -> str:
        """``base`` with ``_`` before it when it may not start as it does."""
        if self.first is None or not base or _id_pattern(self.first).fullmatch(base[0]):
            return base
        return "_" + base

    def fit(self, original: str, taken: set[str], occurrence: int) -> str:
        """A valid id for ``original``, not in ``taken``, always the same for the same
        original, occurrence and taken set."""
        if self.valid(original) and original not in taken:
            return original
        limit = self.max_length or 64
        base = original[:limit]
        if self.allowed is not None:
            base = re.sub(f"(?!{self.allowed}).", "_", base, flags=re.DOTALL)
        base = self._lead(base)
        digest = hashlib.sha256(f"{original}\x00{occurrence}".encode()).hexdigest()
        for extra in range(len(digest) - 8):
            suffix = "_" + digest[extra : extra + 8]
            candidate = (base or "call")[: limit - len(suffix)] + suffix
            if self.valid(candidate) and candidate not in taken:
                return candidate
        raise AssertionError("no free tool-call id")  # 56 hashes all taken: not reachable

    def name(self, original: str) -> str:
        """A tool name this rule takes for ``original``: itself when valid, else with each
        character it refuses as ``_``, cut to the length (the same for the same name, so a
        call and its result keep one name)."""
        if self.valid(original):
            return original
        base = original
        if self.allowed is not None:
            base = re.sub(f"(?!{self.allowed}).", "_", base, flags=re.DOTALL)
        return self._lead(base)[: self.max_length or None] or "unknown_tool"


@functools.lru_cache(maxsize=32)
def _id_pattern(allowed: str) -> re.Pattern[str]:
    return re.compile(f"(?:{allowed})+")


ANY_ID = IdRule()

FUNCTION_NAMES = IdRule(allowed="[a-zA-Z0-9_-]", max_length=64)
"""OpenAI's function names (letters, digits, ``_`` and ``-``, at most 64), which the chat
gateways follow too."""


GEMINI_FILES = "generativelanguage.googleapis.com"
"""The Gemini API's file store: its file URIs are read with a Gemini API key only."""


def web_url(url: str) -> bool:
    """An ``http(s)`` URL any host can fetch (not a file in the Gemini API's store)."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and (parts.hostname != GEMINI_FILES)
    )


def web_file(part: FilePart) -> bool:
    """Images and PDFs by ``http(s)`` URL: what most hosts fetch themselves."""
    media = part.media_type
    return (media.startswith("image/") or media == "application/pdf") and web_url(part.url or "")


def no_file_urls(part: FilePart) -> bool:
    """A host taking files as bytes only."""
    return False


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """What a family tells :func:`prepare` about where a request goes."""

    host: str
    """The provider receiving the request (``"anthropic"``, ``"bedrock"``, ``"vertex"``…)."""
    namespace: str | None
    """The metadata namespace it replays (``None``: it replays none)."""
    reasoning_hosts: frozenset[str] = frozenset()
    """Hosts whose reasoning metadata in ``namespace`` it takes (the target itself, or more
    where the provider documents signatures as portable)."""
    tool_hosts: frozenset[str] = frozenset()
    """Hosts whose provider-executed calls and results it takes back."""
    bare_tools: bool = False
    """Whether its provider-executed calls come without metadata (Responses' web searches):
    such a call is then its own in a turn of its own. Otherwise a call is its own only when
    it or its result carries the metadata the target replays it from."""
    ids: IdRule = ANY_ID
    names: IdRule = ANY_ID
    """The tool names it takes. A call (and its result) under a name it refuses, which no
    tool of the request can have (a name a model made up, with a path or control
    characters in it), is sent under that name fitted to the rule, so the conversation
    stays one the target accepts."""
    file_urls: Callable[[FilePart], bool] | None = None
    """Whether it reads a file (never a ``data:`` one) from its URL; ``None``: every URL is
    sent as given. A file it cannot read so is named in text, with a warning."""
    assistant_files: bool = True
    """Whether its assistant turns take files (an image a model made); where not, a file is
    named in text instead, with a warning."""
    plain_reasoning: bool = False
    """Whether reasoning without any metadata, in a message without any, is sent as it is
    (servers taking reasoning text back, such as ``reasoning_content``)."""
    own_unsigned: bool = False
    """Whether reasoning without metadata in a turn of its own is its own to leave out
    silently (Gemini's thought summaries, signed elsewhere in the turn); otherwise such a
    part counts with the foreign reasoning."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", host_name(self.host))
        for name in ("reasoning_hosts", "tool_hosts"):
            object.__setattr__(self, name, frozenset(map(host_name, getattr(self, name))))

    def takes(self, metadata: Metadata, hosts: frozenset[str]) -> bool:
        ns = self.namespace
        if ns is None or not _has_replay(metadata, ns):
            return False
        return host_of(metadata, ns) in (hosts or {self.host})


def _has_replay(metadata: Metadata, namespace: str) -> bool:
    values = metadata.get(namespace)
    if not isinstance(values, dict):
        return False
    # Only known replay keys count: options (a cache marker) and unknown namespaces do not.
    return any(values.get(k) not in (None, "") for k in REPLAY_KEYS.get(namespace, ()))


def _has_any_replay(metadata: Metadata) -> bool:
    return any(_has_replay(metadata, ns) for ns in metadata)


@dataclass(slots=True)
class _State:
    target: Target
    policy: ForeignReasoning
    taken: set[str] = field(default_factory=set)
    seen: dict[str, int] = field(default_factory=dict)
    open: dict[str, list[str]] = field(default_factory=dict)  # original id → mapped, unanswered
    names: dict[str, str] = field(default_factory=dict)  # mapped id → the call's name as sent
    dropped: int = 0
    files: int = 0
    unread: list[str] = field(default_factory=list)  # files whose URL the target cannot read

    def call_id(self, original: str) -> str:
        occurrence = self.seen.get(original, 0)
        self.seen[original] = occurrence + 1
        mapped = self.target.ids.fit(original, self.taken, occurrence)
        self.taken.add(mapped)
        self.open.setdefault(original, []).append(mapped)
        return mapped

    def result_id(self, original: str) -> str | None:
        waiting = self.open.get(original)
        return waiting.pop(0) if waiting else None


def prepare(
    prompt: Sequence[Message], target: Target, policy: ForeignReasoning = "drop"
) -> tuple[list[Message], list[CallWarning]]:
    """``prompt`` as ``target`` can take it, and one warning for foreign reasoning left out."""
    if policy not in FOREIGN_REASONING:
        from reverie.errors import ConfigurationError

        raise ConfigurationError(f"foreign_reasoning must be 'drop' or 'text', not {policy!r}")
    if _unchanged(prompt, target):
        return list(prompt), []
    return _rewrite(prompt, target, policy)


def _unchanged(prompt: Sequence[Message], target: Target) -> bool:
    """Whether :func:`_rewrite` would give ``prompt`` back as it is (then nothing is copied):
    reasoning the target's own, other parts free of replay metadata it must not get, call ids
    valid and each used once, call names valid, every result answering an open call under its
    name (in a tool turn, or leading a user turn), no call left open when the conversation
    goes on, every file bytes or a URL the target reads (not a ``data:`` one). Anything else
    (another vendor's provider-executed tools, a file in an assistant turn of a target taking
    none, a result in an assistant turn, a turn left empty) is not looked at further: the
    whole pass decides it."""
    rule, names = target.ids, target.names
    seen: set[str] = set()
    waiting: dict[str, str] = {}  # calls not answered yet: id → name
    for message in prompt:
        role, content = message.role, message.content
        if role == "tool":
            if not content:
                return False
            for part in content:
                if (
                    type(part) is not ToolResultPart
                    or part.provider_executed
                    or waiting.pop(part.tool_call_id, None) != part.tool_name
                ):
                    return False
            continue
        if role == "user":
            if not content:
                return False
            leading = True
            for part in content:
                if type(part) is ToolResultPart:
                    if not leading or part.provider_executed:
                        return False
                    if waiting.pop(part.tool_call_id, None) != part.tool_name:
                        return False
                else:
                    leading = False
                    if part.provider_options and _strip(part, target) is not part:
                        return False
                    if type(part) is FilePart and not _file_as_is(part, target):
                        return False
            if waiting:
                return False
            continue
        if waiting:  # a system or assistant turn while calls are open: they get results
            return False
        if role != "assistant":
            continue  # a system turn is sent as it is
        if not content:
            return False
        own: bool | None = None
        looked = False  # own is looked up once, for unsigned reasoning only
        for part in content:
            kind = type(part)
            if kind is ToolCallPart:
                call: ToolCallPart = part  # type: ignore[assignment]
                if call.provider_executed or call.tool_call_id in seen:
                    return False
                if not rule.valid(call.tool_call_id) or not names.valid(call.tool_name):
                    return False
                seen.add(call.tool_call_id)
                waiting[call.tool_call_id] = call.tool_name
            elif kind is ReasoningPart:
                if target.takes(part.provider_options, target.reasoning_hosts):
                    continue
                if _has_any_replay(part.provider_options):
                    return False
                if not looked:
                    own, looked = _own_message(message, target), True
                if not ((own and target.own_unsigned) or (own is None and target.plain_reasoning)):
                    return False
                continue
            elif kind is not TextPart and (
                kind is not FilePart or not target.assistant_files or not _file_as_is(part, target)  # type: ignore[arg-type]
            ):
                return False
            if part.provider_options and _strip(part, target) is not part:
                return False
    return True


def _rewrite(
    prompt: Sequence[Message], target: Target, policy: ForeignReasoning
) -> tuple[list[Message], list[CallWarning]]:
    """The whole pass: every turn rebuilt as the target can take it."""
    state = _State(target, policy)
    out: list[Message] = []
    for message in prompt:
        if message.role == "assistant":
            _close_unanswered(state, out)
            out.append(_assistant(message, state))
        elif message.role == "tool":
            out.extend(_tool(message, state))
        elif any(isinstance(p, ToolResultPart) for p in message.content):
            # Results in a user turn (as Anthropic's wire has them): answered there.
            mapped = _others(message, state)
            missing = _missing(state, out)
            out.append(replace(mapped, content=(*missing, *mapped.content)))
        else:
            _close_unanswered(state, out)
            out.append(_others(message, state))
    out = [m for m in out if m.content or m.role == "system"]
    warnings: list[CallWarning] = []
    if state.dropped:
        warnings.append(
            CallWarning(
                kind="unsupported-setting",
                setting="foreign_reasoning",
                message=f"{state.dropped} reasoning part(s) without replay data for "
                f"{target.host} were not sent (foreign_reasoning='drop')",
            )
        )
    if state.unread:
        warnings.append(
            CallWarning(
                kind="other",
                message=f"{len(state.unread)} file(s) given by URL were not sent to "
                f"{target.host}, which cannot read them from there (named in text instead): "
                + "; ".join(state.unread),
            )
        )
    if state.files:
        warnings.append(
            CallWarning(
                kind="other",
                message=f"{state.files} file(s) in assistant turns were not sent to "
                f"{target.host}: it takes none there",
            )
        )
    return out, warnings


def _own_message(message: Message, target: Target) -> bool | None:
    """True when a part carries the target's replay metadata from a host it takes; False
    when parts carry replay metadata but none of that; None when no part carries any."""
    found = False
    for part in message.content:
        if target.takes(part.provider_options, target.reasoning_hosts | target.tool_hosts):
            return True
        found = found or _has_any_replay(part.provider_options)
    return False if found else None


def _assistant(message: Message, state: _State) -> Message:
    target = state.target
    own = _own_message(message, target)
    # A provider-executed call and its result are the target's or not together.
    calls = {
        p.tool_call_id: p
        for p in message.content
        if isinstance(p, ToolCallPart) and p.provider_executed
    }
    results = {
        p.tool_call_id: p
        for p in message.content
        if isinstance(p, ToolResultPart) and p.provider_executed
    }
    own_pairs = {
        i: _own_provider_call(calls.get(i), results.get(i), own, target)
        for i in calls.keys() | results.keys()
    }
    parts: list[Part] = []
    for part in message.content:
        if isinstance(part, ReasoningPart):
            kept = _reasoning(part, own, state)
            if kept is not None:
                parts.append(kept)
        elif isinstance(part, ToolCallPart) and part.provider_executed:
            if own_pairs[part.tool_call_id]:
                state.taken.add(part.tool_call_id)  # its id is the target's: no call takes it
                parts.append(_strip(part, target))
            else:
                parts.append(TextPart(text=render_call(part)))
        elif isinstance(part, ToolResultPart) and part.provider_executed:
            if own_pairs[part.tool_call_id]:
                parts.append(_strip(part, target))
            else:
                parts.append(TextPart(text=render_result(part)))
        elif isinstance(part, ToolCallPart):
            mapped = state.call_id(part.tool_call_id)
            name = state.names[mapped] = target.names.name(part.tool_name)
            parts.append(_strip(replace(part, tool_call_id=mapped, tool_name=name), target))
        elif isinstance(part, ToolResultPart):  # a client result in an assistant turn
            parts.append(TextPart(text=render_result(part)))
        elif isinstance(part, FilePart) and not target.assistant_files:
            state.files += 1
            name = f" {part.filename}" if part.filename else ""
            parts.append(TextPart(text=f"[a {part.media_type} file{name} was attached here]"))
        elif isinstance(part, FilePart):
            parts.append(_file(_strip(part, target), state))  # type: ignore[arg-type]
        else:
            parts.append(_strip(part, target))
    return replace(message, content=tuple(parts))


def _reasoning(part: ReasoningPart, own: bool | None, state: _State) -> Part | None:
    target = state.target
    if target.takes(part.provider_options, target.reasoning_hosts):
        return part
    anonymous = not _has_any_replay(part.provider_options)
    if anonymous and ((own and target.own_unsigned) or (own is None and target.plain_reasoning)):
        return part
    if state.policy == "text" and part.text:
        return TextPart(text=f"<reasoning>\n{part.text}\n</reasoning>")
    state.dropped += 1
    return None


def _own_provider_call(
    call: ToolCallPart | None,
    result: ToolResultPart | None,
    own: bool | None,
    target: Target,
) -> bool:
    if not target.tool_hosts:
        return False
    for part in (call, result):
        if part is not None and target.takes(part.provider_options, target.tool_hosts):
            return True
    anonymous = all(p is None or not _has_any_replay(p.provider_options) for p in (call, result))
    return target.bare_tools and anonymous and own is True


def _results(message: Message, state: _State) -> list[Part]:
    """A turn's parts with each result's id mapped to its call's (a result whose call is not
    in the conversation, or a provider-executed one, as text)."""
    parts: list[Part] = []
    for part in message.content:
        if isinstance(part, ToolResultPart) and not part.provider_executed:
            mapped = state.result_id(part.tool_call_id)
            if mapped is None:
                parts.append(TextPart(text=render_result(part)))
            else:
                name = state.names.get(mapped, part.tool_name)  # its call's, as sent
                parts.append(replace(part, tool_call_id=mapped, tool_name=name))
        elif isinstance(part, ToolResultPart):
            parts.append(TextPart(text=render_result(part)))
        elif isinstance(part, FilePart):
            parts.append(_file(_strip(part, state.target), state))  # type: ignore[arg-type]
        else:
            parts.append(_strip(part, state.target))
    return parts


def _tool(message: Message, state: _State) -> list[Message]:
    parts = _results(message, state)
    # What is not a result goes in a user turn after the results (where both share a turn,
    # as on Anthropic, results must lead it).
    results = [p for p in parts if isinstance(p, ToolResultPart)]
    texts = [p for p in parts if not isinstance(p, ToolResultPart)]
    out = [replace(message, content=tuple(results))] if results else []
    if texts:
        out.append(Message(role="user", content=tuple(texts)))
    return out


def _others(message: Message, state: _State) -> Message:
    if message.role == "user":
        parts = _results(message, state)
        # Results lead a turn that also holds text (Anthropic refuses them after it).
        parts.sort(key=lambda p: not isinstance(p, ToolResultPart))
        return replace(message, content=tuple(parts))
    return message


def _missing(state: _State, out: list[Message]) -> list[ToolResultPart]:
    """Error results for the calls still unanswered (which are then answered)."""
    names = _names(out)
    missing = [
        ToolResultPart(
            tool_call_id=mapped,
            tool_name=names.get(mapped, ""),
            output=ErrorOutput(message="no result was recorded for this call"),
        )
        for ids in state.open.values()
        for mapped in ids
    ]
    state.open.clear()
    return missing


def _close_unanswered(state: _State, out: list[Message]) -> None:
    """Error results for calls left unanswered when the conversation moved on, added to the
    tool turn that follows their assistant turn (made if there is none)."""
    missing = _missing(state, out)
    if not missing:
        return
    if out and out[-1].role == "tool":
        out[-1] = replace(out[-1], content=(*out[-1].content, *missing))
    else:
        out.append(Message(role="tool", content=tuple(missing)))


def _names(messages: Iterable[Message]) -> dict[str, str]:
    return {
        p.tool_call_id: p.tool_name
        for m in messages
        for p in m.content
        if isinstance(p, ToolCallPart)
    }


def _strip(part: Part, target: Target) -> Part:
    """The part without replay metadata the target would send but must not: its own
    namespace's, produced by another host."""
    ns = target.namespace
    if ns is None or not _has_replay(part.provider_options, ns):
        return part
    hosts = frozenset({target.host})
    if isinstance(part, ReasoningPart):
        hosts = target.reasoning_hosts or hosts
    elif getattr(part, "provider_executed", False):
        hosts = target.tool_hosts or hosts
    if host_of(part.provider_options, ns) in hosts:
        return part
    values = {
        k: v for k, v in part.provider_options[ns].items() if k not in REPLAY_KEYS.get(ns, ())
    }
    values.pop(HOST_KEY, None)
    options = {k: v for k, v in part.provider_options.items() if k != ns}
    if values:
        options[ns] = values
    return replace(part, provider_options=options)


def _file_as_is(part: FilePart, target: Target) -> bool:
    """Whether the file goes to the target as it is (bytes, or a URL it reads)."""
    url = part.url
    if url is None:
        return True
    if url[:5].lower() == "data:":
        return False
    return target.file_urls is None or target.file_urls(part)


def _file(part: FilePart, state: _State) -> Part:
    """The file as the target can take it: a ``data:`` URL as its bytes, a URL the target
    cannot read named in text (never fetched here)."""
    if _file_as_is(part, state.target):
        return part
    url = part.url or ""
    data = _data_url(url)
    if data is not None:
        return replace(part, data=data, url=None)
    where = _shown_url(url)
    name = f" {part.filename}" if part.filename else ""
    state.unread.append(f"a {part.media_type} file{name} at {where}")
    return TextPart(
        text=f"[a {part.media_type} file{name} was given here by URL ({where}); "
        f"{state.target.host} cannot read it from there]"
    )


def _data_url(url: str) -> bytes | None:
    """The bytes of a ``data:`` URL (``None``: not one, or not readable)."""
    if url[:5].lower() != "data:" or "," not in url:
        return None
    header, _, payload = url[5:].partition(",")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(unquote_to_bytes(payload), validate=True)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None


def _shown_url(url: str) -> str:
    """A URL as it may be shown: without credentials, query or fragment (a signed URL's
    signature stays out of warnings and text)."""
    if url[:5].lower() == "data:":
        return "a data: URL that is not readable"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "an unreadable URL"
    shown = f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else parts.path
    return shown[:300] or "an empty URL"


# Text for what the target cannot take as it is


def render_call(part: ToolCallPart) -> str:
    """A provider-executed call of another vendor, as text."""
    return f"[{part.tool_name or 'provider tool'} was run by the provider with input {part.input}]"


def render_result(part: ToolResultPart) -> str:
    """A tool result the target cannot pair with a call, as text, with its sources."""
    name = part.tool_name or "tool"
    output = part.output
    if isinstance(output, TextOutput):
        body = output.text
    elif isinstance(output, ErrorOutput):
        body = f"error: {output.message}"
    else:
        body = output.text or f"[{output.media_type} omitted]"
    sources = _sources(body)
    if sources:
        lines = "\n".join(f"- {title} <{url}>" if title else f"- <{url}>" for url, title in sources)
        return f"[{name} result, sources:\n{lines}]"
    return f"[{name} result: {body[:4000]}]"


def _sources(text: str) -> list[tuple[str, str]]:
    """(url, title) pairs found in a JSON result (search results, a search's sources)."""
    try:
        value = json.loads(text)
    except ValueError:
        return []
    found: list[tuple[str, str]] = []
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            url = node.get("url")
            if isinstance(url, str) and url and url not in seen:
                seen.add(url)
                title = node.get("title")
                found.append((url, title if isinstance(title, str) else ""))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return found
