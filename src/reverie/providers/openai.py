"""OpenAI (``openai:`` for chat completions, ``openai-responses:`` for the Responses API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal, Unpack

from reverie.errors import ConfigurationError
from reverie.providers.catalog import OPENAI, OPENAI_RESPONSES
from reverie.providers.openai_chat import ChatModel
from reverie.providers.openai_chat.model import chat_model
from reverie.providers.openai_chat.options import OpenAIChatOptions as OpenAIChatOptions
from reverie.providers.provider import HttpProvider, HttpSettings
from reverie.providers.secret import Secret, conceal

if TYPE_CHECKING:
    from reverie.providers.embedding.openai_wire import OpenAIEmbeddingModel
    from reverie.providers.openai_responses import ResponsesModel

Api = Literal["chat", "responses"]


class OpenAI(HttpProvider):
    """OpenAI provider. The key comes from ``OPENAI_API_KEY`` unless given; ``api`` picks
    chat completions (the default) or the Responses API for the models it makes.

    >>> model = OpenAI().model("gpt-4o")
    >>> reasoner = OpenAI(api="responses").model("gpt-5")
    """

    spec = OPENAI
    default_api: ClassVar[Api] = "chat"
    """The API its models use when ``api`` is not given."""

    def __init__(
        self,
        *,
        api_key: str | Secret | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        api: Api | None = None,
        **http: Unpack[HttpSettings],
    ) -> None:
        api_key = conceal(api_key)  # first: no frame of ours holds the key bare
        api = api or self.default_api
        if api not in ("chat", "responses"):
            raise ConfigurationError(f"{self.spec.name}: api must be 'chat' or 'responses'")
        extra = dict(http.get("headers") or {})
        if organization:
            extra["OpenAI-Organization"] = organization
        if project:
            extra["OpenAI-Project"] = project
        http["headers"] = extra
        self.api: Api = api
        super().__init__(api_key=api_key, base_url=base_url, **http)

    def model(self, model_id: str) -> ChatModel | ResponsesModel:
        """A chat-completions model, or a Responses API model when ``api="responses"``."""
        if self.api == "responses":
            from reverie.providers.openai_responses import ResponsesModel

            return ResponsesModel(
                model_id,
                provider=self.spec.name,
                namespace=self.spec.options_namespace,
                http=self.http,
                url=self.endpoint("/responses"),
            )
        return chat_model(self.spec, self.http, self.endpoint("/chat/completions"), model_id)

    def embedding_model(self, model_id: str) -> OpenAIEmbeddingModel:
        """An embedding model on OpenAI's ``/embeddings`` (Azure: its deployment, with the
        API version)."""
        from reverie.providers.embedding.openai_wire import OpenAIEmbeddingModel

        spec = self.spec
        url = self.endpoint("/embeddings")
        return OpenAIEmbeddingModel(
            model_id, provider=spec.name, http=self.http, url=url, namespace=spec.name
        )

    def endpoint(self, path: str) -> str:
        """The URL of one API path under this provider's root."""
        return self.base_url + path


class OpenAIResponses(OpenAI):
    """``openai-responses:``: OpenAI with the Responses API chosen.

    >>> model = OpenAIResponses().model("gpt-5")
    """

    spec = OPENAI_RESPONSES
    default_api: ClassVar[Api] = "responses"
