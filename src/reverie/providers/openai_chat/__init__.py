"""OpenAI chat completions, written once and specialised per provider by a ChatDialect."""

from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.model import ChatModel, ChatProvider

__all__ = ["ChatDialect", "ChatModel", "ChatProvider"]
