"""Any OpenAI-compatible chat endpoint (``openai-compat:``): vLLM, llama.cpp server, Ollama,
Groq, DeepSeek, Together…

Reasoning arrives in ``reasoning_content`` (DeepSeek, vLLM) or ``reasoning`` and is replayed
as ``reasoning_content``. ``extra_body`` in the ``openai-compat`` options is merged into the
request as it is, for server-specific fields. A cache marker on a message, part or tool
(``{"anthropic": {"cache_control": {"type": "ephemeral"}}}``, or the same under
``openai-compat``) is sent as ``cache_control``, for servers that proxy Anthropic models.
``assistant_tool_call_content`` is for servers whose chat template reads ``content`` on every
assistant message (llama-cpp-python's server answers HTTP 500 without it): ``"empty"`` sends
``""`` on an assistant message that has tool calls and no text, ``"null"`` sends ``null``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Unpack

from reverie.content import Reasoning
from reverie.errors import ConfigurationError
from reverie.messages import Metadata, ReasoningPart
from reverie.model import Call
from reverie.providers.catalog import OPENAI_COMPAT
from reverie.providers.openai_chat import ChatDialect, ChatModel, ChatProvider
from reverie.providers.openai_chat.dialect import (
    ReasoningStream,
    TextReasoningStream,
    cache_control_fields,
    copy_known_options,
)
from reverie.providers.openai_chat.model import chat_model
from reverie.providers.openai_chat.options import OpenAICompatOptions, option_fields
from reverie.providers.openai_models import is_reasoning_model
from reverie.providers.portable import ANY_ID
from reverie.providers.provider import HttpSettings
from reverie.providers.secret import Secret, conceal
from reverie.warning import CallWarning

__all__ = ["CompatDialect", "OpenAICompatOptions", "OpenAICompatible"]

_REASONING_FIELDS = ("reasoning_content", "reasoning")
_OPTION_FIELDS = option_fields(OpenAICompatOptions)


class CompatDialect(ChatDialect):
    tool_ids = ANY_ID  # each server has its own; its ids go back as they came
    tool_names = ANY_ID  # and its own tool names
    plain_reasoning = True

    def uses_max_completion_tokens(self, model_id: str) -> bool:
        return model_id.startswith("openai/gpt-") or is_reasoning_model(model_id)

    def rejects_sampling(self, model_id: str) -> bool:
        return False  # the server decides; many compatible servers accept everything

    def apply_options(
        self, body: dict[str, Any], options: dict[str, Any], call: Call, namespace: str
    ) -> list[CallWarning]:
        extra = options.pop("extra_body", None)
        warnings = copy_known_options(body, options, _OPTION_FIELDS, namespace)
        if isinstance(extra, dict):
            body.update(extra)
        return warnings

    def reasoning_from_message(self, message: dict[str, Any]) -> list[Reasoning]:
        for name in _REASONING_FIELDS:
            text = message.get(name)
            if isinstance(text, str) and text:
                return [Reasoning(text=text)]
        return []

    def reasoning_stream(self) -> ReasoningStream:
        return TextReasoningStream(_REASONING_FIELDS)

    def assistant_reasoning(self, parts: Sequence[ReasoningPart]) -> dict[str, Any]:
        text = "".join(p.text for p in parts)
        return {"reasoning_content": text} if text else {}

    def extra_fields(self, options: Metadata, namespace: str) -> dict[str, Any]:
        return cache_control_fields(options, namespace)


class OpenAICompatible(ChatProvider):
    """A chat-completions server at ``base_url`` (or ``OPENAI_COMPAT_BASE_URL``); ``api_key``
    (or ``OPENAI_COMPAT_API_KEY``) is optional, for local servers.

    >>> model = OpenAICompatible(base_url="http://localhost:8080/v1").model("qwen3")

    ``assistant_tool_call_content``: see the module's docstring.
    """

    spec = OPENAI_COMPAT

    def __init__(
        self,
        *,
        api_key: str | Secret | None = None,
        base_url: str | None = None,
        assistant_tool_call_content: Literal["omit", "null", "empty"] = "omit",
        **http: Unpack[HttpSettings],
    ) -> None:
        api_key = conceal(api_key)  # first: no frame of ours holds the key bare
        if assistant_tool_call_content not in ("omit", "null", "empty"):
            raise ConfigurationError(
                "openai-compat: assistant_tool_call_content must be 'omit', 'null' or "
                f"'empty', not {assistant_tool_call_content!r}"
            )
        super().__init__(api_key=api_key, base_url=base_url, **http)
        self._tool_call_content: Literal["omit", "null", "empty"] = assistant_tool_call_content

    def model(self, model_id: str) -> ChatModel:
        dialect = CompatDialect()
        dialect.assistant_tool_call_content = self._tool_call_content
        url = self.base_url + "/chat/completions"
        return chat_model(self.spec, self.http, url, model_id, dialect=dialect)
