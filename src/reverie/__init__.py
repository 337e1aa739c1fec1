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
    "resolve_model": "reverie.providers.registry",
    "provider": "reverie.providers.registry",
    # serialization
    "dump_messages": "reverie.serialize",
    "load_messages": "reverie.serialize",
    "dump_result": "reverie.serialize",
    "load_result": "reverie.serialize",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reverie' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from reverie.agent import (
        Agent as Agent,
    )
    from reverie.agent import (
        AgentEvent as AgentEvent,
    )
    from reverie.agent import (
        AgentStream as AgentStream,
    )
    from reverie.agent import (
        RunFinish as RunFinish,
    )
    from reverie.agent import (
        RunResult as RunResult,
    )
    from reverie.agent import (
        Step as Step,
    )
    from reverie.agent import (
        StepContext as StepContext,
    )
    from reverie.agent import (
        StepFinish as StepFinish,
    )
    from reverie.agent import (
        StepPlan as StepPlan,
    )
    from reverie.agent import (
        StepStart as StepStart,
    )
    from reverie.agent import (
        StopReason as StopReason,
    )
    from reverie.agent import (
        finish_reason_is as finish_reason_is,
    )
    from reverie.agent import (
        has_tool_call as has_tool_call,
    )
    from reverie.agent import (
        step_count_is as step_count_is,
    )
    from reverie.agent import (
        token_budget as token_budget,
    )
    from reverie.content import (
        File as File,
    )
    from reverie.content import (
        Reasoning as Reasoning,
    )
    from reverie.content import (
        Source as Source,
    )
    from reverie.content import (
        Text as Text,
    )
    from reverie.content import (
        ToolCall as ToolCall,
    )
    from reverie.content import (
        ToolResult as ToolResult,
    )
    from reverie.errors import (
        ConfigurationError as ConfigurationError,
    )
    from reverie.errors import (
        ProviderError as ProviderError,
    )
    from reverie.errors import (
        ReverieError as ReverieError,
    )
    from reverie.errors import (
        StreamError as StreamError,
    )
    from reverie.errors import (
        ToolError as ToolError,
    )
    from reverie.finish_reason import (
        FinishReason as FinishReason,
    )
    from reverie.messages import (
        ErrorOutput as ErrorOutput,
    )
    from reverie.messages import (
        FilePart as FilePart,
    )
    from reverie.messages import (
        MediaOutput as MediaOutput,
    )
    from reverie.messages import (
        Message as Message,
    )
    from reverie.messages import (
        ReasoningPart as ReasoningPart,
    )
    from reverie.messages import (
        TextOutput as TextOutput,
    )
    from reverie.messages import (
        TextPart as TextPart,
    )
    from reverie.messages import (
        ToolCallPart as ToolCallPart,
    )
    from reverie.messages import (
        ToolResultPart as ToolResultPart,
    )
    from reverie.messages import (
        assistant_message as assistant_message,
    )
    from reverie.messages import (
        system_message as system_message,
    )
    from reverie.messages import (
        user_message as user_message,
    )
    from reverie.model import (
        Call as Call,
    )
    from reverie.model import (
        FunctionTool as FunctionTool,
    )
    from reverie.model import (
        LanguageModel as LanguageModel,
    )
    from reverie.model import (
        ProviderTool as ProviderTool,
    )
    from reverie.model import (
        Response as Response,
    )
    from reverie.model import (
        ResponseFormat as ResponseFormat,
    )
    from reverie.model import (
        Settings as Settings,
    )
    from reverie.providers.registry import (
        provider as provider,
    )
    from reverie.providers.registry import (
        resolve_model as resolve_model,
    )
    from reverie.serialize import (
        dump_messages as dump_messages,
    )
    from reverie.serialize import (
        dump_result as dump_result,
    )
    from reverie.serialize import (
        load_messages as load_messages,
    )
    from reverie.serialize import (
        load_result as load_result,
    )
    from reverie.tools import (
        Tool as Tool,
    )
    from reverie.tools import (
        ToolContext as ToolContext,
    )
    from reverie.tools import (
        ToolReturn as ToolReturn,
    )
    from reverie.tools import (
        media as media,
    )
    from reverie.tools import (
        tool as tool,
    )
    from reverie.usage import (
        Usage as Usage,
    )
    from reverie.warning import (
        CallWarning as CallWarning,
    )
