"""OpenAI (``openai:`` for chat completions, ``openai-responses:`` for the Responses API)."""

from __future__ import annotations

from typing import Any, Literal, Unpack

from reverie.errors import ConfigurationError
from reverie.providers.catalog import OPENAI, OPENAI_RESPONSES
from reverie.providers.openai_chat import ChatProvider
from reverie.providers.openai_chat.options import OpenAIChatOptions as OpenAIChatOptions
from reverie.providers.provider import HttpSettings

Api = Literal["chat", "responses"]


class OpenAI(ChatProvider):
    """OpenAI provider. The key comes from ``OPENAI_API_KEY`` unless given; ``api`` picks
    chat completions (the default) or the Responses API for the models it makes.

    >>> model = OpenAI().model("gpt-4o")
    >>> reasoner = OpenAI(api="responses").model("gpt-5")
    """

    spec = OPENAI

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        api: Api = "chat",
        **http: Unpack[HttpSettings],
    ) -> None:
        if api not in ("chat", "responses"):
            raise ConfigurationError(f"{self.spec.name}: api must be 'chat' or 'responses'")
        extra = dict(http.get("headers") or {})
        if organization:
            extra["OpenAI-Organization"] = organization
        if project:
            extra["OpenAI-Project"] = project
        http["headers"] = extra
        super().__init__(api_key=api_key, base_url=base_url, **http)
        self.api: Api = api

    def model(self, model_id: str) -> Any:
        if self.api == "responses":
            from reverie.providers.openai_responses import ResponsesModel

            return ResponsesModel(
                model_id,
                provider=self.spec.name,
                namespace=self.spec.options_namespace,
                http=self.http,
                url=self.endpoint("/responses"),
            )
        return super().model(model_id)

    def endpoint(self, path: str) -> str:
        """The URL of one API path under this provider's root."""
        return self.base_url + path


class OpenAIResponses(OpenAI):
    """``openai-responses:``: OpenAI with the Responses API chosen.

    >>> model = OpenAIResponses().model("gpt-5")
    """

    spec = OPENAI_RESPONSES

    def __init__(self, *, api: Api = "responses", **settings: Any) -> None:
        super().__init__(api=api, **settings)
