"""Mutation score per module, with a ratchet (issue 13).

    python tools/mutation.py                          # every module in [tool.mutmut] only_mutate
    python tools/mutation.py reverie.http.retry ...   # or name modules (dotted or by path)
    python tools/mutation.py --record MODULE          # raise the recorded score after new tests
    python tools/mutation.py --fresh MODULE           # forget mutmut's cache (mutants/) first
    python tools/mutation.py --recheck MODULE         # re-run only last run's survivors

Runs mutmut 3 (``pip install -e '.[mutation]'``) on one module at a time, under ``nice -n 19``
with one worker, since the machine is shared. The test selection and the files that may be
mutated are in pyproject.toml's ``[tool.mutmut]``. Prints, per module: mutants generated,
killed (a test failed, or it timed out on two runs), survived, and the score killed /
generated. Exits 1 when a module scores below its entry in tools/mutation_scores.json;
``--record`` writes a higher score there, never a lower one. The equivalent mutants known to
survive are listed in tests/MUTANTS.md. Not run by CI: a module takes minutes on two cores
(times in that file).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORES = ROOT / "tools" / "mutation_scores.json"
# mutmut's exit codes (mutmut.stats.status_by_exit_code): a failing test, pytest's internal
# error, a CPU-time limit or a type-check rejection all mean the mutant was caught.
KILLED = {1, 3, 36, 37, -24, 24, 152, 255}
SURVIVED = {0}
# The CPU-time limit: a mutant that loops forever, or one slowed past the limit by a busy
# machine. Such mutants are run a second time; only a second timeout counts as a kill.
TIMED_OUT = {-24, 24}


@dataclass(frozen=True)
class Score:
    """One module's result: mutants generated, caught, and the names of those that lived."""

    module: str
    generated: int
    killed: int
    survivors: tuple[str, ...]
    unchecked: int
    seconds: float

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.generated if self.generated else 100.0


def configured_paths() -> list[str]:
    """The source files [tool.mutmut] lets mutmut mutate."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(config["only_mutate"])


def module_path(name: str) -> str:
    """`reverie.http.retry` or `src/reverie/http/retry.py` → the path relative to the root."""
    if name.endswith(".py"):
        return name
    return "src/" + name.replace(".", "/") + ".py"


def module_name(path: str) -> str:
    return path.removeprefix("src/").removesuffix(".py").replace("/", ".")


def verdicts_of(path: str) -> dict[str, int | None]:
    """mutmut's exit code per mutant of ``path`` from its last run (None: not run)."""
    meta = ROOT / "mutants" / (path + ".meta")
    if not meta.exists():
        return {}
    verdicts: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    return verdicts


def run_module(path: str, recheck: bool = False) -> Score:
    """Run mutmut on the mutants of one file and read its verdicts back from mutants/.
    ``recheck`` runs only the mutants the last run did not kill: quick after adding tests,
    and sound as long as no test was removed since (a killed mutant stays killed)."""
    name = module_name(path)
    log = ROOT / "mutants" / f"{name}.log"
    log.parent.mkdir(exist_ok=True)
    log.write_text("")
    started = time.monotonic()
    selected = [f"{name}.*"]
    if recheck:
        previous = verdicts_of(path)
        selected = sorted(k for k, v in previous.items() if v not in KILLED) or selected
    _mutmut(name, selected, log)
    timed_out = sorted(k for k, v in verdicts_of(path).items() if v in TIMED_OUT)
    if timed_out:
        _mutmut(name, timed_out, log)
    seconds = time.monotonic() - started
    verdicts = verdicts_of(path)
    return Score(
        module=name,
        generated=len(verdicts),
        killed=sum(1 for v in verdicts.values() if v in KILLED),
        survivors=tuple(sorted(k for k, v in verdicts.items() if v in SURVIVED)),
        # "no tests" (33) and anything else: generated but not caught, counted against the score
        unchecked=sum(1 for v in verdicts.values() if v not in KILLED and v not in SURVIVED),
        seconds=seconds,
    )


def _mutmut(name: str, selected: list[str], log: Path) -> None:
    mutmut = str(Path(sys.executable).parent / "mutmut")
    command = ["nice", "-n", "19", mutmut, "run", "--max-children", "1", *selected]
    # The tests run from a copy of the tree under mutants/, where ../shared is out of reach.
    env = {**os.environ, "REVERIE_CONFORMANCE": str(ROOT.parent / "shared" / "conformance")}
    with log.open("a") as out:
        code = subprocess.call(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if code != 0:
        sys.exit(f"mutmut failed on {name} (exit {code}); see {log}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="dotted names or paths (default: all)")
    parser.add_argument("--record", action="store_true", help="raise recorded scores")
    parser.add_argument("--fresh", action="store_true", help="delete mutants/ first")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("--recheck", action="store_true", help="re-run only last survivors")
    args = parser.parse_args(argv)

    allowed = configured_paths()
    paths = [module_path(m) for m in args.modules] or allowed
    unknown = [p for p in paths if p not in allowed]
    if unknown:
        parser.error(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)}")
    if args.fresh:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)

    recorded: dict[str, float] = json.loads(SCORES.read_text()) if SCORES.exists() else {}
    failed = False
    print(f"{'module':<40} {'mutants':>7} {'killed':>6} {'survived':>8} {'score':>7} {'time':>6}")
    for path in paths:
        score = run_module(path, recheck=args.recheck)
        floor = recorded.get(score.module, 0.0)
        below = round(score.percent, 1) < floor
        failed |= below
        mark = f"  below recorded {floor}%" if below else ""
        survived = score.generated - score.killed
        print(
            f"{score.module:<40} {score.generated:>7} {score.killed:>6} {survived:>8} "
            f"{score.percent:>6.1f}% {score.seconds:>5.0f}s{mark}",
            flush=True,
        )
        if args.survivors:
            for survivor in score.survivors:
                print(f"    survived: {survivor}")
            if score.unchecked:
                print(f"    {score.unchecked} mutants no test reaches (or not checked)")
        if args.record and round(score.percent, 1) > floor:
            recorded[score.module] = round(score.percent, 1)
    if args.record:
        SCORES.write_text(json.dumps(dict(sorted(recorded.items())), indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
