"""Each property runs twice: 200 examples in every run, 10,000 under the ``slow`` marker
(``pytest -m slow``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy

FAST = 200
SLOW = 10_000


def fast_and_slow(
    **strategies: SearchStrategy[Any],
) -> Callable[[Callable[..., None]], tuple[Any, Any]]:
    """``test_x, test_x_slow = fast_and_slow(a=st...)(check_x)``."""

    def wrap(body: Callable[..., None]) -> tuple[Any, Any]:
        fast = settings(max_examples=FAST)(given(**strategies)(body))
        slow = settings(max_examples=SLOW)(given(**strategies)(_copy(body)))
        return fast, pytest.mark.slow(slow)

    return wrap


def _copy(body: Callable[..., None]) -> Callable[..., None]:
    def again(**kwargs: Any) -> None:
        body(**kwargs)

    again.__name__ = body.__name__ + "_slow"
    again.__qualname__ = again.__name__
    return again
