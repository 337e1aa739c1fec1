"""The replay matching rule (fantasy's matcher) and a readable "why no match" report."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence

from reverie.testing.cassette import Body, Interaction

__all__ = ["Matcher", "bodies_equal", "json_equal", "normalise_body"]

#: Limits that keep a mismatch message readable for 100 KB bodies.
MAX_BODY_LINES = 40
MAX_DIFF_LINES = 80


def normalise_body(body: Body) -> Body:
    """Replace CR LF with LF and the JSON escape ``\\r\\n`` with ``\\n``.

    Bodies that are not valid UTF-8 stay bytes (with the same replacements).
    """
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body.replace(b"\r\n", b"\n").replace(b"\\r\\n", b"\\n")
    else:
        text = body
    return text.replace("\r\n", "\n").replace("\\r\\n", "\\n")


def _reject_constant(name: str) -> object:
    # Go's encoding/json rejects NaN/Infinity, so such a body is "not JSON".
    raise ValueError(f"not JSON: {name}")


def parse_json(text: Body) -> tuple[bool, object]:
    """``(True, value)`` when ``text`` is one JSON document, else ``(False, None)``."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return False, None
    try:
        return True, json.loads(text, parse_constant=_reject_constant)
    except ValueError:  # includes JSONDecodeError
        return False, None


def json_equal(a: object, b: object) -> bool:
    """Deep equality of parsed JSON that, unlike ``==``, keeps ``true`` apart from ``1``.

    Object key order is ignored, array order is not, numbers compare by value
    (``4000 == 4000.0``) and a ``null`` member differs from an absent one.
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


class _Prepared:
    """A normalised body whose JSON parse is computed at most once."""

    __slots__ = ("_json", "text")

    def __init__(self, body: Body) -> None:
        self.text = normalise_body(body)
        self._json: tuple[bool, object] | None = None

    @property
    def json(self) -> tuple[bool, object]:
        if self._json is None:
            self._json = parse_json(self.text)
        return self._json


def _equal(a: _Prepared, b: _Prepared) -> bool:
    if a.text == b.text:
        return True
    ok_a, value_a = a.json
    if not ok_a:
        return False
    ok_b, value_b = b.json
    return ok_b and json_equal(value_a, value_b)


def bodies_equal(sent: Body, recorded: Body) -> bool:
    """Whether two request bodies are equal under the matching rule."""
    return _equal(_Prepared(sent), _Prepared(recorded))


class Matcher:
    """Hands out a cassette's interactions, each at most once, by the matching rule."""

    def __init__(self, interactions: Sequence[Interaction]) -> None:
        self.interactions = list(interactions)
        self.is_used = [False] * len(self.interactions)
        self.order: list[int] = []  # indexes in the order they were handed out
        self._bodies: dict[int, _Prepared] = {}

    def _recorded(self, index: int) -> _Prepared:
        if index not in self._bodies:
            self._bodies[index] = _Prepared(self.interactions[index].request.body)
        return self._bodies[index]

    def _take(self, index: int) -> Interaction:
        self.is_used[index] = True
        self.order.append(index)
        return self.interactions[index]

    def match(
        self, method: str, url: str, body: Body, *, check_body: bool = True
    ) -> Interaction | None:
        """Take the first unused interaction matching the request, or return None."""
        sent = _Prepared(body)
        for i, interaction in enumerate(self.interactions):
            req = interaction.request
            if self.is_used[i] or req.method != method or req.url != url:
                continue
            if not check_body or _equal(sent, self._recorded(i)):
                return self._take(i)
        return None

    def closest(self, method: str, url: str, body: Body) -> int | None:
        """Index of the interaction most like the request (same method+URL, unused first)."""
        if not self.interactions:
            return None

        def tier(i: int) -> tuple[bool, bool, bool]:
            req = self.interactions[i].request
            same_method = req.method == method
            return (same_method and req.url == url, not self.is_used[i], same_method)

        best = max(tier(i) for i in range(len(self.interactions)))
        candidates = [i for i in range(len(self.interactions)) if tier(i) == best]
        if len(candidates) == 1:
            return candidates[0]
        sent = pretty_body(body)

        def similarity(i: int) -> float:
            recorded = pretty_body(self.interactions[i].request.body)
            # quick_ratio is a cheap upper bound, good enough to rank candidates.
            return difflib.SequenceMatcher(None, recorded, sent).quick_ratio()

        return max(candidates, key=similarity)  # max keeps the first on ties

    def explain(self, method: str, url: str, body: Body) -> str:
        """A report: the request, the closest recorded one, the body diff and both bodies."""
        lines = [f"request not matched: {method} {url}"]
        index = self.closest(method, url, body)
        if index is None:
            lines.append("the cassette has no interactions")
            return "\n".join(lines)
        interaction = self.interactions[index]
        req = interaction.request
        state = "already used" if self.is_used[index] else "unused"
        lines.append(
            f"closest recorded interaction: id {interaction.id} ({state}): {req.method} {req.url}"
        )
        if bodies_equal(body, req.body):
            what = "method/URL differ" if (req.method, req.url) != (method, url) else "it is used"
            lines.append(f"the bodies are equal; {what}")
            return "\n".join(lines)
        recorded, sent = pretty_body(req.body), pretty_body(body)
        # The diff comes first: it is what a reader needs; the bodies give context.
        lines.append("diff (recorded -> sent):")
        diff = difflib.unified_diff(recorded, sent, "recorded", "sent", lineterm="")
        lines += _indent(_truncate(list(diff), MAX_DIFF_LINES))
        lines.append("recorded body:")
        lines += _indent(_truncate(recorded, MAX_BODY_LINES))
        lines.append("sent body:")
        lines += _indent(_truncate(sent, MAX_BODY_LINES))
        return "\n".join(lines)


def pretty_body(body: Body) -> list[str]:
    """Body lines for display: sorted-key indented JSON when it parses."""
    text = normalise_body(body)
    ok, value = parse_json(text)
    if ok:
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    if isinstance(text, bytes):
        return [f"<{len(text)} bytes, not UTF-8> {text[:200]!r}"]
    return text.splitlines() or ["<empty>"]


def _truncate(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"... ({len(lines) - limit} more lines)"]


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]
