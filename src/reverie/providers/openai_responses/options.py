"""The ``openai`` provider options the Responses API takes, and how they reach the wire.

>>> agent.run("…", provider_options={"openai": {"reasoning_effort": "high",
...     "reasoning_summary": "auto", "include": ["reasoning.encrypted_content"]}})

Keys not listed here are not sent; each becomes a CallWarning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from reverie.providers.wire import unknown_option
from reverie.warning import CallWarning

TOP_LOGPROBS_MAX = 20


class ResponsesOptions(TypedDict, total=False):
    """Options read from ``provider_options["openai"]`` by Responses models."""

    include: list[str]
    """Extra output to include, e.g. ``["reasoning.encrypted_content"]``."""
    instructions: str
    logprobs: bool | int
    """``True`` for the maximum number of top log-probabilities, or a number of them."""
    max_tool_calls: int
    metadata: dict[str, str]
    parallel_tool_calls: bool
    previous_response_id: str
    """Continue server-side state: the ``response_id`` of an earlier response's metadata
    (``response.provider_metadata["openai"]["response_id"]``); needs ``store=True``."""
    prompt_cache_key: str
    reasoning_effort: Literal["minimal", "low", "medium", "high"]
    reasoning_summary: Literal["auto", "concise", "detailed"]
    safety_identifier: str
    service_tier: Literal["auto", "flex", "priority", "default"]
    store: bool
    """Let OpenAI keep the response (default ``False``: nothing is stored)."""
    strict_json_schema: bool
    """Send ``strict`` with a ``response_format`` schema (default: not sent)."""
    text_verbosity: Literal["low", "medium", "high"]
    truncation: Literal["auto", "disabled"]
    user: str
    replay_reasoning: bool
    """Send earlier reasoning items back (encrypted content and summaries; item references
    when ``store`` is on). Off by default: the reference recordings never replay them."""


# Options copied to the wire under the same name.
_DIRECT = (
    "include",
    "instructions",
    "max_tool_calls",
    "metadata",
    "parallel_tool_calls",
    "previous_response_id",
    "prompt_cache_key",
    "safety_identifier",
    "service_tier",
    "store",
    "truncation",
    "user",
)
# Options that shape the request on our side and are never sent as they are.
_LOCAL = ("strict_json_schema", "replay_reasoning")


@dataclass(frozen=True, slots=True)
class LocalOptions:
    """What the options decide on our side of the wire."""

    store: bool = False
    replay_reasoning: bool = False
    strict_json_schema: bool | None = None


def apply_options(
    body: dict[str, Any], options: Mapping[str, Any], namespace: str
) -> tuple[LocalOptions, list[CallWarning]]:
    """Copies the options into ``body``; returns the local ones and a warning per unknown key."""
    warnings: list[CallWarning] = []
    reasoning: dict[str, Any] = {}
    for key, value in options.items():
        if key in _DIRECT:
            body[key] = value
        elif key == "reasoning_effort":
            reasoning["effort"] = value
        elif key == "reasoning_summary":
            reasoning["summary"] = value
        elif key == "text_verbosity":
            body.setdefault("text", {})["verbosity"] = value
        elif key not in _LOCAL and key != "logprobs":
            warnings.append(unknown_option(namespace, key))
    if reasoning:
        body["reasoning"] = reasoning
    _logprobs(body, options.get("logprobs"))  # after "include", which it extends
    strict = options.get("strict_json_schema")
    local = LocalOptions(
        store=bool(body.get("store")),
        replay_reasoning=bool(options.get("replay_reasoning")),
        strict_json_schema=None if strict is None else bool(strict),
    )
    return local, warnings


def _logprobs(body: dict[str, Any], value: Any) -> None:
    if value is False or value is None:
        return
    body["top_logprobs"] = TOP_LOGPROBS_MAX if value is True else value
    include = body.setdefault("include", [])
    if "message.output_text.logprobs" not in include:
        body["include"] = [*include, "message.output_text.logprobs"]
