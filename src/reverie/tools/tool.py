"""Tools: typed functions the model may call.

A tool can be made from a plain typed function (sync or async), from a pydantic model, or
from a raw JSON schema (for MCP-style tools). Its input is validated before the function
runs; a failure becomes an error result for the model, never an exception in the loop.
"""

from __future__ import annotations

import inspect
import json
import math
import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, get_args, get_origin, get_type_hints, overload

from reverie.errors import ConfigurationError, ToolError, ToolInputError
from reverie.messages import ErrorOutput, MediaOutput, TextOutput, ToolOutput
from reverie.model import FunctionTool, ProviderTool


@dataclass(frozen=True, slots=True)
class ToolOrigin:
    """A function's importable reference (``module`` and ``qualname``) and the options
    :func:`tool` was given, from which :func:`function_tool` makes the same tool again."""

    module: str
    qualname: str
    options: tuple[tuple[str, Any], ...] = ()


def origin_of(fn: Callable[..., Any], options: dict[str, Any]) -> ToolOrigin | None:
    """``fn``'s importable reference, or ``None`` when no other process could import it."""
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    if module == "__main__" or "<" in qualname:  # a script, a lambda or a nested function
        return None
    return ToolOrigin(module, qualname, tuple(sorted(options.items())))


@dataclass(frozen=True, slots=True)
class ToolReturn:
    """A tool result with application metadata that is kept out of the prompt."""

    output: ToolOutput | str
    metadata: dict[str, Any] = field(default_factory=dict)


