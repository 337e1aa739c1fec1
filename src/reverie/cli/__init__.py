"""The ``reverie`` command: run an agent, chat, replay a cassette, list models.

Imported only when the command runs, so ``import reverie`` never pays for click or rich.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``reverie`` command with ``argv`` (default: ``sys.argv[1:]``); the exit code.

    Run as the process's own command (``argv`` not given: the ``reverie`` script,
    ``python -m reverie.cli``), it ends the process once the command is done: output
    flushed and ``atexit`` handlers run, but without the interpreter's teardown, which
    frees a loaded local model and thousands of module objects one by one (~0.1 s) for
    nothing the operating system does not do anyway. Given ``argv``, it returns."""
    try:
        from reverie.cli.app import run_cli
    except ImportError as exc:
        if exc.name not in ("click", "rich"):
            raise
        sys.stderr.write(
            f"error: the reverie command needs {exc.name}: pip install 'reverie[cli]'\n"
        )
        return 1
    code = run_cli(argv)
    if argv is None:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):  # none, closed, or a broken pipe
            code = code or 1
    os._exit(code)
