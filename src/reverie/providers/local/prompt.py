"""Our messages → one ChatML prompt (``<|im_start|>role\\n…<|im_end|>``), as SmolLM2 expects.

The model's chat template knows nothing of tools, so tools are described in the system turn,
the model's earlier calls are replayed in the reply format of ``grammar.py``, and tool
results come back as plain text in a user turn ("Result of weather: …"), which is what a
small model reads best.

The prompt is a list of segments, each marked as control markup or content: only markup
is tokenized with special tokens enabled, so a message that happens to contain
``<|im_end|>`` cannot end its turn early.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from reverie.messages import (
    ErrorOutput,
    FilePart,
    MediaOutput,
    Message,
    Part,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolOutput,
    ToolResultPart,
)
from reverie.model import FunctionTool
from reverie.providers.local.grammar import ARGUMENTS_KEY, TOOL_KEY, render_call
from reverie.warning import CallWarning

DEFAULT_SYSTEM = "You are a helpful assistant."
START = "<|im_start|>"
END = "<|im_end|>"


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    special: bool
    """True for ChatML markup, tokenized with special tokens enabled."""


@dataclass(frozen=True, slots=True)
class Prompt:
    segments: tuple[Segment, ...]
    warnings: tuple[CallWarning, ...]
    head: int = 0
    """How many leading segments make the system turn (system prompt and tools, up to and
    including the newline after its end): they are the same in every call of an agent run
    and of the next run, while the rest changes, so their evaluation can be kept."""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


def build_prompt(messages: Sequence[Message], tools: Sequence[FunctionTool]) -> Prompt:
    """The whole conversation as ChatML, ending with an open assistant turn."""
    warnings: list[CallWarning] = []
    leading = 0
    while leading < len(messages) and messages[leading].role == "system":
        leading += 1
    system = "\n\n".join(_text(m.content) for m in messages[:leading]) or DEFAULT_SYSTEM
    if tools:
        system += "\n\n" + tool_instructions(tools)
    turns: list[tuple[str, str]] = [("system", system)]
    for message in messages[leading:]:
        role, text = _turn(message, warnings)
        if turns[-1][0] == role and role != "system":
            # A user message right after tool results (or the reverse): one turn, as the
            # model never saw two consecutive turns of one role in training.
            turns[-1] = (role, f"{turns[-1][1]}\n\n{text}")
        else:
            turns.append((role, text))
    segments = _turn_segments(*turns[0])
    head = len(segments)  # the first turn is always the system turn
    for role, text in turns[1:]:
        segments += _turn_segments(role, text)
    segments += [Segment(START, True), Segment("assistant\n", False)]
    return Prompt(tuple(segments), tuple(warnings), head)


def _turn_segments(role: str, text: str) -> list[Segment]:
    return [
        Segment(START, True),
        Segment(f"{role}\n{text}", False),
        Segment(END, True),
        Segment("\n", False),
    ]


def tool_instructions(tools: Sequence[FunctionTool]) -> str:
    lines = ["You can call these tools:"]
    for t in tools:
        lines.append(f"- {t.name}: {t.description}" if t.description else f"- {t.name}")
        lines.append(f"  Arguments: {json.dumps(dict(t.input_schema), ensure_ascii=False)}")
    lines += [
        "",
        "To call a tool, reply with only a JSON object: "
        f'{{"{TOOL_KEY}": "<tool name>", "{ARGUMENTS_KEY}": {{<arguments>}}}}',
        'Tool results come back in a user message starting with "Result of <tool name>:". '
        "If no tool is needed, answer in plain text.",
    ]
    return "\n".join(lines)


def _turn(message: Message, warnings: list[CallWarning]) -> tuple[str, str]:
    if message.role == "assistant":
        return "assistant", _assistant(message.content)
    if message.role == "tool":
        results = [p for p in message.content if isinstance(p, ToolResultPart)]
        return "user", "\n".join(_result(p.tool_name, p.output, warnings) for p in results)
    for part in message.content:
        if isinstance(part, FilePart):
            warnings.append(
                CallWarning(
                    kind="other",
                    message=f"the local model reads text only; a {part.media_type} file "
                    "was left out",
                )
            )
    return message.role, _text(message.content)


def _text(parts: Sequence[Part]) -> str:
    return "\n".join(p.text for p in parts if isinstance(p, TextPart))


def _assistant(parts: Sequence[Part]) -> str:
    # Reasoning and provider-executed calls came from some other provider's model; this
    # model cannot use them, and replaying them as text would only confuse it.
    lines = [p.text for p in parts if isinstance(p, TextPart) and p.text]
    lines += [
        render_call(p.tool_name, p.input)
        for p in parts
        if isinstance(p, ToolCallPart) and not p.provider_executed
    ]
    return "\n".join(lines)


def _result(name: str, output: ToolOutput, warnings: list[CallWarning]) -> str:
    if isinstance(output, TextOutput):
        return f"Result of {name}: {output.text}"
    if isinstance(output, ErrorOutput):
        return f"Error from {name}: {output.message}"
    assert isinstance(output, MediaOutput)
    warnings.append(
        CallWarning(
            kind="other",
            message=f"the local model reads text only; the {output.media_type} result of "
            f"{name} was sent as its text",
        )
    )
    return f"Result of {name}: {output.text or f'[{output.media_type} omitted]'}"


def count_calls(messages: Sequence[Message]) -> int:
    """Tool calls already in the conversation: new call ids continue from here, so ids stay
    unique across an agent run and still depend only on the input."""
    return sum(1 for m in messages for p in m.content if isinstance(p, ToolCallPart))
