"""Anthropic's Messages API (``anthropic:``), written once as a family: Claude on Bedrock
and on Vertex are transports over the same model (see :class:`Transport`)."""

from __future__ import annotations

from typing import Unpack

from reverie.providers.anthropic.model import AnthropicModel, Transport
from reverie.providers.anthropic.options import AnthropicOptions
from reverie.providers.catalog import ANTHROPIC
from reverie.providers.provider import HttpProvider, HttpSettings, make_http

API_VERSION = "2023-06-01"

__all__ = ["Anthropic", "AnthropicModel", "AnthropicOptions", "Transport"]


class Anthropic(HttpProvider):
    """Anthropic. The key comes from ``ANTHROPIC_API_KEY`` unless given.

    >>> model = Anthropic().model("claude-sonnet-4-20250514")
    """

    spec = ANTHROPIC

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        **http: Unpack[HttpSettings],
    ) -> None:
        spec = self.spec
        http["headers"] = {"anthropic-version": API_VERSION, **(http.get("headers") or {})}
        # The spec's auth is x-api-key: the key travels in that header, never in a dict here.
        super().__init__(make_http(spec, api_key=spec.api_key(api_key), **http))
        self.base_url = spec.root(base_url).rstrip("/")

    def model(self, model_id: str) -> AnthropicModel:
        url = self.base_url + "/messages"
        return AnthropicModel(
            model_id,
            provider=self.spec.name,
            namespace=self.spec.options_namespace,
            http=self.http,
            transport=Transport(generate_url=url, stream_url=url),
        )
