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

import base64
import json
import os
from typing import Any, Unpack
from urllib.parse import quote

import httpx

from reverie.errors import StreamError
from reverie.http.auth import bearer
from reverie.http.eventstream import EventStreamDecoder, Frame, frame_error
from reverie.http.fastjson import loads
from reverie.providers.anthropic import AnthropicModel, Transport
from reverie.providers.catalog import BEDROCK
from reverie.providers.provider import HttpProvider, HttpSettings, make_http

ANTHROPIC_VERSION = "bedrock-2023-05-31"
DEFAULT_REGION = "us-east-1"


def bedrock_region(explicit: str | None) -> str:
    """The region: given, else ``AWS_REGION``, else ``AWS_DEFAULT_REGION``, else us-east-1."""
    return (
        explicit
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or DEFAULT_REGION
    )


class Bedrock(HttpProvider):
    """Claude models on Amazon Bedrock.

    >>> model = Bedrock(region="eu-central-1").model("eu.anthropic.claude-sonnet-4-5-20250929-v1:0")
    """

    spec = BEDROCK

    def __init__(
        self,
        *,
        api_key: str | None = None,
        region: str | None = None,
        base_url: str | None = None,
        profile: str | None = None,
        skip_auth: bool = False,
        **http: Unpack[HttpSettings],
    ) -> None:
        spec = self.spec
        self.region = bedrock_region(region)
        auth: httpx.Auth | None = None
        if not skip_auth:
            key = spec.api_key(api_key)
            if key:
                auth = bearer(key, spec.name)
            else:
                from reverie.http.sigv4 import SigV4Auth

                auth = SigV4Auth(service="bedrock", region=self.region, profile=profile)
        super().__init__(make_http(spec, api_key=None, auth=auth, **http))
        root = base_url or spec.root(None).format(region=self.region)
        self.base_url = root.rstrip("/")

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


class BedrockEvents:
    """The framing of a Bedrock stream: the event stream's ``chunk`` frames → the Anthropic
    events they wrap; exception frames → typed StreamErrors."""

    __slots__ = ("_frames",)

    media_type = "application/vnd.amazon.eventstream"

    def __init__(self) -> None:
        self._frames = EventStreamDecoder()

    def feed(self, chunk: bytes) -> list[Any]:
        return [self._event(frame) for frame in self._frames.feed(chunk) if self._wanted(frame)]

    def close(self) -> list[Any]:
        return [self._event(frame) for frame in self._frames.close() if self._wanted(frame)]

    @staticmethod
    def _wanted(frame: Frame) -> bool:
        error = frame_error(frame, BEDROCK.name)
        if error is not None:
            raise error
        return frame.event_type == "chunk"

    @staticmethod
    def _event(frame: Frame) -> Any:
        try:
            wrapped = json.loads(frame.payload)
            return loads(base64.b64decode(wrapped["bytes"], validate=True))
        except (ValueError, KeyError, TypeError, RecursionError):
            raise StreamError(
                f"{BEDROCK.name}: unreadable event stream chunk: {frame.payload[:200]!r}",
                provider=BEDROCK.name,
            ) from None
