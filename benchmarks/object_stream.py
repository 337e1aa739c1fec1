"""CPU time per chunk of ``reverie.stream_object`` as the object grows.

Streams a 200 KB JSON object in 2,000 chunks through ``stream_object`` (a scripted model
sends the text deltas; every partial object is taken) and prints the mean CPU time per
chunk around 20 KB and around 200 KB. For contrast, the same for a naive partial parse of
the whole text at every chunk (pydantic-core's ``from_json(..., allow_partial=True)``),
which grows with the text. The rest of stream_object's cost is handing out partials that
never change: each open container is copied (shallowly) when it next grows, a few
nanoseconds per element it holds.

python benchmarks/object_stream.py [size_kb] [chunks]
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import reverie
from reverie import Call, Finish, FinishReason, Response, StreamPart, TextDelta, Usage

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"type": "object"}}},
    "required": ["items"],
}


def document(size: int) -> str:
    """A JSON object of about ``size`` bytes: a list of small records."""
    items: list[dict[str, Any]] = []
    length = 12
    while length < size:
        item = {
            "id": len(items),
            "name": f"item {len(items)}",
            "tags": ["alpha", "beta"],
            "price": 12.5,
            "note": "a short note about this record",
        }
        items.append(item)
        length += len(json.dumps(item)) + 2
    return json.dumps({"items": items})


class ChunkModel:
    """Sends a prepared text as text deltas, then a finish."""

    provider = "bench"
    model_id = "chunks"

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks

    async def generate(self, call: Call) -> Response:
        raise NotImplementedError

    async def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        for chunk in self.chunks:
            yield TextDelta("0", chunk)
        yield Finish(finish_reason=FinishReason.STOP, usage=Usage(output_tokens=1))


def split(text: str, count: int) -> list[str]:
    bounds = [len(text) * i // count for i in range(count + 1)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


async def stream_costs(chunks: list[str]) -> list[int]:
    """CPU nanoseconds spent on each chunk (its text delta and any partial object)."""
    costs: list[int] = []
    stream = reverie.stream_object(ChunkModel(chunks), SCHEMA, prompt="items")
    last = time.process_time_ns()
    async for part in stream:
        if isinstance(part, reverie.ObjectTextDelta):
            now = time.process_time_ns()
            costs.append(now - last)
            last = now
    assert stream.result.object["items"]
    return costs[1:]  # the first includes starting the stream


def parse_costs(chunks: list[str]) -> list[int]:
    """CPU nanoseconds of the incremental reader alone per chunk, no snapshots taken."""
    from reverie.structured.partial import PartialJson

    parser = PartialJson()
    costs = []
    for chunk in chunks:
        start = time.process_time_ns()
        parser.feed(chunk)
        costs.append(time.process_time_ns() - start)
    return costs


def naive_costs(chunks: list[str], every: int) -> dict[int, int]:
    """CPU nanoseconds of a whole-text partial parse at chunk indexes divisible by ``every``."""
    from pydantic_core import from_json

    costs: dict[int, int] = {}
    text = ""
    for index, chunk in enumerate(chunks):
        text += chunk
        if index % every == 0:
            start = time.process_time_ns()
            from_json(text, allow_partial=True)
            costs[index] = time.process_time_ns() - start
    return costs


def around(costs: list[int] | dict[int, int], index: int, width: int) -> float:
    """Mean cost in microseconds of the chunks within ``width`` of ``index``."""
    keys = range(max(0, index - width), index + width)
    if isinstance(costs, dict):
        values = [costs[k] for k in keys if k in costs]
    else:
        values = [costs[k] for k in keys if k < len(costs)]
    return sum(values) / len(values) / 1000


def main() -> None:
    size_kb = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    text = document(size_kb * 1000)
    chunks = split(text, count)
    per_chunk = len(text) / len(chunks)
    at_small = int(size_kb * 1000 / 10 / per_chunk)  # the chunk that ends near a tenth
    at_large = len(chunks) - 1
    runs = [asyncio.run(stream_costs(chunks)) for _ in range(3)]
    best = [min(r[i] for r in runs) for i in range(len(runs[0]))]
    parse_runs = [parse_costs(chunks) for _ in range(3)]
    parsing = [min(r[i] for r in parse_runs) for i in range(len(chunks))]
    naive = naive_costs(chunks, 10)
    print(f"{len(text) / 1000:.0f} KB in {len(chunks)} chunks of {per_chunk:.0f} bytes")
    print("CPU time per chunk (µs, mean of the 100 chunks around the point, best of 3 runs):")
    print(f"  {'':32} {'at ' + str(size_kb // 10) + ' KB':>10} {'at ' + str(size_kb) + ' KB':>10}")
    small, large = around(best, at_small, 50), around(best, at_large, 100)
    print(f"  {'stream_object (incremental)':32} {small:10.1f} {large:10.1f}")
    small, large = around(parsing, at_small, 50), around(parsing, at_large, 100)
    print(f"  {'  of which reading the JSON':32} {small:10.1f} {large:10.1f}")
    small, large = around(naive, at_small, 50), around(naive, at_large, 100)
    print(f"  {'whole-text partial re-parse':32} {small:10.1f} {large:10.1f}")


if __name__ == "__main__":
    main()
