"""The agent loop and what it returns."""

from reverie.agent.agent import Agent
from reverie.agent.approval import PendingCall
from reverie.agent.events import (
    AgentEvent,
    ApprovalRequired,
    PartialOutput,
    RunFinish,
    StepFinish,
    StepStart,
)
from reverie.agent.hooks import ToolCallContext
from reverie.agent.options import DEFAULT_MAX_STEPS, DEFAULT_TOOL_TIMEOUT, RunOptions
from reverie.agent.prepare import StepContext, StepPlan
from reverie.agent.result import RunResult, Step, StopReason
from reverie.agent.stop import finish_reason_is, has_tool_call, step_count_is, token_budget
from reverie.agent.stream import AgentStream

__all__ = [
    "DEFAULT_MAX_STEPS",
    "DEFAULT_TOOL_TIMEOUT",
    "Agent",
    "AgentEvent",
    "AgentStream",
    "ApprovalRequired",
    "PartialOutput",
    "PendingCall",
    "RunFinish",
    "RunOptions",
    "RunResult",
    "Step",
    "StepContext",
    "StepFinish",
    "StepPlan",
    "StepStart",
    "StopReason",
    "ToolCallContext",
    "finish_reason_is",
    "has_tool_call",
    "step_count_is",
    "token_budget",
]
