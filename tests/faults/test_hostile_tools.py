"""A model's tool calls as an attacker (or a confused model) writes them, in every family,
streamed or not: a name no tool has (a path, control characters, a terminal escape, 300
characters), arguments that are not JSON or not an object. The tool never runs, the model
gets a short error result, the run goes on, and the next request is one the provider takes:
the made-up name goes back fitted to the provider's documented rule for tool names."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2
import pytest

import reverie

from . import families
from .families import CASE_IDS, CASES, Answer, Case, answering, dumps
from .test_hostile_text import STREAMED, FakeGoogleCredentials, run

HOSTILE_NAMES = {
    "path": "../../etc/passwd",
    "control": "look\x00up\n\x1b[31mred\x07",
    "long": "x" * 300,
    "dotted": "functions.lookup",
    "empty": "",
}
# What each family's provider documents a tool name to be.
NAME_RULES = {
    "chat": r"[a-zA-Z0-9_-]{1,64}",
    "responses": r"[a-zA-Z0-9_-]{1,64}",
    "anthropic": r"[a-zA-Z0-9_-]{1,128}",
    "bedrock": r"[a-zA-Z0-9_-]{1,128}",
    "gemini": r"[a-zA-Z0-9_.:-]{1,64}",
}
# OpenAI-compatible servers each have their own rule: a name goes back to one as it came.
_SKIP = ("tools", "tool_choice", "toolConfig")  # the declarations: ours, valid names


def sent_names(body: Any) -> list[str]:
    """The tool names a request's conversation carries (calls and results)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            name = node.get("name")
            keys = ("arguments", "input", "args", "response", "call_id")
            if isinstance(name, str) and any(k in node for k in keys):
                found.append(name)
            for key, value in node.items():
                if key not in _SKIP:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(body)
    return found


class Scripted:
    """First the model's call (named ``name``, with ``args``), then a text answer."""

    def __init__(self, case: Case, name: str, args: str) -> None:
        self.case = case
        self.bodies: list[Any] = []
        old, families.TOOL = families.TOOL, name
        try:
            said = Answer(args=(args,))
            self.stream = case.family.stream(said)
            self.plain = dumps(case.family.plain(said), said)
        finally:
            families.TOOL = old

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(json.loads(request.content))
        if len(self.bodies) > 1:
            return answering(self.case.family, Answer(text=("done",)))(request)
        url = str(request.url)
        if self.bodies[0].get("stream") is True or "stream" in url.lower():
            kind = self.case.family.content_type
            return httpx2.Response(200, headers={"content-type": kind}, content=self.stream)
        kind = "application/json"
        return httpx2.Response(200, headers={"content-type": kind}, content=self.plain)


def agent_for(case: Case, handler: Any) -> tuple[reverie.Agent, httpx2.AsyncClient, list[Any]]:
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    settings: dict[str, Any] = {**dict(case.settings), "client": client}
    settings["retry"] = reverie.RetryPolicy(max_retries=0)
    if case.keyed:
        settings["api_key"] = "sk-hostile-tools-key"
    else:
        settings["credentials"] = FakeGoogleCredentials()
    model = reverie.provider(case.provider, **settings).model(case.model)
    ran: list[Any] = []

    def lookup(q: str) -> str:
        """Look something up."""
        ran.append(q)
        return "found"

    return reverie.Agent(model, tools=[reverie.tool(name="lookup")(lookup)]), client, ran


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("kind", HOSTILE_NAMES, ids=list(HOSTILE_NAMES))
@STREAMED
async def test_a_made_up_tool_name_is_an_error_result_and_goes_back_valid(
    case: Case, kind: str, streamed: bool
) -> None:
    name = HOSTILE_NAMES[kind]
    script = Scripted(case, name, '{"q": "x"}')
    agent, client, ran = agent_for(case, script)
    result = await run(agent, streamed)
    await client.aclose()
    assert result.text == "done" and ran == []
    (tool_result,) = result.steps[0].tool_results
    message = tool_result.output.message
    assert "not found" in message and len(message) < 400
    assert "\x1b" not in message and "\x00" not in message
    names = sent_names(script.bodies[1])
    assert names, script.bodies[1]
    rule = NAME_RULES[case.family.name] if case.provider != "openai-compat" else r"(?s).+"
    assert all(re.fullmatch(rule, n) for n in names), names
    if name and re.fullmatch(rule, name):
        assert set(names) == {name}  # a name the provider takes goes back as it came
    # the conversation itself keeps what the model said
    assert result.steps[0].tool_calls[0].tool_name == name


BAD_ARGS = {
    "prose": "I will look that up for you",
    "array": "[1, 2]",
    "string": '"x"',
    "number": "42",
    "null": "null",
    "wrong-type": '{"q": {"$gt": ""}}',
}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("kind", BAD_ARGS, ids=list(BAD_ARGS))
@STREAMED
async def test_arguments_that_are_not_an_object_never_run_the_tool(
    case: Case, kind: str, streamed: bool
) -> None:
    script = Scripted(case, "lookup", BAD_ARGS[kind])
    agent, client, ran = agent_for(case, script)
    try:
        result = await run(agent, streamed)
    except reverie.ProviderError as error:
        # Claude and Gemini carry a call's input as JSON in the body: text that is not JSON
        # makes the whole answer unreadable; Gemini's args are an object by its schema. A
        # typed error naming what was wrong, never a raw exception.
        if case.family.name == "gemini" and kind != "prose":
            assert kind != "null" and "'functionCall.args' is not an object" in str(error)
        else:
            assert case.family.name in ("anthropic", "bedrock", "gemini") and kind == "prose"
            assert "malformed" in str(error) or "not JSON" in str(error)
        assert ran == []
        return
    finally:
        await client.aclose()
    assert result.text == "done" and ran == []
    (tool_result,) = result.steps[0].tool_results
    assert tool_result.output.type == "error" and len(tool_result.output.message) < 600
