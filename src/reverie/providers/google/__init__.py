"""Google Gemini (``google:``): the Gemini API, written once and shared with Vertex AI.

>>> model = Google().model("gemini-2.5-flash")    # key from GEMINI_API_KEY or GOOGLE_API_KEY
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack
from urllib.parse import quote

from reverie.providers.catalog import GOOGLE
from reverie.providers.google.ids import IdGenerator, ToolCallIds, make_id_generator
from reverie.providers.google.model import GeminiModel
from reverie.providers.google.options import GoogleOptions, SafetySetting, ThinkingConfig
from reverie.providers.provider import HttpProvider, HttpSettings
from reverie.providers.secret import Secret, conceal

if TYPE_CHECKING:
    from reverie.providers.embedding.google_wire import GeminiEmbeddingModel

__all__ = [
    "GeminiModel",
    "Google",
    "GoogleOptions",
    "IdGenerator",
    "SafetySetting",
    "ThinkingConfig",
    "ToolCallIds",
]


class Google(HttpProvider):
    """The Gemini API. The key travels in ``x-goog-api-key`` (never in the URL).

    ``tool_call_ids`` names the function calls Gemini returns without an id:
    ``"sequential"`` (default: ``"1"``, ``"2"``, … counted per provider), ``"tool_name"``,
    or a callable taking the tool name. Call options go under ``provider_options["google"]``
    (typed as :class:`GoogleOptions`).
    """

    spec = GOOGLE

    def __init__(
        self,
        *,
        api_key: str | Secret | None = None,
        base_url: str | None = None,
        tool_call_ids: ToolCallIds | None = None,
        **http: Unpack[HttpSettings],
    ) -> None:
        api_key = conceal(api_key)  # first: no frame of ours holds the key bare
        self._ids = make_id_generator(tool_call_ids, self.spec.name)
        super().__init__(api_key=api_key, base_url=base_url, **http)

    def model(self, model_id: str) -> GeminiModel:
        # "models/…" and "tunedModels/…" are full resource names already.
        path = model_id if "/" in model_id else f"models/{quote(model_id, safe='@.-_')}"
        root = f"{self.base_url}/{path}"
        return GeminiModel(
            model_id,
            provider=self.spec.name,
            http=self.http,
            generate_url=f"{root}:generateContent",
            stream_url=f"{root}:streamGenerateContent?alt=sse",
            ids=self._ids,
            namespace=self.spec.options_namespace,
        )

    def embedding_model(self, model_id: str) -> GeminiEmbeddingModel:
        """An embedding model through ``batchEmbedContents`` (100 texts a request)."""
        from reverie.providers.embedding.google_wire import GEMINI_MAX_BATCH, GeminiEmbeddingModel

        path = model_id if "/" in model_id else f"models/{quote(model_id, safe='@.-_')}"
        return GeminiEmbeddingModel(
            model_id,
            provider=self.spec.name,
            http=self.http,
            url=f"{self.base_url}/{path}:batchEmbedContents",
            namespace=self.spec.name,
            max_batch=GEMINI_MAX_BATCH,
        )
