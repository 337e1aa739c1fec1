"""Azure OpenAI (``azure:``): chat completions or the Responses API on an Azure resource.

The resource is given as its name (``my-resource``), its URL
(``https://my-resource.openai.azure.com``) or the full v1 API root; all become
``https://<resource>.openai.azure.com/openai/v1``. The key travels in the ``api-key`` header.
The v1 API takes no ``api-version``; pass ``api_version=`` only for a deployment that still
needs one, and it is added to every request URL. Options are read from the ``openai``
namespace, as for OpenAI itself.
"""

from __future__ import annotations

from typing import Any, Unpack
from urllib.parse import urlencode

from reverie.errors import ConfigurationError
from reverie.providers.catalog import AZURE
from reverie.providers.openai import Api, OpenAI
from reverie.providers.openai_chat.model import ChatModel
from reverie.providers.provider import HttpSettings

_V1 = "/openai/v1"


def normalize_base_url(value: str) -> str:
    """A resource name or URL → ``https://<resource>.openai.azure.com/openai/v1``."""
    value = value.strip().rstrip("/")
    if not value:
        raise ConfigurationError("azure: the resource name or base URL is empty")
    if "://" not in value:
        if "." in value or "/" in value:
            raise ConfigurationError(
                f"azure: {value!r} is neither a resource name nor an https:// URL"
            )
        return f"https://{value}.openai.azure.com{_V1}"
    if value.endswith(_V1):
        return value
    if value.endswith("/openai"):
        return value + "/v1"
    return value + _V1


class Azure(OpenAI):
    """Azure OpenAI. The key comes from ``AZURE_OPENAI_API_KEY`` (or ``AZURE_API_KEY``), the
    resource from ``base_url``/``resource_name`` or ``AZURE_BASE_URL``.

    >>> model = Azure(resource_name="my-resource").model("gpt-5-mini")   # a deployment name
    >>> responses = Azure(base_url="https://my-resource.openai.azure.com", api="responses")
    """

    spec = AZURE

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        resource_name: str | None = None,
        api_version: str | None = None,
        api: Api = "chat",
        **http: Unpack[HttpSettings],
    ) -> None:
        if base_url and resource_name:
            raise ConfigurationError("azure: give base_url or resource_name, not both")
        root = normalize_base_url(self.spec.root(base_url or resource_name))
        super().__init__(api_key=api_key, base_url=root, api=api, **http)
        self._query = "?" + urlencode({"api-version": api_version}) if api_version else ""

    def endpoint(self, path: str) -> str:
        return self.base_url + path + self._query

    def model(self, model_id: str) -> Any:
        if self.api == "responses":
            return super().model(model_id)
        return ChatModel(
            model_id,
            provider=self.spec.name,
            namespace=self.spec.options_namespace,
            dialect=self.dialect(),
            http=self.http,
            url=self.endpoint("/chat/completions"),
        )
