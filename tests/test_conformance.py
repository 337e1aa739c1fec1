"""The conformance corpus in ../shared/conformance, replayed through the public API."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reverie.conformance.groups import Case, find_group_files, load_cases
from reverie.conformance.runner import format_outcome, run_all, run_case

CORPUS = Path(os.environ["REVERIE_CONFORMANCE"])

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


def run(groups: list[Path]) -> tuple[int, str]:
    cases = [c for f in find_group_files(groups) for c in load_cases(f, CORPUS / "cassettes")]
    out = io.StringIO()
    failed = run_all(cases, CORPUS / "cassettes", out)
    return failed, out.getvalue()


def test_openai_and_openrouter_groups_pass_with_only_the_marked_skips() -> None:
    names = ["seed", "TestOpenRouterCommon", "TestOpenAICommon"]
    failed, output = run([CORPUS / "groups" / f"{n}.toml" for n in names])
    assert output.splitlines()[-1] == "59 passed, 0 failed, 2 skipped", output
    skips = [line for line in output.splitlines() if line.startswith("SKIP")]
    assert all("openai-o4-mini/multi_tool" in line for line in skips)
    assert failed == 0


def _every_case() -> list[Case]:
    if not CORPUS.is_dir():
        return []
    groups = find_group_files([CORPUS / "groups"])
    return [c for f in groups for c in load_cases(f, CORPUS / "cassettes")]


CASES = _every_case()


def test_the_corpus_holds_the_cases_we_expect_to_run() -> None:
    assert len(CASES) >= 219


# One test per case, so a failure names its case and mutation runs (tools/mutation.py) replay
# only the cases that reach the mutated code.
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_case_passes_or_is_a_marked_skip(case: Case) -> None:
    outcome = await run_case(case, CORPUS / "cassettes")
    assert outcome.status != "FAIL", format_outcome(outcome)
    if outcome.status == "SKIP":
        # Only the group files' own skips remain: every provider kind and scenario is built.
        assert outcome.reason == case.skip, format_outcome(outcome)


def test_command_line_exit_status_and_summary() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "reverie.conformance",
            str(CORPUS / "groups" / "seed.toml"),
            "--cassettes",
            str(CORPUS / "cassettes"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "PASS seed/openrouter-kimi-k2/tool",
        "1 passed, 0 failed, 0 skipped",
    ]


def test_a_request_shape_difference_fails_with_the_closest_body(tmp_path: Path) -> None:
    """A corpus whose recorded prompt differs from what we send must FAIL, with a diff."""
    group = (CORPUS / "groups" / "seed.toml").read_text()
    cassette_dir = tmp_path / "cassettes" / "seed" / "openrouter-kimi-k2"
    cassette_dir.mkdir(parents=True)
    original = (CORPUS / "cassettes" / "seed" / "openrouter-kimi-k2" / "tool.yaml").read_text()
    (cassette_dir / "tool.yaml").write_text(original.replace("helpful assistant", "helpful bot"))
    (tmp_path / "groups").mkdir()
    (tmp_path / "groups" / "seed.toml").write_text(group)
    proc = subprocess.run(
        [sys.executable, "-m", "reverie.conformance", str(tmp_path / "groups")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout.startswith("FAIL seed/openrouter-kimi-k2/tool: ")
    assert "request not matched: POST https://openrouter.ai/api/v1/chat/completions" in proc.stdout
    assert "helpful bot" in proc.stdout and "helpful assistant" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "0 passed, 1 failed, 0 skipped"
