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
from typing import TYPE_CHECKING, Any, Unpack

import httpx

from reverie.errors import ConfigurationError
from reverie.providers.catalog import VERTEX
from reverie.providers.google.ids import ToolCallIds, make_id_generator
from reverie.providers.google.model import GeminiModel
from reverie.providers.provider import HttpProvider, HttpSettings, make_http

if TYPE_CHECKING:
    from reverie.providers.anthropic import AnthropicModel

DEFAULT_LOCATION = "us-central1"
ANTHROPIC_ON_VERTEX = "vertex-2023-10-16"


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
        location = location or os.environ.get("GOOGLE_CLOUD_LOCATION") or DEFAULT_LOCATION
        auth: httpx.Auth | None = None
        if not skip_auth:
            from reverie.http.google_auth import GoogleAuth

            auth = GoogleAuth(credentials, provider=spec.name)
        super().__init__(make_http(spec, api_key=None, auth=auth, **http))
        self.project = project
        self.location = location
        self.base_url = _host(spec.root(base_url), location)
        self._ids = make_id_generator(tool_call_ids, spec.name)

    def model(self, model_id: str) -> GeminiModel | AnthropicModel:
        if model_id.startswith("claude"):
            return self._claude(model_id)
        root = (
            f"{self.base_url}/v1beta1/projects/{self.project}/locations/{self.location}"
            f"/publishers/google/models/{model_id}"
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

    def _claude(self, model_id: str) -> AnthropicModel:
        """Claude on Vertex: the Anthropic family over ``rawPredict``; the model is named in
        the URL (``@`` unescaped, as Vertex takes it), not in the body."""
        from reverie.providers.anthropic import AnthropicModel, Transport

        root = (
            f"{self.base_url}/v1/projects/{self.project}/locations/{self.location}"
            f"/publishers/anthropic/models/{model_id}"
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


def _host(root: str, location: str) -> str:
    """The API host: ``https://{location}-aiplatform.googleapis.com``, or the global one."""
    if location == "global" and "{location}-" in root:
        root = root.replace("{location}-", "")
    return root.replace("{location}", location).rstrip("/")
