"""Properties of the AWS event-stream decoder: any bytes, split anywhere, give frames or the
documented EventStreamError, never another exception; valid frames survive any split."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from test_eventstream import encode_frame

from reverie.http.eventstream import EventStreamDecoder, EventStreamError, Frame

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

header_values = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(max_size=20),
    st.binary(max_size=20),
    st.uuids(),
)
frames = st.tuples(
    st.dictionaries(st.text(min_size=1, max_size=10), header_values, max_size=4),
    st.binary(max_size=200),
)


quick = hypothesis.settings(max_examples=80, deadline=None)


@quick
@hypothesis.given(data=st.binary(max_size=400), cuts=st.lists(st.integers(0, 400), max_size=6))
def test_arbitrary_bytes_give_frames_or_the_documented_error(data: bytes, cuts: list[int]) -> None:
    decoder = EventStreamDecoder()
    edges = [0, *sorted(c for c in cuts if c <= len(data)), len(data)]
    try:
        for start, end in itertools.pairwise(edges):
            for frame in decoder.feed(data[start:end]):
                assert isinstance(frame, Frame)
        decoder.close()
    except EventStreamError:
        pass


@quick
@hypothesis.given(
    items=st.lists(frames, min_size=1, max_size=4), cuts=st.lists(st.integers(0, 2000))
)
def test_valid_frames_split_anywhere_decode_to_themselves(
    items: list[tuple[dict[str, Any], bytes]], cuts: list[int]
) -> None:
    items = [
        ({k.encode()[:255].decode(errors="ignore") or "h": v for k, v in h.items()}, p)
        for h, p in items
    ]
    data = b"".join(encode_frame(h, p) for h, p in items)
    edges = [0, *sorted(c for c in cuts if c <= len(data)), len(data)]
    decoder = EventStreamDecoder()
    out = [f for a, b in itertools.pairwise(edges) for f in decoder.feed(data[a:b])]
    decoder.close()
    assert [(f.headers, f.payload) for f in out] == items


@quick
@hypothesis.given(
    items=st.lists(frames, min_size=1, max_size=3),
    position=st.integers(min_value=0),
    flip=st.integers(min_value=1, max_value=255),
    cut=st.integers(min_value=0),
)
def test_corrupted_or_cut_streams_give_frames_or_the_documented_error(
    items: list[tuple[dict[str, Any], bytes]], position: int, flip: int, cut: int
) -> None:
    data = bytearray(b"".join(encode_frame(h, p) for h, p in items))
    data[position % len(data)] ^= flip
    data = data[: len(data) - cut % len(data)]
    decoder = EventStreamDecoder()
    try:
        decoder.feed(bytes(data))
        decoder.close()
    except EventStreamError:
        return
    # Undetected only when the damage fell past a whole frame that was cut away.
    assert len(data) < sum(len(encode_frame(h, p)) for h, p in items)
