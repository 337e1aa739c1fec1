"""reverie: AI agents on any LLM provider through one typed API.

>>> import reverie
>>> agent = reverie.Agent("openai:gpt-4o", system="Be brief", tools=[weather])
>>> print(agent.run_sync("What's the weather in Florence?").text)

Public names are resolved lazily so that ``import reverie`` stays fast.
"""

# No ``from __future__ import annotations`` and no importlib: each would import a module
# (__future__; importlib and warnings), together a fifth of what `import reverie` costs.
import sys

from reverie.version import __version__ as __version__

# typing.TYPE_CHECKING's value, without importing typing (with re and enum it is over half of
# what `import reverie` costs; the names below need none of it until they are used).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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
    "PartialOutput": "reverie.agent",
    "SubAgentEvent": "reverie.agent",
    "AsToolOptions": "reverie.agent",
    "StepContext": "reverie.agent",
    "StepPlan": "reverie.agent",
    "StopReason": "reverie.agent",
    "step_count_is": "reverie.agent",
    "has_tool_call": "reverie.agent",
    "finish_reason_is": "reverie.agent",
    "token_budget": "reverie.agent",
    "cost_limit": "reverie.agent",
    # structured output
    "generate_object": "reverie.structured",
    "generate_object_result": "reverie.structured",
    "generate_object_sync": "reverie.structured",
    "generate_object_result_sync": "reverie.structured",
    "stream_object": "reverie.structured",
    "stream_object_sync": "reverie.structured",
    "ObjectResult": "reverie.structured",
    "ObjectStream": "reverie.structured",
    "ObjectPart": "reverie.structured",
    "PartialObject": "reverie.structured",
    "ObjectTextDelta": "reverie.structured",
    "ObjectFinish": "reverie.structured",
    "ApprovalRequired": "reverie.agent",
    "PendingCall": "reverie.agent",
    "ToolHookContext": "reverie.agent",
    # what callbacks are annotated with
    "RunOptions": "reverie.agent",
    "StopCondition": "reverie.agent",
    "PrepareStep": "reverie.agent",
    "BeforeTool": "reverie.agent",
    "AfterTool": "reverie.agent",
    "RepairToolCall": "reverie.agent",
    "ApprovalDecision": "reverie.agent",
    "ApprovalError": "reverie.agent",
    "ApprovalPolicy": "reverie.agent",
    # tools
    "Tool": "reverie.tools",
    "ToolRunContext": "reverie.tools",
    "ToolReturn": "reverie.tools",
    "tool": "reverie.tools",
    "media": "reverie.tools",
    # model contract
    "LanguageModel": "reverie.model",
    "Settings": "reverie.model",
    "Response": "reverie.model",
    "ProviderTool": "reverie.model",
    "TextStart": "reverie.model",
    "TextDelta": "reverie.model",
    "TextEnd": "reverie.model",
    "ReasoningStart": "reverie.model",
    "ReasoningDelta": "reverie.model",
    "ReasoningEnd": "reverie.model",
    "ToolInputStart": "reverie.model",
    "ToolInputDelta": "reverie.model",
    "ToolInputEnd": "reverie.model",
    "Finish": "reverie.model",
    "ErrorPart": "reverie.model",
    "StreamPart": "reverie.model",
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
    "ContextOverflowError": "reverie.errors",
    "RateLimitError": "reverie.errors",
    "OverloadedError": "reverie.errors",
    "AuthenticationError": "reverie.errors",
    "SerializationError": "reverie.errors",
    "ToolError": "reverie.errors",
    "NoObjectGenerated": "reverie.errors",
    "AgentDepthError": "reverie.errors",
    "EmptyAnswer": "reverie.errors",
    # providers
    "RetryPolicy": "reverie.retry",
    "resolve_model": "reverie.providers.registry",
    "provider": "reverie.providers.registry",
    "fallback": "reverie.fallback_model",
    "FallbackModel": "reverie.fallback_model",
    "convert": "reverie.conversion",
    "Conversion": "reverie.conversion",
    # embeddings
    "embed": "reverie.embeddings.api",
    "embed_many": "reverie.embeddings.api",
    "embed_sync": "reverie.embeddings.api",
    "embed_many_sync": "reverie.embeddings.api",
    "Embedding": "reverie.embeddings.result",
    "Embeddings": "reverie.embeddings.result",
    "EmbeddingModel": "reverie.providers.embedding.contract",
    "EmbeddingNotSupported": "reverie.errors",
    "UnknownCostError": "reverie.errors",
    # serialization
    "dump_messages": "reverie.serialize",
    "load_messages": "reverie.serialize",
    "dump_result": "reverie.serialize",
    "load_result": "reverie.serialize",
}

_SUBMODULES = ("mcp", "pricing", "testing")
"""Subpackages reachable as attributes after ``import reverie`` (imported on first use)."""

__all__ = sorted(_EXPORTS)


def _import(module: str) -> "Any":
    __import__(module)
    return sys.modules[module]


def __getattr__(name: str) -> "Any":
    module = _EXPORTS.get(name)
    if module is None:
        if name in _SUBMODULES:  # ``reverie.mcp``: the subpackage, imported now
            return _import(f"reverie.{name}")
        raise AttributeError(f"module 'reverie' has no attribute {name!r}")
    value = getattr(_import(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, *_SUBMODULES])


