"""What an agent run returns: every step, the conversation, the final answer and why it stopped."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic

from reverie.agent.approval import PendingCall
from reverie.content import Content, ToolCall, ToolResult, text_of
from reverie.finish_reason import FinishReason
from reverie.messages import Message, Metadata
from reverie.model import Response
from reverie.usage import Usage
from reverie.warning import CallWarning

if TYPE_CHECKING:  # a default for the type variable (PEP 696) is typing_extensions' before 3.13
    from typing_extensions import TypeVar

    OutputT = TypeVar("OutputT", default=Any)
else:
    from typing import TypeVar

    OutputT = TypeVar("OutputT")
"""The type of an agent's validated final answer (``Agent(output=Book)``: ``Book``)."""


class StopReason(StrEnum):
    DONE = "done"
    """The model answered without asking for a tool."""
    STOP_CONDITION = "stop-condition"
    """One of the run's stop conditions held after a step."""
    STEP_LIMIT = "step-limit"
    """The run reached ``max_steps``."""
    ERROR = "error"
    """An error ended the run; only on the ``partial`` result an error carries."""
    APPROVAL = "approval"
    """A tool call waits for approval: see ``RunResult.pending``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One model call and the tools it led to.

    ``content`` is what the model produced followed by the results of the tools we ran;
    ``messages`` are the messages the step added (the assistant message, then the tool one).
    """

    number: int
    content: list[Content]
    messages: list[Message]
    finish_reason: FinishReason
    usage: Usage = field(default_factory=Usage)
    """The model call's usage, plus that of the sub-agents its tool calls ran
    (``agent.as_tool``), which is counted here and nowhere else."""
    warnings: list[CallWarning] = field(default_factory=list)
    provider_metadata: Metadata = field(default_factory=dict)
    model: str = ""
    """The agent's model as ``provider:model``."""
    model_id: str = ""
    """The model id the provider reported answering with (e.g. a dated snapshot)."""
    attempts: int = 1
    """Requests the model call took (retries of passing failures counted)."""

    @property
    def text(self) -> str:
        return text_of(self.content)

    @property
    def tool_calls(self) -> list[ToolCall]:
        return [c for c in self.content if isinstance(c, ToolCall)]

    @property
    def tool_results(self) -> list[ToolResult]:
        return [c for c in self.content if isinstance(c, ToolResult)]

    @property
    def response(self) -> Response:
        """The model's own part of the step, as the provider returned it."""
        return Response(
            content=[c for c in self.content if not _ran_locally(c)],
            finish_reason=self.finish_reason,
            usage=self.usage,
            provider_metadata=self.provider_metadata,
            warnings=self.warnings,
            model_id=self.model_id,
        )


def _ran_locally(item: Content) -> bool:
    return isinstance(item, ToolResult) and not item.provider_executed


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult(Generic[OutputT]):
    """The outcome of :meth:`Agent.run`.

    ``messages`` is the whole conversation without system prompt: the input messages and
    every step's messages, ready to pass back as ``messages=`` to continue it. ``output`` is
    the validated final answer of an agent made with ``output=``; ``None`` otherwise, or when
    a limit ended the run first.

    When ``stop_reason`` is ``APPROVAL``, ``pending`` lists the calls waiting for a decision;
    ``agent.run(messages=result.messages, approvals={call: True | False | "reason"})``, keyed
    by those calls as shown, resumes. ``resumed`` holds the results of the calls such a run
    began with (approved ones ran, denied ones are error results), in call order; they are
    also the content of its first step, numbered 0 (the step the earlier run stopped in,
    finished: no model call, so no usage but its sub-agents'), before its model steps 1, 2, …
    """

    steps: list[Step]
    messages: list[Message]
    stop_reason: StopReason
    usage: Usage
    output: OutputT | None = None
    pending: list[PendingCall] = field(default_factory=list)
    resumed: list[ToolResult] = field(default_factory=list)

    @property
    def response(self) -> Response:
        """The response of the last step with text (or of the last step if none has any)."""
        for step in reversed(self.steps):
            if step.text.strip():
                return step.response
        if not self.steps:  # a partial run that failed in its first step
            return Response(content=[], finish_reason=FinishReason.ERROR)
        return self.steps[-1].response

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def warnings(self) -> list[CallWarning]:
        """Every step's warnings, in order: settings a provider could not honour."""
        return [w for step in self.steps for w in step.warnings]
