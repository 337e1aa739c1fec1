"""What OpenAI's model names tell us, shared by the chat and Responses families."""

from __future__ import annotations


def is_reasoning_model(model_id: str) -> bool:
    """gpt-5 (not gpt-5-chat) and the o-series: they take ``max_completion_tokens``, refuse
    sampling settings and get a ``developer`` system message on the Responses API. A gateway
    prefix (``openai/gpt-5``) is ignored."""
    name = model_id.rsplit("/", 1)[-1]
    if name.startswith("gpt-5"):
        return not name.startswith("gpt-5-chat")
    return name.startswith(("o1", "o3", "o4"))
