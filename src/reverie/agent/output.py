"""``Agent(output=Type)``: the run ends with a validated object instead of prose.

The model is offered one more tool, ``final_answer``, whose input schema is the output's;
calling it with valid input ends the run and puts the value on ``RunResult.output``. Input
that does not parse or validate goes back as the tool's error result, and prose without the
tool gets a reminder: both are retry turns, bounded by ``output_retries``. This is a tool
like any other to the provider, so it works the same on every provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reverie.content import ToolCall, ToolResult
from reverie.messages import ErrorOutput, TextOutput
from reverie.model import FunctionTool, StreamPart, ToolInputDelta, ToolInputStart
from reverie.structured.parse import parse_json
from reverie.structured.partial import PartialJson
from reverie.structured.schema import ObjectSchema, object_schema

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


class Output:
    """The final-answer tool of one agent, and the checking of its calls."""

    def __init__(self, target: type[Any] | Mapping[str, Any], retries: int) -> None:
        self.schema: ObjectSchema[Any] = object_schema(target, OUTPUT_TOOL, None)
        self.retries = retries
        description = "Give the final answer, once you have everything it needs."
        if self.schema.description:
            description += f" The answer: {self.schema.description}"
        self.spec = FunctionTool(
            name=OUTPUT_TOOL, description=description, input_schema=self.schema.schema
        )

    def check(self, call: ToolCall) -> tuple[Any, Exception | None]:
        """The validated value, or the error to send back."""
        try:
            return self.schema.validate(parse_json(call.input or "{}")), None
        except Exception as exc:  # parse or validation: the model is told and may retry
            return None, exc

    def accepted(self, call: ToolCall) -> ToolResult:
        return _result(call, TextOutput(text=ACCEPTED))

    def rejected(self, call: ToolCall, error: Exception) -> ToolResult:
        message = f"Invalid final answer: {error}\nFix it and call {OUTPUT_TOOL} again."
        return _result(call, ErrorOutput(message=message))

    @staticmethod
    def not_run(call: ToolCall) -> ToolResult:
        return _result(call, ErrorOutput(message=NOT_RUN))


class PartialOutputs:
    """Follows the final-answer tool's input in a model stream, giving the partial output
    each time it grows (see :class:`reverie.structured.partial.PartialJson`)."""

    __slots__ = ("_id", "_parser")

    def __init__(self) -> None:
        self._id: str | None = None
        self._parser = PartialJson()

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
