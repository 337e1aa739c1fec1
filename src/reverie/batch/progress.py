"""A one-line live progress bar on a terminal (stderr); silent when stderr is not one."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from reverie.usage import Usage


class Progress:
    """Counts finished runs; redraws at most ten times a second, and once at the end."""

    def __init__(self, total: int, *, enabled: bool, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.total = total
        self.done = 0
        self.failed = 0
        self.usage = Usage()
        self._start = time.monotonic()
        self._drawn = 0.0

    def add(self, ok: bool, usage: Usage) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        self.usage = self.usage + usage
        if self.enabled:
            now = time.monotonic()
            if now - self._drawn >= 0.1 or self.done == self.total:
                self._drawn = now
                self.stream.write("\r" + self.line(now))
                self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = max(now - self._start, 1e-9)
        width = 24
        filled = width * self.done // self.total if self.total else width
        bar = "#" * filled + "." * (width - filled)
        cost = "" if self.usage.cost is None else f" · ${self.usage.cost:.4f}"
        return (
            f"[{bar}] {self.done}/{self.total} · {self.failed} failed · "
            f"{self.done / elapsed:.1f} runs/s · {self.usage.total_tokens:,} tokens{cost}"
        )

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()
