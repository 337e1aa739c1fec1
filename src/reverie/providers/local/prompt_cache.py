"""Evaluated system turns kept on disk, so that the next process need not evaluate them again.

Every prompt starts with the system turn (system prompt and tool instructions), the same run
after run, while what follows (the user's message) changes. Evaluating it is most of a short
run's first step. Once evaluated, its llama.cpp sequence state (the KV cache of those tokens
alone, no logits: ~23 KB a token for SmolLM2-135M) is written to a file; a later process with
the same model, settings and system turn loads it in milliseconds and evaluates only the rest.

One file per system turn, named by the hash of its key: the model file's identity (path, size,
mtime), llama-cpp-python's version, ``n_ctx``, flash attention on or off, and the tokens. A
file holds that key's digest and a CRC of the state; a file that does not check out is
removed and counts as absent. A file is written under a temporary name and renamed into
place, so no reader sees it half written; at most ``MAX_ENTRIES`` files are kept, the least
recently used go first. No failure here fails a call: it only means evaluating the system
turn as if there were no cache.
The tool-choice decision (:mod:`~reverie.providers.local.decide`) keeps its evaluated lines
here too, through :meth:`PromptCache.read` and :meth:`PromptCache.write`, under keys no
system turn can have.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import struct
import tempfile
import time
import zlib
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PromptCacheSetting = str | os.PathLike[str] | bool | None
"""``True``: the default directory (or what ``REVERIE_PROMPT_CACHE`` says); a path: that
directory; ``False`` or ``None``: no cache."""

ENV = "REVERIE_PROMPT_CACHE"
"""``0`` (or ``false``, ``no``, ``off``) turns the default cache off; any other value but
``1``/``true``/``yes``/``on`` names the directory to use instead of the default one."""

MAX_ENTRIES = 8
PREFIX = "system-turn-"
SUFFIX = ".kv"
TEMPORARY_PREFIX = ".system-turn-"
TEMPORARY_SUFFIX = ".tmp"
STALE_TEMP_SECONDS = 3600
"""A temporary file this old was left by a process that died while writing it."""

_OFF = frozenset({"0", "false", "no", "off"})
_ON = frozenset({"", "1", "true", "yes", "on"})
_MAGIC = b"RVPCKV01"
# magic, key digest, token count, CRC-32 of the state, state size
_HEADER = struct.Struct("<8s32sIIQ")
STATE_OFFSET = _HEADER.size
_SEQ = 0  # llama-cpp-python evaluates everything in sequence 0


def cache_directory(setting: PromptCacheSetting) -> Path | None:
    """The directory ``setting`` means, or None for no cache. An explicit path or ``False``
    wins over ``REVERIE_PROMPT_CACHE``, which only changes what ``True`` means."""
    if setting is None or setting is False:
        return None
    if setting is not True:
        return Path(setting).expanduser()
    value = os.environ.get(ENV, "").strip()
    if value.lower() in _OFF:
        return None
    if value.lower() not in _ON:
        return Path(value).expanduser()
    return default_directory()


def default_directory() -> Path | None:
    """``$XDG_CACHE_HOME/reverie/prompt-cache``, by default ``~/.cache/reverie/prompt-cache``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec says to ignore a relative path
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory: no cache
            return None
    return Path(base) / "reverie" / "prompt-cache"


