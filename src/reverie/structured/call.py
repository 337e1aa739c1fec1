"""The model call that asks for an object, in each mode.

- ``json_schema``: the provider's own structured output (``Call.response_format``);
- ``tool``: one tool whose input is the object, forced with tool choice;
- ``text``: the schema in a system message, the answer read from the text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args

from reverie.messages import Message, Metadata, system_message, user_message
from reverie.model import (
    Call,
    FunctionTool,
    LanguageModel,
    ObjectMode,
    ResponseFormat,
    Settings,
)
from reverie.structured.schema import ObjectSchema

MODES: tuple[str, ...] = get_args(ObjectMode)

TEXT_INSTRUCTION = (
    "Answer with a single JSON value, and nothing else, that matches this JSON schema:\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """What the caller gave, apart from the schema."""

    prompt: str | None = None
    messages: Sequence[Message] = ()
    system: str | None = None
    settings: Settings | None = None
    provider_options: Metadata | None = None
    headers: dict[str, str] | None = None


def default_mode(model: LanguageModel) -> ObjectMode:
    """The model's ``object_mode`` attribute if it has one (HTTP models read their
    provider's spec), else native JSON schema."""
    mode = getattr(model, "object_mode", None)
    return mode if isinstance(mode, str) and mode in MODES else "json_schema"  # type: ignore[return-value]


def build_call(request: Request, target: ObjectSchema[Any], mode: ObjectMode) -> Call:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    prompt: list[Message] = []
    if request.system:
        prompt.append(system_message(request.system))
    if mode == "text":
        schema = json.dumps(target.schema, ensure_ascii=False)
        prompt.append(system_message(TEXT_INSTRUCTION + schema))
    prompt += request.messages
    if request.prompt is not None:
        prompt.append(user_message(request.prompt))
    if not any(m.role != "system" for m in prompt):
        raise ValueError("give a prompt= or messages= to generate an object from")
    extra: dict[str, Any] = {}
    if mode == "json_schema":
        extra["response_format"] = ResponseFormat(
            schema=target.schema, name=target.name, description=target.description
        )
    elif mode == "tool":
        tool = FunctionTool(
            name=target.name, description=target.description or "", input_schema=target.schema
        )
        extra["tools"] = (tool,)
        extra["tool_choice"] = target.name
    return Call(
        prompt=prompt,
        settings=request.settings or Settings(),
        provider_options=dict(request.provider_options or {}),
        headers=dict(request.headers or {}),
        **extra,
    )
