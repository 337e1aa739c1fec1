"""``Agent(output=Type)``: the run ends with a validated object instead of prose.

The model is offered one more tool, ``final_answer``, whose input schema is the output's;
calling it with valid input ends the run and puts the value on ``RunResult.output``. Input
that does not parse or validate goes back as the tool's error result, and prose without the
tool gets a reminder: both are retry turns, bounded by ``output_retries``. This is a tool
like any other to the provider, so it works the same on every provider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reverie.content import Content, ToolCall, ToolResult
from reverie.errors import NoObjectGenerated
from reverie.messages import ErrorOutput, TextOutput
from reverie.model import (
    FunctionTool,
    Response,
    StreamPart,
    ToolChoice,
    ToolInputDelta,
    ToolInputStart,
)
from reverie.usage import Usage

if TYPE_CHECKING:
    from reverie.structured.partial import PartialJson
    from reverie.structured.schema import ObjectSchema

# reverie.structured (the schema, the JSON reader) is imported when an agent has an output,
# not with every agent: it costs building an agent without one a few milliseconds.

OUTPUT_TOOL = "final_answer"
DEFAULT_OUTPUT_RETRIES = 2
"""Invalid final answers (or prose instead of one) the model may correct before the run
fails with :class:`~reverie.errors.NoObjectGenerated`."""

ACCEPTED = "Final answer received."
NOT_RUN = "Not run: the final answer was given in the same turn."
REMINDER = (
    f"Give your answer by calling the {OUTPUT_TOOL} tool; its input is the answer, "
    "matching the tool's schema."
)


@dataclass(frozen=True, slots=True)
class Accept:
    """The step's first final answer is valid: the run ends with ``value``."""

    value: Any


@dataclass(frozen=True, slots=True)
class Retry:
    """No valid answer, and a retry left: ``error`` goes back as the answer's error result,
    or, when the model answered in prose (``error`` is ``None``), it is reminded of the tool."""

    error: Exception | None


@dataclass(frozen=True, slots=True)
class Fail:
    """No valid answer and no retry left: the run fails with ``NoObjectGenerated``."""

    error: Exception | None


Verdict = Accept | Retry | Fail
"""What an output makes of one model turn; ``None`` when the turn only called tools."""


class Output:
    """The final-answer tool of one agent, and the checking of its calls."""

    def __init__(self, target: type[Any] | Mapping[str, Any], retries: int) -> None:
        from reverie.structured.schema import object_schema

        self.schema: ObjectSchema[Any] = object_schema(target, OUTPUT_TOOL, None)
        self.retries = retries
        description = "Give the final answer, once you have everything it needs."
        if self.schema.description:
            description += f" The answer: {self.schema.description}"
        self.spec = FunctionTool(
            name=OUTPUT_TOOL, description=description, input_schema=self.schema.schema
        )

    def judge(
        self, answers: Sequence[ToolCall], called_tools: bool, retries_left: int
    ) -> Verdict | None:
        """The verdict on a turn: its first final answer (``answers``), or prose when it
        neither answered nor called a tool; ``None`` for a turn that only called tools."""
        if not answers and called_tools:
            return None
        error: Exception | None = None
        if answers:
            checked = self.check(answers[0])
            if isinstance(checked, Accept):
                return checked
            error = checked
        return Retry(error) if retries_left > 0 else Fail(error)

    def check(self, call: ToolCall) -> Accept | Exception:
        """The validated value, or the error to send back."""
        from reverie.structured.parse import parse_json

        try:
            return Accept(self.schema.validate(parse_json(call.input or "{}")))
        except Exception as exc:  # parse or validation: the model is told and may retry
            return exc

    def with_answers(
        self,
        content: Sequence[Content],
        results: list[ToolResult],
        answers: list[ToolCall],
        verdict: Verdict | None,
    ) -> list[ToolResult]:
        """The step's tool results with those of its final-answer calls, in call order: the
        first answer accepted or rejected with why, any further one not needed."""
        first, *rest = answers
        error = verdict.error if isinstance(verdict, Retry | Fail) else None
        if error is None:
            answer = _result(first, TextOutput(text=ACCEPTED))
        else:
            message = f"Invalid final answer: {error}\nFix it and call {OUTPUT_TOOL} again."
            answer = _result(first, ErrorOutput(message=message))
        merged = [*results, answer, *(not_run(c) for c in rest)]
        order = {c.tool_call_id: i for i, c in enumerate(content) if isinstance(c, ToolCall)}
        return sorted(merged, key=lambda r: order.get(r.tool_call_id, len(order)))

    def failure(self, verdict: Fail, response: Response, usage: Usage) -> NoObjectGenerated:
        """The error ending a run whose retries are spent (``verdict``: the last answer's)."""
        answer = next(
            (c for c in response.content if isinstance(c, ToolCall) and c.tool_name == OUTPUT_TOOL),
            None,
        )
        error = verdict.error
        what = f"the final answer did not validate: {error}" if error else "it answered in prose"
        return NoObjectGenerated(
            f"no output: {what} (after {self.retries} retries)",
            text=answer.input if answer is not None else response.text,
            cause=error,
            usage=usage,
            finish_reason=str(response.finish_reason),
        )


def not_run(call: ToolCall) -> ToolResult:
    """The result of a tool call left unrun because the final answer ended the run."""
    return _result(call, ErrorOutput(message=NOT_RUN))


def tool_choice_for(choice: ToolChoice | None, offered: bool, output: bool) -> ToolChoice | None:
    """The step's tool choice: the caller's, else ``auto`` among offered tools; with an
    output some tool is always due (the run must end in the final answer)."""
    if not output:
        return (choice or "auto") if offered else None
    return choice or ("required" if offered else OUTPUT_TOOL)


class PartialOutputs:
    """Follows the final-answer tool's input in a model stream, giving the partial output
    each time it grows (see :class:`reverie.structured.partial.PartialJson`)."""

    __slots__ = ("_id", "_parser")

    def __init__(self) -> None:
        from reverie.structured.partial import PartialJson

        self._id: str | None = None
        self._parser: PartialJson = PartialJson()

    def feed(self, part: StreamPart) -> Any:
        """The new partial output, or ``None`` if ``part`` did not change it."""
        if isinstance(part, ToolInputStart):
            if self._id is None and part.tool_name == OUTPUT_TOOL:
                self._id = part.id
            return None
        if not isinstance(part, ToolInputDelta) or part.id != self._id:
            return None
        self._parser.feed(part.delta)
        return self._parser.snapshot() if self._parser.changed else None


def _result(call: ToolCall, output: TextOutput | ErrorOutput) -> ToolResult:
    return ToolResult(
        tool_call_id=call.tool_call_id, tool_name=call.tool_name, output=output, input=call.input
    )
