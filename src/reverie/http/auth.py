"""Authentication as ``httpx.Auth``: the credential is attached inside the request flow, so it
never sits in a provider's header dicts, frame locals on error paths, or reprs.

Keys are checked once, at construction: whitespace around them (a key read from a file ends
in a newline) is stripped, and control or non-ASCII characters are refused with a message
that names the provider and the problem, never the key.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from reverie.errors import ConfigurationError


def clean_key(key: str, provider: str) -> str:
    """``key`` without surrounding whitespace; refuses what no HTTP header can carry."""
    if not isinstance(key, str):
        raise ConfigurationError(f"{provider}: the API key must be a string")
    stripped = key.strip()
    if not stripped:
        raise ConfigurationError(f"{provider}: the API key is empty")
    for position, char in enumerate(stripped):
        code = ord(char)
        if code < 0x21 or code > 0x7E:
            what = "a control or space character" if code < 0x80 else "a non-ASCII character"
            raise ConfigurationError(
                f"{provider}: the API key contains {what} at position {position}; "
                "check how it was copied"
            )
    return stripped


class HeaderAuth(httpx.Auth):
    """Sends the key in one header: ``Authorization: Bearer <key>``, ``api-key: <key>``…"""

    def __init__(self, key: str, *, provider: str, header: str, prefix: str = "") -> None:
        self._header = header
        self._value = prefix + clean_key(key, provider)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._value
        yield request

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._header}: ***)"


def bearer(key: str, provider: str) -> HeaderAuth:
    """``Authorization: Bearer <key>`` (OpenAI, OpenRouter, Vercel, most gateways)."""
    return HeaderAuth(key, provider=provider, header="Authorization", prefix="Bearer ")


def api_key_header(key: str, provider: str, header: str = "api-key") -> HeaderAuth:
    """The key alone in a named header (Azure ``api-key``, Anthropic ``x-api-key``…)."""
    return HeaderAuth(key, provider=provider, header=header)
