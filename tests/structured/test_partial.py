"""The incremental partial-JSON reader: any split of the text gives the same value; partials
only grow, never change once handed out, and hold no half-read value."""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import pytest

from reverie.structured.partial import PartialJson

DOC: dict[str, Any] = {
    "title": 'a "quoted" \\ back\\slash\\',
    "unicode": "é ✓ \u2028 \n\t",
    "numbers": [0, -1, 2.5, -3e2, 1e-3, 12345678901234567890],
    "flags": [True, False, None],
    "nested": {"empty": {}, "list": [], "deep": [[{"a": [1, {"b": "c"}]}]]},
    "": "empty key",
}
TEXT = json.dumps(DOC)


def feed_all(chunks: list[str]) -> tuple[PartialJson, list[tuple[Any, str]]]:
    """The reader after every chunk, and each snapshot with its JSON at the time."""
    parser = PartialJson()
    seen: list[tuple[Any, str]] = []
    for chunk in chunks:
        parser.feed(chunk)
        if parser.changed:
            snap = parser.snapshot()
            seen.append((snap, json.dumps(snap)))
    return parser, seen


def random_split(text: str, rng: random.Random) -> list[str]:
    cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, min(40, len(text) - 1))))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def extends(small: Any, big: Any) -> bool:
    """Whether ``big`` holds everything ``small`` holds (values may only be added)."""
    if isinstance(small, dict):
        return isinstance(big, dict) and all(
            k in big and extends(v, big[k]) for k, v in small.items()
        )
    if isinstance(small, list):
        return (
            isinstance(big, list)
            and len(small) <= len(big)
            and all(extends(a, b) for a, b in zip(small, big, strict=False))
        )
    return bool(small == big)


@pytest.mark.parametrize("seed", range(300))
def test_any_split_gives_the_value_and_partials_grow_unchanged(seed: int) -> None:
    parser, seen = feed_all(random_split(TEXT, random.Random(seed)))
    assert parser.done and parser.snapshot() == DOC
    for (snap, dumped), (later, _) in itertools.pairwise(seen):
        assert json.dumps(snap) == dumped  # never changed after it was handed out
        assert extends(snap, later) and snap != later


def test_one_character_at_a_time() -> None:
    parser, seen = feed_all(list(TEXT))
    assert parser.snapshot() == DOC
    assert all(json.dumps(s) == d for s, d in seen)


def test_incomplete_strings_numbers_and_keys_are_absent() -> None:
    parser = PartialJson()
    parser.feed('{"name": "Ali')
    assert parser.snapshot() == {}
    parser.feed('ce", "age": 3')
    assert parser.snapshot() == {"name": "Alice"}  # 3 may be 30
    parser.feed('0, "ci')
    assert parser.snapshot() == {"name": "Alice", "age": 30}
    parser.feed('ty": tr')
    assert not parser.changed
    parser.feed('ue, "tags": ["a", "b')
    assert parser.snapshot() == {"name": "Alice", "age": 30, "city": True, "tags": ["a"]}


def test_containers_appear_as_they_open() -> None:
    parser = PartialJson()
    parser.feed('{"author": {"name": "J')
    assert parser.snapshot() == {"author": {}}
    parser.feed('", "books": [')
    assert parser.snapshot() == {"author": {"name": "J", "books": []}}


def test_an_escape_split_across_chunks() -> None:
    for text in ['{"a": "x\\"y"}', '{"a": "x\\\\"}', '{"a": "\\u00e9"}']:
        for cut in range(1, len(text)):
            parser, _ = feed_all([text[:cut], text[cut:]])
            assert parser.snapshot() == json.loads(text), (text, cut)


def test_prose_and_fences_around_the_value_are_skipped() -> None:
    parser, _ = feed_all(["Sure! ```json\n", '{"a": [1, 2]}', "\n``` hope", " it helps {"])
    assert parser.done and parser.snapshot() == {"a": [1, 2]}


def test_text_that_is_not_json_stops_the_partials() -> None:
    parser = PartialJson()
    parser.feed('{"a": 1, "b": nope}')
    assert parser.failed and parser.snapshot() == {"a": 1}
    parser.feed(', "c": 2}')
    assert not parser.changed


def test_a_top_level_array() -> None:
    parser, seen = feed_all(["[1, ", '{"a": 2}', ", 3]"])
    assert parser.snapshot() == [1, {"a": 2}, 3]
    assert [s for s, _ in seen][:2] == [[1], [1, {"a": 2}]]
