"""Redacting a streamed answer: however the text is cut into deltas, and wherever a secret
sits in it (whole, split, only begun), what comes out, joined, is the whole text redacted."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

from reverie.finish_reason import FinishReason
from reverie.http.auth import redact
from reverie.http.redacting import RedactingStream
from reverie.model import Finish, TextDelta, TextEnd

from .budget import fast_and_slow

SECRET = "sk-prop-SECRET-51c0"


class Scripted:
    """A parser whose events are the parts themselves."""

    done = False
    terminal = "end"

    def feed(self, event: Any) -> list[Any]:
        return list(event)

    def finish(self) -> list[Any]:
        return [Finish(finish_reason=FinishReason.STOP)]


pieces = st.lists(
    st.one_of(
        st.text(alphabet="sk-SECRET0123456789abcdefprop", max_size=6),
        st.just(SECRET),
        st.integers(1, len(SECRET) - 1).map(lambda n: SECRET[:n]),
        st.integers(1, len(SECRET) - 1).map(lambda n: SECRET[n:]),
    ),
    max_size=12,
)


def check_streamed_redaction(parts: list[str], cuts: list[int], ended: bool) -> None:
    text = "".join(parts)
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    deltas = [text[a:b] for a, b in itertools.pairwise(bounds)]
    stream = RedactingStream(Scripted(), (SECRET,))
    out: list[Any] = []
    for delta in deltas:
        out += stream.feed([TextDelta("t", delta)])
    if ended:
        out += stream.feed([TextEnd("t")])
    out += stream.finish()
    joined = "".join(p.delta for p in out if isinstance(p, TextDelta))
    assert joined == redact(text, (SECRET,))
    assert all(p.delta for p in out if isinstance(p, TextDelta))  # no empty delta
    assert isinstance(out[-1], Finish)
    if ended:
        assert isinstance(out[-2], TextEnd)


test_streamed_redaction, test_streamed_redaction_slow = fast_and_slow(
    parts=pieces, cuts=st.lists(st.integers(0, 200), max_size=12), ended=st.booleans()
)(check_streamed_redaction)
