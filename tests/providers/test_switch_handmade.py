"""The hand-made conversations of switch_matrix.py (files by URL, blank texts, hostile ids,
media in tool results), continued on every target: each request keeps the target's
documented rules (``validators/``) and still carries what the conversation gave, or names
it. Needs no corpus."""

from __future__ import annotations

import pytest
from switch_matrix import TARGETS, check_handmade


@pytest.mark.parametrize("target", TARGETS)
async def test_hand_made_conversations_continue_on_the_target(target: str) -> None:
    cell = await check_handmade(target)
    assert cell.requests == 10
    assert cell.failures == []
