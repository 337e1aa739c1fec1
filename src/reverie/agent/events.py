"""Events of a streamed agent run, on top of the model's own stream parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from reverie.agent.approval import PendingCall
from reverie.agent.result import RunResult, Step
from reverie.content import ToolResult
from reverie.model import StreamPart


@dataclass(frozen=True, slots=True)
class StepStart:
    number: int
    type: Literal["step-start"] = "step-start"


@dataclass(frozen=True, slots=True)
class StepFinish:
    step: Step
    type: Literal["step-finish"] = "step-finish"


@dataclass(frozen=True, slots=True)
class PartialOutput:
    """The output so far, while the model writes its final answer (``Agent(output=...)``):
    plain JSON values; objects and arrays appear as they open, other values once complete.
    Never changed afterwards."""

    output: Any
    type: Literal["partial-output"] = "partial-output"


@dataclass(frozen=True, slots=True)
class RunFinish:
    result: RunResult
    type: Literal["run-finish"] = "run-finish"


@dataclass(frozen=True, slots=True)
class ApprovalRequired:
    """The run stops for these calls to be decided; ``RunFinish`` follows."""

    calls: list[PendingCall]
    type: Literal["approval-required"] = "approval-required"


@dataclass(frozen=True, slots=True)
class SubAgentEvent:
    """An event of a sub-agent's run (``agent.as_tool(...)``), in the stream of the run
    whose tool call started it, as it happens; the call's ``ToolResult`` follows them.

    ``event`` is the sub-agent's own event (never another ``SubAgentEvent``: deeper runs are
    flattened), ``path`` the sub-agents' tool names from the outermost down to the one that
    made it, and ``tool_call_ids`` the calls that started each of them (two calls of one
    sub-agent in a step have different ids)."""

    event: AgentEvent
    path: tuple[str, ...]
    tool_call_ids: tuple[str, ...]
    type: Literal["sub-agent-event"] = "sub-agent-event"

    @property
    def agent(self) -> str:
        """The tool name of the sub-agent whose event this is (the innermost)."""
        return self.path[-1]


AgentEvent = (
    StreamPart
    | StepStart
    | ToolResult
    | StepFinish
    | PartialOutput
    | ApprovalRequired
    | RunFinish
    | SubAgentEvent
)
"""Model stream parts (text, reasoning and tool-input deltas, tool calls, finish), the
results of the step's tools in call order once they have run, partial outputs, step and run
boundaries, the calls a run stops for, and the events of sub-agents its tools run. A run
resumed with ``approvals=`` first yields the results of the calls it was given decisions
for."""
