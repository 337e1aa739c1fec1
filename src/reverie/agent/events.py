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


AgentEvent = (
    StreamPart | StepStart | ToolResult | StepFinish | PartialOutput | ApprovalRequired | RunFinish
)
"""Model stream parts (text, reasoning and tool-input deltas, tool calls, finish), the
results of the step's tools in call order once they have run, partial outputs, step and run
boundaries, and the calls a run stops for. A run resumed with ``approvals=`` first yields the
results of the calls it was given decisions for."""
