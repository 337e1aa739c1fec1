"""Azure OpenAI (``azure:``): chat completions or the Responses API on an Azure resource.

The resource is given as its name (``my-resource``), its URL
(``https://my-resource.openai.azure.com``) or the full v1 API root; all become
``https://<resource>.openai.azure.com/openai/v1``. The key travels in the ``api-key`` header.
The v1 API takes no ``api-version``; pass ``api_version=`` only for a deployment that still
needs one, and it is added to every request URL. Options are read from the ``openai``
namespace, as for OpenAI itself.
"""

from __future__ import annotations

import re
from typing import Unpack
from urllib.parse import urlencode

from reverie.errors import ConfigurationError
from reverie.providers.catalog import AZURE
from reverie.providers.openai import Api, OpenAI
from reverie.providers.provider import HttpSettings
from reverie.providers.secret import Secret, conceal

_V1 = "/openai/v1"

# An Azure AI resource's custom subdomain: letters, digits and hyphens, 2 to 64 of them,
# starting and ending with a letter or digit. It becomes the host the key is sent to, so
# nothing else (a dot, a slash, an '@', a '#') may reach the URL.
_RESOURCE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])")


def normalize_base_url(value: str) -> str:
    """A resource name or URL → ``https://<resource>.openai.azure.com/openai/v1``."""
    value = value.strip().rstrip("/")
    if not value:
        raise ConfigurationError("azure: the resource name or base URL is empty")
    if "://" not in value:
        if _RESOURCE_NAME.fullmatch(value) is None:
            raise ConfigurationError(
                "azure: the resource name is neither a resource name (letters, digits and "
                "hyphens) nor an https:// URL"
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
        api_key: str | Secret | None = None,
        base_url: str | None = None,
        resource_name: str | None = None,
        api_version: str | None = None,
        api: Api | None = None,
        **http: Unpack[HttpSettings],
    ) -> None:
        api_key = conceal(api_key)  # first: no frame of ours holds the key bare
        if base_url and resource_name:
            raise ConfigurationError("azure: give base_url or resource_name, not both")
        self._query = "?" + urlencode({"api-version": api_version}) if api_version else ""
        super().__init__(api_key=api_key, base_url=base_url or resource_name, api=api, **http)

    def _resolve_root(self, root: str) -> str:
        return normalize_base_url(root)

    def endpoint(self, path: str) -> str:
        return self.base_url + path + self._query
