"""Group files (format 1) → the cases they describe."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One (group, pair, scenario) triple with everything needed to run it."""

    group: str
    pair: str
    scenario: str
    kind: str
    model: str
    cassette: Path
    settings: dict[str, Any] = field(default_factory=dict)
    provider_options: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    thinking_check: str = "none"
    prepare_step: str = ""
    skip: str | None = None

    @property
    def name(self) -> str:
        return f"{self.group}/{self.pair}/{self.scenario}"


def load_cases(group_file: Path, cassettes: Path) -> Iterator[Case]:
    with group_file.open("rb") as f:
        group: dict[str, Any] = tomllib.load(f)
    name = str(group["group"])
    cassette_dir = cassettes / str(group.get("cassette_dir", name))
    path_template = str(group.get("cassette_path", "{pair}/{scenario}.yaml"))
    names: dict[str, str] = group.get("cassette_names", {})
    group_overrides: dict[str, Any] = group.get("scenario_overrides", {})
    for pair in group.get("pairs", []):
        skips: dict[str, str] = pair.get("skip", {})
        pair_overrides: dict[str, Any] = pair.get("scenario_overrides", {})
        # A pair's table replaces the group's, even when empty.
        options = pair.get("provider_options", group.get("provider_options", {}))
        for scenario in pair.get("scenarios", group.get("scenarios", [])):
            overrides = {**group_overrides.get(scenario, {}), **pair_overrides.get(scenario, {})}
            file = path_template.format(pair=pair["name"], scenario=names.get(scenario, scenario))
            yield Case(
                group=name,
                pair=str(pair["name"]),
                scenario=str(scenario),
                kind=str(pair["kind"]),
                model=str(pair["model"]),
                cassette=cassette_dir / file,
                settings=dict(pair.get("settings", {})),
                provider_options=dict(options),
                overrides=overrides,
                params=dict(pair.get("params", {})),
                thinking_check=str(pair.get("thinking_check", group.get("thinking_check", "none"))),
                prepare_step=str(group.get("prepare_step", "")),
                skip=skips.get(scenario),
            )


def find_group_files(paths: list[Path]) -> list[Path]:
    """Group files named directly, or every ``*.toml`` under a directory, recursively."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.toml")))
        else:
            files.append(path)
    return files
