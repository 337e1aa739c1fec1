"""Refusing bad configuration when it is given, not at the first model call.

A wrong type is a ``TypeError``, a wrong value a ``ConfigurationError``; each names the
argument and what it should be. Messages name types and tool names, never values that might
be secrets (header values, option values).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from reverie.agent.options import SAMPLING
from reverie.errors import ConfigurationError
from reverie.messages import FilePart, Message, Metadata
from reverie.model import LanguageModel, ProviderTool, Settings, ToolChoice
from reverie.tools.tool import Tool, as_tool

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

    from reverie.agent.output import Output
    from reverie.agent.stop import StopCondition
    from reverie.retry import RetryPolicy

_SAMPLING = frozenset(SAMPLING)
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

TOOL_CHOICE_MODES = frozenset({"auto", "none", "required"})


def check_model(model: str | LanguageModel, name: str = "model") -> LanguageModel:
    """A model, or a ``"provider:model"`` string resolved to one."""
    if isinstance(model, str):
        from reverie.providers.registry import resolve_model

        return resolve_model(model)
    if not isinstance(model, LanguageModel):
        raise TypeError(
            f"{name} must be a 'provider:model' string (e.g. 'openai:gpt-4o') or a model "
            f"object, not {_kind(model)}"
        )
    return model


def check_count(value: int, name: str) -> int:
    """A whole number of at least 1 (``max_steps``, ``max_parallel_tools``)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {_kind(value)}")
    if value < 1:
        raise ConfigurationError(f"{name} must be at least 1, not {value}")
    return value


def check_seconds(value: float | None, name: str) -> float | None:
    """A positive number of seconds, or ``None`` for no limit."""
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number of seconds or None, not {_kind(value)}")
    if not (value > 0 and math.isfinite(value)):
        raise ConfigurationError(f"{name} must be more than 0 seconds, and finite (None: no limit)")
    return value


def check_optional_str(value: str | None, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {_kind(value)}")
    return value


def check_callable(value: F | None, name: str) -> F | None:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be a function, not {_kind(value)}")
    return value


def check_names(value: object, name: str) -> tuple[str, ...] | None:
    """A list of names (``active_tools``); a bare string would be read letter by letter."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
        raise TypeError(f"{name} must be a list of tool names, not {_kind(value)}")
    names = tuple(value)
    for item in names:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold tool names (str), not {_kind(item)}")
    return names


def check_tools_arg(tools: T) -> T:
    if isinstance(tools, str | bytes | Tool | ProviderTool) or callable(tools):
        raise TypeError(f"tools must be a list of tools, not {_kind(tools)}: use tools=[...]")
    return tools


def as_tools(
    tools: Sequence[Tool | ProviderTool | Callable[..., Any]],
) -> list[Tool | ProviderTool]:
    """Tools from functions, Tool objects and provider tools; two tools of one name would
    shadow each other."""
    out = [t if isinstance(t, ProviderTool) else as_tool(t) for t in tools]
    names = [t.name for t in out]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigurationError(
            f"two tools share the name {duplicates[0]!r}; names must be unique"
        )
    return out


def check_agent_tool_choice(
    choice: ToolChoice | None, tools: Sequence[Tool | ProviderTool], active: Collection[str] | None
) -> ToolChoice | None:
    """The agent's ``tool_choice``: it must name a tool it offers (``active_tools`` of them)."""
    offered = [t for t in tools if active is None or t.name in active]
    check_tool_choice(choice, offered)
    if choice not in (None, "auto", "none") and not offered:
        warnings.warn(
            f"tool_choice={choice!r} has no effect: the agent offers no tools", stacklevel=3
        )
    return choice


def sampling_settings(
    max_output_tokens: int | None,
    temperature: float | None,
    top_p: float | None,
    top_k: int | None,
    presence_penalty: float | None,
    frequency_penalty: float | None,
    stop_sequences: Sequence[str],
    seed: int | None,
) -> Settings:
    """Flat sampling keywords as one :class:`Settings`."""
    if isinstance(stop_sequences, str):
        raise ConfigurationError("stop_sequences must be a list of str, not a str: use ['END']")
    return Settings(
        max_output_tokens=max_output_tokens,
        temperature=temperature,
        top_p=top_p,
        top_k=top_k,
        presence_penalty=presence_penalty,
        frequency_penalty=frequency_penalty,
        stop_sequences=tuple(stop_sequences),
        seed=seed,
    )


def check_tool_choice(
    choice: object, tools: Sequence[Tool | ProviderTool], *, where: str = "tool_choice"
) -> None:
    """``auto``, ``none``, ``required`` or the name of an offered tool."""
    if choice is None:
        return
    if not isinstance(choice, str):
        raise TypeError(f"{where} must be a str, not {_kind(choice)}")
    if choice in TOOL_CHOICE_MODES:
        return
    names = [t.name for t in tools]
    if choice not in names:
        raise ConfigurationError(
            f"{where} {choice!r} names no offered tool; use 'auto', 'none', 'required'"
            + (f" or one of: {', '.join(names)}" if names else " (no tools are offered)")
        )


def check_active_tools(
    value: object, tools: Sequence[Tool | ProviderTool], where: str
) -> tuple[str, ...] | None:
    """Names of some of ``tools`` (``active_tools``)."""
    active = check_names(value, where)
    if active is None:
        return None
    names = {t.name for t in tools}
    unknown = sorted(set(active) - names)
    if unknown:
        raise ConfigurationError(
            f"{where} names unknown tools: {', '.join(map(repr, unknown))}; "
            f"the tools are: {', '.join(sorted(names)) or 'none'}"
        )
    return active


def check_stop_when(
    value: StopCondition | Sequence[StopCondition],
) -> tuple[StopCondition, ...]:
    items = (value,) if callable(value) else value
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise TypeError(f"stop_when must be a condition or a list of them, not {_kind(value)}")
    for item in items:
        if not callable(item):
            raise TypeError(f"stop_when must hold conditions (functions), not {_kind(item)}")
    return tuple(items)


def check_retry(value: RetryPolicy | None, name: str = "retry") -> RetryPolicy | None:
    if value is None:
        return None
    # Imported only when given: a RetryPolicy means the HTTP stack is loaded already.
    from reverie.retry import RetryPolicy

    if not isinstance(value, RetryPolicy):
        raise TypeError(f"{name} must be reverie.RetryPolicy(...), not {_kind(value)}")
    return value


def make_output(
    target: type[Any] | Mapping[str, Any] | None,
    retries: int,
    tools: Sequence[Tool | ProviderTool],
) -> Output | None:
    """``Agent(output=..., output_retries=...)``; the final-answer tool's name is taken."""
    if isinstance(retries, bool) or not isinstance(retries, int):
        raise TypeError(f"output_retries must be an int, not {retries!r}")
    if retries < 0:
        raise ConfigurationError(f"output_retries must be 0 or more, not {retries}")
    if target is None:
        return None
    from reverie.agent.output import OUTPUT_TOOL, Output

    if any(t.name == OUTPUT_TOOL for t in tools):
        raise ConfigurationError(f"the tool name {OUTPUT_TOOL!r} is the output's own")
    return Output(target, retries)


def check_trace_content(value: bool | None) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"trace_content must be a bool, not {type(value).__name__}")
    return value


