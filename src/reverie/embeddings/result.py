"""What an embedding call returns."""

from __future__ import annotations

from dataclasses import dataclass

from reverie.usage import Usage


@dataclass(frozen=True, slots=True)
class Embedding:
    """One text's vector."""

    vector: list[float]
    usage: Usage
    model: str
    """``provider:model``."""


@dataclass(frozen=True, slots=True)
class Embeddings:
    """Every text's vector, in input order, and the usage of every request summed."""

    vectors: list[list[float]]
    usage: Usage
    model: str

    @property
    def dimensions(self) -> int:
        return len(self.vectors[0]) if self.vectors else 0
