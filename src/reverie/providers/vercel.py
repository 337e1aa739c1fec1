"""Vercel AI Gateway (``vercel:``): chat completions at ``https://ai-gateway.vercel.sh/v1``,
bearer key from ``AI_GATEWAY_API_KEY``, model ids ``creator/model`` (``anthropic/claude-sonnet-4``,
``openai/gpt-5``, ``google/gemini-2.5-flash``).

Options (``provider_options["vercel"]``, typed as :class:`VercelOptions`) map to the wire as:

====================================================  ========================================
ours                                                  sent as
====================================================  ========================================
``reasoning``: ``enabled``, ``max_tokens``,           top-level ``"reasoning"`` as given;
``effort``, ``exclude``                               ``max_tokens`` and ``effort`` together
                                                      raise ConfigurationError
``gateway``: ``order``, ``only``, ``models``,         ``"providerOptions": {"gateway": ...}``
``byok``, ``user``, ``tags``                          as given (routing, fallback models,
                                                      your own upstream keys)
``parallel_tool_calls``, ``user``, ``logit_bias``,    the same top-level fields
``logprobs``, ``top_logprobs``
====================================================  ========================================

Any other key is not sent and is reported as a warning. ``openai/gpt-*`` and reasoning models
get ``max_completion_tokens``, the others ``max_tokens``. Reasoning comes back as
``reasoning`` text plus ``reasoning_details`` (as on OpenRouter), read by the shared
``openai_chat/reasoning_details.py`` into reasoning parts whose ``vercel`` metadata holds
every entry as received (streamed fragments merged into whole entries), sent back on the
next turn as the recorded gateway conversations do (that module says how; plus the
``anthropic`` signature, for Anthropic upstreams); reasoning
tokens come from ``usage.completion_tokens_details.reasoning_tokens``. A cache marker on a
message, part or tool (``{"anthropic": {"cache_control": {"type": "ephemeral"}}}``, or the
same under ``vercel``) is sent as ``cache_control``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reverie.content import Reasoning
from reverie.errors import ConfigurationError
from reverie.messages import Metadata, ReasoningPart
from reverie.model import Call
from reverie.providers.catalog import VERCEL
from reverie.providers.openai_chat import ChatDialect, ChatProvider
from reverie.providers.openai_chat.dialect import (
    ReasoningStream,
    cache_control_fields,
    copy_known_options,
)
from reverie.providers.openai_chat.options import (
    GatewayReasoning,
    GatewayRouting,
    VercelOptions,
    option_fields,
)
from reverie.providers.openai_chat.reasoning_details import ReasoningDetails
from reverie.providers.openai_models import is_reasoning_model
from reverie.providers.portable import ANY_ID
from reverie.warning import CallWarning

__all__ = ["GatewayReasoning", "GatewayRouting", "Vercel", "VercelDialect", "VercelOptions"]

NAMESPACE = "vercel"

_OPTION_FIELDS = option_fields(VercelOptions)
_DETAILS = ReasoningDetails(NAMESPACE, lossless=True)


class VercelDialect(ChatDialect):
    replay_namespace = NAMESPACE
    tool_ids = ANY_ID  # the gateway's upstreams differ; its own ids go back as they came

    def uses_max_completion_tokens(self, model_id: str) -> bool:
        return model_id.startswith("openai/gpt-") or is_reasoning_model(model_id)

    def rejects_sampling(self, model_id: str) -> bool:
        return False  # the gateway passes sampling on; the upstream decides

    def apply_options(
        self, body: dict[str, Any], options: dict[str, Any], call: Call, namespace: str
    ) -> list[CallWarning]:
        reasoning = options.pop("reasoning", None)
        gateway = options.pop("gateway", None)
        warnings = copy_known_options(body, options, _OPTION_FIELDS, namespace)
        if reasoning is not None:
            body["reasoning"] = _reasoning(reasoning, namespace)
        if gateway is not None:
            if not isinstance(gateway, dict):
                raise ConfigurationError(f"{namespace}.gateway must be a table of routing options")
            body["providerOptions"] = {"gateway": dict(gateway)}
        return warnings

    def reasoning_from_message(self, message: dict[str, Any]) -> list[Reasoning]:
        return _DETAILS.from_message(message)

    def reasoning_stream(self) -> ReasoningStream:
        return _DETAILS.stream()

    def assistant_reasoning(self, parts: Sequence[ReasoningPart]) -> dict[str, Any]:
        return _DETAILS.replay(parts)

    def extra_fields(self, options: Metadata, namespace: str) -> dict[str, Any]:
        return cache_control_fields(options, namespace)


def _reasoning(reasoning: Any, namespace: str) -> dict[str, Any]:
    if not isinstance(reasoning, dict):
        raise ConfigurationError(f"{namespace}.reasoning must be a table (enabled, effort…)")
    if reasoning.get("max_tokens") is not None and reasoning.get("effort") is not None:
        raise ConfigurationError(
            f"{namespace}.reasoning: give max_tokens or effort, not both "
            "(the gateway takes one way of sizing reasoning)"
        )
    return dict(reasoning)


class Vercel(ChatProvider):
    """Vercel AI Gateway. The key comes from ``AI_GATEWAY_API_KEY`` unless given.

    >>> model = Vercel().model("anthropic/claude-sonnet-4")
    """

    spec = VERCEL
