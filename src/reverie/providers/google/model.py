"""The Gemini language model, shared by the Gemini API and Vertex AI.

Only the URLs, whether function-call ids go on the wire (Vertex refuses them), and the id
generator differ between the two; everything else is this one class.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from reverie.http.client import HttpClient, sse
from reverie.model import Call, Response, StreamPart
from reverie.providers.costed import settled
from reverie.providers.google.errors import ERRORS
from reverie.providers.google.ids import IdGenerator
from reverie.providers.google.request import build_body
from reverie.providers.google.response import parse_response
from reverie.providers.google.signature import NAMESPACE
from reverie.providers.google.stream import GeminiStreamParser
from reverie.providers.provider import HttpModel


class GeminiModel(HttpModel):
    """A Gemini model behind ``generate_url`` and ``stream_url``.

    ``ids`` names function calls that arrive without an id; ``send_ids`` says whether the
    ids go back in ``functionCall``/``functionResponse`` (the Gemini API takes them, Vertex
    does not).
    """

    def __init__(
        self,
        model_id: str,
        *,
        provider: str,
        http: HttpClient,
        generate_url: str,
        stream_url: str,
        ids: IdGenerator,
        send_ids: bool = True,
        namespace: str = NAMESPACE,
    ) -> None:
        super().__init__(model_id, provider=provider, http=http)
        self._generate_url = generate_url
        self._stream_url = stream_url
        self._ids = ids
        self._send_ids = send_ids
        self._namespace = namespace

    async def generate(self, call: Call) -> Response:
        body, warnings = build_body(
            call,
            namespace=self._namespace,
            send_ids=self._send_ids,
            host=self.provider,
            model_id=self.model_id,
        )
        data, attempts = await self.http.request_json(
            self._generate_url, body, headers=call.headers, retry=call.retry, errors=ERRORS
        )
        response = parse_response(
            data, warnings, self.provider, self._ids, include_thoughts=self._thoughts(call)
        )
        return settled(response, attempts, self.provider, self.model_id)

    def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        body, warnings = build_body(
            call,
            namespace=self._namespace,
            send_ids=self._send_ids,
            host=self.provider,
            model_id=self.model_id,
        )
        return self.http.stream(
            self._stream_url,
            body,
            lambda: GeminiStreamParser(
                warnings,
                self.provider,
                self._ids,
                include_thoughts=self._thoughts(call),
                requested=self.model_id,
            ),
            framing=sse,
            headers=call.headers,
            retry=call.retry,
            errors=ERRORS,
        )

    def _thoughts(self, call: Call) -> bool:
        """Whether the call asked for thought summaries."""
        options = call.provider_options.get(self._namespace) or {}
        thinking = options.get("thinking_config") if isinstance(options, dict) else None
        return isinstance(thinking, dict) and bool(thinking.get("include_thoughts"))
