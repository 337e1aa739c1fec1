"""On a real socket: a gzip bomb in a 200 plain answer stops at ``max_response_bytes`` and
the connection is let go; a provider's JSON error sent under a stream's content type is
its typed error, retried when passing (every family)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from reverie import ErrorPart, Finish, ProviderError

from .chunks import HELLO
from .conftest import Harness
from .families import Case
from .server import Connection
from .test_family_transport import FAMILIES, IDS, model, text_of, whole
from .wire_faults import invalid_body, overloaded_body


def json_under_stream_type(case: Case, body: dict[str, Any]) -> Any:
    data = json.dumps(body).encode()

    async def answer(conn: Connection) -> None:
        await conn.head(200, case.family.content_type)
        await conn.chunk(data)
        await conn.end()

    return answer


@pytest.mark.parametrize("case", FAMILIES, ids=IDS)
async def test_a_passing_json_error_under_the_stream_type_is_retried(
    h: Harness, case: Case
) -> None:
    h.server.script(json_under_stream_type(case, overloaded_body(case.family.name)), whole(case))
    parts = [p async for p in model(h, case).stream(HELLO)]
    assert isinstance(parts[-1], Finish) and text_of(parts) == "Hello"
    assert h.server.attempts == 2
    await h.check_clean()


@pytest.mark.parametrize("case", FAMILIES, ids=IDS)
async def test_a_lasting_json_error_under_the_stream_type_is_typed_not_retried(
    h: Harness, case: Case
) -> None:
    h.server.script(json_under_stream_type(case, invalid_body(case.family.name)), whole(case))
    parts = [p async for p in model(h, case).stream(HELLO)]
    assert isinstance(parts[-1], ErrorPart)
    error = parts[-1].error
    assert not error.retryable and "bad" in str(error) and h.server.attempts == 1
    await h.check_clean()


def bomb(decoded: int) -> Any:
    data = gzip.compress(b'{"a": "' + b"0" * decoded + b'"}', 6)

    async def answer(conn: Connection) -> None:
        await conn.head(200, "application/json", {"Content-Encoding": "gzip"})
        for i in range(0, len(data), 16 * 1024):
            await conn.chunk(data[i : i + 16 * 1024])
        await conn.end()

    return answer


async def test_a_gzip_bomb_in_a_plain_answer_stops_at_the_bound(h: Harness) -> None:
    h.server.script(bomb(50_000_000))
    provider = h.provider("openai", max_response_bytes=1_000_000)
    with pytest.raises(ProviderError) as info:
        await provider.model("gpt-4o").generate(HELLO)
    assert "larger than its limit" in str(info.value) and not info.value.retryable
    assert h.server.attempts == 1
    await h.check_clean()
