"""mkdocs hooks: files the site shows that live outside docs/ (kept in one place)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
# site path → the repository file it is
OUTSIDE = {"assets/compare.png": ROOT / "benchmarks" / "results" / "compare.png"}


def on_files(files: Files, config: Any) -> Files:
    for path, source in OUTSIDE.items():
        files.append(File.generated(config, path, abs_src_path=str(source)))
    return files
