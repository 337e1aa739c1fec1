"""Authentication as ``httpx2.Auth``: the credential is attached inside the request flow, so it
never sits in a provider's header dicts, frame locals on error paths, or reprs.

Keys are checked once, at construction: whitespace around them (a key read from a file ends
in a newline) is stripped, and control or non-ASCII characters are refused with a message
that names the provider and the problem, never the key.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Generator, Iterable
from urllib.parse import unquote

import httpx2

from reverie.errors import ConfigurationError

#: Shorter values are not searched for when redacting: they would match ordinary text, and
#: no real credential is that short.
MIN_SECRET_LENGTH = 8
REDACTED = "***"

#: Request headers whose values are credentials, whoever set them (our auth, a proxy's
#: signer, ``headers=`` given by the caller).
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",
        "x-amz-security-token",
    }
)


_CREDENTIAL_NAMES = frozenset(name.encode() for name in CREDENTIAL_HEADERS)


def credential_fields(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The credential headers among raw ``(name, value)`` header pairs, as sent: all that
    :func:`credentials_in` reads, found without decoding every header (a request's
    credentials can then be compared with the last request's for the cost of one pass)."""
    return [item for item in raw if item[0].lower() in _CREDENTIAL_NAMES]


#: Query parameters whose values are credentials (Gemini's ``?key=``, a presigned URL's
#: signature and token), whoever put them in a request's URL (``httpx.AsyncClient(params=)``).
SECRET_QUERY_PARAMS = frozenset(
    {
        "key",
        "api_key",
        "api-key",
        "apikey",
        "access_token",
        "x-amz-security-token",
        "x-amz-signature",
        "x-amz-credential",
    }
)


def url_credentials(url: httpx2.URL) -> set[str]:
    """The credentials a request URL carries: its userinfo and its secret query values."""
    found = {p for p in (url.username, url.password) if p}
    if url.query:
        for name, value in url.params.multi_items():
            if value and name.lower() in SECRET_QUERY_PARAMS:
                found.add(value)
    return found


def hide_secret_params(url: str) -> str:
    """``url`` with each secret query parameter's value shown as ``***``."""
    head, mark, query = url.partition("?")
    if not mark:
        return url
    query, hash_, fragment = query.partition("#")
    fields = []
    for item in query.split("&"):
        name, eq, value = item.partition("=")
        if eq and value and unquote(name).lower() in SECRET_QUERY_PARAMS:
            item = f"{name}={REDACTED}"
        fields.append(item)
    return f"{head}?{'&'.join(fields)}{hash_}{fragment}"


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (of at least ``MIN_SECRET_LENGTH`` characters) replaced."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def credentials_in(headers: Iterable[tuple[str, str]]) -> set[str]:
    """The credentials a request's ``headers`` carry: each credential header's value, the
    token after its scheme (``Bearer``, ``Basic``), a Basic token's user and password, and a
    SigV4 ``Signature=``."""
    found: set[str] = set()
    for name, value in headers:
        if name.lower() not in CREDENTIAL_HEADERS or not value:
            continue
        found.add(value)
        scheme, _, token = value.partition(" ")
        token = token.strip()
        if not token:
            continue
        found.add(token)
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(token).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                continue
            found.update(p for p in (user, password) if p)
        elif "Signature=" in token:  # AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…
            found.add(token.rpartition("Signature=")[2].split(",")[0].strip())
    return {s for s in found if s}


class Secrets(tuple[str, ...]):
    """Credentials to search for, shown by ``repr`` as a count only: a traceback printed
    with its frames' locals must not quote them. Their escaped and encoded forms are worked
    out once per set (a client keeps its set while its credentials stay the same)."""

    def __repr__(self) -> str:
        return f"<{len(self)} secrets>"

    @functools.cached_property
    def escaped(self) -> Secrets:
        """See :func:`with_escaped`."""
        return Secrets((*self, *(s.replace("/", "\\/") for s in self if "/" in s)))

    @functools.cached_property
    def encoded(self) -> tuple[bytes, ...]:
        """The escaped set as UTF-8, to search a body's bytes for."""
        return tuple(s.encode() for s in self.escaped)


def fewest(secrets: Iterable[str]) -> Secrets:
    """``secrets`` worth searching for: long enough, each once, and none that holds another
    (redacting the shorter one redacts it too), longest first; the same set in whatever
    order always gives the same tuple (ties are ordered by their text)."""
    kept: list[str] = []
    unique = {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}
    for secret in sorted(unique, key=lambda s: (len(s), s)):
        if not any(k in secret for k in kept):
            kept.append(secret)
    return Secrets(reversed(kept))


def with_escaped(secrets: Iterable[str]) -> Secrets:
    """``secrets`` and, for those holding ``/`` (AWS secret keys and session tokens), their
    form inside JSON written by a writer that escapes it as ``\\/``."""
    return (secrets if type(secrets) is Secrets else Secrets(secrets)).escaped


def encoded_forms(secrets: Iterable[str]) -> tuple[bytes, ...]:
    """:func:`with_escaped` as UTF-8 bytes."""
    return (secrets if type(secrets) is Secrets else Secrets(secrets)).encoded


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


class HeaderAuth(httpx2.Auth):
    """Sends the key in one header: ``Authorization: Bearer <key>``, ``api-key: <key>``…"""

    def __init__(self, key: str, *, provider: str, header: str, prefix: str = "") -> None:
        self._header = header
        self._key = clean_key(key, provider)
        self._value = prefix + self._key
        self._secrets: tuple[str, ...] = (self._key,)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What error messages built from server answers must never show (an echoed key)."""
        return self._secrets

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
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
        self._secrets = (self._key, *(p for p in (username, password) if p))


def strip_userinfo(url: str) -> tuple[str, str | None]:
    """``url`` without its ``user:password@`` part, and that part (None when absent)."""
    scheme, sep, rest = url.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if not sep or "@" not in authority:
        return url, None
    userinfo, _, host = authority.rpartition("@")
    return f"{scheme}://{host}{rest[len(authority) :]}", userinfo


def split_userinfo(url: str, provider: str) -> tuple[str, UserinfoAuth | None]:
    """``url`` without its ``user:password@`` part, and that part as Basic auth (what httpx2
    would have sent), or None when the URL has none."""
    clean, userinfo = strip_userinfo(url)
    if userinfo is None:
        return url, None
    username, _, password = userinfo.partition(":")
    return clean, UserinfoAuth(unquote(username), unquote(password), provider=provider)
