"""Tools the batch tests give their agents: importable, so Ray workers can rebuild them.

``weather`` appends the location to the file named by ``$BATCH_TOOL_LOG`` (when set), one
line per call, so a test can check that every tool ran exactly once across processes."""

from __future__ import annotations

import os
from typing import Annotated

from reverie import tool


def weather(location: Annotated[str, "the city"]) -> str:
    """Get the weather for a location"""
    log = os.environ.get("BATCH_TOOL_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(location + "\n")
    return "40 C"


@tool(parallel=True)
def decorated_weather(location: Annotated[str, "the city"]) -> str:
    """Get the weather for a location"""
    return "41 C"


def stop_after_one(steps: object) -> bool:
    """A stop condition defined at module level (importable)."""
    return False
