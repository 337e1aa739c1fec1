"""Live rendering of an agent run: text as it arrives, reasoning dimmed, tool calls and results
as they happen, then usage. Styled on a terminal, plain text everywhere else."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from rich.console import Console
from rich.text import Text

from reverie.agent import AgentEvent, RunFinish, RunResult, StepStart, StopReason
from reverie.content import Source, ToolCall, ToolResult
from reverie.messages import ErrorOutput, MediaOutput, TextOutput, ToolOutput
from reverie.model import ReasoningDelta, ReasoningEnd, TextDelta, TextEnd
from reverie.usage import Usage

PREVIEW_CHARS = 400
"""Tool inputs and results longer than this are cut in the live view (never in ``--json``)."""


def make_console(stream: IO[str] | None = None) -> Console:
    """A console on ``stream`` (default stdout): colours on a terminal only, no wrapping."""
    file = stream if stream is not None else sys.stdout
    tty = file.isatty()
    return Console(
        file=file,
        force_terminal=tty,
        color_system="auto" if tty else None,
        no_color=not tty or None,  # None lets rich honour NO_COLOR on a terminal
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )


class LiveRenderer:
    """Prints agent events as they come; call :meth:`event` for each, then :meth:`finish`."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._line_open = False  # the last thing printed did not end with a newline
        self._reasoning = False
        fancy = console.is_terminal and console.encoding.lower().startswith("utf")
        self._call_mark = "→" if fancy else "->"
        self._result_mark = "←" if fancy else "<-"

    def event(self, event: AgentEvent) -> None:
        if isinstance(event, TextDelta):
            self._end_reasoning()
            self._write(event.delta)
        elif isinstance(event, TextEnd):
            self._end_line()
        elif isinstance(event, ReasoningDelta):
            if not self._reasoning:
                self._end_line()
                self._reasoning = True
                self._write("thinking: ", "dim bold")
            self._write(event.delta, "dim italic")
        elif isinstance(event, ReasoningEnd):
            self._end_reasoning()
        elif isinstance(event, ToolCall):
            self._tool_call(event)
        elif isinstance(event, ToolResult):
            self._tool_result(event)
        elif isinstance(event, Source):
            self._line(f"source: {event.url or event.title or event.id}", "dim")
        elif isinstance(event, StepStart | RunFinish):
            self.end_line()

    def finish(self, result: RunResult) -> None:
        """The closing lines: why the run stopped, when it is not the usual, and usage."""
        self._end_reasoning()
        self._end_line()
        if result.stop_reason is StopReason.STEP_LIMIT:
            self._line(f"stopped: reached the step limit ({len(result.steps)} steps)", "yellow")
        self._line(format_usage(result.usage), "dim")

    def end_line(self) -> None:
        """Finish a half-printed line, e.g. when a turn is cut short."""
        self._end_reasoning()
        self._end_line()

    def _tool_call(self, call: ToolCall) -> None:
        self._end_reasoning()
        self._end_line()
        text = Text()
        text.append(f"{self._call_mark} ", style="cyan")
        text.append(call.tool_name, style="bold cyan")
        text.append(" ")
        text.append(preview(format_input(call.input)), style="cyan")
        if call.invalid:
            text.append(f"  (invalid: {call.error or 'rejected'})", style="red")
        self.console.print(text)

    def _tool_result(self, result: ToolResult) -> None:
        self._end_reasoning()
        self._end_line()
        failed = isinstance(result.output, ErrorOutput)
        style = "red" if failed else "green"
        text = Text()
        text.append(f"{self._result_mark} ", style=style)
        text.append(result.tool_name, style=f"bold {style}")
        text.append(" failed: " if failed else ": ", style=style)
        text.append(preview(format_output(result.output)), style=style)
        self.console.print(text)

    def _write(self, text: str, style: str = "") -> None:
        if not text:
            return
        self.console.print(Text(text, style=style), end="")
        self._line_open = not text.endswith("\n")

    def _line(self, text: str, style: str = "") -> None:
        self._end_line()
        self.console.print(Text(text, style=style))

    def _end_line(self) -> None:
        if self._line_open:
            self.console.print()
            self._line_open = False

    def _end_reasoning(self) -> None:
        if self._reasoning:
            self._reasoning = False
            self._end_line()


def format_usage(usage: Usage) -> str:
    """``usage: 120 input + 19 output = 139 tokens, cost $0.000120``: the cost when it is
    known, marked ``~`` and ``(estimate)`` when reverie estimated it from a price."""
    if usage.empty or (not usage.reported and usage == Usage(reported=False)):
        return "usage: not reported"
    total = usage.total_tokens or usage.input_tokens + usage.output_tokens
    line = f"usage: {usage.input_tokens} input + {usage.output_tokens} output = {total} tokens"
    extras = []
    if usage.reasoning_tokens:
        extras.append(f"{usage.reasoning_tokens} reasoning")
    if usage.cache_read_tokens:
        extras.append(f"{usage.cache_read_tokens} cached")
    if extras:
        line += f" ({', '.join(extras)})"
    if not usage.reported:
        line += ", some calls reported no usage"
    if usage.cost is not None and usage.cost_source == "estimate":
        line += f", cost ~${usage.cost:.6f} (estimate)"
    elif usage.cost is not None:
        line += f", cost ${usage.cost:.6f}"
    return line


def usage_dict(usage: Usage) -> dict[str, Any]:
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
        "cost": usage.cost,
        "cost_source": usage.cost_source,
        "reported": usage.reported,
    }


def format_input(raw: str) -> str:
    """A tool call's JSON input on one line; left as it is when it is not JSON."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return raw
    return json.dumps(value, ensure_ascii=False)


def format_output(output: ToolOutput) -> str:
    if isinstance(output, TextOutput):
        return output.text
    if isinstance(output, ErrorOutput):
        return output.message
    if isinstance(output, MediaOutput):
        size = len(output.data) * 3 // 4
        label = f"[{output.media_type}, about {size} bytes]"
        return f"{label} {output.text}" if output.text else label
    return str(output)


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    text = " ".join(text.split("\n"))
    return text if len(text) <= limit else text[: limit - 1] + "…"
