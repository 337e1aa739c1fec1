"""The Responses API language model."""

from __future__ import annotations

from collections.abc import AsyncIterator

from reverie.http.client import HttpClient, sse
from reverie.model import Call, Response, StreamPart
from reverie.providers.costed import settled
from reverie.providers.openai_responses.errors import ERRORS
from reverie.providers.openai_responses.request import build_body
from reverie.providers.openai_responses.response import parse_response
from reverie.providers.openai_responses.stream import ResponsesStreamParser
from reverie.providers.openai_responses.tools import provider_tool_names
from reverie.providers.provider import HttpModel


class ResponsesModel(HttpModel):
    """A model behind OpenAI's ``/v1/responses`` endpoint.

    Options are read from ``provider_options[namespace]`` (see :class:`ResponsesOptions`).
    Nothing is stored by OpenAI unless ``store`` is set. Each response's id is in
    ``response.provider_metadata["openai"]["response_id"]``; passing it back as the
    ``previous_response_id`` option (with ``store=True``) continues the server-side state
    instead of resending the history.

    >>> model = OpenAI(api="responses").model("gpt-5")
    """

    def __init__(
        self,
        model_id: str,
        *,
        provider: str,
        namespace: str = "openai",
        http: HttpClient,
        url: str,
    ) -> None:
        super().__init__(model_id, provider=provider, http=http)
        self._namespace = namespace
        self._url = url

    async def generate(self, call: Call) -> Response:
        body, warnings = build_body(
            call, self._model_id, self._namespace, stream=False, host=self.provider
        )
        data, attempts = await self.http.request_json(
            self._url, body, headers=call.headers, retry=call.retry, errors=ERRORS
        )
        names = provider_tool_names(call.tools)
        response = parse_response(data, warnings, self.provider, names)
        return settled(response, attempts, self.provider, self._model_id)

    def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        body, warnings = build_body(
            call, self._model_id, self._namespace, stream=True, host=self.provider
        )
        names = provider_tool_names(call.tools)
        return self.http.stream(
            self._url,
            body,
            lambda: ResponsesStreamParser(warnings, self.provider, names, requested=self._model_id),
            framing=sse,
            headers=call.headers,
            retry=call.retry,
            errors=ERRORS,
        )