if TYPE_CHECKING:
    from reverie import mcp as mcp, pricing as pricing, testing as testing
    from reverie.agent import (
        AfterTool as AfterTool,
        Agent as Agent,
        AgentEvent as AgentEvent,
        AgentStream as AgentStream,
        ApprovalDecision as ApprovalDecision,
        ApprovalError as ApprovalError,
        ApprovalPolicy as ApprovalPolicy,
        ApprovalRequired as ApprovalRequired,
        AsToolOptions as AsToolOptions,
        BeforeTool as BeforeTool,
        PartialOutput as PartialOutput,
        PendingCall as PendingCall,
        PrepareStep as PrepareStep,
        RepairToolCall as RepairToolCall,
        RunFinish as RunFinish,
        RunOptions as RunOptions,
        RunResult as RunResult,
        Step as Step,
        StepContext as StepContext,
        StepFinish as StepFinish,
        StepPlan as StepPlan,
        StepStart as StepStart,
        StopCondition as StopCondition,
        StopReason as StopReason,
        SubAgentEvent as SubAgentEvent,
        ToolHookContext as ToolHookContext,
        cost_limit as cost_limit,
        finish_reason_is as finish_reason_is,
        has_tool_call as has_tool_call,
        step_count_is as step_count_is,
        token_budget as token_budget,
    )
    from reverie.content import (
        File as File,
        Reasoning as Reasoning,
        Source as Source,
        Text as Text,
        ToolCall as ToolCall,
        ToolResult as ToolResult,
    )
    from reverie.conversion import (
        Conversion as Conversion,
        convert as convert,
    )
    from reverie.embeddings.api import (
        embed as embed,
        embed_many as embed_many,
        embed_many_sync as embed_many_sync,
        embed_sync as embed_sync,
    )
    from reverie.embeddings.result import Embedding as Embedding, Embeddings as Embeddings
    from reverie.errors import (
        AgentDepthError as AgentDepthError,
        AuthenticationError as AuthenticationError,
        ConfigurationError as ConfigurationError,
        ContextOverflowError as ContextOverflowError,
        EmbeddingNotSupported as EmbeddingNotSupported,
        EmptyAnswer as EmptyAnswer,
        NoObjectGenerated as NoObjectGenerated,
        OverloadedError as OverloadedError,
        ProviderError as ProviderError,
        RateLimitError as RateLimitError,
        ReverieError as ReverieError,
        SerializationError as SerializationError,
        StreamError as StreamError,
        ToolError as ToolError,
        UnknownCostError as UnknownCostError,
    )
    from reverie.fallback_model import (
        FallbackModel as FallbackModel,
        fallback as fallback,
    )
    from reverie.finish_reason import (
        FinishReason as FinishReason,
    )
    from reverie.messages import (
        ErrorOutput as ErrorOutput,
        FilePart as FilePart,
        MediaOutput as MediaOutput,
        Message as Message,
        ReasoningPart as ReasoningPart,
        TextOutput as TextOutput,
        TextPart as TextPart,
        ToolCallPart as ToolCallPart,
        ToolResultPart as ToolResultPart,
        assistant_message as assistant_message,
        system_message as system_message,
        user_message as user_message,
    )
    from reverie.model import (
        ErrorPart as ErrorPart,
        Finish as Finish,
        LanguageModel as LanguageModel,
        ProviderTool as ProviderTool,
        ReasoningDelta as ReasoningDelta,
        ReasoningEnd as ReasoningEnd,
        ReasoningStart as ReasoningStart,
        Response as Response,
        Settings as Settings,
        StreamPart as StreamPart,
        TextDelta as TextDelta,
        TextEnd as TextEnd,
        TextStart as TextStart,
        ToolInputDelta as ToolInputDelta,
        ToolInputEnd as ToolInputEnd,
        ToolInputStart as ToolInputStart,
    )
    from reverie.providers.embedding.contract import EmbeddingModel as EmbeddingModel
    from reverie.providers.registry import (
        provider as provider,
        resolve_model as resolve_model,
    )
    from reverie.retry import RetryPolicy as RetryPolicy
    from reverie.serialize import (
        dump_messages as dump_messages,
        dump_result as dump_result,
        load_messages as load_messages,
        load_result as load_result,
    )
    from reverie.structured import (
        ObjectFinish as ObjectFinish,
        ObjectPart as ObjectPart,
        ObjectResult as ObjectResult,
        ObjectStream as ObjectStream,
        ObjectTextDelta as ObjectTextDelta,
        PartialObject as PartialObject,
        generate_object as generate_object,
        generate_object_result as generate_object_result,
        generate_object_result_sync as generate_object_result_sync,
        generate_object_sync as generate_object_sync,
        stream_object as stream_object,
        stream_object_sync as stream_object_sync,
    )
    from reverie.tools import (
        Tool as Tool,
        ToolReturn as ToolReturn,
        ToolRunContext as ToolRunContext,
        media as media,
        tool as tool,
    )
    from reverie.usage import (
        Usage as Usage,
    )
    from reverie.warning import (
        CallWarning as CallWarning,
    )
