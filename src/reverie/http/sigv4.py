"""AWS Signature Version 4 as an ``httpx2.Auth``, signed by botocore (the optional extra
``reverie[bedrock]``), which also finds the credentials: environment, shared profile, SSO,
instance or container role. botocore is imported here only, when a request is first signed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import threading
from collections.abc import Generator, Iterator
from typing import Any

import httpx2

from reverie.errors import ConfigurationError

_MISSING = (
    "{service}: signing AWS requests needs botocore: pip install 'reverie[bedrock]', "
    "or use an API key"
)

# Headers signed: the ones that define the request and that no proxy rewrites.
_SIGNED = ("content-type",)


#: botocore's loggers that, at DEBUG, write what is signed: the canonical request (with the
#: session token), the string to sign and the signature.
_SIGNING_LOGGERS = ("botocore.auth",)
_signing = threading.local()


class _WhileSigning(logging.Filter):
    """Drops the records botocore's signer writes while this thread signs for us; every
    other record, and the user's logging configuration, are left alone."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_signing, "active", False)


_FILTER = _WhileSigning()


@contextlib.contextmanager
def quiet_signing() -> Iterator[None]:
    """While signing, botocore's signer logs nothing (its DEBUG records hold credentials)."""
    for name in _SIGNING_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    _signing.active = True
    try:
        yield
    finally:
        _signing.active = False


class SigV4Auth(httpx2.Auth):
    """Signs each request for ``service`` in ``region`` with the current credentials
    (re-read every time, so refreshed role credentials are picked up)."""

    requires_request_body = True

    def __init__(
        self,
        *,
        service: str,
        region: str,
        profile: str | None = None,
        credentials: Any = None,
    ) -> None:
        if credentials is None and importlib.util.find_spec("botocore") is None:
            # Said when the provider is made, not at the first request.
            raise ConfigurationError(_MISSING.format(service=service))
        self._service = service
        self._region = region
        self._profile = profile
        self._credentials = credentials
        self._secrets: tuple[str, ...] = ()

    @property
    def secrets(self) -> tuple[str, ...]:
        """The credentials last signed with (key id, secret key, session token), which no
        message or answer built from a server's reply may show; each request's signature
        is found in its own headers."""
        return self._secrets

    def __repr__(self) -> str:
        return f"SigV4Auth({self._service}, {self._region})"

    def _resolve(self) -> Any:
        if self._credentials is None:
            try:
                import botocore.session
            except ImportError:
                raise ConfigurationError(_MISSING.format(service=self._service)) from None
            session = botocore.session.Session(profile=self._profile)
            credentials = session.get_credentials()
            if credentials is None:
                raise ConfigurationError(
                    f"{self._service}: no AWS credentials found (environment, profile or role); "
                    "set them, or use an API key"
                )
            self._credentials = credentials
        return self._credentials

    def sign(self, request: httpx2.Request) -> None:
        """Adds ``Authorization``, ``X-Amz-Date`` (and the session token) to ``request``."""
        from botocore.auth import SigV4Auth as BotocoreSigner
        from botocore.awsrequest import AWSRequest

        credentials = self._resolve()
        frozen = credentials.get_frozen_credentials()
        found = (frozen.access_key, frozen.secret_key, frozen.token)
        self._secrets = tuple(str(value) for value in found if value)
        headers = {"host": request.url.netloc.decode("ascii")}
        for name in _SIGNED:
            if name in request.headers:
                headers[name] = request.headers[name]
        aws = AWSRequest(
            method=request.method, url=str(request.url), data=request.content, headers=headers
        )
        with quiet_signing():
            BotocoreSigner(frozen, self._service, self._region).add_auth(aws)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            value = aws.headers.get(name)
            if value is not None:
                request.headers[name] = value

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        self.sign(request)
        yield request
