"""Create the peer libraries' benchmark environments under ``benchmarks/.envs/``.

python benchmarks/setup_envs.py [NAME ...]

Each peer gets its own virtualenv, installed from PyPI with pip, so none of them is ever a
dependency of reverie and none can change another's versions. reverie itself runs from the
repository's own virtualenv, and so does the hand-written httpx floor (reverie's own httpx).
``chart`` holds matplotlib, used only to draw the README chart.
Existing environments are kept (delete the folder to rebuild one).
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ENVS = Path(__file__).resolve().parent / ".envs"

# What each environment installs: the package a user installs per the library's own docs.
PACKAGES: dict[str, list[str]] = {
    "openai": ["openai"],
    "pydantic-ai": ["pydantic-ai-slim[openai]"],
    "openai-agents": ["openai-agents"],
    "litellm": ["litellm"],
    "chart": ["matplotlib"],
}


def python_of(name: str) -> Path:
    """The interpreter of one environment."""
    return ENVS / name / "bin" / "python"


def create(name: str) -> bool:
    """Create one environment (if missing) and install its packages; True when it works."""
    python = python_of(name)
    if not python.exists():
        print(f"[setup] creating {name}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(ENVS / name)
    marker = ENVS / name / ".installed"
    wanted = " ".join(PACKAGES[name])
    if marker.exists() and marker.read_text() == wanted:
        return True
    print(f"[setup] pip install {wanted} into {name}", flush=True)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PACKAGES[name]]
    )
    if done.returncode != 0:
        print(f"[setup] {name}: pip failed ({done.returncode})", file=sys.stderr)
        return False
    marker.write_text(wanted)
    return True


def main(argv: list[str]) -> int:
    names = argv or list(PACKAGES)
    unknown = [n for n in names if n not in PACKAGES]
    if unknown:
        print(f"unknown environment(s): {', '.join(unknown)}; known: {', '.join(PACKAGES)}")
        return 2
    ENVS.mkdir(exist_ok=True)
    failed = [name for name in names if not create(name)]
    for name in names:
        if name not in failed:
            print(f"[setup] {name}: ready ({python_of(name)})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
