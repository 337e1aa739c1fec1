"""Call → the Anthropic Messages request body (+ warnings, beta flags)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reverie.model import Call
from reverie.providers.anthropic.messages import convert_prompt, open_loop_without_thinking
from reverie.providers.anthropic.options import read_options, thinking_param
from reverie.providers.anthropic.tools import prepare_tools
from reverie.providers.cache_breakpoints import check_cache_breakpoints
from reverie.providers.wire import unsupported
from reverie.warning import CallWarning

# recorded quirk: with no maximum set, fantasy sends 4096 (and does not add the thinking
# budget to it, as the recorded thinking requests show).
DEFAULT_MAX_TOKENS = 4096


@dataclass(frozen=True, slots=True)
class Request:
    body: dict[str, Any]
    warnings: list[CallWarning]
    betas: list[str]


def build_request(
    call: Call,
    model_id: str,
    namespace: str,
    *,
    explicit_parallel_flag: bool = True,
    host: str = "anthropic",
) -> Request:
    """The body without transport fields (``model``, ``stream``, ``anthropic_version`` are
    the transport's to add)."""
    options, warnings = read_options(call.provider_options.get(namespace))
    system, messages, message_warnings = convert_prompt(
        call.prompt,
        send_reasoning=options.get("send_reasoning", True) is not False,
        host=host,
        foreign_reasoning=call.settings.foreign_reasoning or "drop",
    )
    warnings += message_warnings
    body: dict[str, Any] = {"messages": messages}
    if system:
        body["system"] = system

    settings = call.settings
    thinking = thinking_param(options.get("thinking"))
    if thinking and thinking.get("type") != "disabled" and open_loop_without_thinking(messages):
        # A tool loop another model began (no thinking block leads its turn): Anthropic's
        # documented way is to run that turn without thinking, which is what is sent.
        thinking = None
        warnings.append(
            unsupported(
                "thinking",
                "thinking was not sent: the open tool loop was begun without Claude's "
                "thinking, and a turn keeps one thinking mode",
            )
        )
    max_tokens = settings.max_output_tokens
    if max_tokens is None:
        max_tokens = DEFAULT_MAX_TOKENS
        budget = (thinking or {}).get("budget_tokens", 0)
        if budget >= max_tokens:  # the API refuses a budget that leaves no room to answer
            max_tokens = budget + DEFAULT_MAX_TOKENS
    body["max_tokens"] = max_tokens
    if thinking is not None:
        body["thinking"] = thinking
    for name in ("temperature", "top_p", "top_k"):
        value = getattr(settings, name)
        if value is None:
            continue
        if thinking is not None:
            warnings.append(unsupported(name, f"{name} is not allowed with thinking"))
        else:
            body[name] = value
    if settings.stop_sequences:
        body["stop_sequences"] = list(settings.stop_sequences)
    for name in ("presence_penalty", "frequency_penalty", "seed"):
        if getattr(settings, name) is not None:
            warnings.append(unsupported(name, f"Anthropic has no {name}"))
    if "effort" in options:
        body["output_config"] = {"effort": options["effort"]}
    if "metadata" in options:
        body["metadata"] = options["metadata"]

    prepared = prepare_tools(
        call.tools,
        call.tool_choice,
        disable_parallel=options.get("disable_parallel_tool_use"),
        explicit_parallel_flag=explicit_parallel_flag,
    )
    warnings += prepared.warnings
    if prepared.tools:
        body["tools"] = prepared.tools
    if prepared.tool_choice is not None:
        body["tool_choice"] = prepared.tool_choice
    betas = [*prepared.betas, *(b for b in options.get("betas", ()) if b not in prepared.betas)]
    if call.response_format is not None:
        # Structured output is tool mode here, built by reverie.generate_object.
        warnings.append(
            unsupported(
                "response_format",
                "the Messages API has no JSON-schema output: use reverie.generate_object, "
                "which asks Claude for a forced tool call",
            )
        )
    check_cache_breakpoints(body, namespace)
    return Request(body, warnings, betas)
