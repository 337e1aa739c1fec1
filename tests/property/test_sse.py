"""The SSE parser: any bytes, cut anywhere, give the same events and never raise."""

from __future__ import annotations

from hypothesis import strategies as st

from reverie.http.client import sse
from reverie.http.sse import ServerSentEvent

from .budget import fast_and_slow

sse_like = st.lists(
    st.sampled_from(
        [
            b"data:",
            b"data: ",
            b"event: ",
            b":",
            b"\n",
            b"\r\n",
            b"\r",
            b"\n\n",
            b"x",
            b"[DONE]",
            b"id: 1",
            b"retry: 5",
            b"\xff",
            "é".encode(),
        ]
    )
    | st.binary(max_size=8),
    max_size=30,
).map(b"".join)


def _events(chunks: list[bytes]) -> list[ServerSentEvent]:
    """The events of a body arriving in ``chunks``, as the stream reader feeds them."""
    decoder = sse()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.close()


def _cut(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(body) + 1) for c in cuts})
    return [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]


def check_any_bytes_cut_anywhere(body: bytes, cuts: list[int]) -> None:
    whole = _events([body])
    split = _events(_cut(body, cuts))
    assert split == whole
    for event in whole:
        assert isinstance(event.event, str) and isinstance(event.data, str)


test_any_bytes_cut_anywhere, test_any_bytes_cut_anywhere_slow = fast_and_slow(
    body=sse_like, cuts=st.lists(st.integers(0, 1000), max_size=6)
)(check_any_bytes_cut_anywhere)


def check_events_round_trip(events: list[tuple[str, list[str]]]) -> None:
    lines: list[str] = []
    for name, data in events:
        if name:
            lines.append(f"event: {name}")
        lines += [f"data: {d}" for d in data]
        lines.append("")

    got = _events([(line + "\n").encode() for line in lines])
    expected = [ServerSentEvent(n or "message", "\n".join(d)) for n, d in events if d]
    assert got == expected


line_text = st.text(
    st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]), max_size=10
)
test_events_round_trip, test_events_round_trip_slow = fast_and_slow(
    events=st.lists(
        st.tuples(line_text.filter(lambda s: s.strip() == s), st.lists(line_text, max_size=3)),
        max_size=6,
    )
)(check_events_round_trip)


def test_the_last_event_counts_without_its_blank_line_or_line_end() -> None:
    for body in (b"data: a\n\ndata: b", b"data: a\n\ndata: b\n", b"data: a\r\n\r\ndata: b\r"):
        events = _events([body])
        assert [e.data for e in events] == ["a", "b"], body
    split = _events([b"data: a\r", b"\n\r", b"\ndata: b"])
    assert [e.data for e in split] == ["a", "b"]