class PromptCache:
    """The saved system turns of one model file loaded with one ``n_ctx``."""

    def __init__(self, directory: Path, identity: str, *, max_entries: int = MAX_ENTRIES) -> None:
        self._directory = directory
        self._identity = identity.encode()
        self._max_entries = max_entries

    @classmethod
    def for_model(
        cls,
        directory: Path,
        model_path: Path,
        *,
        n_ctx: int,
        flash_attn: bool = True,
        max_entries: int = MAX_ENTRIES,
    ) -> PromptCache | None:
        """The cache for ``model_path`` loaded with ``n_ctx`` and ``flash_attn`` (which
        changes how the KV cache is laid out), or None when the file cannot be identified."""
        try:
            import llama_cpp

            stat = model_path.stat()
            identity = json.dumps(
                [
                    str(model_path.resolve()),
                    stat.st_size,
                    stat.st_mtime_ns,
                    str(llama_cpp.__version__),
                    n_ctx,
                    flash_attn,
                ]
            )
        except (OSError, ImportError, AttributeError):
            return None
        return cls(directory, identity, max_entries=max_entries)

    @property
    def directory(self) -> Path:
        return self._directory

    def path_for(self, tokens: Sequence[int]) -> Path:
        """The file that holds (or would hold) the state of ``tokens``."""
        return self._directory / f"{PREFIX}{self._digest(tokens).hex()[:40]}{SUFFIX}"

    def load(self, llama: Any, tokens: Sequence[int]) -> bool:
        """Put the saved state of exactly ``tokens`` into ``llama``'s KV cache. False when
        there is none or it is unusable (the file is then removed); ``llama.n_tokens`` then
        says what its KV cache still holds (0 if a failed load emptied it)."""
        data = self.read(tokens)
        if data is None:
            return False
        # The CRC checks the state's content; llama.cpp checks its shape against the context.
        if _restore(llama, data, tokens):
            return True
        _remove(self.path_for(tokens))
        return False

    def read(self, tokens: Sequence[int]) -> bytearray | None:
        """The saved file for ``tokens``, header and state, if there is one that checks out
        (a file that does not is removed); its state starts at :data:`STATE_OFFSET`."""
        digest = self._digest(tokens)
        path = self.path_for(tokens)
        try:
            with path.open("rb") as file:
                data = bytearray(os.fstat(file.fileno()).st_size)
                complete = file.readinto(data) == len(data)
        except OSError:  # mostly: not there
            return None
        if complete and _valid(data, digest, len(tokens)):
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: the last to be pruned
            return data
        _remove(path)
        return None

    def save(self, llama: Any, tokens: Sequence[int]) -> None:
        """Write the state of ``llama``'s KV cache, which must hold exactly ``tokens``."""
        with contextlib.suppress(Exception):  # a cache that cannot be written is no cache
            self.write(tokens, _capture(llama))

    def write(self, tokens: Sequence[int], state: memoryview | bytes) -> None:
        """Keep ``state`` as the evaluation of ``tokens``. Raises if it cannot be written."""
        header = _HEADER.pack(
            _MAGIC, self._digest(tokens), len(tokens), zlib.crc32(state), len(state)
        )
        self._directory.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            dir=self._directory, prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX
        )
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(header)
                file.write(state)
            os.replace(temporary, self.path_for(tokens))
        except BaseException:
            _remove(Path(temporary))
            raise
        self._prune()

    def _digest(self, tokens: Sequence[int]) -> bytes:
        key = hashlib.sha256(self._identity)
        key.update(b"\0")
        key.update(array("i", tokens).tobytes())
        return key.digest()

    def _prune(self) -> None:
        entries: list[tuple[float, Path]] = []
        now = time.time()
        # Only our own files: the directory may be one the user also keeps other things in.
        for path in self._directory.iterdir():
            ours = path.name.startswith(PREFIX) and path.suffix == SUFFIX
            temporary = path.name.startswith(TEMPORARY_PREFIX) and path.suffix == TEMPORARY_SUFFIX
            if not (ours or temporary):
                continue
            try:
                modified = path.stat().st_mtime
            except OSError:  # removed by another process meanwhile
                continue
            if ours:
                entries.append((modified, path))
            elif now - modified > STALE_TEMP_SECONDS:
                _remove(path)
        entries.sort(reverse=True)
        for _, path in entries[self._max_entries :]:
            _remove(path)


def _valid(data: bytearray, digest: bytes, n_tokens: int) -> bool:
    if len(data) < _HEADER.size:
        return False
    magic, saved_digest, saved_tokens, crc, size = _HEADER.unpack_from(data)
    state = memoryview(data)[_HEADER.size :]
    return bool(
        magic == _MAGIC
        and saved_digest == digest
        and saved_tokens == n_tokens
        and size == len(state)
        and zlib.crc32(state) == crc
    )


def _capture(llama: Any) -> memoryview:
    import llama_cpp

    size = llama_cpp.llama_state_seq_get_size(llama.ctx, _SEQ)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(llama.ctx, buffer, size, _SEQ)
    if not 0 < written <= size:
        raise RuntimeError("llama.cpp did not copy the sequence state")
    return memoryview(buffer).cast("B")[:written]


def _restore(llama: Any, data: bytearray, tokens: Sequence[int]) -> bool:
    import llama_cpp

    size = len(data) - _HEADER.size
    # Whatever the sequence held goes: llama.cpp replaces it, and on failure leaves it empty.
    llama.reset()
    try:
        state = (ctypes.c_uint8 * size).from_buffer(data, _HEADER.size)
        if llama_cpp.llama_state_seq_set_data(llama.ctx, state, size, _SEQ) != size:
            return False
    except Exception:  # a binding that fails in its own way is still only a cache miss
        return False
    llama.input_ids[: len(tokens)] = tokens
    llama.n_tokens = len(tokens)
    return True


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
