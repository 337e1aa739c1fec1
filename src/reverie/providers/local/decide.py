"""Whether a new user message needs a tool, decided for a model that cannot choose by itself.

SmolLM2-135M never starts a tool call of its own accord, and asked outright ("does this need
a tool? yes/no") it answers little better than chance. What it does well is language
modelling, so the decision uses that (generative classification): the model scores the
user's message after a system line describing each tool, and after a system line describing
each kind of answer an assistant gives without tools (:data:`ANSWER_KINDS`). A tool is
called when its best line beats the best answer line by at least :data:`MARGIN` nats
(e ≈ 2.7 times). The message is read once per line; the lines stay evaluated between calls with the
same tools, so a decision costs the message's tokens times the number of lines, evaluated
in one batch.

It runs on a context of its own on the loaded weights, so the reply's KV cache is untouched.
The evaluated lines are kept in the prompt cache (:mod:`~reverie.providers.local.prompt_cache`)
when the model has one: the next process with the same tools loads them instead of
evaluating them again.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reverie.model import FunctionTool
from reverie.providers.local.prompt_cache import STATE_OFFSET, PromptCache

FRAME = "<|im_start|>system\nYou are a helpful assistant. You can {}<|im_end|>\n<|im_start|>user\n"
"""The system turn before the message, one per line; ChatML like the model's own prompt."""

ANSWER_KINDS = (
    "chat with the user and write creative text: greetings, thanks, small talk, stories, "
    "poems, jokes and names.",
    "answer questions and give advice: facts, history, science, words, language and how to "
    "do things.",
)
"""What an assistant answers without a tool: the lines a tool's line must beat."""

MARGIN = 1.0
"""How much more likely (in nats) a tool's line must make the message than any answer line."""

MAX_MESSAGE_TOKENS = 48
"""A longer message is scored on its last tokens: they hold the request more often than not."""

_CONTEXT_TOKENS = 1024
"""Room for the lines and the message in each: a dozen tools with everyday messages. A
larger context costs more to create (4096: ~0.1 s more) than it is ever used."""
_MAX_LINES = 16
_KEY_MARK = -2
_KEY_SEPARATOR = -1


@dataclass(frozen=True, slots=True)
class Decision:
    tool: str | None
    """The tool whose line scored best, or None when an answer line did."""
    margin: float
    """Best tool line's log-likelihood minus the best answer line's."""

    @property
    def call(self) -> bool:
        return self.tool is not None


def tool_line(tool: FunctionTool) -> str:
    """What the system line says the assistant can do with ``tool``."""
    text = " ".join((tool.description or tool.name.replace("_", " ")).split())
    return text[:1].lower() + text[1:] if text else tool.name


def decide(
    tools: Sequence[FunctionTool],
    tool_scores: Sequence[float],
    answer_scores: Sequence[float],
    margin: float = MARGIN,
) -> Decision:
    """The decision from each line's log-likelihood of the message."""
    best = max(range(len(tool_scores)), key=tool_scores.__getitem__)
    lead = tool_scores[best] - max(answer_scores)
    return Decision(tools[best].name if lead >= margin else None, lead)


