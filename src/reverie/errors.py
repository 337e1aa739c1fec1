"""Every exception reverie raises, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reverie.usage import Usage


class ReverieError(Exception):
    """Base class of all reverie errors.

    ``partial`` is set on an error that ended an agent run: the run so far, as a
    :class:`~reverie.RunResult` with ``stop_reason`` ``"error"``, holding the completed steps
    (their tools' side effects happened), the conversation up to them and their usage.
    Continue with ``agent.run(messages=error.partial.messages)``: finished tools are not run
    again. Any other exception that ends a run (``CancelledError``, an error raised by a hook)
    carries the same attribute; read it with ``getattr(error, "partial", None)``.
    """

    # A RunResult: typed loosely so the core's error module does not import the agent layer.
    partial: Any = None


class ConfigurationError(ReverieError):
    """The library was set up wrongly: unknown provider, missing API key, bad model string."""


class ProviderError(ReverieError):
    """A provider answered with an error, or with something we could not understand.

    ``status`` is the HTTP status when there was one. ``body`` is the provider's error
    text, already free of request headers, so it never carries credentials. ``code`` is the
    provider's own name for the error when it gave one (``rate_limit_error``,
    ``context_length_exceeded``, ``RESOURCE_EXHAUSTED``, ``ThrottlingException``…).

    Errors every provider has are raised as the same subclasses, whichever family, host or
    path (plain or streamed, an HTTP status or an error inside the stream) they came by:
    :class:`ContextOverflowError`, :class:`RateLimitError`, :class:`OverloadedError`,
    :class:`AuthenticationError`.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status: int | None = None,
        body: str | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status
        self.body = body
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code


class ContextOverflowError(ProviderError):
    """The prompt does not fit the model's context window. ``used_tokens`` and ``max_tokens``
    are set when the provider's message gives them. Not retryable: the same prompt fails
    again (``fallback(on=ContextOverflowError)`` sends it to a model with a larger window)."""

    def __init__(
        self,
        message: str,
        *,
        used_tokens: int | None = None,
        max_tokens: int | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message, **fields)
        self.used_tokens = used_tokens
        self.max_tokens = max_tokens


class RateLimitError(ProviderError):
    """Too many requests or tokens for the account's limits. Retryable (after
    ``retry_after`` when the provider said), unless the quota itself is spent (OpenAI's
    ``insufficient_quota``, OpenRouter's 402): then ``retryable`` is false."""


class OverloadedError(ProviderError):
    """The provider is overloaded or briefly unavailable (Anthropic's 529, Gemini's
    ``UNAVAILABLE``, Bedrock's ``ServiceUnavailableException``…); retryable."""


class AuthenticationError(ProviderError):
    """The credentials were refused: a missing, invalid or expired key or token, or one
    without permission for the model. Not retryable."""


class StreamError(ProviderError):
    """A stream failed mid-way: an in-band error event, or it ended without its terminal signal.

    An in-band error of a kind every provider has is both: a ``StreamError`` and a
    :class:`RateLimitError` (or :class:`OverloadedError`, :class:`ContextOverflowError`,
    :class:`AuthenticationError`)."""


# The typed errors as a stream's in-band errors are both (catch them by either name).


class StreamContextOverflowError(ContextOverflowError, StreamError):
    """A :class:`ContextOverflowError` a stream reported."""


class StreamRateLimitError(RateLimitError, StreamError):
    """A :class:`RateLimitError` a stream reported."""


class StreamOverloadedError(OverloadedError, StreamError):
    """An :class:`OverloadedError` a stream reported."""


class StreamAuthenticationError(AuthenticationError, StreamError):
    """An :class:`AuthenticationError` a stream reported."""


_IN_STREAM: dict[type[ProviderError], type[ProviderError]] = {
    ContextOverflowError: StreamContextOverflowError,
    RateLimitError: StreamRateLimitError,
    OverloadedError: StreamOverloadedError,
    AuthenticationError: StreamAuthenticationError,
}


def retyped(error: ProviderError, kind: type[ProviderError], **fields: Any) -> ProviderError:
    """``error`` as a ``kind`` (one of the typed errors above), keeping its message, fields
    and being a StreamError; ``fields`` (``retryable``, ``used_tokens``…) are set anew."""
    if isinstance(error, StreamError):
        kind = _IN_STREAM.get(kind, kind)
    values: dict[str, Any] = {
        "provider": error.provider,
        "status": error.status,
        "body": error.body,
        "retryable": error.retryable,
        "retry_after": error.retry_after,
        "code": error.code,
    }
    values.update(fields)
    new = kind(str(error), **values)
    new.partial = error.partial
    return new


class SerializationError(ReverieError, ValueError):
    """A conversation or result file reverie cannot read: not one of its files, damaged, or
    written by a newer reverie (a higher ``schema_version`` major)."""


class ToolError(ReverieError):
    """Raise inside a tool to send ``str(error)`` back to the model as an error result."""


class ToolInputError(ReverieError):
    """A tool call's input could not be parsed or did not validate against the tool's schema."""


class NoObjectGenerated(ReverieError):
    """The model's answer did not give a valid object (``generate_object``, ``stream_object``).

    ``text`` is the raw text the object was read from, ``cause`` the parse or validation
    error (also ``__cause__``), ``usage`` and ``finish_reason`` those of the call (a
    ``"length"`` finish reason usually means the answer was cut off).
    """

    def __init__(
        self,
        message: str,
        *,
        text: str,
        cause: Exception | None,
        usage: Usage,
        finish_reason: str,
    ) -> None:
        super().__init__(message)
        self.text = text
        self.cause = cause
        self.usage = usage
        self.finish_reason = finish_reason


class EmbeddingNotSupported(ConfigurationError):
    """The provider (or this model of it) has no embedding API reverie speaks."""


class AgentDepthError(ReverieError):
    """Sub-agents (``agent.as_tool``) nested deeper than the tool's ``max_depth`` allows: an
    agent calling itself, or a ring of agents calling each other. It ends every run of the
    chain (it is not made a tool result), each keeping its run so far in ``partial``."""


class EmptyAnswer(ReverieError):
    """A model answered with nothing: no text but whitespace, no tool call, no file (reasoning
    alone is empty). Nothing raises it: it names that failure in ``reverie.fallback(...,
    on=EmptyAnswer)``, where the next model is asked instead; ``usage`` and
    ``finish_reason`` are those of the empty answer."""

    def __init__(self, message: str, *, usage: Usage, finish_reason: str) -> None:
        super().__init__(message)
        self.usage = usage
        self.finish_reason = finish_reason


class UnknownCostError(ConfigurationError):
    """A cost limit met a model call whose cost is unknown: no price for its model (give one
    with ``reverie.pricing.set_price``, or install ``reverie[prices]``), or no usage reported."""
