"""Refusing bad configuration when it is given, not at the first model call.

A wrong type is a ``TypeError``, a wrong value a ``ConfigurationError``; each names the
argument and what it should be. Messages name types and tool names, never values that might
be secrets (header values, option values).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from reverie.errors import ConfigurationError
from reverie.messages import FilePart, Message
from reverie.model import LanguageModel, ProviderTool, Settings
from reverie.tools.tool import Tool

TOOL_CHOICE_MODES = frozenset({"auto", "none", "required"})


def check_model(model: object, name: str = "model") -> LanguageModel:
    if not isinstance(model, LanguageModel):
        raise TypeError(
            f"{name} must be a 'provider:model' string (e.g. 'openai:gpt-4o') or a model "
            f"object, not {_kind(model)}"
        )
    return model


def check_count(value: object, name: str, *, optional: bool = False) -> None:
    """A whole number of at least 1 (``max_steps``, ``max_concurrency``)."""
    if optional and value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {_kind(value)}")
    if value < 1:
        raise ConfigurationError(f"{name} must be at least 1, not {value}")


def check_seconds(value: object, name: str) -> None:
    """A positive number of seconds, or ``None`` for no limit."""
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number of seconds or None, not {_kind(value)}")
    if not (value > 0 and math.isfinite(value)):
        raise ConfigurationError(f"{name} must be more than 0 seconds, and finite (None: no limit)")


def check_optional_str(value: object, name: str) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {_kind(value)}")


def check_callable(value: object, name: str) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be a function, not {_kind(value)}")


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


def check_tools_arg(tools: object) -> None:
    if isinstance(tools, str | bytes | Tool | ProviderTool) or callable(tools):
        raise TypeError(f"tools must be a list of tools, not {_kind(tools)}: use tools=[...]")


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
    active: Collection[str] | None, tools: Sequence[Tool | ProviderTool], where: str
) -> None:
    if active is None:
        return
    names = {t.name for t in tools}
    unknown = sorted(set(active) - names)
    if unknown:
        raise ConfigurationError(
            f"{where} names unknown tools: {', '.join(map(repr, unknown))}; "
            f"the tools are: {', '.join(sorted(names)) or 'none'}"
        )


def check_stop_when(value: object) -> None:
    items = (value,) if callable(value) else value
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise TypeError(f"stop_when must be a condition or a list of them, not {_kind(value)}")
    for item in items:
        if not callable(item):
            raise TypeError(f"stop_when must hold conditions (functions), not {_kind(item)}")


def check_retry(value: object, name: str = "retry") -> None:
    if value is None:
        return
    # Imported only when given: a RetryPolicy means the HTTP stack is loaded already.
    from reverie.retry import RetryPolicy

    if not isinstance(value, RetryPolicy):
        raise TypeError(f"{name} must be reverie.RetryPolicy(...), not {_kind(value)}")


def check_settings(value: object, name: str = "settings") -> None:
    if value is not None and not isinstance(value, Settings):
        raise TypeError(
            f"{name} must be reverie.Settings(...), not {_kind(value)}"
            + (": use Settings(**your_dict)" if isinstance(value, Mapping) else "")
        )


def check_options(value: object, name: str) -> None:
    """Provider options: ``{"namespace": {...}}``."""
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of provider name → options, not {_kind(value)}")
    for namespace, options in value.items():
        if not isinstance(options, Mapping):
            raise TypeError(f"{name}[{namespace!r}] must be a dict, not {_kind(options)}")


def check_headers(value: object, name: str = "headers") -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of str → str, not {_kind(value)}")
    for key, item in value.items():
        # The header's value may be a credential: name its type only.
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError(f"{name} must map str to str; header {str(key)!r} is {_kind(item)}")


def check_run(prompt: object, options: Mapping[str, Any]) -> None:
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


_RUN_OPTIONS = frozenset(
    {"messages", "files", "settings", "provider_options", "headers", "retry", "approvals"}
)


def _is_map(value: object) -> bool:
    return isinstance(value, Mapping)


def _kind(value: object) -> str:
    """A value's type name, never the value itself (it might be a secret)."""
    return "None" if value is None else type(value).__name__