class CancelEvent:
    """``threading.Event``'s ``is_set``/``wait``/``set``, made cheaply: most tool calls never
    wait on it, so the real event (a lock and a condition) is built only by ``wait``."""

    __slots__ = ("_event", "_is_set", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._is_set = False
        self._event: threading.Event | None = None

    def is_set(self) -> bool:
        return self._is_set

    def set(self) -> None:
        with self._lock:
            self._is_set = True
            event = self._event
        if event is not None:
            event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until set (or ``timeout`` seconds); true if it was set."""
        with self._lock:
            if self._is_set:
                return True
            if self._event is None:
                self._event = threading.Event()
            event = self._event
        return event.wait(timeout)


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolRunContext:
    """Given to a tool function that declares a parameter of this type."""

    tool_call_id: str
    tool_name: str
    cancelled: CancelEvent = field(default_factory=CancelEvent, compare=False, repr=False)
    """Set when the run stops waiting for this call: its timeout passed or the run was
    cancelled. An async tool is cancelled outright; a sync tool runs in a worker thread that
    Python cannot stop, so a long one should check this and return."""


def media(data: bytes, media_type: str | None = None, text: str | None = None) -> MediaOutput:
    """An image or other binary tool result; without ``media_type`` it is read from the
    data's first bytes (PNG, JPEG, GIF, WebP, PDF, else ``application/octet-stream``)."""
    import base64

    return MediaOutput(
        data=base64.b64encode(data).decode("ascii"),
        media_type=media_type or sniff_media_type(data),
        text=text,
    )


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def sniff_media_type(data: bytes) -> str:
    """The media type the data's magic bytes announce."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


Invoke = Callable[[Any, ToolRunContext], Awaitable[Any]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Tool:
    """A tool the agent can run. Build one with :func:`tool`, :meth:`from_model` or
    :meth:`from_schema`; ``parallel=True`` marks it safe to run concurrently; ``timeout``
    (seconds) overrides the agent's ``tool_timeout`` for this tool; ``needs_approval`` pauses
    the run before a call until someone approves it (see :class:`reverie.PendingCall`)."""

    name: str
    description: str
    input_schema: dict[str, Any]
    parse: Callable[[str], Any]
    invoke: Invoke
    parallel: bool = False
    strict: bool = False
    provider_tool: ProviderTool | None = None
    """Set on an executable provider tool: the provider defines it, our client runs it."""
    timeout: float | None = None
    needs_approval: bool | Callable[..., Any] = False
    """``True``: every call waits for a decision. A policy ``(call, context) -> bool | str |
    None`` (sync or async) decides each call: ``True`` runs it, ``False`` or a reason denies
    it, ``None`` asks (the run pauses with the call in ``result.pending``)."""
    origin: ToolOrigin | None = None
    """Where a tool made from a module-level function comes from, so another process can
    import and rebuild it (``reverie.batch`` on Ray, durable runs); ``None`` for a lambda, a
    nested function, a model or a schema tool."""

    def __post_init__(self) -> None:
        check_tool_name(self.name)
        if not isinstance(self.needs_approval, bool) and not callable(self.needs_approval):
            raise TypeError(
                f"tool {self.name}: needs_approval must be a bool or a policy function, "
                f"not {type(self.needs_approval).__name__}"
            )
        timeout = self.timeout
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, int | float):
                raise TypeError(
                    f"tool {self.name}: timeout must be seconds, not {type(timeout).__name__}"
                )
            if not (timeout > 0 and math.isfinite(timeout)):  # None: no limit
                raise ConfigurationError(
                    f"tool {self.name}: timeout must be more than 0 seconds, and finite"
                )

    @property
    def spec(self) -> FunctionTool | ProviderTool:
        """What the model is offered: a function schema, or the provider's own tool."""
        if self.provider_tool is not None:
            return self.provider_tool
        return FunctionTool(
            name=self.name,
            description=self.description,
            input_schema=self.input_schema,
            strict=self.strict,
        )

    def validate(self, input_json: str) -> Any:
        """Parse and validate the model's JSON input; raises ToolInputError. Empty input
        means no arguments (some providers send ``""`` for a call without any)."""
        try:
            return self.parse(input_json if input_json.strip() else "{}")
        except ToolInputError:
            raise
        except Exception as exc:  # pydantic.ValidationError, json.JSONDecodeError, …
            raise ToolInputError(_short_error(exc)) from exc

    async def run(self, args: Any, context: ToolRunContext) -> tuple[ToolOutput, dict[str, Any]]:
        """Run on validated ``args``; an exception becomes an error output."""
        try:
            value = await self.invoke(args, context)
        except ToolError as exc:
            return ErrorOutput(message=str(exc)), {}
        except Exception as exc:
            return ErrorOutput(message=f"{type(exc).__name__}: {exc}"), {}
        return to_output(value)

    @classmethod
    def from_model(
        cls,
        model: type[Any],
        function: Callable[[Any], Any],
        *,
        name: str | None = None,
        description: str | None = None,
        parallel: bool = False,
        timeout: float | None = None,
        needs_approval: bool | Callable[..., Any] = False,
        blocking: bool = True,
    ) -> Tool:
        """A tool whose input is a pydantic model; ``function`` receives the model instance.
        ``blocking`` as for :func:`tool`."""
        from reverie.tools.schema import model_schema

        tool_name = name or _snake(model.__name__)
        call = _as_async(function, blocking, timeout, tool_name)
        return cls(
            name=tool_name,
            # Not inspect.getdoc: it would inherit pydantic's own BaseModel docstring.
            description=description
            if description is not None
            else inspect.cleandoc(model.__doc__ or ""),
            input_schema=model_schema(model),
            parse=model.model_validate_json,
            invoke=lambda args, _ctx: call(args),
            parallel=parallel,
            timeout=timeout,
            needs_approval=needs_approval,
        )

    @classmethod
    def from_provider_tool(
        cls,
        provider_tool: ProviderTool,
        function: Callable[[dict[str, Any]], Any],
        *,
        parallel: bool = False,
        timeout: float | None = None,
        needs_approval: bool | Callable[..., Any] = False,
        blocking: bool = True,
    ) -> Tool:
        """An executable provider tool (computer use): the provider defines its schema and
        the model calls it, then ``function`` runs here on the parsed input dict, and what it
        returns (a screenshot as :func:`reverie.media`, text…) goes back to the model.
        ``blocking`` as for :func:`tool`."""
        tool = cls.from_schema(
            provider_tool.name,
            "",
            {},
            function,
            parallel=parallel,
            timeout=timeout,
            needs_approval=needs_approval,
            blocking=blocking,
        )
        return replace(tool, provider_tool=provider_tool)

    @classmethod
    def from_schema(
        cls,
        name: str,
        description: str,
        schema: dict[str, Any],
        function: Callable[[dict[str, Any]], Any],
        *,
        parallel: bool = False,
        timeout: float | None = None,
        needs_approval: bool | Callable[..., Any] = False,
        blocking: bool = True,
    ) -> Tool:
        """A tool described by a raw JSON schema; ``function`` receives the parsed dict.
        ``blocking`` as for :func:`tool`."""
        call = _as_async(function, blocking, timeout, name)

        def parse(text: str) -> dict[str, Any]:
            value = json.loads(text)  # validate gives "{}" for blank input
            if not isinstance(value, dict):
                raise ToolInputError("tool input must be a JSON object")
            return value

        return cls(
            name=name,
            description=description,
            input_schema=schema,
            parse=parse,
            invoke=lambda args, _ctx: call(args),
            parallel=parallel,
            timeout=timeout,
            needs_approval=needs_approval,
        )


TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
"""What every provider accepts as a function name."""


def check_tool_name(name: object) -> None:
    """Providers reject other names with an HTTP 400 at the first call: refuse them here."""
    if not isinstance(name, str):
        raise TypeError(f"a tool name must be a str, not {type(name).__name__}")
    if TOOL_NAME.fullmatch(name) is None:
        raise ConfigurationError(
            f"tool name {name[:80]!r} is not accepted by providers: use 1 to 64 letters, "
            "digits, '_' or '-' (name=... on @tool renames a function)"
        )


def to_output(value: Any) -> tuple[ToolOutput, dict[str, Any]]:
    """Turn what a tool function returned into a tool output plus metadata."""
    if isinstance(value, ToolReturn):
        output, _ = to_output(value.output)
        return output, dict(value.metadata)
    if isinstance(value, TextOutput | ErrorOutput | MediaOutput):
        return value, {}
    if isinstance(value, str):
        return TextOutput(text=value), {}
    if isinstance(value, bytes | bytearray | memoryview):
        # Not json.dumps(default=str): the model would get "b'\\x89PNG…'" as text.
        return media(bytes(value)), {}
    if hasattr(value, "model_dump_json"):
        return TextOutput(text=value.model_dump_json()), {}
    return TextOutput(text=json.dumps(value, ensure_ascii=False, default=str)), {}


@overload
def tool(function: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    parallel: bool = False,
    timeout: float | None = None,
    needs_approval: bool | Callable[..., Any] = False,
    blocking: bool = True,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    function: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    parallel: bool = False,
    timeout: float | None = None,
    needs_approval: bool | Callable[..., Any] = False,
    blocking: bool = True,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Make a tool from a typed function; usable as ``@tool`` or ``@tool(parallel=True)``.

    ``timeout=30`` gives the call 30 seconds: past them the model gets an error result saying
    so and the run goes on (the agent's ``tool_timeout`` applies to tools without one).
    ``needs_approval=True`` (or a policy function) pauses the run before a call until it is
    approved: see :attr:`Tool.needs_approval`.

    A sync function runs in a worker thread, so one that waits (on the network, a disk, a
    lock) cannot stall other runs. ``blocking=False`` says it never waits and returns at
    once (arithmetic, a lookup in memory): it is then called on the event loop itself,
    saving the hop to a thread and back (100-200 µs of CPU per call in a tool loop), and may
    use objects bound to the loop's thread. Nothing can interrupt such a call, so it takes
    no ``timeout``.

    The docstring is the description; ``Annotated[str, "the city"]`` or pydantic ``Field``
    describes a parameter; a default makes it optional; ``Literal`` becomes an enum.

    >>> @tool
    ... def weather(location: Annotated[str, "the city"]) -> str:
    ...     "Get weather information for a location"
    ...     return "40 C"
    """

    def build(fn: Callable[..., Any]) -> Tool:
        return function_tool(
            fn,
            name=name,
            description=description,
            parallel=parallel,
            timeout=timeout,
            needs_approval=needs_approval,
            blocking=blocking,
        )

    return build if function is None else build(function)


def function_tool(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    description: str | None = None,
    parallel: bool = False,
    timeout: float | None = None,
    needs_approval: bool | Callable[..., Any] = False,
    blocking: bool = True,
) -> Tool:
    from reverie.tools.plain_schema import plain_schema

    hints = get_type_hints(fn, include_extras=True)
    fields: dict[str, Any] = {}
    context_param: str | None = None
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"tool {fn.__name__}: *args and **kwargs cannot be described")
        annotation = hints.get(param.name, Any)
        if annotation is ToolRunContext:
            context_param = param.name
            continue
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (annotation, default)

    model_name = "".join(part.title() for part in fn.__name__.split("_")) or "Input"
    # A plain signature's schema is written without pydantic, which then loads at the first
    # call (it validates every input the same way either way); any other goes through it now.
    schema = plain_schema(fields)
    if schema is None:
        from reverie.tools.schema import model_schema

        model = _input_model(model_name, fields)
        schema, parse = model_schema(model), model.model_validate_json
    else:
        parse = _parse_later(model_name, fields)
    call = _as_async(fn, blocking, timeout, name or fn.__name__)
    names = list(fields)

    async def invoke(args: Any, context: ToolRunContext) -> Any:
        kwargs = {n: getattr(args, n) for n in names}
        if context_param is not None:
            kwargs[context_param] = context
        return await call(**kwargs)

    return Tool(
        name=name or fn.__name__,
        description=description if description is not None else (inspect.getdoc(fn) or ""),
        input_schema=schema,
        parse=parse,
        invoke=invoke,
        parallel=parallel,
        timeout=timeout,
        needs_approval=needs_approval,
        origin=origin_of(
            fn,
            {
                "name": name,
                "description": description,
                "parallel": parallel,
                "timeout": timeout,
                "needs_approval": needs_approval,
                "blocking": blocking,
            },
        ),
    )


def as_tool(value: Tool | Callable[..., Any]) -> Tool:
    return value if isinstance(value, Tool) else function_tool(value)


def _describe_strings(annotation: Any) -> Any:
    """``Annotated[T, "text"]`` → ``Annotated[T, Field(description="text")]``."""
    if get_origin(annotation) is not Annotated:
        return annotation
    import pydantic

    base, *extras = get_args(annotation)
    converted = [
        pydantic.Field(description=extra) if isinstance(extra, str) else extra for extra in extras
    ]
    return Annotated[(base, *converted)]


def _input_model(name: str, fields: dict[str, tuple[Any, Any]]) -> Any:
    """The pydantic model validating a function's arguments."""
    import pydantic

    described: dict[str, Any] = {n: (_describe_strings(a), d) for n, (a, d) in fields.items()}
    return pydantic.create_model(name, **described)


def _parse_later(name: str, fields: dict[str, tuple[Any, Any]]) -> Callable[[str], Any]:
    """``model_validate_json`` of the input model, built at the first call."""
    made: list[Any] = []

    def parse(text: str) -> Any:
        if not made:
            made.append(_input_model(name, fields))
        return made[0].model_validate_json(text)

    return parse


def _as_async(
    fn: Callable[..., Any], blocking: bool, timeout: float | None, name: str
) -> Callable[..., Awaitable[Any]]:
    if not isinstance(blocking, bool):
        raise TypeError(f"tool {name}: blocking must be True or False, not {blocking!r}")
    if inspect.iscoroutinefunction(fn):
        return fn
    if not blocking:
        if timeout is not None:
            raise ConfigurationError(
                f"tool {name}: a timeout cannot interrupt a function called on the event loop "
                "(blocking=False); leave the timeout out, or let it run in a thread"
            )

        async def call_here(*args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

        return call_here

    async def call(*args: Any, **kwargs: Any) -> Any:
        # Sync tools run in a worker thread so a slow one does not stall other tools. A thread
        # cannot be stopped: on a timeout or cancellation we stop waiting for it (the run goes
        # on) and ToolRunContext.cancelled tells the function to return.
        from reverie.tools.threads import run_in_thread

        return await run_in_thread(fn, *args, **kwargs)

    return call


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _short_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            items = errors()
            return "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ())) or 'input'}: {e.get('msg')}"
                for e in items
            )
        except Exception:
            pass
    return str(exc)
