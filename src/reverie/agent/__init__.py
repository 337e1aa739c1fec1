"""The agent loop and what it returns."""

from reverie.agent.agent import Agent
from reverie.agent.approval import ApprovalDecision, ApprovalError, ApprovalPolicy, PendingCall
from reverie.agent.delegate import AgentTool, AsToolOptions
from reverie.agent.events import (
    AgentEvent,
    ApprovalRequired,
    PartialOutput,
    RunFinish,
    StepFinish,
    StepStart,
    SubAgentEvent,
)
from reverie.agent.execute import RepairToolCall
from reverie.agent.hooks import AfterTool, BeforeTool, ToolHookContext
from reverie.agent.options import (
    DEFAULT_MAX_PARALLEL_TOOLS,
    DEFAULT_MAX_STEPS,
    DEFAULT_TOOL_TIMEOUT,
    RunOptions,
)
from reverie.agent.prepare import PrepareStep, StepContext, StepPlan
from reverie.agent.result import RunResult, Step, StopReason
from reverie.agent.stop import (
    StopCondition,
    cost_limit,
    finish_reason_is,
    has_tool_call,
    step_count_is,
    token_budget,
)
from reverie.agent.stream import AgentStream

__all__ = [
    "DEFAULT_MAX_PARALLEL_TOOLS",
    "DEFAULT_MAX_STEPS",
    "DEFAULT_TOOL_TIMEOUT",
    "AfterTool",
    "Agent",
    "AgentEvent",
    "AgentStream",
    "AgentTool",
    "ApprovalDecision",
    "ApprovalError",
    "ApprovalPolicy",
    "ApprovalRequired",
    "AsToolOptions",
    "BeforeTool",
    "PartialOutput",
    "PendingCall",
    "PrepareStep",
    "RepairToolCall",
    "RunFinish",
    "RunOptions",
    "RunResult",
    "Step",
    "StepContext",
    "StepFinish",
    "StepPlan",
    "StepStart",
    "StopCondition",
    "StopReason",
    "SubAgentEvent",
    "ToolHookContext",
    "cost_limit",
    "finish_reason_is",
    "has_tool_call",
    "step_count_is",
    "token_budget",
]
