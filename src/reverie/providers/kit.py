"""The provider kit: what someone writing a provider (or a model of their own) needs, and
nobody else. Application code needs none of it: ``reverie`` itself exports what an agent's
user annotates with.

A new chat-completions gateway is a :class:`ProviderSpec` and a class; a new wire family an
:class:`HttpModel` whose ``generate``/``stream`` turn a :class:`Call` into a request and the
answer into a ``Response`` or stream parts (framed by :class:`Framer`):

>>> from reverie.providers.kit import ProviderSpec, register
>>> from reverie.providers.openai_chat import ChatProvider
>>> ACME = ProviderSpec(name="acme", target="mypkg:Acme", family="openai-chat",
...                     description="the Acme gateway", key_env=("ACME_API_KEY",),
...                     base_url="https://api.acme.test/v1", hosts=("acme.test",))
>>> class Acme(ChatProvider):
...     spec = ACME
>>> register(ACME)
"""

from __future__ import annotations

from reverie.framer import Framer
from reverie.http.client import HttpClient
from reverie.model import Call, FunctionTool, ObjectMode, ResponseFormat
from reverie.providers.provider import HttpModel, HttpProvider, HttpSettings, Provider
from reverie.providers.registry import PROVIDERS, identify, register
from reverie.providers.secret import Secret, conceal
from reverie.providers.spec import ProviderSpec

__all__ = [
    "PROVIDERS",
    "Call",
    "Framer",
    "FunctionTool",
    "HttpClient",
    "HttpModel",
    "HttpProvider",
    "HttpSettings",
    "ObjectMode",
    "Provider",
    "ProviderSpec",
    "ResponseFormat",
    "Secret",
    "conceal",
    "identify",
    "register",
]
