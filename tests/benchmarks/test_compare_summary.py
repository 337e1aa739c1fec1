"""compare.py's arithmetic: ratios to the floor, and the floor's best pool as the reference of
the concurrency workloads (``benchmarks/compare.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import compare  # benchmarks/, put on the path above


def test_a_concurrency_ratio_is_to_the_floors_fastest_pool_that_had_no_failures() -> None:
    samples = {
        "concurrent_stream/chat/10000": {
            "httpx (semaphore 100)": [{"wall_ms": 20_000.0, "cpu_ms": 10_000.0, "errors": 0}],
            "httpx (unbounded pool)": [{"wall_ms": 5_000.0, "cpu_ms": 1_000.0, "errors": 3}],
            "reverie": [{"wall_ms": 30_000.0, "cpu_ms": 15_000.0, "errors": 0}],
            "slow": [{"error": "timed out after 120 s", "wall_ms": 120_000.0}],
        }
    }
    summary = compare.summarise(samples)
    compare.floor_alias(summary)
    row = summary["concurrent_stream/chat/10000"]
    assert row["reverie"]["wall_ratio"] == pytest.approx(1.5)
    assert row["reverie"]["cpu_ratio"] == pytest.approx(1.5)
    assert row["httpx"] is row["httpx (semaphore 100)"]
    assert compare.cell_text(row["slow"], "wall_ms") == "timed out"


def test_a_paired_ratio_is_the_median_of_each_repetitions_own_ratio() -> None:
    floor = [{"cpu_ms": 1.0}, {"cpu_ms": 2.0}, {"cpu_ms": 4.0}]
    mine = [{"cpu_ms": 1.5}, {"cpu_ms": 2.2}, {"cpu_ms": 8.0}]
    assert compare.paired_ratio(mine, floor, "cpu_ms") == pytest.approx(1.5)
    assert compare.paired_ratio(mine[:2], floor, "cpu_ms") is None
    assert compare.paired_ratio([{"error": "x"}, *mine[1:]], floor, "cpu_ms") is None


def test_issue_24s_targets_read_the_new_workloads() -> None:
    plan = compare.Plan(quick=True)
    samples = {
        f"stream/bedrock/{n}": {
            "httpx": [{"cpu_ms": n * 0.010}],
            "reverie": [{"cpu_ms": n * 0.0104}],
        }
        for n in (1000, 10000)
    }
    samples[f"concurrent_stream/chat/{plan.streams}"] = {
        "httpx (semaphore 100)": [{"wall_ms": 1000.0, "cpu_ms": 900.0, "errors": 0}],
        "reverie": [{"wall_ms": 1400.0, "cpu_ms": 1000.0, "errors": 0, "kb_per_run": 7.5}],
    }
    checks = {
        t["target"].split(" ")[1]: t
        for t in compare.targets(compare.summarise(samples), {}, {}, plan)
    }
    assert checks["bedrock"]["met"] is True  # 1.04× per chunk, flat
    concurrent = checks[f"{plan.streams:,}"]
    assert concurrent["met"] is False  # 1.4× the floor's best pool
    assert "7.5 KB per run" in concurrent["figure"]
