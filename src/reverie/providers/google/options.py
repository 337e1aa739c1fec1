"""The options a caller may pass under ``provider_options["google"]``, and where each goes.

Keys are snake_case here and camelCase on the wire (nested keys too)::

    provider_options={"google": {
        "thinking_config": {"thinking_budget": 2048, "include_thoughts": True},
        "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH",
                             "threshold": "BLOCK_ONLY_HIGH"}],
    }}
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from reverie.providers.wire import unknown_option
from reverie.warning import CallWarning

MIN_THINKING_BUDGET = 128
"""Gemini 2.5 Pro's smallest budget; smaller positive budgets are raised to it."""


class ThinkingConfig(TypedDict, total=False):
    thinking_budget: int
    """Tokens the model may think for; ``0`` turns thinking off (Flash), ``-1`` is dynamic."""
    thinking_level: Literal["LOW", "MEDIUM", "HIGH", "MINIMAL"] | str
    """Gemini 3's coarse budget."""
    include_thoughts: bool
    """Return thought summaries (reasoning parts)."""


class SafetySetting(TypedDict, total=False):
    category: str
    threshold: str
    method: str


class ImageConfig(TypedDict, total=False):
    aspect_ratio: str
    image_size: str


class GoogleOptions(TypedDict, total=False):
    """Everything the ``google`` namespace understands (Gemini API and Vertex Gemini)."""

    thinking_config: ThinkingConfig
    safety_settings: list[SafetySetting]
    cached_content: str
    """A cached-content resource name (``cachedContents/…``)."""
    response_modalities: list[str]
    """``["TEXT", "IMAGE"]`` for models that produce images."""
    media_resolution: str
    image_config: ImageConfig
    audio_timestamp: bool
    labels: dict[str, str]
    """Vertex billing labels."""
    stream_function_call_arguments: bool
    """Stream each function call's arguments as they are generated (Vertex; sent as
    ``toolConfig.functionCallingConfig.streamFunctionCallArguments``): the stream gives the
    call's input deltas before the call."""


# option → (where it goes: "body" or "generationConfig", its wire name)
WIRE_FIELDS: dict[str, tuple[str, str]] = {
    "thinking_config": ("generationConfig", "thinkingConfig"),
    "safety_settings": ("body", "safetySettings"),
    "cached_content": ("body", "cachedContent"),
    "response_modalities": ("generationConfig", "responseModalities"),
    "media_resolution": ("generationConfig", "mediaResolution"),
    "image_config": ("generationConfig", "imageConfig"),
    "audio_timestamp": ("generationConfig", "audioTimestamp"),
    "labels": ("body", "labels"),
    "stream_function_call_arguments": ("functionCallingConfig", "streamFunctionCallArguments"),
}


def apply_options(
    body: dict[str, Any],
    config: dict[str, Any],
    options: Any,
    namespace: str,
    calling: dict[str, Any] | None = None,
) -> list[CallWarning]:
    """Copy the caller's options into ``body``, its ``generationConfig`` (``config``) and the
    ``toolConfig.functionCallingConfig`` fields (``calling``)."""
    warnings: list[CallWarning] = []
    if not isinstance(options, dict):
        return warnings
    for key, value in options.items():
        target = WIRE_FIELDS.get(key)
        if target is None:
            warnings.append(unknown_option(namespace, key))
            continue
        place, wire = target
        if key == "thinking_config" and isinstance(value, dict):
            value = _thinking(value, warnings, namespace)
        elif key != "labels":  # label keys are the user's own names
            value = camel_keys(value)
        if place == "functionCallingConfig":
            if calling is not None:
                calling[wire] = value
            continue
        (body if place == "body" else config)[wire] = value
    return warnings


def _thinking(value: dict[str, Any], warnings: list[CallWarning], ns: str) -> dict[str, Any]:
    budget = value.get("thinking_budget")
    if isinstance(budget, int) and 0 < budget < MIN_THINKING_BUDGET:
        # recorded quirk: budgets below the 2.5 Pro minimum are raised to it (the
        # recordings send 128 for 100).
        warnings.append(
            CallWarning(
                kind="unsupported-setting",
                setting=f"{ns}.thinking_config.thinking_budget",
                message=f"thinking_budget {budget} raised to the minimum, {MIN_THINKING_BUDGET}",
            )
        )
        value = {**value, "thinking_budget": MIN_THINKING_BUDGET}
    converted: dict[str, Any] = camel_keys(value)
    return converted


def camel_keys(value: Any) -> Any:
    """``{"thinking_budget": 1}`` → ``{"thinkingBudget": 1}``, through lists and dicts."""
    if isinstance(value, dict):
        return {_camel(str(k)): camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)
