"""The example tool ``reverie run`` offers when no ``--tool`` is given.

It reports the same fixed reading, "40 C", for every location and never calls a weather
service: it exists to show a model deciding to call a tool and using its result.
"""

from __future__ import annotations

from typing import Annotated


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return "40 C"
