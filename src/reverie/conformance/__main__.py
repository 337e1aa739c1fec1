"""``python -m reverie.conformance [GROUP.toml | DIR ...] [--cassettes DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reverie.conformance.groups import find_group_files, load_cases
from reverie.conformance.runner import run_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reverie.conformance",
        description="Replay recorded provider conversations through reverie's public API.",
    )
    parser.add_argument(
        "groups", nargs="*", type=Path, help="group files or directories (default: groups/)"
    )
    parser.add_argument("--cassettes", type=Path, help="cassettes root (default: ../cassettes)")
    args = parser.parse_args(argv)
    groups: list[Path] = args.groups or [Path("groups")]
    cassettes: Path | None = args.cassettes
    if cassettes is None:
        first = groups[0]
        base = first if first.is_dir() else first.parent
        cassettes = base.parent / "cassettes"
    files = find_group_files(groups)
    missing = [f for f in files if not f.is_file()]
    if missing:
        print(f"group file not found: {missing[0]}", file=sys.stderr)
        return 2
    cases = [case for f in files for case in load_cases(f, cassettes)]
    failed = run_all(cases, cassettes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
