"""A credential held so that no repr, message or traceback shows it.

Constructors wrap an API key in :class:`Secret` as their first statement, so that a
traceback capturing local variables (``traceback.TracebackException(..., capture_locals=True)``,
error trackers that record frames) sees ``Secret('***')`` in every frame of ours, never the
key. The raw value leaves the wrapper only inside the expression that hands it to the
authentication object, once it has been checked.
"""

from __future__ import annotations

from reverie.errors import ConfigurationError


class Secret:
    """A credential: its repr and str are ``Secret('***')``; :meth:`reveal` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def checked(self, provider: str) -> str:
        """The value without surrounding whitespace, refused (naming the provider and the
        problem, never the value) when no HTTP header can carry it. Raised from this frame,
        whose only local holding the value is ``self``."""
        problem = _problem(self._value, provider)
        if problem is not None:
            raise ConfigurationError(problem)
        return self._value.strip()


def conceal(value: str | Secret | None) -> Secret | None:
    """``value`` as a :class:`Secret` (``None`` stays ``None``; a Secret is kept)."""
    if value is None or isinstance(value, Secret):
        return value
    return Secret(value)


def _problem(value: object, provider: str) -> str | None:
    """What is wrong with ``value`` as a key, or None. Returns instead of raising, so that no
    frame holding the value is ever part of a traceback."""
    from reverie.http.auth import clean_key

    try:
        clean_key(value, provider)  # type: ignore[arg-type]  # refuses a non-string too
    except ConfigurationError as exc:
        return str(exc)
    return None
