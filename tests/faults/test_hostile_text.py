"""Hostile text poisons no conversation, in any family, streamed or not.

- A lone surrogate (``"\\ud83d"``: a valid JSON escape that is no character) in the model's
  answer, a tool's output or the prompt: every later request of the conversation is still
  sent (U+FFFD in its place), and the conversation can be saved.
- Tool arguments nested 2,000 deep, valid or unterminated: the model gets an error result
  and the run goes on (no RecursionError); where the family carries the arguments as JSON
  inside the body and the body is nested deeper than Python reads, the call fails with a
  typed ProviderError.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

import reverie
from reverie import ProviderError

from .families import CASE_IDS, CASES, GEMINI, TOOL, Answer, Case, answering

LONE = "\ud83d"
DEPTH = 2000
DEEP_VALID = '{"q": ' + "[" * DEPTH + "]" * DEPTH + "}"
DEEP_OPEN = '{"q": ' + "[" * DEPTH


class FakeGoogleCredentials:
    valid = True
    token = "ya29.fake-token-for-tests"


def make_agent(case: Case, handler: Any, **agent: Any) -> tuple[reverie.Agent, httpx2.AsyncClient]:
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    settings: dict[str, Any] = {**dict(case.settings), "client": client}
    settings["retry"] = reverie.RetryPolicy(max_retries=0)
    if case.keyed:
        settings["api_key"] = "sk-hostile-text-key"
    else:
        settings["credentials"] = FakeGoogleCredentials()
    model = reverie.provider(case.provider, **settings).model(case.model)

    def lookup(q: Any) -> str:
        """Look something up."""
        return f"found {str(q)[:20]}"

    return reverie.Agent(model, tools=[reverie.tool(name=TOOL)(lookup)], **agent), client


class Script:
    """Answers in turn, recording each request body (which must be valid UTF-8 JSON)."""

    def __init__(self, case: Case, *answers: Answer) -> None:
        self.case = case
        self.answers = list(answers)
        self.bodies: list[Any] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(json.loads(request.content.decode("utf-8")))  # strict UTF-8
        return answering(self.case.family, self.answers.pop(0))(request)


async def run(agent: reverie.Agent, streamed: bool, prompt: str = "hi", **options: Any) -> Any:
    if streamed:
        return await agent.stream(prompt, **options).collect()
    return await agent.run(prompt, **options)


STREAMED = pytest.mark.parametrize("streamed", [True, False], ids=["stream", "run"])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@STREAMED
async def test_a_lone_surrogate_in_an_answer_poisons_nothing(case: Case, streamed: bool) -> None:
    said = Answer(text=(f"broken {LONE}", " emoji"), args=(json.dumps({"q": f"x{LONE}"}),))
    script = Script(case, said, Answer(text=("done",)))
    agent, client = make_agent(case, script)
    result = await run(agent, streamed)
    assert result.text == "done"
    first = result.steps[0].text
    assert LONE not in first and "\ufffd" in first
    # the conversation goes on, and can be saved and continued
    script.answers.append(Answer(text=("again",)))
    saved = reverie.load_messages(reverie.dump_messages(result.messages))
    again = await run(agent, streamed, "more", messages=saved)
    await client.aclose()
    assert again.text == "again"
    assert len(script.bodies) == 3
    reverie.dump_result(again)


@pytest.mark.parametrize("case", CASES[:1] + CASES[6:7] + CASES[8:9], ids=lambda c: c.id)
@STREAMED
async def test_a_lone_surrogate_in_a_prompt_or_tool_output_poisons_nothing(
    case: Case, streamed: bool
) -> None:
    script = Script(
        case,
        Answer(args=(json.dumps({"q": "file"}),)),
        Answer(text=("done",)),
    )
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(script))
    settings: dict[str, Any] = {**dict(case.settings), "client": client, "api_key": "sk-x-123456"}
    model = reverie.provider(case.provider, **settings).model(case.model)

    def lookup(q: str) -> str:
        """Read a file name decoded with surrogateescape."""
        return b"caf\xe9.txt".decode("utf-8", "surrogateescape")

    agent = reverie.Agent(model, tools=[reverie.tool(name=TOOL)(lookup)])
    result = await run(agent, streamed, f"prompt {LONE} here")
    await client.aclose()
    assert result.text == "done"
    sent = json.dumps(script.bodies)
    assert "\\ufffd" in sent and "caf\\ufffd.txt" in sent
    reverie.dump_result(result)


def deep_cases() -> list[Any]:
    out = []
    for case in CASES:
        for name, args in (("valid", DEEP_VALID), ("unterminated", DEEP_OPEN)):
            if name == "unterminated" and case.family is GEMINI:
                continue  # Gemini sends a call whole, as JSON inside the body
            out.append(pytest.param(case, args, id=f"{case.id}-{name}"))
    return out


@pytest.mark.parametrize(("case", "args"), deep_cases())
@STREAMED
async def test_tool_arguments_nested_2000_deep_give_the_model_an_error(
    case: Case, args: str, streamed: bool
) -> None:
    half = len(args) // 2
    script = Script(case, Answer(args=(args[:half], args[half:])), Answer(text=("sorry",)))
    agent, client = make_agent(case, script)
    try:
        result = await run(agent, streamed)
    except ProviderError as error:
        # the arguments are JSON inside the body, nested deeper than Python reads (or, cut
        # off, making the whole body invalid): a typed failure of the call, never a
        # RecursionError
        structured = case.family.name in ("anthropic", "bedrock", "gemini")
        assert structured and (args == DEEP_VALID or not streamed), error
        assert "RecursionError" not in str(error)
        return
    finally:
        await client.aclose()
    assert result.text == "sorry"
    (tool_result,) = result.steps[0].tool_results
    assert tool_result.output.type == "error"
    assert len(str(tool_result.output)) < 2000  # the error quotes a bounded part


def test_json_repair_of_deep_input_is_an_error_not_a_recursion() -> None:
    from reverie.agent.execute import not_json, repair_json
    from reverie.content import ToolCall
    from reverie.structured.parse import ParseError, parse_json

    tool = reverie.tool(name=TOOL)(lambda q: q)
    for text in (DEEP_VALID, DEEP_OPEN, "[" * 100_000):
        call = ToolCall(tool_call_id="c", tool_name=TOOL, input=text)
        assert repair_json(call, tool, ValueError("x")) is None
        assert "nested too deeply" in (not_json(text) or "nested too deeply")
        with pytest.raises(ParseError):
            parse_json(text)
