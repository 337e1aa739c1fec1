"""Reading provider JSON: the checked accessors every family reads wire data through.

A provider's answer is untrusted input. Each accessor takes the value found at a field and
the field's JSON path, and returns it as the type the family expects, or raises the reader's
error (a ``ProviderError`` for a plain answer, a ``StreamError`` for a stream) naming the
path and quoting the value: never a bare ``TypeError``, ``KeyError`` or ``AttributeError``.

They are plain method calls with an ``isinstance`` test each, no validation library; the
path is formatted only when a value is wrong (give it as a tuple, ``("choices", 0, "delta")``,
to avoid formatting indexes on the way). The few checks a stream makes for every chunk of
its most frequent event are written out in its parser, which calls the reader only to raise
(``read.malformed``), so the message is the same and a chunk pays no call.

Also here, because every family writes them the same way: the warnings for a setting or an
option that was not sent, and a response's count of attempts.
"""

from __future__ import annotations

import dataclasses
import reprlib
from typing import Any

from reverie.errors import ProviderError, StreamError
from reverie.http.fastjson import loads
from reverie.http.reading import MalformedEvent
from reverie.model import Response
from reverie.warning import CallWarning

Path = str | tuple[str | int, ...]
"""A field's JSON path: ``"usage.input_tokens"``, or its parts, ``("output", 3, "content")``."""


def path_text(path: Path) -> str:
    """``("output", 3, "content")`` → ``output[3].content``."""
    if isinstance(path, str):
        return path
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class _Short(reprlib.Repr):
    """``repr`` bounded in size and depth, strings cut at their end (as ``{value!r:.200}``
    would show them), so a huge or deeply nested value costs nothing to describe."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 20
        self.maxlevel = 4
        self.maxstring = self.maxother = _SHOWN

    def repr_str(self, x: str, level: int) -> str:
        return repr(x[: _SHOWN + 1])

    def repr_bytes(self, x: bytes, level: int) -> str:
        return repr(x[: _SHOWN + 1])


_SHOWN = 200
_SHORT = _Short()


def show(value: Any) -> str:
    """A wire value for an error message: its ``repr``, at most 200 characters of it,
    however large or deeply nested the value is."""
    return _SHORT.repr(value)[:_SHOWN]


class Reader:
    """Checked access to one answer's JSON; its errors name ``provider``. ``stream=True``
    makes them ``StreamError``s (a stream's), else ``ProviderError``s."""

    __slots__ = ("_kind", "provider")

    def __init__(self, provider: str, *, stream: bool = False) -> None:
        self.provider = provider
        self._kind: type[ProviderError] = StreamError if stream else ProviderError

    def error(self, message: str, **fields: Any) -> ProviderError:
        """An error of this reader's kind: ``"<provider>: <message>"`` (a reader without a
        provider, a framing's, leaves the name to the reader of the body to add)."""
        text = f"{self.provider}: {message}" if self.provider else message
        return self._kind(text, provider=self.provider, **fields)

    def malformed(self, path: Path, value: Any, expected: str) -> ProviderError:
        return self.error(f"'{path_text(path)}' is not {expected}: {show(value)}")

    def answer(self, value: Any) -> dict[str, Any]:
        """The answer's top level, an object."""
        if isinstance(value, dict):
            return value
        raise self.error(f"the response is not a JSON object: {show(value)}")

    def obj(self, value: Any, path: Path) -> dict[str, Any]:
        """An object (a JSON ``{}``)."""
        if isinstance(value, dict):
            return value
        raise self.malformed(path, value, "an object")

    def opt_obj(self, value: Any, path: Path) -> dict[str, Any]:
        """An object, or ``{}`` when the field is absent or null."""
        if isinstance(value, dict):
            return value
        if value is None:
            return {}
        raise self.malformed(path, value, "an object")

    def items(self, value: Any, path: Path) -> list[Any]:
        """A list, or ``[]`` when the field is absent or null."""
        if isinstance(value, list):
            return value
        if value is None:
            return []
        raise self.malformed(path, value, "a list")

    def text(self, value: Any, path: Path) -> str:
        """A string that must be there."""
        if isinstance(value, str):
            return value
        raise self.malformed(path, value, "a string")

    def opt_text(self, value: Any, path: Path) -> str | None:
        """A string, or None when the field is absent or null."""
        if value is None or isinstance(value, str):
            return value
        raise self.malformed(path, value, "a string")

    def name(self, value: Any, path: Path) -> str:
        """A string, or ``""`` when the field is absent or null."""
        if isinstance(value, str):
            return value
        if value is None:
            return ""
        raise self.malformed(path, value, "a string")

    def integer(self, value: Any, path: Path) -> int:
        """A whole number that must be there (not a boolean)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self.malformed(path, value, "a number")

    def count(self, raw: dict[str, Any], key: str, where: str) -> int:
        """A token count ``raw[key]`` of the usage object at ``where``: 0 when absent; a
        number sent as a string or a float (``"12"``, ``12.0``) is read; anything else
        (negative, not finite, a boolean, text) is an error naming ``where.key``."""
        value = raw.get(key)
        if type(value) is int and value >= 0:  # the usual count: one test (a bool is no int)
            return value
        if value is None:
            return 0
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if not isinstance(value, bool) and isinstance(value, int | float | str):
            try:
                number = int(float(value))
            except (ValueError, OverflowError):
                pass
            else:
                if number >= 0:
                    return number
        raise self.malformed(f"{where}.{key}", value, "a number")

    def number(self, value: Any, path: Path) -> float | None:
        """A number (an amount such as a cost), or None when absent or null."""
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise self.malformed(path, value, "a number")

    def event(self, data: str | bytes) -> dict[str, Any]:
        """A stream event's JSON object. Text that is not JSON is a ``MalformedEvent`` (the
        reader of the body tells a cut-off last event from a garbled one); JSON that is not
        an object names itself."""
        try:
            value = loads(data)
        except ValueError:
            value = self.event_json(data)  # raises MalformedEvent
        if isinstance(value, dict):
            return value
        raise self.error(f"stream event is not an object: {data[:_SHOWN]!r}")

    def event_json(self, data: str | bytes) -> Any:
        """A stream event's JSON, whatever it holds (see :meth:`event`)."""
        try:
            return loads(data)
        except ValueError:
            prefix = f"{self.provider}: " if self.provider else ""
            raise MalformedEvent(
                f"{prefix}malformed stream event: {data[:_SHOWN]!r}", provider=self.provider
            ) from None


def counted(response: Response, attempts: int) -> Response:
    """``response`` saying how many requests it took (when more than one)."""
    return response if attempts == 1 else dataclasses.replace(response, attempts=attempts)


def unsupported(setting: str, message: str) -> CallWarning:
    """The warning for a setting the provider cannot honour, which was not sent."""
    return CallWarning(kind="unsupported-setting", setting=setting, message=message)


def unknown_option(namespace: str, key: str, why: str = "") -> CallWarning:
    """The warning for a provider option reverie does not know, which was not sent."""
    message = (
        f"{namespace} option {key!r} {why} and was not sent"
        if why
        else f"unknown {namespace} option {key!r} was not sent"
    )
    return CallWarning(kind="unsupported-setting", setting=f"{namespace}.{key}", message=message)
