"""The Anthropic Messages model, and the transport description that lets Claude on Bedrock
and on Vertex reuse it: where requests go, which fields the body carries, how the stream is
framed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from reverie.http.client import Framing, HttpClient
from reverie.model import Call, ObjectMode, Response, StreamPart
from reverie.providers.anthropic.errors import ERRORS
from reverie.providers.anthropic.request import Request, build_request
from reverie.providers.anthropic.response import parse_response
from reverie.providers.anthropic.stream import AnthropicStream, SseJson
from reverie.providers.costed import settled
from reverie.providers.provider import HttpModel


@dataclass(frozen=True, slots=True, kw_only=True)
class Transport:
    """How one host carries the Messages API for one model."""

    generate_url: str
    stream_url: str
    body: Mapping[str, Any] = field(default_factory=dict)
    """Fields every request carries (``anthropic_version`` on Bedrock and Vertex)."""
    model_in_body: bool = True
    stream_in_body: bool = True
    framing: Framing[Any] = SseJson
    betas: Literal["header", "body"] = "header"
    """``header``: ``anthropic-beta`` and the beta endpoint (``?beta=true``); ``body``: an
    ``anthropic_beta`` list in the body (Bedrock, Vertex)."""
    explicit_parallel_flag: bool = True
    """Send ``disable_parallel_tool_use: false`` on a chosen tool choice (see tools.py)."""


class AnthropicModel(HttpModel):
    """A Claude model behind the Messages API, wherever the transport says it lives."""

    def __init__(
        self,
        model_id: str,
        *,
        provider: str,
        namespace: str,
        http: HttpClient,
        transport: Transport,
    ) -> None:
        super().__init__(model_id, provider=provider, http=http)
        self._namespace = namespace
        self._transport = transport

    @property
    def object_mode(self) -> ObjectMode:
        """Tool mode wherever Claude is served (Anthropic, Bedrock, Vertex): the Messages API
        has no JSON-schema output that reverie sends."""
        return "tool"

    def _request(self, call: Call, stream: bool) -> tuple[str, Request, dict[str, str]]:
        transport = self._transport
        request = build_request(
            call,
            self._model_id,
            self._namespace,
            explicit_parallel_flag=transport.explicit_parallel_flag,
            host=self.provider,
        )
        body = request.body
        if transport.model_in_body:
            body["model"] = self._model_id
        if stream and transport.stream_in_body:
            body["stream"] = True
        body.update(transport.body)
        url = transport.stream_url if stream else transport.generate_url
        headers = dict(call.headers)
        if request.betas:
            if transport.betas == "body":
                body["anthropic_beta"] = request.betas
            else:
                # recorded quirk: beta features go to the SDK's beta endpoint, ?beta=true.
                url += "&beta=true" if "?" in url else "?beta=true"
                headers["anthropic-beta"] = ",".join(request.betas)
        return url, request, headers

    async def generate(self, call: Call) -> Response:
        url, request, headers = self._request(call, stream=False)
        data, attempts = await self.http.request_json(
            url, request.body, headers=headers, retry=call.retry, errors=ERRORS
        )
        response = parse_response(data, self.provider, request.warnings)
        return settled(response, attempts, self.provider, self._model_id)

    def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        url, request, headers = self._request(call, stream=True)
        return self.http.stream(
            url,
            request.body,
            lambda: AnthropicStream(self.provider, request.warnings, requested=self._model_id),
            framing=self._transport.framing,
            headers=headers,
            retry=call.retry,
            errors=ERRORS,
        )
