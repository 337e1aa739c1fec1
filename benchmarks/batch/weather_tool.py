"""The benchmark's tool, in a module of its own so Ray workers can import it."""

from __future__ import annotations

from typing import Annotated


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return "40 C"
