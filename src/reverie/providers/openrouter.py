"""OpenRouter (``openrouter:``): chat completions plus OpenRouter's extras.

Every request asks for ``usage: {include: true}`` so cost comes back. Reasoning arrives as
``reasoning_details``, whose shape depends on the upstream model family; each reasoning
part keeps, in its ``openrouter`` metadata, the exact detail to send back on the next turn
(the shared reading in ``openai_chat/reasoning_details.py`` says how). A cache marker on a
message, part or tool (``{"anthropic": {"cache_control": {"type": "ephemeral"}}}``, or the
same under ``openrouter``) is sent as ``cache_control`` for Anthropic upstreams.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reverie.content import Reasoning
from reverie.messages import Metadata, ReasoningPart
from reverie.model import Call
from reverie.providers.catalog import OPENROUTER
from reverie.providers.openai_chat import ChatDialect, ChatProvider
from reverie.providers.openai_chat.dialect import (
    ReasoningStream,
    cache_control_fields,
    copy_known_options,
)
from reverie.providers.openai_chat.options import OpenRouterOptions, option_fields
from reverie.providers.openai_chat.reasoning_details import ReasoningDetails
from reverie.providers.portable import ANY_ID
from reverie.warning import CallWarning

__all__ = ["OpenRouter", "OpenRouterOptions", "RouterDialect"]

NAMESPACE = "openrouter"

OPENROUTER_OPTION_FIELDS = option_fields(OpenRouterOptions)

_DETAILS = ReasoningDetails(NAMESPACE)


class RouterDialect(ChatDialect):
    replay_namespace = NAMESPACE
    tool_ids = ANY_ID  # the gateway's upstreams differ; its own ids go back as they came

    def uses_max_completion_tokens(self, model_id: str) -> bool:
        return model_id.startswith("openai/")

    def rejects_sampling(self, model_id: str) -> bool:
        return False  # OpenRouter drops what the upstream does not take

    def apply_options(
        self, body: dict[str, Any], options: dict[str, Any], call: Call, namespace: str
    ) -> list[CallWarning]:
        return copy_known_options(body, options, OPENROUTER_OPTION_FIELDS, namespace)

    def extend_body(self, body: dict[str, Any], call: Call, stream: bool) -> None:
        body["usage"] = {"include": True}

    def reasoning_from_message(self, message: dict[str, Any]) -> list[Reasoning]:
        return _DETAILS.from_message(message)

    def reasoning_stream(self) -> ReasoningStream:
        return _DETAILS.stream()

    def assistant_reasoning(self, parts: Sequence[ReasoningPart]) -> dict[str, Any]:
        return _DETAILS.replay(parts)

    def response_metadata(self, response: dict[str, Any]) -> Metadata:
        upstream = response.get("provider")
        return {NAMESPACE: {"provider": upstream}} if isinstance(upstream, str) else {}

    def extra_fields(self, options: Metadata, namespace: str) -> dict[str, Any]:
        return cache_control_fields(options, namespace)


class OpenRouter(ChatProvider):
    """OpenRouter provider. The key comes from ``OPENROUTER_API_KEY`` unless given.

    >>> model = OpenRouter().model("moonshotai/kimi-k2-0905")
    """

    spec = OPENROUTER
