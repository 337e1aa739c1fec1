"""The one encoder of request bodies: JSON as UTF-8, every body of every family.

Two things no JSON body may hold are dealt with here, once:

- ``NaN`` and ``Infinity`` are not JSON (the standard library would write the bare tokens,
  which servers refuse or misread): a body holding one is refused with a
  ``ConfigurationError`` before anything is sent. Settings are checked when they are given;
  this catches what comes another way (provider options, a tool's schema).
- A lone surrogate (``"\\ud83d"``: valid JSON escape, but no character) cannot be written
  as UTF-8. Text with one is sent with U+FFFD, the replacement character, in its place
  (a surrogate pair split across two strings is joined back). It may come from a model's
  answer, a tool's output (a file name decoded with ``surrogateescape``) or a prompt; it
  stays in the conversation as it was, and every request built from it is still sent, so
  one bad character cannot make every later call of a conversation fail. The common case
  costs nothing: only a body that fails to encode is repaired.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reverie.errors import ConfigurationError

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def dump_json(body: Mapping[str, Any]) -> bytes:
    """``body`` as compact UTF-8 JSON; NaN and infinities refused, lone surrogates replaced."""
    try:
        text = _encode(body)
    except ValueError as exc:
        if "JSON compliant" not in str(exc):
            raise
        raise ConfigurationError(
            "the request holds NaN or an infinite number, which JSON cannot carry; "
            "check the settings, provider options and tool schemas"
        ) from None
    return utf8(text)


def utf8(text: str) -> bytes:
    """``text`` as UTF-8, any lone surrogate written as U+FFFD."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return well_formed(text).encode()


def well_formed(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, and a pair of surrogates (a
    character split in two) joined into the character."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
