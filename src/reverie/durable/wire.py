"""What crosses a durable unit's boundary, as reverie's own versioned JSON (never a pickle).

Every payload is an object with ``"schema_version"`` first: a model unit takes the model's
recipe and the :class:`~reverie.model.Call` and gives the :class:`~reverie.model.Response`; a
tool unit takes the call's id and input (JSON text) and gives the tool's output and metadata.
A run in flight survives an upgrade of reverie between a crash and its recovery: a reader
accepts every version up to its own and refuses a newer one with
:class:`~reverie.errors.SerializationError` (the same rule as :mod:`reverie.serialize`).
"""

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from reverie.durable.recipe import ModelRecipe, check_headers
from reverie.errors import (
    AuthenticationError,
    ConfigurationError,
    ContextOverflowError,
    OverloadedError,
    ProviderError,
    RateLimitError,
    SerializationError,
    StreamAuthenticationError,
    StreamContextOverflowError,
    StreamError,
    StreamOverloadedError,
    StreamRateLimitError,
)
from reverie.messages import Message, ToolOutput
from reverie.model import Call, FunctionTool, ProviderTool, Response, ResponseFormat, Settings

WIRE_VERSION = 1


@dataclass(kw_only=True)
class _Retry:
    max_retries: int
    initial_delay: float
    max_delay: float


@dataclass(kw_only=True)
class _Call:
    prompt: list[Message]
    tools: list[FunctionTool | ProviderTool] = field(default_factory=list)
    tool_choice: str | None = None
    settings: Settings = field(default_factory=Settings)
    response_format: ResponseFormat | None = None
    provider_options: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    retry: _Retry | None = None


@dataclass(kw_only=True)
class _ToolOut:
    output: ToolOutput
    metadata: dict[str, Any] = field(default_factory=dict)


@cache
def _adapter(kind: str) -> Any:
    from pydantic import ConfigDict, TypeAdapter

    config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")
    target = {"call": list[_Call], "response": list[Response], "tool": list[_ToolOut]}[kind]
    return TypeAdapter(target, config=config)


def _dump(kind: str, value: Any, extra: Mapping[str, Any] | None = None) -> str:
    body: bytes = _adapter(kind).dump_json([value])
    head = {"schema_version": WIRE_VERSION, **(extra or {})}
    return json.dumps(head)[:-1] + f', "{kind}": ' + body.decode()[1:-1] + "}"


def _load(kind: str, text: str) -> tuple[Any, dict[str, Any]]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise SerializationError(f"not a durable {kind} payload: {_why(exc)}") from None
    if not isinstance(data, dict) or kind not in data:
        raise SerializationError(f"not a durable {kind} payload: it has no {kind!r}")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SerializationError(f"schema_version must be a whole number, not {version!r}")
    if version > WIRE_VERSION:
        raise SerializationError(
            f"this durable {kind} payload has schema_version {version}, written by a newer "
            f"reverie; this one reads versions 1 to {WIRE_VERSION}: upgrade the worker"
        )
    try:
        value = _adapter(kind).validate_json(json.dumps([data[kind]]))[0]
    except ValueError as exc:
        raise SerializationError(f"not a valid durable {kind} payload: {exc}") from exc
    return value, data


def dump_call(recipe: ModelRecipe, call: Call) -> str:
    """A model unit's input: the model's recipe and the call (no credential header)."""
    check_headers(call.headers, "a durable run's")
    retry = None
    if call.retry is not None:
        from reverie.retry import RetryPolicy

        policy = call.retry
        default = RetryPolicy()
        if policy.sleep is not default.sleep or policy.on_retry is not None:
            raise ConfigurationError(
                "a durable run's retry policy cannot carry a custom sleep or on_retry: "
                "only its numbers travel to the unit"
            )
        retry = _Retry(
            max_retries=policy.max_retries,
            initial_delay=policy.initial_delay,
            max_delay=policy.max_delay,
        )
    data = _Call(
        prompt=list(call.prompt),
        tools=list(call.tools),
        tool_choice=call.tool_choice,
        settings=call.settings,
        response_format=call.response_format,
        provider_options=dict(call.provider_options),
        headers=dict(call.headers),
        retry=retry,
    )
    return _dump("call", data, {"model": recipe.to_data()})


