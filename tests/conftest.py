"""Where the recorded conformance corpus lives for every test that reads it.

``../shared/conformance`` beside the repository by default; ``REVERIE_CONFORMANCE`` names
another place (tools/mutation.py sets it, since mutmut runs the tests from a copy of the tree
where the relative path does not reach ``shared``)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault(
    "REVERIE_CONFORMANCE",
    str(Path(__file__).resolve().parents[1].parent / "shared" / "conformance"),
)
os.environ["REVERIE_PROMPT_CACHE"] = "0"  # the local model's prompt cache: never ~/.cache
