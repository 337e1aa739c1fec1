"""reverie: AI agents on any LLM provider through one typed API.

>>> import reverie
>>> agent = reverie.Agent("openai:gpt-4o", system="Be brief", tools=[weather])
>>> print(agent.run_sync("What's the weather in Florence?").text)

Public names are resolved lazily so that ``import reverie`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # agent
    "Agent": "reverie.agent",
    "AgentStream": "reverie.agent",
    "AgentEvent": "reverie.agent",
    "RunResult": "reverie.agent",
    "Step": "reverie.agent",
    "StepStart": "reverie.agent",
    "StepFinish": "reverie.agent",
    "RunFinish": "reverie.agent",
    "StepContext": "reverie.agent",
    "StepPlan": "reverie.agent",
    "StopReason": "reverie.agent",
    "step_count_is": "reverie.agent",
    "has_tool_call": "reverie.agent",
    "finish_reason_is": "reverie.agent",
    "token_budget": "reverie.agent",
    # tools
    "Tool": "reverie.tools",
    "ToolContext": "reverie.tools",
    "ToolReturn": "reverie.tools",
    "tool": "reverie.tools",
    "media": "reverie.tools",
    # model contract
    "LanguageModel": "reverie.model",
    "Call": "reverie.model",
    "Settings": "reverie.model",
    "Response": "reverie.model",
    "FunctionTool": "reverie.model",
    "ProviderTool": "reverie.model",
    "ResponseFormat": "reverie.model",
    # messages and content
    "Message": "reverie.messages",
    "TextPart": "reverie.messages",
    "FilePart": "reverie.messages",
    "ReasoningPart": "reverie.messages",
    "ToolCallPart": "reverie.messages",
    "ToolResultPart": "reverie.messages",
    "TextOutput": "reverie.messages",
    "ErrorOutput": "reverie.messages",
    "MediaOutput": "reverie.messages",
    "system_message": "reverie.messages",
    "user_message": "reverie.messages",
    "assistant_message": "reverie.messages",
    "Text": "reverie.content",
    "Reasoning": "reverie.content",
    "File": "reverie.content",
    "Source": "reverie.content",
    "ToolCall": "reverie.content",
    "ToolResult": "reverie.content",
    "Usage": "reverie.usage",
    "FinishReason": "reverie.finish_reason",
    "CallWarning": "reverie.warning",
    # errors
    "ReverieError": "reverie.errors",
    "ConfigurationError": "reverie.errors",
    "ProviderError": "reverie.errors",
    "StreamError": "reverie.errors",
    "ToolError": "reverie.errors",
    # providers
    "model": "reverie.providers.registry",
    "provider": "reverie.providers.registry",
    # serialization
    "dump_messages": "reverie.serialize",
    "load_messages": "reverie.serialize",
    "dump_result": "reverie.serialize",
    "load_result": "reverie.serialize",
}

_RENAMED = {"model": "resolve_model"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reverie' has no attribute {name!r}")
    value = getattr(import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from reverie.agent import (
        Agent,
        AgentEvent,
        AgentStream,
        RunFinish,
        RunResult,
        Step,
        StepContext,
        StepFinish,
        StepPlan,
        StepStart,
        StopReason,
        finish_reason_is,
        has_tool_call,
        step_count_is,
        token_budget,
    )
    from reverie.content import File, Reasoning, Source, Text, ToolCall, ToolResult
    from reverie.errors import (
        ConfigurationError,
        ProviderError,
        ReverieError,
        StreamError,
        ToolError,
    )
    from reverie.finish_reason import FinishReason
    from reverie.messages import (
        ErrorOutput,
        FilePart,
        MediaOutput,
        Message,
        ReasoningPart,
        TextOutput,
        TextPart,
        ToolCallPart,
        ToolResultPart,
        assistant_message,
        system_message,
        user_message,
    )
    from reverie.model import (
        Call,
        FunctionTool,
        LanguageModel,
        ProviderTool,
        Response,
        ResponseFormat,
        Settings,
    )
    from reverie.providers.registry import provider
    from reverie.providers.registry import resolve_model as model
    from reverie.serialize import dump_messages, dump_result, load_messages, load_result
    from reverie.tools import Tool, ToolContext, ToolReturn, media, tool
    from reverie.usage import Usage
    from reverie.warning import CallWarning
