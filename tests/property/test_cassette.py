"""The cassette loader: any text is a cassette or a ValueError; what it writes reads back."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

from reverie.testing.cassette import (
    Cassette,
    Interaction,
    RecordedRequest,
    RecordedResponse,
)

from .budget import fast_and_slow
from .json_values import maybe, objects


def _loads(data: str | bytes) -> None:
    try:
        cassette = Cassette.loads(data)
    except ValueError:
        return
    for interaction in cassette.interactions:
        assert isinstance(interaction.request.url, str)
        assert isinstance(interaction.response.body_bytes(), bytes)


def check_any_text(data: str | bytes) -> None:
    _loads(data)


test_any_text, test_any_text_slow = fast_and_slow(
    data=st.text(max_size=200) | st.binary(max_size=200)
)(check_any_text)

half = objects(
    method=maybe(st.sampled_from(["POST", "GET"])),
    url=maybe(st.text(max_size=20)),
    body=maybe(st.text(max_size=20)),
    headers=maybe(st.dictionaries(st.text(max_size=5), maybe(st.lists(st.text(max_size=5))))),
    form=maybe(st.dictionaries(st.text(max_size=5), st.lists(st.text(max_size=5)))),
    proto_major=maybe(st.integers(1, 2)),
    content_length=maybe(st.integers(-1, 100)),
    code=maybe(st.integers(100, 599)),
    status=maybe(st.text(max_size=8)),
    uncompressed=maybe(st.booleans()),
    duration=maybe(st.text(max_size=5)),
)
documents = objects(
    version=maybe(st.just(2)),
    interactions=maybe(
        st.lists(
            maybe(objects(id=maybe(st.integers(0, 9)), request=maybe(half), response=maybe(half))),
            max_size=3,
        )
    ),
)


def check_any_document(doc: dict[str, Any]) -> None:
    _loads(yaml.safe_dump(doc, allow_unicode=True))


test_any_document, test_any_document_slow = fast_and_slow(doc=documents)(check_any_document)

texts = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\n\t"), max_size=40
)
bodies = texts | st.binary(max_size=20)
headers = st.dictionaries(
    st.text("abcXY-", min_size=1, max_size=6), st.lists(texts, min_size=1, max_size=2), max_size=3
)
interactions = st.builds(
    Interaction,
    id=st.integers(0, 99),
    request=st.builds(
        RecordedRequest,
        method=st.sampled_from(["POST", "GET"]),
        url=texts,
        body=bodies,
        headers=headers,
    ),
    response=st.builds(
        RecordedResponse,
        code=st.integers(100, 599),
        body=bodies,
        headers=headers,
        status=texts,
        duration=texts,
    ),
)


def check_round_trip(items: list[Interaction]) -> None:
    written = Cassette(items).dumps()
    assert Cassette.loads(written).interactions == items


test_round_trip, test_round_trip_slow = fast_and_slow(items=st.lists(interactions, max_size=3))(
    check_round_trip
)
