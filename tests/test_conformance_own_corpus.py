"""The runner on a corpus it has never seen: our own group file and cassettes, recorded with
reverie.testing.RecordTransport from a scripted OpenAI-compatible server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def test_runner_on_an_unseen_corpus_defaults_to_its_cassettes_folder() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "reverie.conformance", str(CORPUS / "groups")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "PASS TestCompatLegacy/vllm-qwen/legacy_tool",
        "PASS TestCompatLegacy/vllm-qwen/legacy_stream",
        "SKIP TestCompatLegacy/unknown-kind/legacy_tool: provider kind 'kronk' is not registered",
        "SKIP TestCompatLegacy/unknown-kind/legacy_stream: provider kind 'kronk' is not registered",
        "2 passed, 0 failed, 2 skipped",
    ]


def test_reasoning_content_is_replayed_to_compatible_servers() -> None:
    """The recorded second request carries the first answer's reasoning back."""
    cassette = (
        CORPUS / "cassettes" / "TestCompatLegacy" / "vllm-qwen-legacy_tool.yaml"
    ).read_text()
    assert '"reasoning_content":"The user wants the weather."' in cassette


def test_a_missing_group_file_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "reverie.conformance", str(CORPUS / "nope.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "group file not found" in proc.stderr
