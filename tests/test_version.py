"""One version: the package's, the distribution's and the tracer scope's are the same."""

from __future__ import annotations

import tomllib
from pathlib import Path

import reverie
from reverie.version import __version__

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_the_package_version_is_the_projects() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert reverie.__version__ == __version__ == project["version"]
