"""The hooks that specialise the shared chat-completions code for one provider.

OpenAI itself is the base class. OpenRouter, OpenAI-compatible endpoints, Azure and other
gateways subclass it and override only where their wire differs: where reasoning lives,
which extra body fields they take, how the output-token limit is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from reverie.content import Reasoning
from reverie.framer import Framer
from reverie.messages import Metadata, ReasoningPart
from reverie.model import Call
from reverie.providers.openai_chat.options import OpenAIChatOptions, option_fields
from reverie.providers.openai_models import is_reasoning_model
from reverie.providers.portable import FUNCTION_NAMES, IdRule
from reverie.providers.wire import unknown_option
from reverie.warning import CallWarning

REASONING_ID = "reasoning-0"


class ReasoningStream:
    """Turns reasoning found in stream deltas into framed reasoning parts.

    The base version reads no reasoning (OpenAI's chat API exposes none).
    """

    def feed(self, delta: dict[str, Any], framer: Framer) -> None:
        return None

    def close(self, framer: Framer) -> None:
        return None


class TextReasoningStream(ReasoningStream):
    """Reasoning that arrives as plain text in one delta field (``reasoning_content``…)."""

    def __init__(self, fields: Sequence[str]) -> None:
        self._fields = fields

    def feed(self, delta: dict[str, Any], framer: Framer) -> None:
        for name in self._fields:
            text = delta.get(name)
            if isinstance(text, str) and text:
                framer.reasoning(REASONING_ID, text)
                return

    def close(self, framer: Framer) -> None:
        framer.end_reasoning(REASONING_ID)


class ChatDialect:
    """OpenAI chat completions as OpenAI speaks it. Who the provider is (name, key, base URL,
    options namespace) lives in its spec; only wire behaviour lives here."""

    assistant_tool_call_content: Literal["omit", "null", "empty"] = "omit"
    """The ``content`` of an assistant message that has tool calls and no text: left out
    (OpenAI's wire), ``null``, or ``""`` (servers whose chat template reads it)."""
    replay_namespace: str | None = None
    """The namespace of the reasoning metadata it replays (``None``: it replays none)."""
    tool_ids: IdRule = IdRule(max_length=40)
    """The tool-call ids it takes (OpenAI refuses ids over 40 characters)."""
    tool_names: IdRule = FUNCTION_NAMES
    """The tool names it takes in a conversation's calls (see ``portable.Target.names``)."""
    plain_reasoning: bool = False
    """Whether reasoning text without metadata goes back (``reasoning_content``)."""

    def uses_max_completion_tokens(self, model_id: str) -> bool:
        return is_reasoning_model(model_id)

    def rejects_sampling(self, model_id: str) -> bool:
        """Reasoning models refuse temperature, top_p and penalties."""
        return is_reasoning_model(model_id)

    def apply_options(
        self, body: dict[str, Any], options: dict[str, Any], call: Call, namespace: str
    ) -> list[CallWarning]:
        """Copy this provider's options (``call.provider_options[namespace]``) into ``body``."""
        return copy_known_options(body, options, OPENAI_OPTION_FIELDS, namespace)

    def extend_body(self, body: dict[str, Any], call: Call, stream: bool) -> None:
        """Fields every request of this provider carries."""

    def reasoning_from_message(self, message: dict[str, Any]) -> list[Reasoning]:
        return []

    def reasoning_stream(self) -> ReasoningStream:
        return ReasoningStream()

    def assistant_reasoning(self, parts: Sequence[ReasoningPart]) -> dict[str, Any]:
        """Fields that replay earlier reasoning on an assistant message."""
        return {}

    def response_metadata(self, response: dict[str, Any]) -> Metadata:
        return {}

    def extra_fields(self, options: Metadata, namespace: str) -> dict[str, Any]:
        """Fields added to the wire message, content part, tool-call entry or tool whose
        provider options ask for them (a cache marker). OpenAI takes none."""
        return {}


OPENAI_OPTION_FIELDS = option_fields(OpenAIChatOptions)


def cache_control_fields(options: Metadata, namespace: str) -> dict[str, Any]:
    """``{"cache_control": marker}`` when ``options`` hold a cache marker, in the provider's own
    namespace or in Anthropic's (``{"anthropic": {"cache_control": {"type": "ephemeral"}}}``),
    for gateways that pass it on to Anthropic models; else ``{}``."""
    for name in (namespace, "anthropic"):
        marker = (options.get(name) or {}).get("cache_control")
        if isinstance(marker, dict) and marker:
            return {"cache_control": dict(marker)}
    return {}


def copy_known_options(
    body: dict[str, Any], options: dict[str, Any], known: Sequence[str], namespace: str
) -> list[CallWarning]:
    warnings: list[CallWarning] = []
    for key, value in options.items():
        if key in known:
            body[key] = value
        else:
            warnings.append(unknown_option(namespace, key))
    return warnings
