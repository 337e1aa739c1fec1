"""A JSON document where a stream's events should be (every family): a provider's error sent
whole under the stream's content type, or under none, is the family's typed error with the
provider's message, retried only when that error is passing; never "ended before [DONE]"."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

import reverie
from reverie.errors import OverloadedError, ProviderError, StreamError
from reverie.model import Finish

from .families import CASE_IDS, CASES, Case
from .test_matrix import Run, ended_in_error, family, text_of
from .wire_faults import MESSAGE, invalid_body, ok, overloaded_body, served

cases = pytest.mark.parametrize("case", CASES, ids=CASE_IDS)


def json_body(data: bytes, content_type: str | None) -> Any:
    def answer(request: httpx2.Request) -> httpx2.Response:
        headers = {} if content_type is None else {"content-type": content_type}
        return httpx2.Response(200, headers=headers, content=data)

    return answer


def as_stream(case: Case, data: bytes) -> Any:
    return json_body(data, case.family.content_type)


@cases
@pytest.mark.parametrize("lead", [b"", b"\xef\xbb\xbf\n  "], ids=["bare", "bom-space"])
async def test_a_passing_json_error_under_the_stream_type_is_typed_and_retried(
    case: Case, lead: bytes
) -> None:
    data = lead + json.dumps(overloaded_body(family(case))).encode()
    run = Run(case, served(case, as_stream(case, data), ok(case)))
    parts = await run.stream()
    assert isinstance(parts[-1], Finish) and text_of(parts) == "fine"
    assert run.attempts == 2


@cases
async def test_a_passing_json_error_that_persists_keeps_the_provider_s_message(
    case: Case,
) -> None:
    data = json.dumps(overloaded_body(family(case))).encode()
    run = Run(case, served(case, as_stream(case, data)))
    error = ended_in_error(await run.stream())
    assert MESSAGE in str(error) and error.retryable and run.attempts == 3
    assert "ended before" not in str(error)
    assert isinstance(error, OverloadedError) or family(case) == "chat", type(error)


@cases
@pytest.mark.parametrize("content_type", ["stream", None, "text/plain"])
async def test_a_lasting_json_error_instead_of_a_stream_is_not_retried(
    case: Case, content_type: str | None
) -> None:
    kind = case.family.content_type if content_type == "stream" else content_type
    if kind == "text/plain" and family(case) == "bedrock":
        pytest.skip("the AWS event stream refuses any other content type before its body")
    data = json.dumps(invalid_body(family(case))).encode()
    run = Run(case, served(case, json_body(data, kind), ok(case)))
    error = ended_in_error(await run.stream())
    assert not error.retryable and run.attempts == 1
    assert "bad" in str(error) and "ended before" not in str(error)


@cases
async def test_a_json_document_that_is_no_error_says_what_came_and_is_not_retried(
    case: Case,
) -> None:
    run = Run(case, served(case, as_stream(case, b'{"hello": "world"}'), ok(case)))
    error = ended_in_error(await run.stream())
    assert isinstance(error, StreamError) and not error.retryable and run.attempts == 1
    assert "JSON" in str(error) or "hello" in str(error)


@cases
async def test_a_huge_json_body_under_the_stream_type_is_read_only_in_part(case: Case) -> None:
    body = {**overloaded_body(family(case)), "padding": "x" * (8 * 1024 * 1024)}
    data = json.dumps(body).encode()
    run = Run(
        case,
        served(case, as_stream(case, data)),
        retry=reverie.RetryPolicy(max_retries=0),
    )
    error = ended_in_error(await run.stream())
    assert isinstance(error, ProviderError) and len(str(error)) < 2000
    assert error.body is None or len(error.body) <= 65536
