"""Every recorded conversation continued on every target (switch_matrix.py): each ordered pair
of source and target is one test, its requests checked by the target's validator; then the
A → B → A round trips. Skipped when ../shared/conformance is absent."""

from __future__ import annotations

import asyncio

import pytest
from switch_matrix import (
    CORPUS,
    TARGETS,
    Conversation,
    check_pair,
    load_conversations,
    round_trip,
)

pytestmark = pytest.mark.skipif(
    not (CORPUS / "cassettes").is_dir(), reason=f"no corpus at {CORPUS}"
)

_LOADED: list[Conversation] = []


def conversations() -> list[Conversation]:
    if not _LOADED and (CORPUS / "cassettes").is_dir():
        _LOADED.extend(asyncio.run(load_conversations()))
    return _LOADED


SOURCES = sorted({c.source for c in conversations()}, key=TARGETS.index)
PAIRS = [(s, t) for s in SOURCES for t in TARGETS]


def test_the_corpus_gives_conversations_of_every_recorded_host() -> None:
    assert len(conversations()) >= 200
    assert set(SOURCES) == set(TARGETS)


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{s}->{t}" for s, t in PAIRS])
async def test_a_history_continues_on_the_target(source: str, target: str) -> None:
    cell = await check_pair(conversations(), source, target)
    assert cell.requests > 0
    assert cell.failures == []


TRIPS = [(a, b) for a in SOURCES for b in SOURCES if a != b]


@pytest.mark.parametrize(("a", "b"), TRIPS, ids=[f"{a}->{b}->{a}" for a, b in TRIPS])
async def test_a_round_trip_sends_the_first_providers_part_unchanged(a: str, b: str) -> None:
    cell = await round_trip(conversations(), a, b)
    assert cell.failures == []
