"""The chat-completions language model, shared by every provider that speaks it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from reverie.http.client import HttpClient, sse
from reverie.model import Call, ObjectMode, Response, StreamPart
from reverie.providers.costed import settled
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.errors import ERRORS
from reverie.providers.openai_chat.request import build_body
from reverie.providers.openai_chat.response import parse_response
from reverie.providers.openai_chat.stream import ChatStreamParser
from reverie.providers.provider import HttpModel, HttpProvider
from reverie.providers.spec import ProviderSpec

if TYPE_CHECKING:
    from reverie.providers.embedding.openai_wire import OpenAIEmbeddingModel


class ChatModel(HttpModel):
    """A model behind a chat-completions endpoint, specialised by a :class:`ChatDialect`."""

    def __init__(
        self,
        model_id: str,
        *,
        provider: str,
        namespace: str,
        dialect: ChatDialect,
        http: HttpClient,
        url: str,
        object_mode: ObjectMode = "json_schema",
    ) -> None:
        super().__init__(model_id, provider=provider, http=http, object_mode=object_mode)
        self._dialect = dialect
        self._namespace = namespace
        self._url = url

    async def generate(self, call: Call) -> Response:
        body, warnings = build_body(
            call, self._model_id, self._dialect, self._namespace, stream=False
        )
        data, attempts = await self.http.request_json(
            self._url, body, headers=call.headers, retry=call.retry, errors=ERRORS
        )
        response = parse_response(data, self._dialect, warnings, self.provider)
        return settled(response, attempts, self.provider, self._model_id)

    def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        body, warnings = build_body(
            call, self._model_id, self._dialect, self._namespace, stream=True
        )
        return self.http.stream(
            self._url,
            body,
            lambda: ChatStreamParser(
                self._dialect, warnings, self.provider, requested=self._model_id
            ),
            framing=sse,
            headers=call.headers,
            retry=call.retry,
            errors=ERRORS,
        )


class ChatProvider(HttpProvider):
    """A provider whose models all speak chat completions through its spec's dialect."""

    def model(self, model_id: str) -> ChatModel:
        return chat_model(self.spec, self.http, self.base_url + "/chat/completions", model_id)

    def embedding_model(self, model_id: str) -> OpenAIEmbeddingModel:
        """An embedding model on the provider's OpenAI-style ``/embeddings``."""
        from reverie.providers.embedding.openai_wire import OpenAIEmbeddingModel

        url = self.base_url + "/embeddings"
        name = self.spec.name
        return OpenAIEmbeddingModel(
            model_id, provider=name, http=self.http, url=url, namespace=name
        )


def chat_model(
    spec: ProviderSpec,
    http: HttpClient,
    url: str,
    model_id: str,
    *,
    dialect: ChatDialect | None = None,
) -> ChatModel:
    """A chat-completions model of ``spec``'s provider at ``url``, with the spec's dialect
    (or ``dialect``, set up by the provider), options namespace and default way of asking
    for objects."""
    return ChatModel(
        model_id,
        provider=spec.name,
        namespace=spec.options_namespace,
        dialect=dialect if dialect is not None else spec.load_dialect()(),
        http=http,
        url=url,
        object_mode=spec.object_mode,
    )
