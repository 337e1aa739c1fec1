"""``generate_object`` and ``stream_object``: one model call that answers with a validated
object, whole or as it forms."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Coroutine, Iterator, Mapping, Sequence
from contextlib import aclosing
from typing import Any, Generic, TypedDict, TypeVar, Unpack, overload

from reverie.content import Content, ToolCall
from reverie.fallback_model import generate_checked
from reverie.finish_reason import FinishReason
from reverie.messages import Message, Metadata
from reverie.model import (
    Call,
    ErrorPart,
    Finish,
    LanguageModel,
    ObjectMode,
    Response,
    Settings,
    TextDelta,
    ToolInputDelta,
    ToolInputStart,
    stream_parts,
)
from reverie.structured.call import Request, build_call, default_mode
from reverie.structured.parse import RepairText, read_object
from reverie.structured.partial import PartialJson
from reverie.structured.result import (
    ObjectFinish,
    ObjectPart,
    ObjectResult,
    ObjectTextDelta,
    PartialObject,
)
from reverie.structured.schema import ObjectSchema, object_schema

T = TypeVar("T")
Schema = Mapping[str, Any]


class ObjectOptions(TypedDict, total=False):
    """The keywords of :func:`generate_object` and its twins besides model and schema."""

    prompt: str | None
    messages: Sequence[Message]
    system: str | None
    mode: ObjectMode | None
    name: str | None
    description: str | None
    settings: Settings | None
    provider_options: Metadata | None
    headers: dict[str, str] | None
    repair: RepairText | None


Model = str | LanguageModel


@overload
async def generate_object(model: Model, schema: type[T], **options: Unpack[ObjectOptions]) -> T: ...
@overload
async def generate_object(
    model: Model, schema: Schema, **options: Unpack[ObjectOptions]
) -> dict[str, Any]: ...
async def generate_object(model: str | LanguageModel, schema: Any, **options: Any) -> Any:
    """Ask ``model`` for an object of ``schema`` and return it, validated.

    ``schema`` is a pydantic model (or any type pydantic validates whose schema is an
    object), or a plain JSON schema (the object is then a dict checked against it).
    ``mode`` overrides the model's default: ``"json_schema"``, ``"tool"`` or ``"text"``.
    ``name`` and ``description`` default to the class name and docstring (the schema's
    ``title`` and ``description``). ``repair(text, error)`` is called once if the answer
    does not parse or validate and may return a corrected text. Raises
    :class:`~reverie.errors.NoObjectGenerated` when no valid object came back.

    >>> book = await reverie.generate_object("openai:gpt-4o", Book, prompt="...")
    """
    result = await generate_object_result(model, schema, **options)
    return result.object


@overload
async def generate_object_result(
    model: Model, schema: type[T], **options: Unpack[ObjectOptions]
) -> ObjectResult[T]: ...
@overload
async def generate_object_result(
    model: Model, schema: Schema, **options: Unpack[ObjectOptions]
) -> ObjectResult[dict[str, Any]]: ...
async def generate_object_result(
    model: str | LanguageModel,
    schema: type[T] | Schema,
    *,
    prompt: str | None = None,
    messages: Sequence[Message] = (),
    system: str | None = None,
    mode: ObjectMode | None = None,
    name: str | None = None,
    description: str | None = None,
    settings: Settings | None = None,
    provider_options: Metadata | None = None,
    headers: dict[str, str] | None = None,
    repair: RepairText | None = None,
) -> ObjectResult[Any]:
    """:func:`generate_object`, returning the whole :class:`ObjectResult` (the object, the
    raw text, usage, finish reason, warnings)."""
    llm = _resolve(model)
    target = object_schema(schema, name, description)
    chosen = mode or default_mode(llm)
    request = Request(
        prompt=prompt,
        messages=messages,
        system=system,
        settings=settings,
        provider_options=provider_options,
        headers=headers,
    )

    async def read(response: Response) -> tuple[Any, str, FinishReason]:
        text, from_tool = _answer(response.content, chosen, target.name)
        finish = _finish_reason(response.finish_reason, from_tool)
        value, text = await read_object(
            text, target, repair=repair, usage=response.usage, finish_reason=finish
        )
        return value, text, finish

    # A fallback model asks its next model when the object is not there and its on= says so.
    call = build_call(request, target, chosen)
    response, (value, text, finish) = await generate_checked(llm, call, read)
    return ObjectResult(
        object=value,
        text=text,
        usage=response.usage,
        finish_reason=finish,
        warnings=list(response.warnings),
        provider_metadata=response.provider_metadata,
        model_id=response.model_id,
    )


@overload
def stream_object(
    model: Model, schema: type[T], **options: Unpack[ObjectOptions]
) -> ObjectStream[T]: ...
@overload
def stream_object(
    model: Model, schema: Schema, **options: Unpack[ObjectOptions]
) -> ObjectStream[dict[str, Any]]: ...
def stream_object(
    model: str | LanguageModel,
    schema: type[T] | Schema,
    *,
    prompt: str | None = None,
    messages: Sequence[Message] = (),
    system: str | None = None,
    mode: ObjectMode | None = None,
    name: str | None = None,
    description: str | None = None,
    settings: Settings | None = None,
    provider_options: Metadata | None = None,
    headers: dict[str, str] | None = None,
    repair: RepairText | None = None,
) -> ObjectStream[Any]:
    """Stream an object as it forms: ``async for part in stream_object(...)`` gives
    :class:`PartialObject` parts (each one parses and differs from the last), the
    :class:`ObjectTextDelta` pieces of the raw JSON, and last an :class:`ObjectFinish` with
    the validated object, usage and finish reason. Options as for :func:`generate_object`.

    >>> async for partial in reverie.stream_object(model, Book, prompt="...").partial_objects():
    ...     print(partial)
    """
    llm = _resolve(model)
    target = object_schema(schema, name, description)
    chosen = mode or default_mode(llm)
    request = Request(
        prompt=prompt,
        messages=messages,
        system=system,
        settings=settings,
        provider_options=provider_options,
        headers=headers,
    )
    call = build_call(request, target, chosen)
    return ObjectStream(_stream_parts(llm, call, target, chosen, repair))


class ObjectStream(Generic[T]):
    """The parts of a streamed object; ``result`` is set once the last part has been read.
    Leaving the ``async for`` early (or ``aclose``) closes the model's HTTP stream."""

    def __init__(self, parts: AsyncGenerator[ObjectPart, None]) -> None:
        self._parts = parts
        self._result: ObjectResult[T] | None = None

    def __aiter__(self) -> ObjectStream[T]:
        return self

    async def __anext__(self) -> ObjectPart:
        part = await self._parts.__anext__()
        if isinstance(part, ObjectFinish):
            self._result = part.result
        return part

    async def partial_objects(self) -> AsyncIterator[Any]:
        """Only the partial objects; ``result`` holds the final one afterwards."""
        async for part in self:
            if isinstance(part, PartialObject):
                yield part.object

    async def aclose(self) -> None:
        await self._parts.aclose()

    async def __aenter__(self) -> ObjectStream[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def result(self) -> ObjectResult[T]:
        if self._result is None:
            raise RuntimeError("the stream has not finished: read all its parts first")
        return self._result

    async def collect(self) -> ObjectResult[T]:
        """Read the remaining parts and return the result."""
        async for _ in self:
            pass
        return self.result


@overload
def generate_object_sync(model: Model, schema: type[T], **options: Unpack[ObjectOptions]) -> T: ...
@overload
def generate_object_sync(
    model: Model, schema: Schema, **options: Unpack[ObjectOptions]
) -> dict[str, Any]: ...
def generate_object_sync(model: str | LanguageModel, schema: Any, **options: Any) -> Any:
    """:func:`generate_object` for scripts, on the thread's event loop (as
    ``Agent.run_sync``); not for use inside a running loop."""
    llm = _resolve(model)
    return _run_sync(generate_object(llm, schema, **options), "generate_object_sync", llm)


@overload
def generate_object_result_sync(
    model: Model, schema: type[T], **options: Unpack[ObjectOptions]
) -> ObjectResult[T]: ...
@overload
def generate_object_result_sync(
    model: Model, schema: Schema, **options: Unpack[ObjectOptions]
) -> ObjectResult[dict[str, Any]]: ...
def generate_object_result_sync(
    model: str | LanguageModel, schema: Any, **options: Any
) -> ObjectResult[Any]:
    """:func:`generate_object_result` for scripts."""
    llm = _resolve(model)
    coro = generate_object_result(llm, schema, **options)
    return _run_sync(coro, "generate_object_result_sync", llm)


def stream_object_sync(
    model: str | LanguageModel, schema: Any, **options: Any
) -> Iterator[ObjectPart]:
    """:func:`stream_object` for scripts: ``for part in stream_object_sync(...)``; the last
    part is an :class:`ObjectFinish`. Leaving the loop early closes the stream."""
    llm = _resolve(model)
    stream = stream_object(llm, schema, **options)
    from reverie.sync import iterate_sync

    return iterate_sync(
        stream._parts, llm, "stream_object_sync", "async for part in reverie.stream_object(...)"
    )


async def _stream_parts(
    model: LanguageModel,
    call: Call,
    target: ObjectSchema[Any],
    mode: ObjectMode,
    repair: RepairText | None,
) -> AsyncGenerator[ObjectPart, None]:
    parser = PartialJson()
    chunks: list[str] = []
    prose: list[str] = []  # tool mode: text the model wrote instead of calling the tool
    tool_id: str | None = None
    tool_input: str | None = None
    finish: Finish | None = None
    async with aclosing(stream_parts(model, call)) as parts:
        async for part in parts:
            if isinstance(part, ErrorPart):
                raise part.error
            if isinstance(part, Finish):
                finish = part
                continue
            delta = ""
            if mode != "tool":
                if isinstance(part, TextDelta):
                    delta = part.delta
            elif isinstance(part, ToolInputStart):
                if tool_id is None and part.tool_name == target.name:
                    tool_id = part.id
            elif isinstance(part, ToolInputDelta):
                if part.id == tool_id:
                    delta = part.delta
            elif isinstance(part, ToolCall):
                ours = part.tool_name == target.name and tool_id in (None, part.tool_call_id)
                if ours and tool_input is None:
                    tool_input = part.input
                    if not chunks:  # the input came whole, without deltas
                        delta = part.input
            elif isinstance(part, TextDelta):
                prose.append(part.delta)
            if not delta:
                continue
            chunks.append(delta)
            yield ObjectTextDelta(delta)
            parser.feed(delta)
            if parser.changed:
                yield PartialObject(parser.snapshot())

    if finish is None:
        finish = Finish(finish_reason=FinishReason.UNKNOWN)
    if mode == "tool":
        from_tool = tool_input is not None or bool(chunks)
        text = tool_input if tool_input is not None else "".join(chunks or prose)
    else:
        from_tool, text = False, "".join(chunks)
    reason = _finish_reason(finish.finish_reason, from_tool)
    value, text = await read_object(
        text, target, repair=repair, usage=finish.usage, finish_reason=reason
    )
    yield ObjectFinish(
        ObjectResult(
            object=value,
            text=text,
            usage=finish.usage,
            finish_reason=reason,
            warnings=list(finish.warnings),
            provider_metadata=finish.provider_metadata,
            model_id=finish.model_id,
        )
    )


def _answer(content: Sequence[Content], mode: ObjectMode, name: str) -> tuple[str, bool]:
    """The object's text, and whether it came from the forced tool."""
    if mode == "tool":
        for item in content:
            if isinstance(item, ToolCall) and item.tool_name == name:
                return item.input, True
    from reverie.content import text_of

    return text_of(list(content)), False


def _finish_reason(reason: FinishReason, from_tool: bool) -> FinishReason:
    # The forced tool call is the answer, not a request to run a tool.
    if from_tool and reason == FinishReason.TOOL_CALLS:
        return FinishReason.STOP
    return reason


def _run_sync(coro: Coroutine[Any, Any, T], name: str, model: LanguageModel) -> T:
    from reverie.sync import run_sync

    return run_sync(coro, model, name, f"await reverie.{name.removesuffix('_sync')}(...)")


def _resolve(model: str | LanguageModel) -> LanguageModel:
    if isinstance(model, str):
        from reverie.providers.registry import resolve_model

        return resolve_model(model)
    return model
