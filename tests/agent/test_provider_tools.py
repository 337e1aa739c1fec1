"""Provider-defined tools on the agent: offered on the call, run by the provider (web
search) or by our client (computer use); metadata kept on empty text parts and files."""

from __future__ import annotations

from typing import Any

from reverie import Agent, ProviderTool, Tool, media
from reverie.accumulate import StreamAccumulator
from reverie.content import File, Text, ToolCall, ToolResult
from reverie.finish_reason import FinishReason
from reverie.messages import FilePart, MediaOutput, TextOutput, TextPart
from reverie.model import Finish, Response, TextEnd, TextStart
from reverie.testing import ScriptedModel
from reverie.testing.fake import reply

SEARCH = ProviderTool(id="anthropic.web_search_20250305", name="web_search")
COMPUTER = ProviderTool(
    id="anthropic.computer_20250124",
    name="computer",
    args={"display_width_px": 1920, "display_height_px": 1080},
)


async def test_a_provider_tool_is_offered_as_it_is_and_never_run_here() -> None:
    searched = Response(
        content=[
            ToolCall(tool_call_id="s1", tool_name="web_search", input="{}", provider_executed=True),
            ToolResult(
                tool_call_id="s1",
                tool_name="web_search",
                output=TextOutput(text="results"),
                provider_executed=True,
            ),
            Text(text="Tokyo has 14 million people."),
        ],
        finish_reason=FinishReason.STOP,
    )
    model = ScriptedModel([searched])
    result = await Agent(model, tools=[SEARCH]).run("Population of Tokyo?")
    assert model.calls[0].tools == [SEARCH]
    assert model.calls[0].tool_choice == "auto"
    assert len(result.steps) == 1  # nothing for us to run: the run is done
    [assistant] = result.messages[1:]
    kinds = [type(p).__name__ for p in assistant.content]
    assert kinds == ["ToolCallPart", "ToolResultPart", "TextPart"]


async def test_an_executable_provider_tool_is_offered_as_the_provider_defines_it_and_run_here() -> (
    None
):
    seen: list[dict[str, Any]] = []

    def act(action: dict[str, Any]) -> Any:
        seen.append(action)
        return media(b"\x89PNG", "image/png")

    computer = Tool.from_provider_tool(COMPUTER, act)
    model = ScriptedModel(
        [reply(tool_calls=[("c1", "computer", '{"action":"screenshot"}')]), reply("a desktop")]
    )
    result = await Agent(model, tools=[computer]).run("Take a screenshot")
    assert model.calls[0].tools == [COMPUTER]
    assert seen == [{"action": "screenshot"}]
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, MediaOutput) and output.media_type == "image/png"
    assert result.text == "a desktop"


async def test_active_tools_filter_provider_tools_by_name() -> None:
    def weather(city: str) -> str:
        """Weather"""
        return "sunny"

    model = ScriptedModel([reply("ok")])
    await Agent(model, tools=[weather, SEARCH], active_tools=["weather"]).run("hi")
    assert [t.name for t in model.calls[0].tools] == ["weather"]


def test_metadata_on_an_empty_text_part_survives_accumulation() -> None:
    signature = {"google": {"thought_signature": "sig"}}
    acc = StreamAccumulator()
    for part in (
        TextStart("t"),
        TextEnd("t", signature),
        Finish(finish_reason=FinishReason.STOP),
    ):
        acc.add(part)
    assert acc.response().content == [Text(text="", provider_metadata=signature)]


async def test_metadata_on_empty_text_and_files_reaches_the_next_request() -> None:
    signature = {"google": {"thought_signature": "sig"}}
    first = Response(
        content=[
            Text(text="", provider_metadata=signature),
            File(data=b"img", media_type="image/png", provider_metadata={"x": {"id": "f1"}}),
            ToolCall(tool_call_id="c1", tool_name="noop", input="{}"),
        ],
        finish_reason=FinishReason.TOOL_CALLS,
    )

    def noop() -> str:
        """Does nothing"""
        return "done"

    model = ScriptedModel([first, reply("end")])
    await Agent(model, tools=[noop]).run("go")
    assistant = model.calls[1].prompt[1]
    text, file = assistant.content[0], assistant.content[1]
    assert isinstance(text, TextPart) and text.provider_options == signature
    assert isinstance(file, FilePart) and file.provider_options == {"x": {"id": "f1"}}