def load_call(text: str) -> tuple[ModelRecipe, Call]:
    data, raw = _load("call", text)
    retry = None
    if data.retry is not None:
        from reverie.retry import RetryPolicy

        retry = RetryPolicy(
            max_retries=data.retry.max_retries,
            initial_delay=data.retry.initial_delay,
            max_delay=data.retry.max_delay,
        )
    call = Call(
        prompt=data.prompt,
        tools=tuple(data.tools),
        tool_choice=data.tool_choice,
        settings=data.settings,
        response_format=data.response_format,
        provider_options=data.provider_options,
        headers=data.headers,
        retry=retry,
    )
    return ModelRecipe.from_data(raw.get("model")), call


def dump_response(response: Response) -> str:
    return _dump("response", response)


def load_response(text: str) -> Response:
    """The unit's response, or the provider error it recorded, raised again."""
    data = None
    if '"error"' in text[:40]:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise SerializationError(f"not a durable response payload: {_why(exc)}") from None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        raise _provider_error(data["error"])
    response: Response = _load("response", text)[0]
    return response


def _why(exc: BaseException) -> str:
    return "JSON nested too deeply" if isinstance(exc, RecursionError) else str(exc)


_ERROR_FIELDS = ("provider", "status", "body", "retryable", "retry_after", "code")
_ERROR_KINDS: dict[str, type[ProviderError]] = {
    kind.__name__: kind
    for kind in (
        ProviderError,
        StreamError,
        ContextOverflowError,
        RateLimitError,
        OverloadedError,
        AuthenticationError,
        StreamContextOverflowError,
        StreamRateLimitError,
        StreamOverloadedError,
        StreamAuthenticationError,
    )
}
"""The errors a recorded unit can end with, by name: nothing else is ever made from a
payload (an unknown name is a plain ProviderError)."""


def dump_error(error: ProviderError) -> str:
    """A provider error a unit ends with, as data (its body never holds credentials)."""
    fields: dict[str, Any] = {name: getattr(error, name, None) for name in _ERROR_FIELDS}
    fields["kind"] = type(error).__name__
    fields["message"] = str(error)
    if isinstance(error, ContextOverflowError):
        fields.update(used_tokens=error.used_tokens, max_tokens=error.max_tokens)
    return json.dumps({"schema_version": WIRE_VERSION, "error": fields})


def _provider_error(data: dict[str, Any]) -> ProviderError:
    """The error a unit recorded, of its kind (typed errors stay typed); a field of the wrong
    type (an edited payload) is left out rather than trusted."""
    kind = _ERROR_KINDS.get(str(data.get("kind")), ProviderError)
    fields: dict[str, Any] = {
        "provider": _typed(data.get("provider"), str) or "",
        "status": _typed(data.get("status"), int),
        "body": _typed(data.get("body"), str),
        "retryable": data.get("retryable") is True,
        "retry_after": _seconds(data.get("retry_after")),
        "code": _typed(data.get("code"), str),
    }
    if issubclass(kind, ContextOverflowError):
        fields["used_tokens"] = _typed(data.get("used_tokens"), int)
        fields["max_tokens"] = _typed(data.get("max_tokens"), int)
    message = _typed(data.get("message"), str) or "the provider failed"
    return kind(message, **fields)


def _typed(value: Any, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, kind):
        return None
    return value


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def dump_tool_input(tool_call_id: str, input_json: str) -> str:
    """A tool unit's input: the call's id and its input as the tool validates it."""
    return json.dumps(
        {"schema_version": WIRE_VERSION, "tool_call_id": tool_call_id, "input": input_json}
    )


def load_tool_input(text: str) -> tuple[str, str]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise SerializationError(f"not a durable tool input: {_why(exc)}") from None
    if not isinstance(data, dict):
        raise SerializationError("not a durable tool input: expected a JSON object")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SerializationError(f"schema_version must be a whole number, not {version!r}")
    if version > WIRE_VERSION:
        raise SerializationError(
            f"this durable tool input has schema_version {version}, written by a newer "
            f"reverie; this one reads versions 1 to {WIRE_VERSION}: upgrade the worker"
        )
    call_id, input_json = data.get("tool_call_id"), data.get("input")
    if not isinstance(call_id, str) or not isinstance(input_json, str):
        raise SerializationError("not a durable tool input: tool_call_id and input are text")
    return call_id, input_json


def dump_tool_output(output: ToolOutput, metadata: Mapping[str, Any]) -> str:
    return _dump("tool", _ToolOut(output=output, metadata=dict(metadata)))


def load_tool_output(text: str) -> tuple[ToolOutput, dict[str, Any]]:
    data: _ToolOut = _load("tool", text)[0]
    return data.output, data.metadata
