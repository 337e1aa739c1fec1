"""Authentication as ``httpx.Auth``: the credential is attached inside the request flow, so it
never sits in a provider's header dicts, frame locals on error paths, or reprs.

Keys are checked once, at construction: whitespace around them (a key read from a file ends
in a newline) is stripped, and control or non-ASCII characters are refused with a message
that names the provider and the problem, never the key.
"""

from __future__ import annotations

import base64
from collections.abc import Generator, Iterable
from urllib.parse import unquote

import httpx

from reverie.errors import ConfigurationError

#: Shorter values are not searched for when redacting: they would match ordinary text, and
#: no real credential is that short.
MIN_SECRET_LENGTH = 8
REDACTED = "***"


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (of at least ``MIN_SECRET_LENGTH`` characters) replaced."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, REDACTED)
    return text


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
        self._key = clean_key(key, provider)
        self._value = prefix + self._key

    @property
    def secrets(self) -> tuple[str, ...]:
        """What error messages built from server answers must never show (an echoed key)."""
        return (self._key,)

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


class UserinfoAuth(HeaderAuth):
    """Basic auth from a base URL's ``user:password@``, which is taken out of the URL so that it
    cannot reach a message, a log line or a recording."""

    def __init__(self, username: str, password: str, *, provider: str) -> None:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        super().__init__(token, provider=provider, header="Authorization", prefix="Basic ")
        self._parts = tuple(p for p in (username, password) if p)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._key, *self._parts)


def strip_userinfo(url: str) -> tuple[str, str | None]:
    """``url`` without its ``user:password@`` part, and that part (None when absent)."""
    scheme, sep, rest = url.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if not sep or "@" not in authority:
        return url, None
    userinfo, _, host = authority.rpartition("@")
    return f"{scheme}://{host}{rest[len(authority) :]}", userinfo


def split_userinfo(url: str, provider: str) -> tuple[str, UserinfoAuth | None]:
    """``url`` without its ``user:password@`` part, and that part as Basic auth (what httpx
    would have sent), or None when the URL has none."""
    clean, userinfo = strip_userinfo(url)
    if userinfo is None:
        return url, None
    username, _, password = userinfo.partition(":")
    return clean, UserinfoAuth(unquote(username), unquote(password), provider=provider)
