"""The bound on requests in flight: more concurrent calls than ``max_in_flight`` wait their
turn in our queue, streams hold their place until closed, and nothing is lost."""

from __future__ import annotations

import asyncio

import pytest

from reverie import ConfigurationError, Finish

from .chunks import HELLO, OK_STREAM, completion
from .conftest import Harness
from .server import Connection, respond, stream


def slow(answer: object, peak: list[int], h: Harness) -> object:
    async def run(conn: Connection) -> None:
        peak.append(h.server.busy)
        await asyncio.sleep(0.02)
        await answer(conn)  # type: ignore[operator]

    return run


async def test_plain_requests_beyond_the_bound_wait_their_turn(h: Harness) -> None:
    peak: list[int] = []
    h.server.script(slow(respond(200, completion("ok")), peak, h))
    model = h.model(max_in_flight=3)
    results = await asyncio.gather(*(model.generate(HELLO) for _ in range(12)))
    assert [r.text for r in results] == ["ok"] * 12
    assert h.server.attempts == 12 and max(peak) == 3
    await h.check_clean()


async def test_streams_hold_their_place_until_closed(h: Harness) -> None:
    peak: list[int] = []
    h.server.script(slow(stream(OK_STREAM), peak, h))
    model = h.model(max_in_flight=2)

    async def read() -> object:
        return [p async for p in model.stream(HELLO)][-1]

    finishes = await asyncio.gather(*(read() for _ in range(7)))
    assert all(isinstance(f, Finish) for f in finishes) and max(peak) <= 2
    await h.check_clean()


async def test_an_abandoned_stream_gives_its_place_back(h: Harness) -> None:
    h.server.script(stream(OK_STREAM))
    model = h.model(max_in_flight=1)
    parts = model.stream(HELLO)
    async for _ in parts:
        break
    await parts.aclose()
    reply = [p async for p in model.stream(HELLO)]
    assert isinstance(reply[-1], Finish)
    await h.check_clean()


@pytest.mark.parametrize("value", [0, -1, 1.5j, True, float("nan"), float("inf"), 2.5])
def test_a_bound_or_timeout_that_is_not_positive_is_refused(h: Harness, value: object) -> None:
    with pytest.raises(ConfigurationError, match="max_in_flight must be a positive whole"):
        h.provider(max_in_flight=value)
    if value == 2.5:
        return  # a fine number of seconds
    for name in ("idle_timeout", "timeout"):
        with pytest.raises(ConfigurationError, match=f"{name} must be positive or None"):
            h.provider(**{name: value})
