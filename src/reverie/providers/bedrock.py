"""Claude on Amazon Bedrock (``bedrock:``): the Anthropic family over InvokeModel.

Requests go to ``/model/<id>/invoke`` and ``/invoke-with-response-stream``, with
``anthropic_version`` in the body instead of ``model`` and ``stream``; streamed answers come
as the AWS binary event stream, whose ``chunk`` events each wrap one Anthropic event.
Cross-region inference ids (``us.``, ``eu.``, ``global.`` prefixes) are passed as they are.

Authentication: a Bedrock API key (``api_key=`` or ``AWS_BEARER_TOKEN_BEDROCK``) as a bearer
token, else AWS SigV4 with botocore's credentials (``pip install 'reverie[bedrock]'``);
``skip_auth=True`` sends neither (replaying recordings, or a proxy that signs).
"""

from __future__ import annotations

import binascii
import os
import re
from typing import TYPE_CHECKING, Any, Unpack
from urllib.parse import quote

import httpx2

from reverie.errors import ConfigurationError, StreamError
from reverie.http.auth import bearer
from reverie.http.eventstream import EventStreamDecoder, Frame, frame_error
from reverie.http.fastjson import loads
from reverie.providers.anthropic import AnthropicModel, Transport
from reverie.providers.catalog import BEDROCK
from reverie.providers.provider import HttpProvider, HttpSettings
from reverie.providers.secret import Secret, conceal

if TYPE_CHECKING:
    from reverie.providers.embedding.bedrock_wire import BedrockEmbeddingModel

ANTHROPIC_VERSION = "bedrock-2023-05-31"
DEFAULT_REGION = "us-east-1"

# AWS region codes: a two-letter area, one or more words, a number (us-east-1,
# ap-southeast-3, us-gov-west-1, eu-isoe-west-1). The region becomes part of the host the
# credentials are sent to, so nothing else may reach the URL.
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}")


def bedrock_region(explicit: str | None) -> str:
    """The region: given, else ``AWS_REGION``, else ``AWS_DEFAULT_REGION``, else us-east-1;
    refused unless it is an AWS region code."""
    region = (
        explicit
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or DEFAULT_REGION
    )
    if not isinstance(region, str) or _REGION.fullmatch(region) is None:
        raise ConfigurationError(
            f"{BEDROCK.name}: region must be an AWS region code such as us-east-1 "
            "(from region=, AWS_REGION or AWS_DEFAULT_REGION)"
        )
    return region


class Bedrock(HttpProvider):
    """Claude models on Amazon Bedrock.

    >>> model = Bedrock(region="eu-central-1").model("eu.anthropic.claude-sonnet-4-5-20250929-v1:0")
    """

    spec = BEDROCK

    def __init__(
        self,
        *,
        api_key: str | Secret | None = None,
        region: str | None = None,
        base_url: str | None = None,
        profile: str | None = None,
        skip_auth: bool = False,
        **http: Unpack[HttpSettings],
    ) -> None:
        api_key = conceal(api_key)  # first: no frame of ours holds the key bare
        self.region = bedrock_region(region)
        self._profile = profile
        self._skip_auth = skip_auth
        super().__init__(api_key=api_key, base_url=base_url, **http)

    def _resolve_root(self, root: str) -> str:
        return root.replace("{region}", self.region)

    def _authentication(self, api_key: Secret | None) -> httpx2.Auth | None:
        """A Bedrock API key as a bearer token, else SigV4 with botocore's credentials;
        nothing with ``skip_auth``."""
        if self._skip_auth:
            return None
        if api_key:
            return bearer(api_key.checked(self.spec.name), self.spec.name)
        from reverie.http.sigv4 import SigV4Auth

        return SigV4Auth(service="bedrock", region=self.region, profile=self._profile)

    def model(self, model_id: str) -> AnthropicModel:
        # The id is one path segment: ':' (and '/' of an ARN) escaped, as AWS expects.
        path = f"{self.base_url}/model/{quote(model_id, safe='')}"
        return AnthropicModel(
            model_id,
            provider=self.spec.name,
            namespace=self.spec.options_namespace,
            http=self.http,
            transport=Transport(
                generate_url=path + "/invoke",
                stream_url=path + "/invoke-with-response-stream",
                body={"anthropic_version": ANTHROPIC_VERSION},
                model_in_body=False,
                stream_in_body=False,
                framing=BedrockEvents,
                betas="body",
                explicit_parallel_flag=False,
            ),
        )

    def embedding_model(self, model_id: str) -> BedrockEmbeddingModel:
        """Titan Text Embeddings or Cohere Embed through ``InvokeModel``."""
        from reverie.providers.embedding.bedrock_wire import BedrockEmbeddingModel

        url = f"{self.base_url}/model/{quote(model_id, safe='')}/invoke"
        name = self.spec.name
        return BedrockEmbeddingModel(
            model_id, provider=name, http=self.http, url=url, namespace=name
        )


class BedrockEvents:
    """The framing of a Bedrock stream: the event stream's ``chunk`` frames → the Anthropic
    events they wrap; exception frames → typed StreamErrors."""

    __slots__ = ("_failed", "_frames")

    media_type = "application/vnd.amazon.eventstream"

    def __init__(self) -> None:
        self._frames = EventStreamDecoder()
        # An exception frame, held back until the events before it have been read.
        self._failed: StreamError | None = None

    def feed(self, chunk: bytes) -> list[Any]:
        if self._failed is not None:
            raise self._failed
        return self._events(self._frames.feed(chunk))

    def close(self) -> list[Any]:
        if self._failed is not None:
            raise self._failed
        return self._events(self._frames.close())

    def _events(self, frames: list[Frame]) -> list[Any]:
        events: list[Any] = []
        for frame in frames:
            try:
                if self._wanted(frame):
                    events.append(self._event(frame))
            except StreamError as exc:
                if not events:
                    raise
                self._failed = exc  # the text before an error is read first, not lost
                break
        return events

    @staticmethod
    def _wanted(frame: Frame) -> bool:
        headers = frame.headers
        if headers.get(":event-type") == "chunk" and headers.get(":message-type") == "event":
            return True  # the common frame, told in two lookups
        error = frame_error(frame, BEDROCK.name)
        if error is not None:
            raise error
        return frame.event_type == "chunk"

    @staticmethod
    def _event(frame: Frame) -> Any:
        try:
            wrapped = loads(frame.payload)
            # base64.b64decode(..., validate=True) without its wrapper
            return loads(binascii.a2b_base64(wrapped["bytes"], strict_mode=True))
        except (ValueError, KeyError, TypeError, RecursionError):
            raise StreamError(
                f"{BEDROCK.name}: unreadable event stream chunk: {frame.payload[:200]!r}",
                provider=BEDROCK.name,
            ) from None
