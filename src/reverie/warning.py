"""Warnings: settings a provider could not honour, reported instead of silently dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True, kw_only=True)
class CallWarning:
    """One thing the provider did differently from what the call asked.

    ``kind`` is ``"unsupported-setting"`` (``setting`` names it), ``"unsupported-tool"``
    (``setting`` is the tool name) or ``"other"``.
    """

    kind: Literal["unsupported-setting", "unsupported-tool", "other"]
    message: str
    setting: str | None = None
