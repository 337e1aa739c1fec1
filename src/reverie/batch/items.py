"""What a batch returns: one item per input, in input order, and what they add up to."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from reverie.usage import Usage

if TYPE_CHECKING:
    from reverie.agent import RunResult
    from reverie.messages import Message

Input = str | Sequence["Message"]
"""A prompt, or a conversation to continue (it ends with the user's turn)."""


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One input's run: ``result`` when it ended, ``error`` (the exception) when it failed.

    A failed run's completed steps are in ``error.partial`` when the error carries them."""

    index: int
    input: Input
    result: RunResult | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def usage(self) -> Usage:
        """What this run spent, the steps of a failed run included."""
        if self.result is not None:
            return self.result.usage
        partial = getattr(self.error, "partial", None)
        usage = getattr(partial, "usage", None)
        return usage if isinstance(usage, Usage) else Usage()


class BatchResult(Sequence[BatchItem]):
    """The items in input order, with ``usage`` (summed over every run, failed runs' completed
    steps included), ``cost`` and ``failures``."""

    __slots__ = ("_items", "usage")

    def __init__(self, items: Sequence[BatchItem]) -> None:
        self._items = tuple(items)
        total = Usage()
        for item in self._items:
            total = total + item.usage
        self.usage = total

    @property
    def cost(self) -> float | None:
        """US dollars (the providers' figures or reverie's estimates, see
        :mod:`reverie.pricing`); ``None`` when the cost of any run's model call is unknown."""
        return self.usage.cost

    @property
    def failures(self) -> list[BatchItem]:
        return [item for item in self._items if item.error is not None]

    @property
    def results(self) -> list[RunResult | None]:
        return [item.result for item in self._items]

    @overload
    def __getitem__(self, index: int) -> BatchItem: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[BatchItem]: ...

    def __getitem__(self, index: int | slice) -> BatchItem | Sequence[BatchItem]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[BatchItem]:
        return iter(self._items)

    def __repr__(self) -> str:
        return f"BatchResult({len(self._items)} items, {len(self.failures)} failed)"
