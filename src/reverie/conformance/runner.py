"""Runs cases and prints one line each, then ``N passed, N failed, N skipped``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from reverie.conformance.groups import Case
from reverie.conformance.kinds import build_model, unsupported_reason
from reverie.conformance.model_scenarios import MODEL_SCENARIOS
from reverie.conformance.prepare import PREPARE_STEPS
from reverie.conformance.scenarios import (
    AGENT_SCENARIOS,
    LEGACY_THINKING_OPTIONS,
    run_agent_scenario,
)

_LEGACY_CHECKS = {
    "anthropic": "anthropic_signature",
    "google": "reasoning_present",
    "vertex": "reasoning_present",
    "openrouter": "reasoning_present",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    status: str  # PASS, FAIL or SKIP
    reason: str = ""


async def run_case(case: Case, cassettes: Path) -> Outcome:
    if case.skip is not None:
        return Outcome(case, "SKIP", case.skip)
    reason = unsupported_reason(case.kind, case.settings, case.model)
    if reason is not None:
        return Outcome(case, "SKIP", reason)
    scenario = AGENT_SCENARIOS.get(case.scenario)
    if scenario is not None and case.scenario.startswith("legacy_thinking"):
        options = dict(LEGACY_THINKING_OPTIONS)
        if scenario.stream:
            options.pop("openrouter")
        check = _LEGACY_CHECKS.get(case.kind, "none")
        case = replace(case, provider_options=options, thinking_check=check)
    direct = MODEL_SCENARIOS.get(case.scenario)
    if scenario is None and direct is None:
        return Outcome(case, "SKIP", f"scenario {case.scenario!r} is not known")
    prepare_step = PREPARE_STEPS.get(case.prepare_step) if case.prepare_step else None
    if case.prepare_step and prepare_step is None:
        return Outcome(case, "SKIP", f"prepare step {case.prepare_step!r} is not known")
    if not case.cassette.is_file():
        return Outcome(case, "FAIL", f"cassette not found: {case.cassette}")

    from reverie.testing import replay_client

    client = replay_client(case.cassette)
    try:
        model = build_model(case.kind, case.model, case.settings, client)
        if direct is not None:
            await direct(case, model)
        else:
            assert scenario is not None
            await run_agent_scenario(scenario, case, model, cassettes, prepare_step)
    except Exception as exc:  # the outcome of a case, whatever went wrong
        return Outcome(case, "FAIL", f"{type(exc).__name__}: {exc}")
    finally:
        await client.aclose()
    return Outcome(case, "PASS")


def format_outcome(outcome: Outcome) -> str:
    line = f"{outcome.status} {outcome.case.name}"
    if not outcome.reason:
        return line
    first, _, rest = outcome.reason.partition("\n")
    line += f": {first}"
    if rest:
        line += "\n" + "\n".join("    " + r for r in rest.splitlines())
    return line


def run_all(cases: Iterable[Case], cassettes: Path, out: TextIO = sys.stdout) -> int:
    """Runs every case; returns the number that failed."""
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}

    async def main() -> None:
        for case in cases:
            outcome = await run_case(case, cassettes)
            counts[outcome.status] += 1
            print(format_outcome(outcome), file=out, flush=True)

    asyncio.run(main())
    print(f"{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped", file=out)
    return counts["FAIL"]