class Decider:
    """Scores messages for one loaded ``llama_cpp.Llama``; not thread safe (the model's lock
    covers it). Create it once per model: it holds a context of its own (~25 MB)."""

    def __init__(self, llama: Any, cache: PromptCache | None = None) -> None:
        import llama_cpp

        self._llama = llama
        self._cache = cache
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = _CONTEXT_TOKENS
        params.n_batch = _CONTEXT_TOKENS
        params.n_seq_max = _MAX_LINES
        params.kv_unified = True
        params.n_threads = llama.context_params.n_threads
        params.n_threads_batch = llama.context_params.n_threads_batch
        params.no_perf = True
        ctx = llama_cpp.llama_init_from_model(llama.model, params)
        if not ctx:
            raise RuntimeError("llama.cpp could not create the decision context")
        self._ctx = ctx
        self._api = llama_cpp  # kept: close() may run while the interpreter shuts down
        self._batch = llama_cpp.llama_batch_init(_CONTEXT_TOKENS, 0, 1)
        # The context must go before the weights it uses: closing the Llama closes it first.
        llama._stack.callback(self.close)
        self._lines: list[list[int]] = []  # each line's tokens, evaluated in its sequence
        self._n_vocab = int(llama.n_vocab())

    def close(self) -> None:
        if self._ctx is not None:
            self._api.llama_batch_free(self._batch)
            self._api.llama_free(self._ctx)
            self._ctx = None

    def decide(self, tools: Sequence[FunctionTool], message: str) -> Decision | None:
        """The decision for ``message``; None when it cannot be made here (more than 14
        tools, or lines too long for the context): the caller then calls a tool, as
        ``auto_tool_choice="call-first"`` does."""
        lines = [tool_line(t) for t in tools] + list(ANSWER_KINDS)
        scores = self.scores(lines, message)
        if scores is None:
            return None
        return decide(tools, scores[: len(tools)], scores[len(tools) :])

    def _key(self, prefixes: Sequence[Sequence[int]]) -> list[int]:
        # Negative numbers are no token: they keep these keys apart from a system turn's.
        return [_KEY_MARK, *(t for p in prefixes for t in (*p[:-1], _KEY_SEPARATOR))]

    def _load(self, prefixes: Sequence[Sequence[int]]) -> bool:
        if self._cache is None:
            return False
        data = self._cache.read(self._key(prefixes))
        if data is None:
            return False
        size = len(data) - STATE_OFFSET
        try:
            state = (ctypes.c_uint8 * size).from_buffer(data, STATE_OFFSET)
            return bool(self._api.llama_state_set_data(self._ctx, state, size) == size)
        except Exception:  # a binding that fails in its own way is only a cache miss
            return False

    def _save(self, prefixes: Sequence[Sequence[int]]) -> None:
        if self._cache is None:
            return
        with contextlib.suppress(Exception):  # a cache that cannot be written is no cache
            size = self._api.llama_state_get_size(self._ctx)
            buffer = (ctypes.c_uint8 * size)()
            written = self._api.llama_state_get_data(self._ctx, buffer, size)
            if 0 < written <= size:
                self._cache.write(self._key(prefixes), memoryview(buffer).cast("B")[:written])

    def _decode(self, runs: Sequence[tuple[int, int, Sequence[int], bool]]) -> bool:
        """Evaluate each (sequence, first position, tokens, with logits) in one batch."""
        batch = self._batch
        n = 0
        for seq, start, tokens, logits in runs:
            for offset, token in enumerate(tokens):
                batch.token[n] = token
                batch.pos[n] = start + offset
                batch.n_seq_id[n] = 1
                batch.seq_id[n][0] = seq
                batch.logits[n] = logits
                n += 1
        batch.n_tokens = n
        return n == 0 or self._api.llama_decode(self._ctx, batch) == 0

    def scores(self, lines: Sequence[str], message: str) -> list[float] | None:
        """Each line's log-likelihood of ``message`` following it."""
        import llama_cpp
        import numpy as np

        llama = self._llama
        prefixes = [
            list(llama.tokenize(FRAME.format(line).encode(), add_bos=True, special=True))
            for line in lines
        ]
        tokens = list(llama.tokenize(message.encode(), add_bos=False, special=False))
        tokens = tokens[-MAX_MESSAGE_TOKENS:] or list(llama.tokenize(b" ", add_bos=False))
        if len(lines) > _MAX_LINES or len(prefixes) * len(tokens) + sum(map(len, prefixes)) > (
            _CONTEXT_TOKENS
        ):
            return None
        memory = llama_cpp.llama_get_memory(self._ctx)
        if prefixes != self._lines:
            # Each line but its last token, in a sequence of its own, kept between calls.
            llama_cpp.llama_memory_clear(memory, True)
            self._lines = []
            if not self._load(prefixes):
                llama_cpp.llama_memory_clear(memory, True)
                if not self._decode([(seq, 0, p[:-1], False) for seq, p in enumerate(prefixes)]):
                    return None
                self._save(prefixes)
            self._lines = prefixes
        # Then, always the same way whatever came before (so the scores depend on the line
        # and the message only): the line's last token and the message, whose logits predict
        # the message's tokens; the last message is dropped first.
        for seq, prefix in enumerate(prefixes):
            llama_cpp.llama_memory_seq_rm(memory, seq, len(prefix) - 1, -1)
        scored = [(seq, len(p) - 1, [p[-1], *tokens[:-1]], True) for seq, p in enumerate(prefixes)]
        if not self._decode(scored):
            self._lines = []
            return None
        rows = len(prefixes) * len(tokens)
        logits = np.ctypeslib.as_array(
            llama_cpp.llama_get_logits(self._ctx), shape=(rows, self._n_vocab)
        ).astype(np.float64)
        top = logits.max(axis=1, keepdims=True)
        log_z = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
        targets = np.tile(np.asarray(tokens), len(prefixes))
        picked = logits[np.arange(rows), targets] - log_z
        return [float(x) for x in picked.reshape(len(prefixes), len(tokens)).sum(axis=1)]


__all__ = ["ANSWER_KINDS", "MARGIN", "Decider", "Decision", "decide", "tool_line"]
