"""Google Vertex AI (``vertex:``): Gemini models through the Gemini family, and Claude models
(ids starting ``claude``) through the Anthropic family, which is imported only for them.

>>> model = Vertex(project="my-project", location="us-east5").model("gemini-2.5-flash")

The project and location come from the settings or ``GOOGLE_CLOUD_PROJECT`` /
``GOOGLE_CLOUD_LOCATION`` (location default ``us-central1``). Credentials are Google Cloud
application default credentials through the optional ``google-auth`` extra (``pip install
'reverie[vertex]'``), or given as ``credentials=``; ``skip_auth=True`` sends none (replay,
or a proxy that adds them). Vertex refuses function-call ids, so none are sent.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Unpack
from urllib.parse import quote

import httpx2

from reverie.errors import ConfigurationError
from reverie.providers.catalog import VERTEX
from reverie.providers.google.ids import ToolCallIds, make_id_generator
from reverie.providers.google.model import GeminiModel
from reverie.providers.provider import HttpProvider, HttpSettings
from reverie.providers.secret import Secret

if TYPE_CHECKING:
    from reverie.providers.anthropic import AnthropicModel
    from reverie.providers.embedding.google_wire import VertexEmbeddingModel

DEFAULT_LOCATION = "us-central1"
ANTHROPIC_ON_VERTEX = "vertex-2023-10-16"

# Google Cloud region names (us-central1, europe-west4, northamerica-northeast1), the global
# endpoint, and the multi-region ones (us, eu). The location becomes part of the host the
# OAuth token is sent to, so nothing else may reach the URL.
_REGION = re.compile(r"[a-z]+-[a-z]+[0-9]{1,2}")
MULTI_REGIONS = ("us", "eu")
# A project id (lowercase letters, digits and hyphens), optionally domain-scoped
# (example.com:my-project). It goes in the path only, but nothing in it ('/', '?', '#', '%')
# may change where the request goes.
_PROJECT = re.compile(r"(?:[a-z0-9][a-z0-9.-]*:)?[a-z0-9][a-z0-9-]*")


def vertex_location(explicit: str | None) -> str:
    """The location: given, else ``GOOGLE_CLOUD_LOCATION``, else us-central1; refused unless
    it is a region, ``global`` or a multi-region (``us``, ``eu``)."""
    location = explicit or os.environ.get("GOOGLE_CLOUD_LOCATION") or DEFAULT_LOCATION
    if not isinstance(location, str) or not (
        location == "global" or location in MULTI_REGIONS or _REGION.fullmatch(location)
    ):
        raise ConfigurationError(
            f"{VERTEX.name}: location must be a Google Cloud region such as us-central1, "
            "'global', 'us' or 'eu' (from location= or GOOGLE_CLOUD_LOCATION)"
        )
    return location


class Vertex(HttpProvider):
    """Vertex AI. ``tool_call_ids`` names calls that arrive without an id, as for
    :class:`~reverie.providers.google.Google` (default ``"sequential"``)."""

    spec = VERTEX

    def __init__(
        self,
        *,
        project: str | None = None,
        location: str | None = None,
        credentials: Any = None,
        skip_auth: bool = False,
        base_url: str | None = None,
        tool_call_ids: ToolCallIds | None = None,
        **http: Unpack[HttpSettings],
    ) -> None:
        spec = self.spec
        project = project or os.environ.get("GOOGLE_CLOUD_PROJECT")
        if not project:
            raise ConfigurationError(
                f"{spec.name}: no Google Cloud project: set GOOGLE_CLOUD_PROJECT or pass project="
            )
        if not isinstance(project, str) or _PROJECT.fullmatch(project) is None:
            raise ConfigurationError(
                f"{spec.name}: project must be a Google Cloud project id (lowercase letters, "
                "digits and hyphens)"
            )
        self.project = project
        self.location = vertex_location(location)
        self._credentials = credentials
        self._skip_auth = skip_auth
        self._ids = make_id_generator(tool_call_ids, spec.name)
        super().__init__(base_url=base_url, **http)

    def _resolve_root(self, root: str) -> str:
        """The API host: ``https://{location}-aiplatform.googleapis.com``, the global one, or
        a multi-region one (``https://aiplatform.us.rep.googleapis.com``)."""
        location = self.location
        if "{location}-" in root and location == "global":
            root = root.replace("{location}-", "")
        elif "//{location}-aiplatform." in root and location in MULTI_REGIONS:
            root = root.replace("//{location}-aiplatform.", f"//aiplatform.{location}.rep.")
        return root.replace("{location}", location)

    def _authentication(self, api_key: Secret | None) -> httpx2.Auth | None:
        """Google Cloud credentials (application default ones unless given); none with
        ``skip_auth``."""
        if self._skip_auth:
            return None
        from reverie.http.google_auth import GoogleAuth

        return GoogleAuth(self._credentials, provider=self.spec.name)

    def model(self, model_id: str) -> GeminiModel | AnthropicModel:
        if model_id.startswith("claude"):
            return self._claude(model_id)
        root = (
            f"{self.base_url}/v1beta1/projects/{self.project}/locations/{self.location}"
            f"/publishers/google/models/{_segment(model_id)}"
        )
        return GeminiModel(
            model_id,
            provider=self.spec.name,
            http=self.http,
            generate_url=f"{root}:generateContent",
            stream_url=f"{root}:streamGenerateContent?alt=sse",
            ids=self._ids,
            send_ids=False,  # Vertex rejects "id" in functionCall/functionResponse
            namespace=self.spec.options_namespace,
        )

    def embedding_model(self, model_id: str) -> VertexEmbeddingModel:
        """An embedding model through ``predict``: 250 texts a request, one for the Gemini
        embedding models."""
        from reverie.providers.embedding.google_wire import VERTEX_MAX_BATCH, VertexEmbeddingModel

        url = (
            f"{self.base_url}/v1/projects/{self.project}/locations/{self.location}"
            f"/publishers/google/models/{_segment(model_id)}:predict"
        )
        one = model_id.startswith("gemini-embedding")
        return VertexEmbeddingModel(
            model_id,
            provider=self.spec.name,
            http=self.http,
            url=url,
            namespace=self.spec.name,
            max_batch=1 if one else VERTEX_MAX_BATCH,
        )

    def _claude(self, model_id: str) -> AnthropicModel:
        """Claude on Vertex: the Anthropic family over ``rawPredict``; the model is named in
        the URL (``@`` unescaped, as Vertex takes it), not in the body."""
        from reverie.providers.anthropic import AnthropicModel, Transport

        root = (
            f"{self.base_url}/v1/projects/{self.project}/locations/{self.location}"
            f"/publishers/anthropic/models/{_segment(model_id)}"
        )
        return AnthropicModel(
            model_id,
            provider=self.spec.name,
            namespace="anthropic",
            http=self.http,
            transport=Transport(
                generate_url=f"{root}:rawPredict",
                stream_url=f"{root}:streamRawPredict",
                body={"anthropic_version": ANTHROPIC_ON_VERTEX},
                model_in_body=False,
                betas="body",
            ),
        )


def _segment(model_id: str) -> str:
    """The model id as one path segment: '@' (Claude's versions) kept, as Vertex takes it;
    '/', '?', '#' and the like escaped, so an id cannot change where the request goes."""
    return quote(model_id, safe="@.-_")
