"""Anthropic's Messages API (``anthropic:``), written once as a family: Claude on Bedrock
and on Vertex are transports over the same model (see :class:`Transport`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from reverie.providers.anthropic.model import AnthropicModel, Transport
from reverie.providers.anthropic.options import AnthropicOptions
from reverie.providers.catalog import ANTHROPIC
from reverie.providers.provider import HttpProvider

API_VERSION = "2023-06-01"

__all__ = ["Anthropic", "AnthropicModel", "AnthropicOptions", "Transport"]


class Anthropic(HttpProvider):
    """Anthropic. The key comes from ``ANTHROPIC_API_KEY`` unless given.

    >>> model = Anthropic().model("claude-sonnet-4-20250514")
    """

    spec = ANTHROPIC
    default_headers: ClassVar[Mapping[str, str]] = {"anthropic-version": API_VERSION}

    def model(self, model_id: str) -> AnthropicModel:
        url = self.base_url + "/messages"
        return AnthropicModel(
            model_id,
            provider=self.spec.name,
            namespace=self.spec.options_namespace,
            http=self.http,
            transport=Transport(generate_url=url, stream_url=url),
        )
