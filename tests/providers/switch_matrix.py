"""The switching matrix: the recorded conversations of ``../shared/conformance``, continued on
every target, each request checked by the target's validator (``validators/``).

A conversation is a cassette's replies, each decoded by its family's own parser
(``reverie.providers.recorded``) and played through an :class:`reverie.Agent` (a
``ScriptedModel`` answering with them, tools answering every call), so its messages are
what a real run keeps; a copy goes through ``reverie.serialize`` too. It is then continued
on each target with ``agent.run(messages=...)`` after a new user turn, and, when it has a
tool loop, from inside that loop; the request the target's provider sends (caught by an
``httpx2.MockTransport``) is checked. A → B → A round trips check that A's part of a
conversation continued on B is sent to A as A sent it before.

``python tests/providers/switch_matrix.py`` prints the figures. Only the public API is used,
so the same file measures an older reverie.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import yaml

import reverie
from reverie import (
    Agent,
    FilePart,
    MediaOutput,
    Message,
    ReasoningPart,
    Response,
    TextOutput,
    TextPart,
    Tool,
    ToolCall,
    ToolCallPart,
    ToolResultPart,
    user_message,
)
from reverie.errors import ReverieError
from reverie.providers.recorded import RecordedExchange, read_recorded, wire_family
from reverie.serialize import dump_messages, load_messages
from reverie.testing import ScriptedModel

HERE = Path(__file__).resolve()
CORPUS = Path(os.environ.get("REVERIE_CONFORMANCE") or HERE.parents[3] / "shared" / "conformance")

TARGETS = (
    "openai",
    "openai-responses",
    "azure",
    "azure-responses",
    "anthropic",
    "bedrock",
    "vertex-claude",
    "google",
    "vertex-gemini",
    "openrouter",
    "vercel",
    "openai-compat",
)

THINKING = {"anthropic": {"thinking": {"type": "enabled", "budget_tokens": 2048}}}
"""Claude targets run with thinking on: a tool loop begun elsewhere is the hard case."""


def source_of(url: str) -> str | None:
    """The target name of the host (and API) a recorded request went to."""
    host = httpx2.URL(url).host
    family = wire_family(url)
    if host == "api.openai.com":
        return "openai-responses" if family == "openai-responses" else "openai"
    if host.endswith(".openai.azure.com"):
        return "azure-responses" if family == "openai-responses" else "azure"
    if host == "api.anthropic.com":
        return "anthropic"
    if host.startswith("bedrock-runtime."):
        return "bedrock"
    if host.endswith("aiplatform.googleapis.com"):
        return "vertex-claude" if family == "anthropic" else "vertex-gemini"
    if host == "generativelanguage.googleapis.com":
        return "google"
    if host == "openrouter.ai":
        return "openrouter"
    return None


@dataclass
class Conversation:
    name: str
    source: str
    replies: list[Response]


REHOSTED = {
    "openai-responses": (("azure-responses", "https://res.openai.azure.com/openai/v1/responses"),),
    "openrouter": (
        ("vercel", "https://ai-gateway.vercel.sh/v1/chat/completions"),
        ("openai-compat", "http://localhost:8000/v1/chat/completions"),
    ),
}
"""Hosts with no recordings of their own read the recordings of a host speaking the same
wire (their parsers then record them as the producer): Azure's Responses, the Vercel
gateway, an OpenAI-compatible server."""


async def load_conversations(corpus: Path = CORPUS) -> list[Conversation]:
    found: list[Conversation] = []
    for path in sorted((corpus / "cassettes").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        interactions = data.get("interactions") or []
        urls = [i["request"]["url"] for i in interactions]
        source = next((s for s in map(source_of, urls) if s), None)
        if source is None:
            continue
        name = str(path.relative_to(corpus / "cassettes").with_suffix(""))
        hosts = [(source, None), *REHOSTED.get(source, ())]
        for label, url in hosts:
            replies = await _replies(interactions, url)
            if replies:
                suffix = "" if url is None else f" (read as {label})"
                found.append(Conversation(name + suffix, label, replies))
    return found


async def _replies(interactions: list[dict[str, Any]], url: str | None) -> list[Response]:
    replies: list[Response] = []
    for interaction in interactions:
        request, response = interaction["request"], interaction["response"]
        kind = (response.get("headers") or {}).get("Content-Type") or [""]
        exchange = RecordedExchange(
            url=url or request["url"],
            status=int(response.get("code") or 200),
            content_type=kind[0],
            body=response.get("body") or "",
        )
        try:
            reply = await read_recorded(exchange)
        except ReverieError:
            continue
        if reply is not None:
            replies.append(reply)
    return replies


def tools_for(messages: Sequence[Message]) -> list[Tool]:
    names = sorted(
        {
            p.tool_name
            for m in messages
            for p in m.content
            if p.type in ("tool-call", "tool-result") and not p.provider_executed  # type: ignore[union-attr]
        }
    )
    return [
        Tool.from_schema(n, f"the {n} tool", {"type": "object"}, lambda _a: "40 C") for n in names
    ]


async def played(conversation: Conversation) -> list[Message]:
    """The conversation's messages, as an agent run keeps them."""
    calls = [
        c
        for r in conversation.replies
        for c in r.content
        if isinstance(c, ToolCall) and not c.provider_executed
    ]
    names = sorted({c.tool_name for c in calls})
    tools = [
        Tool.from_schema(n, f"the {n} tool", {"type": "object"}, lambda _a: "40 C") for n in names
    ]
    model = ScriptedModel(list(conversation.replies))
    agent = Agent(model, tools=tools, max_steps=len(conversation.replies))
    result = await agent.run("What is the weather in Florence?")
    return list(result.messages)


