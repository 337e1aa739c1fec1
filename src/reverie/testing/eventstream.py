"""Writing AWS event-stream frames, and redacting credentials inside recorded ones.

A Bedrock stream is binary: each frame carries CRCs, and its payload wraps the model's event
base64-encoded (``{"bytes": "eyJ0eXBl…"}``), so a key echoed by the server is stored as
base64 where a plain ``***`` replacement never matches, and replacing bytes in place would
break the CRCs. :func:`redact_frames` decodes each frame, redacts its headers, its payload
and any base64 text inside the payload, and writes the frames that changed again with
valid lengths and CRCs (frames that did not change keep their exact bytes).
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
import uuid
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from reverie.http.eventstream import EventStreamDecoder, EventStreamError, HeaderValue

__all__ = ["encode_frame", "redact_frames"]

_PRELUDE = 12
_REDACTED = b"***"


def encode_frame(headers: Mapping[str, HeaderValue], payload: bytes) -> bytes:
    """One frame as AWS writes it: prelude, its CRC, headers, payload, the message CRC."""
    encoded = b"".join(_header(name, value) for name, value in headers.items())
    prelude = struct.pack(">II", _PRELUDE + len(encoded) + len(payload) + 4, len(encoded))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return body + struct.pack(">I", zlib.crc32(body))


def _header(name: str, value: HeaderValue) -> bytes:
    raw_name = name.encode()
    head = struct.pack(">B", len(raw_name)) + raw_name
    if isinstance(value, bool):
        return head + (b"\x00" if value else b"\x01")
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return head + b"\x04" + struct.pack(">i", value)
        return head + b"\x05" + struct.pack(">q", value)
    if isinstance(value, bytes):
        return head + b"\x06" + struct.pack(">H", len(value)) + value
    if isinstance(value, str):
        text = value.encode()
        return head + b"\x07" + struct.pack(">H", len(text)) + text
    if isinstance(value, datetime):
        return head + b"\x08" + struct.pack(">q", round(value.timestamp() * 1000))
    if isinstance(value, uuid.UUID):
        return head + b"\x09" + value.bytes
    raise TypeError(f"no event-stream header type for {type(value).__name__}")


def redact_frames(body: bytes, secrets: tuple[bytes, ...]) -> bytes | None:
    """``body`` (a whole event stream) with every secret replaced by ``***`` inside its
    frames, or None when ``body`` is not an event stream."""
    try:
        frames = EventStreamDecoder().feed(body)
    except EventStreamError:
        return None
    out: list[bytes] = []
    offset = 0
    for frame in frames:
        (total,) = struct.unpack_from(">I", body, offset)
        raw = body[offset : offset + total]
        offset += total
        headers = {k: _clean_header(v, secrets) for k, v in frame.headers.items()}
        payload = _clean_payload(frame.payload, secrets)
        changed = payload != frame.payload or any(
            headers[k] is not v for k, v in frame.headers.items()
        )
        out.append(encode_frame(headers, payload) if changed else raw)
    if offset != len(body):  # a frame cut short at the end: not a stream we can rewrite
        return None
    return b"".join(out)


def _replace(data: bytes, secrets: tuple[bytes, ...]) -> bytes:
    for secret in secrets:
        if secret in data:
            data = data.replace(secret, _REDACTED)
    return data


def _clean_header(value: HeaderValue, secrets: tuple[bytes, ...]) -> HeaderValue:
    if isinstance(value, str):
        clean = _replace(value.encode(), secrets)
        return value if clean == value.encode() else clean.decode("utf-8", "replace")
    if isinstance(value, bytes):
        clean_bytes = _replace(value, secrets)
        return value if clean_bytes == value else clean_bytes
    return value


def _clean_payload(payload: bytes, secrets: tuple[bytes, ...]) -> bytes:
    """The payload redacted, base64 text inside its JSON included (``{"bytes": …}``)."""
    payload = _replace(payload, secrets)
    try:
        value = json.loads(payload)
    except ValueError:
        return payload
    cleaned, changed = _clean_json(value, secrets, 0)
    if not changed:
        return payload
    return json.dumps(cleaned, ensure_ascii=False, separators=(",", ":")).encode()


def _clean_json(value: Any, secrets: tuple[bytes, ...], depth: int) -> tuple[Any, bool]:
    if isinstance(value, str):
        return _clean_base64(value, secrets)
    if depth > 32:
        return value, False
    if isinstance(value, dict):
        pairs = {k: _clean_json(v, secrets, depth + 1) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(c for _, c in pairs.values())
    if isinstance(value, list):
        items = [_clean_json(v, secrets, depth + 1) for v in value]
        return [v for v, _ in items], any(c for _, c in items)
    return value, False


def _clean_base64(text: str, secrets: tuple[bytes, ...]) -> tuple[str, bool]:
    """``text`` re-encoded with the secrets redacted, when it is base64 that holds one."""
    if len(text) < 12 or len(text) % 4:
        return text, False
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text, False
    clean = _replace(decoded, secrets)
    if clean == decoded:
        return text, False
    return base64.b64encode(clean).decode(), True