def check_tracer_provider(value: TracerProvider | None) -> TracerProvider | None:
    if value is not None and not hasattr(value, "get_tracer"):
        raise TypeError(
            f"tracer_provider must be an OpenTelemetry TracerProvider, not {type(value).__name__}"
        )
    return value


def check_settings(value: object, name: str = "settings") -> None:
    if value is not None and not isinstance(value, Settings):
        raise TypeError(
            f"{name} must be reverie.Settings(...), not {_kind(value)}"
            + (": use Settings(**your_dict)" if isinstance(value, Mapping) else "")
        )


def check_options(value: object, name: str) -> Metadata:
    """Provider options: ``{"namespace": {...}}``; a copy of them."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of provider name → options, not {_kind(value)}")
    for namespace, options in value.items():
        if not isinstance(options, Mapping):
            raise TypeError(f"{name}[{namespace!r}] must be a dict, not {_kind(options)}")
    return dict(value)


def check_headers(value: object, name: str = "headers") -> dict[str, str]:
    """HTTP headers; a copy of them."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of str → str, not {_kind(value)}")
    for key, item in value.items():
        # The header's value may be a credential: name its type only.
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError(f"{name} must map str to str; header {str(key)!r} is {_kind(item)}")
    return dict(value)


def check_run(prompt: str | None, options: Mapping[str, Any]) -> None:
    """What one run is given (:class:`~reverie.agent.agent.RunOptions`)."""
    check_optional_str(prompt, "prompt")
    messages = options.get("messages", ())
    if isinstance(messages, str | bytes | Message) or not isinstance(messages, Sequence):
        raise TypeError(f"messages must be a list of Message, not {_kind(messages)}")
    for index, message in enumerate(messages):
        if not isinstance(message, Message):
            raise TypeError(
                f"messages[{index}] must be a reverie.Message, not {_kind(message)}"
                + (" (load saved ones with reverie.load_messages)" if _is_map(message) else "")
            )
    files = options.get("files", ())
    if isinstance(files, FilePart) or not isinstance(files, Sequence):
        raise TypeError(f"files must be a list of FilePart, not {_kind(files)}")
    for index, file in enumerate(files):
        if not isinstance(file, FilePart):
            raise TypeError(f"files[{index}] must be a reverie.FilePart, not {_kind(file)}")
    check_settings(options.get("settings"))
    run_settings(options)
    check_options(options.get("provider_options"), "provider_options")
    check_headers(options.get("headers"))
    check_retry(options.get("retry"))
    if "approvals" in options:
        from reverie.agent.approval import check_approvals

        check_approvals(options["approvals"])
    unknown = sorted(set(options) - _RUN_OPTIONS)
    if unknown:
        raise TypeError(
            f"unknown run option {unknown[0]!r}; run options are: {', '.join(sorted(_RUN_OPTIONS))}"
        )


def run_settings(options: Mapping[str, Any]) -> Settings | None:
    """The flat sampling keywords given to a run, as one :class:`Settings` (``None``: none
    given)."""
    if _SAMPLING.isdisjoint(options):  # the usual run: none given
        return None
    given = {name: options[name] for name in SAMPLING if name in options}
    values: dict[str, Any] = {name: given.get(name) for name in SAMPLING}
    values["stop_sequences"] = given.get("stop_sequences", ())
    return sampling_settings(**values)


_RUN_OPTIONS = frozenset(
    {
        "messages",
        "files",
        "settings",
        "provider_options",
        "headers",
        "retry",
        "approvals",
        "max_output_tokens",
        "temperature",
        "top_p",
        "top_k",
        "presence_penalty",
        "frequency_penalty",
        "stop_sequences",
        "seed",
    }
)


def _is_map(value: object) -> bool:
    return isinstance(value, Mapping)


def _kind(value: object) -> str:
    """A value's type name, never the value itself (it might be a secret)."""
    return "None" if value is None else type(value).__name__
