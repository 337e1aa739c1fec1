"""The OpenAI Responses API (``/v1/responses``): one model class, one file per job."""

from reverie.providers.openai_responses.model import ResponsesModel
from reverie.providers.openai_responses.options import ResponsesOptions

__all__ = ["ResponsesModel", "ResponsesOptions"]
