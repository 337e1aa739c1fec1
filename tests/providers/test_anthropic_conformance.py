"""The Anthropic and Bedrock groups of ../shared/conformance replay green; importing the
family loads no other family and no botocore."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reverie.conformance.groups import load_cases
from reverie.conformance.runner import run_all

CORPUS = Path(os.environ["REVERIE_CONFORMANCE"])
GROUPS = [
    "TestAnthropicCommon",
    "TestAnthropicThinking",
    "TestAnthropicComputerUse",
    "TestBedrockCommon",
    "TestImageUploadAgent",
    "TestImageUploadAgentStreaming",
]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
def test_anthropic_and_bedrock_groups_pass_with_only_the_marked_skips() -> None:
    cassettes = CORPUS / "cassettes"
    cases = [
        case
        for group in GROUPS
        for case in load_cases(CORPUS / "groups" / f"{group}.toml", cassettes)
        if case.kind in ("anthropic", "bedrock")
    ]
    out = io.StringIO()
    failed = run_all(cases, cassettes, out)
    lines = out.getvalue().splitlines()
    assert failed == 0, "\n".join(line for line in lines if line.startswith("FAIL"))
    assert lines[-1] == "26 passed, 0 failed, 6 skipped"
    skips = [line for line in lines if line.startswith("SKIP")]
    assert all("bedrock" in line and "/multi_tool" in line for line in skips)


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", ["reverie.providers.anthropic", "reverie.providers.bedrock"])
def test_importing_the_family_loads_no_other_family_and_no_botocore(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    others = {
        "reverie.providers.openai_chat",
        "reverie.providers.openai_responses",
        "reverie.providers.google",
        "reverie.providers.local",
        "botocore",
        "reverie.http.sigv4",
    }
    assert module in loaded
    assert sorted(others & loaded) == []
