"""Google Cloud credentials as ``httpx2.Auth``: an OAuth access token from ``google-auth``.

``google-auth`` is optional (``pip install 'reverie[vertex]'``) and imported here only, when
a provider that needs cloud credentials (Vertex) is created without ``skip_auth``. The
credentials are application default credentials unless given; they are found and refreshed
on first use, off the event loop (refreshing does blocking I/O), and refreshed again when
the token expires. The token sits only in the request's ``Authorization`` header.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import AsyncGenerator, Generator
from typing import Any

import httpx2

from reverie.errors import ConfigurationError

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def _import(module: str, provider: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigurationError(
            f"{provider}: Google Cloud credentials need google-auth: "
            "pip install 'reverie[vertex]' (or pass skip_auth=True when no credentials "
            "are needed, e.g. behind a proxy that adds them)"
        ) from None


class GoogleAuth(httpx2.Auth):
    """``Authorization: Bearer <token>`` from google-auth credentials.

    >>> auth = GoogleAuth(provider="vertex")            # application default credentials
    """

    def __init__(
        self,
        credentials: Any = None,
        *,
        provider: str,
        scopes: tuple[str, ...] = (CLOUD_PLATFORM,),
    ) -> None:
        self._provider = provider
        self._scopes = scopes
        if credentials is None:
            _import("google.auth", provider)  # fail at construction when the extra is missing
        self._credentials = credentials
        self._lock = threading.Lock()
        self._token = ""

    @property
    def secrets(self) -> tuple[str, ...]:
        """The access token last sent, which no message or answer built from a server's
        reply may show (each request's own token is also found in its headers)."""
        return (self._token,) if self._token else ()

    def __repr__(self) -> str:
        return f"GoogleAuth({self._provider})"

    def token(self) -> str:
        """A valid access token, finding or refreshing the credentials when needed."""
        with self._lock:
            if self._credentials is None:
                auth = _import("google.auth", self._provider)
                errors = _import("google.auth.exceptions", self._provider)
                try:
                    self._credentials, _ = auth.default(scopes=list(self._scopes))
                except errors.DefaultCredentialsError as exc:
                    raise ConfigurationError(
                        f"{self._provider}: no Google Cloud credentials found ({exc}); run "
                        "'gcloud auth application-default login' or set "
                        "GOOGLE_APPLICATION_CREDENTIALS"
                    ) from None
            credentials = self._credentials
            if not credentials.valid:
                transport = _import("google.auth.transport.requests", self._provider)
                credentials.refresh(transport.Request())
            self._token = str(credentials.token)
            return self._token

    def sync_auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request

    async def async_auth_flow(
        self, request: httpx2.Request
    ) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        token = await asyncio.to_thread(self.token)
        request.headers["Authorization"] = f"Bearer {token}"
        yield request
