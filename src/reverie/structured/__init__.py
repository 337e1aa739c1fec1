"""Structured output: typed objects from one model call, whole or streamed as they form.

>>> book = await reverie.generate_object("openai:gpt-4o", Book, prompt="...")
>>> async for partial in reverie.stream_object(model, Book, prompt="...").partial_objects():
...     print(partial)
"""

from reverie.errors import NoObjectGenerated
from reverie.structured.generate import (
    ObjectStream,
    generate_object,
    generate_object_result,
    generate_object_result_sync,
    generate_object_sync,
    stream_object,
    stream_object_sync,
)
from reverie.structured.parse import RepairText
from reverie.structured.result import (
    ObjectFinish,
    ObjectPart,
    ObjectResult,
    ObjectTextDelta,
    PartialObject,
)
from reverie.structured.validate import SchemaError, validate_json

__all__ = [
    "NoObjectGenerated",
    "ObjectFinish",
    "ObjectPart",
    "ObjectResult",
    "ObjectStream",
    "ObjectTextDelta",
    "PartialObject",
    "RepairText",
    "SchemaError",
    "generate_object",
    "generate_object_result",
    "generate_object_result_sync",
    "generate_object_sync",
    "stream_object",
    "stream_object_sync",
    "validate_json",
]
