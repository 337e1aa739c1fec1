"""Checked reading of a front end's JSON: every malformed field is a ``UIMessageError`` naming
its path (``messages[2].parts[0].text``), never a KeyError or TypeError."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from reverie.errors import SerializationError
from reverie.messages import FilePart


class UIMessageError(SerializationError):
    """A front end sent messages reverie cannot read; the message names the field."""


def field(
    obj: Any, key: str, where: str, kind: type | tuple[type, ...], *, default: Any = ...
) -> Any:
    if not isinstance(obj, dict):
        raise UIMessageError(f"{where}: expected an object")
    if key not in obj or obj[key] is None:
        if default is not ...:
            return default
        raise UIMessageError(f"{where}.{key}: missing")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise UIMessageError(f"{where}.{key}: expected {_name(kind)}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _name(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _as_tuple(kind))


def file_part(
    url: str, media_type: str, filename: str | None, where: str, *, allow_urls: bool
) -> FilePart:
    """A data URL becomes the file's bytes. An http(s) URL is passed on for the provider to
    fetch only when the app allows it (``allow_urls=True``): a browser chooses these URLs."""
    if url.startswith("data:"):
        header, sep, payload = url.partition(",")
        if not sep or not header.endswith(";base64"):
            raise UIMessageError(f"{where}.url: a data URL must be base64")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise UIMessageError(f"{where}.url: invalid base64") from None
        return FilePart(media_type=media_type, data=data, filename=filename)
    if not allow_urls or not url.startswith(("https://", "http://")):
        allowed = "a data: or http(s) URL" if allow_urls else "a data: URL (allow_urls=False)"
        raise UIMessageError(f"{where}.url: expected {allowed}")
    return FilePart(media_type=media_type, url=url, filename=filename)
