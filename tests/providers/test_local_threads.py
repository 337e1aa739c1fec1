"""The local model's thread count: chosen from the free cores unless given."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from reverie.providers.local.weights import free_cores, load_llama


@pytest.mark.parametrize(
    ("cores", "load", "threads"),
    [
        (2, 0.0, 2),  # idle: every core
        (2, 0.7, 2),  # a short run of our own a moment ago
        (2, 1.0, 1),  # one core busy all minute
        (2, 1.9, 1),
        (2, 7.5, 1),  # overloaded: still one
        (8, 3.2, 5),
        (1, 0.0, 1),
    ],
)
def test_threads_are_the_cores_the_load_leaves_free(cores: int, load: float, threads: int) -> None:
    assert free_cores(cores, load) == threads


def test_the_machine_is_read_when_nothing_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr("os.getloadavg", lambda: (1.2, 0.0, 0.0))
    assert free_cores() == 3


def _fake_llama(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    class Llama:
        def __init__(self, **kwargs: Any) -> None:
            seen.update(kwargs)

    monkeypatch.setitem(sys.modules, "llama_cpp", types.SimpleNamespace(Llama=Llama))
    return seen


def test_unset_threads_are_chosen_when_the_model_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _fake_llama(monkeypatch)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr("os.getloadavg", lambda: (0.1, 0.0, 0.0))
    load_llama(Path("m.gguf"), n_threads=None, n_ctx=512, seed=0, verbose=False)
    assert (seen["n_threads"], seen["n_threads_batch"]) == (2, 2)


def test_given_threads_are_used_whatever_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _fake_llama(monkeypatch)
    monkeypatch.setattr("os.getloadavg", lambda: (9.0, 0.0, 0.0))
    load_llama(Path("m.gguf"), n_threads=3, n_ctx=512, seed=0, verbose=False)
    assert (seen["n_threads"], seen["n_threads_batch"]) == (3, 3)
