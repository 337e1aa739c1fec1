"""URL citations on chat completions (OpenAI's search models, OpenRouter's web plugin):
``message.annotations`` and ``delta.annotations`` of type ``url_citation`` → Source parts
with url, title and the cited range. Hand-made after OpenAI's and OpenRouter's documented
shape; streamed bodies are also fed in 1..7-byte pieces."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FakeServer

from reverie.accumulate import StreamAccumulator
from reverie.content import Source, Text
from reverie.http.retry import NO_RETRY
from reverie.messages import user_message
from reverie.model import Finish, Response, TextDelta, TextEnd, TextStart
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.providers.openai_chat.annotations import Citations
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.stream import ChatStreamParser
from reverie.providers.openrouter import OpenRouter

HELLO = Call(prompt=[user_message("News?")])
TEXT = "Rome is sunny [1]. Paris is wet [2]."


def citation(url: str, title: str | None, start: int, end: int, **more: Any) -> dict[str, Any]:
    inner: dict[str, Any] = {"url": url, "start_index": start, "end_index": end, **more}
    if title is not None:
        inner["title"] = title
    return {"type": "url_citation", "url_citation": inner}


ANNOTATIONS = [
    citation("https://a.example/rome", "Rome weather", 0, 18, content="Sunny all week."),
    citation("https://b.example/paris", None, 19, 36),
]
SOURCES = [
    Source(
        id="citation-0",
        url="https://a.example/rome",
        title="Rome weather",
        provider_metadata={"openrouter": {"start_index": 0, "end_index": 18}},
    ),
    Source(
        id="citation-1",
        url="https://b.example/paris",
        provider_metadata={"openrouter": {"start_index": 19, "end_index": 36}},
    ),
]


def router(server: FakeServer) -> Any:
    return OpenRouter(api_key="k", client=server.client(), retry=NO_RETRY).model(
        "openai/gpt-4o:online"
    )


async def test_message_annotations_become_sources_after_the_text() -> None:
    answer = {
        "choices": [
            {
                "message": {"role": "assistant", "content": TEXT, "annotations": ANNOTATIONS},
                "finish_reason": "stop",
            }
        ]
    }
    response = await router(FakeServer().json(answer)).generate(HELLO)
    assert response.content == [Text(text=TEXT), *SOURCES]


def _stream(deltas: list[dict[str, Any]]) -> bytes:
    chunks = [{"choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    lines = [f"data: {json.dumps(c)}\n\n" for c in chunks]
    return "".join([*lines, "data: [DONE]\n\n"]).encode()


async def fold(model: Any) -> Response:
    accumulator = StreamAccumulator()
    async for part in model.stream(HELLO):
        accumulator.add(part)
    return accumulator.response()


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 4, 5, 6, 7, 4096])
async def test_streamed_annotations_become_sources(chunk_size: int) -> None:
    deltas = [
        {"role": "assistant", "content": TEXT[:18]},
        {"content": TEXT[18:]},
        {"content": "", "annotations": ANNOTATIONS[:1]},
        {"annotations": ANNOTATIONS[1:]},
    ]
    server = FakeServer(chunk_size=chunk_size)
    server.answers.append((200, _stream(deltas), "text/event-stream"))
    response = await fold(router(server))
    assert response.content == [Text(text=TEXT), *SOURCES]


def test_stream_parts_carry_each_source_once_where_it_arrives() -> None:
    parser = ChatStreamParser(ChatDialect(), [], "openai")
    parts = parser.feed_chunk(
        {"choices": [{"delta": {"content": "Hi", "annotations": ANNOTATIONS}}]}
    )
    # The same list again (a server repeating what it sent) adds nothing.
    parts += parser.feed_chunk({"choices": [{"delta": {"annotations": ANNOTATIONS}}]})
    parts += parser.finish()
    ranges = [{"openai": s.provider_metadata["openrouter"]} for s in SOURCES]
    assert parts[:-1] == [
        TextStart("text-0"),
        TextDelta("text-0", "Hi"),
        Source(
            id="citation-0", url=SOURCES[0].url, title="Rome weather", provider_metadata=ranges[0]
        ),
        Source(id="citation-1", url=SOURCES[1].url, provider_metadata=ranges[1]),
        TextEnd("text-0"),
    ]
    assert isinstance(parts[-1], Finish)


async def test_openai_search_models_cite_the_same_way() -> None:
    annotations = [citation("https://c.example/", "C", 3, 9)]
    answer = {
        "choices": [
            {
                "message": {"content": "abc def ghi", "annotations": annotations},
                "finish_reason": "stop",
            }
        ]
    }
    server = FakeServer().json(answer)
    model = OpenAI(api_key="k", client=server.client(), retry=NO_RETRY).model(
        "gpt-4o-search-preview"
    )
    response = await model.generate(HELLO)
    assert response.content[1] == Source(
        id="citation-0",
        url="https://c.example/",
        title="C",
        provider_metadata={"openai": {"start_index": 3, "end_index": 9}},
    )


def test_what_is_not_a_url_citation_gives_no_source() -> None:
    citations = Citations("p")
    assert citations.read(None) == []
    assert citations.read({"type": "url_citation"}) == []
    odd = [
        "x",
        {"type": "file_citation", "url_citation": {"url": "https://f.example/"}},
        {"type": "url_citation", "url_citation": {"title": "no url"}},
        {"type": "url_citation", "url_citation": {"url": ""}},
        {"type": "url_citation", "url_citation": {"url": 7}},
        # Flat fields, a title that is not text and indices that are not numbers.
        {"type": "url_citation", "url": "https://g.example/", "title": 3, "start_index": "0"},
        {"type": "url_citation", "url_citation": {"url": "https://h.example/", "end_index": 4}},
    ]
    assert citations.read(odd) == [
        Source(id="citation-0", url="https://g.example/"),
        Source(
            id="citation-1", url="https://h.example/", provider_metadata={"p": {"end_index": 4}}
        ),
    ]
    # Another range of the same page is another source.
    again = [citation("https://g.example/", None, 0, 2)]
    assert citations.read(again) == [
        Source(
            id="citation-2",
            url="https://g.example/",
            provider_metadata={"p": {"start_index": 0, "end_index": 2}},
        )
    ]


def test_a_source_is_one_url_title_and_range() -> None:
    citations = Citations("p")
    same_start = [
        citation("https://x.example/", "X", 0, 5),
        citation("https://x.example/", "X", 0, 9),
    ]
    same_end = [citation("https://x.example/", "X", 2, 9)]
    again = citation("https://x.example/", "X", 0, 5)
    new = citation("https://y.example/", "Y", 0, 1)
    sources = citations.read([*same_start, *same_end, again, new])
    assert [(s.id, s.url, s.provider_metadata) for s in sources] == [
        ("citation-0", "https://x.example/", {"p": {"start_index": 0, "end_index": 5}}),
        ("citation-1", "https://x.example/", {"p": {"start_index": 0, "end_index": 9}}),
        ("citation-2", "https://x.example/", {"p": {"start_index": 2, "end_index": 9}}),
        ("citation-3", "https://y.example/", {"p": {"start_index": 0, "end_index": 1}}),
    ]
    assert all(s.source_type == "url" for s in sources)