def in_loop(messages: list[Message]) -> list[Message] | None:
    """The conversation cut right after its first tool results: inside the tool loop."""
    for index, message in enumerate(messages):
        if message.role == "tool":
            return messages[: index + 1]
    return None


def target_model(target: str, client: httpx2.AsyncClient) -> Any:
    p = reverie.provider
    if target == "openai":
        return p("openai", api_key="k", client=client).model("gpt-4o")
    if target == "openai-responses":
        return p("openai-responses", api_key="k", client=client).model("gpt-5")
    if target == "azure":
        return p("azure", api_key="k", base_url="res", client=client).model("gpt-4o")
    if target == "azure-responses":
        azure = p("azure", api_key="k", base_url="res", api="responses", client=client)
        return azure.model("gpt-5")
    if target == "anthropic":
        return p("anthropic", api_key="k", client=client).model("claude-sonnet-4-5")
    if target == "bedrock":
        bedrock = p("bedrock", api_key="k", region="us-east-1", client=client)
        return bedrock.model("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    if target in ("vertex-claude", "vertex-gemini"):
        vertex = p("vertex", project="p", location="us-east5", skip_auth=True, client=client)
        model = (
            "claude-sonnet-4-5@20250929" if target == "vertex-claude" else "gemini-3-pro-preview"
        )
        return vertex.model(model)
    if target == "google":
        return p("google", api_key="k", client=client).model("gemini-3-pro-preview")
    if target in ("openrouter", "vercel"):
        return p(target, api_key="k", client=client).model("anthropic/claude-sonnet-4.5")
    assert target == "openai-compat"
    compat = p("openai-compat", base_url="http://localhost:8000/v1", client=client)
    return compat.model("qwen3")


async def request(target: str, messages: list[Message], prompt: str | None) -> dict[str, Any]:
    """The body the target's provider sends for ``agent.run(prompt, messages=messages)``."""
    sent: list[dict[str, Any]] = []

    def answer(http_request: httpx2.Request) -> httpx2.Response:
        sent.append(json.loads(http_request.content))
        return httpx2.Response(400, json={"error": {"message": "captured", "type": "x"}})

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as client:
        model = target_model(target, client)
        options = THINKING if target in ("anthropic", "bedrock", "vertex-claude") else {}
        agent = Agent(model, tools=tools_for(messages), provider_options=options)
        with contextlib.suppress(ReverieError):
            await agent.run(prompt, messages=messages)
    assert sent, f"{target}: no request was sent"
    return sent[0]


def wire_messages(body: dict[str, Any]) -> list[Any]:
    return list(body.get("messages") or body.get("contents") or body.get("input") or [])


@dataclass
class Cell:
    """One ordered pair (history's source, target): its requests and what they broke."""

    source: str
    target: str
    requests: int = 0
    refused: int = 0
    """Requests breaking at least one rule."""
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


async def check_pair(conversations: list[Conversation], source: str, target: str) -> Cell:
    from validators import check

    cell = Cell(source, target)
    for conversation in conversations:
        if conversation.source != source:
            continue
        messages = await played(conversation)
        saved = load_messages(dump_messages(messages))
        if saved != messages:
            cell.failures.append(f"{conversation.name}: the JSON round trip changed the messages")
        variants: list[tuple[str, list[Message], str | None]] = [
            ("new user turn", saved, "And tomorrow?")
        ]
        loop = in_loop(saved)
        if loop is not None:
            variants.append(("mid tool loop", loop, None))
        for label, history, prompt in variants:
            body = await request(target, history, prompt)
            cell.requests += 1
            problems = check(target, body, history)
            cell.refused += bool(problems)
            for problem in problems:
                cell.failures.append(f"{conversation.name} ({label}): {problem}")
    return cell


def final_reply(conversations: list[Conversation], source: str) -> Response | None:
    """A reply of ``source`` without tool calls, carrying the most replay metadata."""
    best: Response | None = None
    score = -1
    for conversation in conversations:
        if conversation.source != source:
            continue
        reply = conversation.replies[-1]
        if any(isinstance(c, ToolCall) for c in reply.content):
            continue
        weight = sum(bool(c.provider_metadata) for c in reply.content)  # type: ignore[union-attr]
        if weight > score:
            best, score = reply, weight
    return best


async def round_trip(conversations: list[Conversation], a: str, b: str) -> Cell:
    """A's conversation continued on B (with B's recorded reply), then sent to A again: A's
    part must go to A as it went before."""
    cell = Cell(a, b)
    reply = final_reply(conversations, b)
    if reply is None:
        return cell
    for conversation in conversations:
        if conversation.source != a:
            continue
        history = [*await played(conversation), user_message("And tomorrow?")]
        before = wire_messages(await request(a, history, None))
        model = ScriptedModel([reply])
        continued = await Agent(model, tools=tools_for(history)).run(None, messages=history)
        after = wire_messages(await request(a, list(continued.messages), "Thanks."))
        cell.requests += 1
        if after[: len(before)] != before:
            cell.failures.append(f"{conversation.name}: A's part changed after a turn on {b}")
    return cell


# Hand-made conversations: what the recordings hold too rarely (files by URL, blank texts,
# hostile ids, media in tool results), each with what the request must still carry (one of
# each group's strings), so nothing is dropped without a word.

Needles = tuple[tuple[str, ...], ...]


def _turn(role: str, *parts: Any) -> Message:
    return Message(role=role, content=tuple(parts))  # type: ignore[arg-type]


def _call(call_id: str, name: str = "weather") -> ToolCallPart:
    return ToolCallPart(tool_call_id=call_id, tool_name=name, input='{"city": "Rome"}')


def _answer(call_id: str, output: Any, name: str = "weather") -> ToolResultPart:
    return ToolResultPart(tool_call_id=call_id, tool_name=name, output=output)


def _asked(*files: FilePart) -> list[Message]:
    return [
        _turn("user", TextPart(text="Look at this."), *files),
        _turn("assistant", TextPart(text="I see it.")),
    ]


NAMED = ("given here by URL",)
"""The text a file the target cannot read by URL becomes."""


def handmade() -> list[tuple[str, list[Message], Needles]]:
    image, pdf = "https://example.com/cat.png", "https://example.com/report.pdf"
    stored = "https://generativelanguage.googleapis.com/v1beta/files/abc123"
    text = TextOutput
    return [
        ("an image by https URL", _asked(FilePart(media_type="image/png", url=image)), ((image,),)),
        (
            "a PDF by https URL",
            _asked(FilePart(media_type="application/pdf", url=pdf, filename="r.pdf")),
            ((pdf,),),
        ),
        (
            "a file in the Gemini API's store",
            _asked(FilePart(media_type="image/png", url=stored)),
            ((stored,),),
        ),
        (
            "a file in Cloud Storage",
            _asked(FilePart(media_type="application/pdf", url="gs://bucket/r.pdf")),
            (("gs://bucket/r.pdf",),),
        ),
        (
            "an image by data: URL",
            _asked(FilePart(media_type="image/png", url="data:image/png;base64,iVBORw0KGgo=")),
            (("iVBORw0KGgo=",),),
        ),
        (
            "blank texts everywhere",
            [
                _turn("system", TextPart(text="Be brief."), TextPart(text=" ")),
                _turn("user", TextPart(text="Weather in Rome?"), TextPart(text="")),
                _turn("assistant", TextPart(text="  \n"), _call("c1")),
                _turn("tool", _answer("c1", text(text=""))),
                _turn("assistant", TextPart(text="\t")),
            ],
            (("Weather in Rome?",),),
        ),
        (
            "a system message mid-conversation",
            [
                user_message("Hi"),
                _turn("assistant", TextPart(text="Hello")),
                _turn("system", TextPart(text="Answer in French.")),
            ],
            (("Answer in French.",),),
        ),
        (
            "an assistant turn of another vendor's reasoning only",
            [
                user_message("Hi"),
                _turn(
                    "assistant",
                    ReasoningPart(text="hmm", provider_options={"openai": {"item_id": "rs_x"}}),
                ),
            ],
            (),
        ),
        (
            "hostile and repeated tool-call ids",
            [
                user_message("Weather?"),
                _turn("assistant", _call("functions.weather:0"), _call("x" * 90), _call("")),
                _turn(
                    "tool",
                    _answer("functions.weather:0", text(text="a")),
                    _answer("x" * 90, text(text="b")),
                    _answer("", text(text="c")),
                ),
                _turn("assistant", _call("1"), _call("1")),
                _turn("tool", _answer("1", text(text="d")), _answer("1", text(text="e"))),
                _turn("assistant", _call("1")),
                _turn("tool", _answer("1", text(text="f"))),
            ],
            tuple((f'"{t}"', f"\\n{t}", f": {t}") for t in "abcdef"),
        ),
        (
            "images, PDFs and audio in tool results",
            [
                user_message("Screenshot?"),
                _turn("assistant", _call("c1", "shot"), _call("c2", "shot"), _call("c3", "shot")),
                _turn(
                    "tool",
                    _answer("c1", MediaOutput(data="aGk=", media_type="image/png"), "shot"),
                    _answer("c2", MediaOutput(data="JVBE", media_type="application/pdf"), "shot"),
                    _answer(
                        "c3", MediaOutput(data="UklG", media_type="audio/wav", text="rec"), "shot"
                    ),
                ),
            ],
            (("aGk=",), ("JVBE",), ("audio/wav",)),
        ),
    ]


async def check_handmade(target: str) -> Cell:
    """Every hand-made conversation continued on ``target``: the request keeps the
    documented rules and what it must carry."""
    from validators import check

    cell = Cell("handmade", target)
    for name, history, needles in handmade():
        body = await request(target, history, "And tomorrow?")
        cell.requests += 1
        problems = check(target, body, history)
        sent = json.dumps(body)
        for group in needles:
            if not any(n in sent for n in group) and not (
                target != "google" and any(n in sent for n in NAMED)
            ):
                problems.append(f"none of {group} was sent")
        cell.refused += bool(problems)
        cell.failures += [f"{name}: {p}" for p in problems]
    return cell


async def main(corpus: Path = CORPUS) -> None:
    conversations = await load_conversations(corpus)
    sources = sorted({c.source for c in conversations}, key=TARGETS.index)
    cells = [await check_pair(conversations, s, t) for s in sources for t in TARGETS]
    requests = sum(c.requests for c in cells)
    refused = sum(c.refused for c in cells)
    print(f"conversations: {len(conversations)} from {len(sources)} sources")
    print(
        f"ordered pairs checked: {len(cells)}, passing: {sum(c.passed for c in cells)}; "
        f"requests: {requests}, breaking a rule: {refused}"
    )
    made = [await check_handmade(t) for t in TARGETS]
    print(
        f"hand-made conversations: {len(handmade())} on {len(made)} targets, targets passing: "
        f"{sum(c.passed for c in made)}; requests breaking a rule: {sum(c.refused for c in made)}"
    )
    trips = [await round_trip(conversations, a, b) for a in sources for b in sources if a != b]
    print(
        f"round trips A->B->A: {sum(c.requests for c in trips)} in {len(trips)} pairs, "
        f"pairs passing: {sum(c.passed for c in trips)}"
    )
    if "-v" in sys.argv:
        for cell in cells + made + trips:
            for failure in cell.failures[:3]:
                print(f"  {cell.source} -> {cell.target}: {failure}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    asyncio.run(main())
