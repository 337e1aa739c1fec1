"""The ``reverie`` command: run an agent, chat, replay a cassette, list models.

Imported only when the command runs, so ``import reverie`` never pays for click or rich.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``reverie`` command with ``argv`` (default: ``sys.argv[1:]``); the exit code."""
    try:
        from reverie.cli.app import run_cli
    except ImportError as exc:
        if exc.name not in ("click", "rich"):
            raise
        sys.stderr.write(
            f"error: the reverie command needs {exc.name}: pip install 'reverie[cli]'\n"
        )
        return 1
    return run_cli(argv)
