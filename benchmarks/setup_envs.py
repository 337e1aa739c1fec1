"""Create the peer libraries' benchmark environments under ``benchmarks/.envs/``.

python benchmarks/setup_envs.py [NAME ...]

Each peer gets its own virtualenv, installed from PyPI with pip, so none of them is ever a
dependency of reverie and none can change another's versions. reverie itself runs from the
repository's own virtualenv, and so does the hand-written httpx floor (reverie's own httpx).
``chart`` holds matplotlib, used only to draw the README chart. A peer that needs a newer
Python than this one (the Vercel AI SDK for Python needs 3.12) gets its environment from that
interpreter: ``python3.12`` on the PATH, or one of pyenv's.
Existing environments are kept (delete the folder to rebuild one).
"""

from __future__ import annotations

import glob
import os
import shutil
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
    "ai-sdk": ["ai[openai,anthropic]"],
    "google-adk": ["google-adk"],
    "chart": ["matplotlib"],
}
NEEDS: dict[str, tuple[int, int]] = {"ai-sdk": (3, 12)}
"""The least Python version of an environment, when it is above this interpreter's."""


def interpreter_for(version: tuple[int, int]) -> str | None:
    """A working ``pythonX.Y`` of at least ``version``: this one, the PATH's, or pyenv's."""
    if sys.version_info[:2] >= version:
        return sys.executable
    wanted = f"python{version[0]}.{version[1]}"
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [shutil.which(wanted), *sorted(glob.glob(f"{root}/versions/*/bin/{wanted}"))]
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run([candidate, "-c", "import sys, venv"], capture_output=True)
        if probe.returncode == 0:  # a pyenv shim without that version fails here
            return candidate
    return None


def python_of(name: str) -> Path:
    """The interpreter of one environment."""
    return ENVS / name / "bin" / "python"


def create(name: str) -> bool:
    """Create one environment (if missing) and install its packages; True when it works."""
    python = python_of(name)
    if not python.exists():
        print(f"[setup] creating {name}", flush=True)
        base = interpreter_for(NEEDS.get(name, sys.version_info[:2]))
        if base is None:
            print(f"[setup] {name}: no Python {NEEDS[name]} found", file=sys.stderr)
            return False
        if base == sys.executable:
            venv.EnvBuilder(with_pip=True, clear=True).create(ENVS / name)
        else:
            subprocess.run([base, "-m", "venv", "--clear", str(ENVS / name)], check=True)
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
