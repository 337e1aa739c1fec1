"""OpenAI (``openai:``): chat completions at api.openai.com."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from reverie.http.retry import RetryPolicy
from reverie.providers.api_key import find_api_key
from reverie.providers.openai_chat import ChatDialect, ChatProvider


class OpenAI(ChatProvider):
    """OpenAI provider. The key comes from ``OPENAI_API_KEY`` unless given.

    >>> model = OpenAI().model("gpt-4o")
    """

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        headers: Mapping[str, str] | None = None,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        dialect = ChatDialect()
        extra = dict(headers or {})
        if organization:
            extra["OpenAI-Organization"] = organization
        if project:
            extra["OpenAI-Project"] = project
        super().__init__(
            dialect,
            api_key=find_api_key(api_key, dialect.api_key_env, self.name),
            base_url=base_url or dialect.default_base_url,
            headers=extra,
            client=client,
            retry=retry,
        )
