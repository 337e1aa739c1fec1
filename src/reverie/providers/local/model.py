"""The local language model: one GGUF file run in-process by llama.cpp.

The Llama object is loaded on the first call and reused. llama.cpp is not thread safe, so
one lock serialises every use of it; generation runs in a worker thread so the event loop
stays free, and a stream receives the parts from that thread as they are produced.
``generate`` and ``stream`` share the same worker, so both give the same content.
"""

from __future__ import annotations

import codecs
import ctypes
import functools
import math
import threading
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from reverie.accumulate import StreamAccumulator
from reverie.errors import ConfigurationError, ContextOverflowError, ProviderError, ReverieError
from reverie.finish_reason import FinishReason
from reverie.http.body import utf8
from reverie.messages import Message, TextPart
from reverie.model import (
    Call,
    ErrorPart,
    Finish,
    FunctionTool,
    ProviderTool,
    Response,
    StreamPart,
)
from reverie.pricing import priced
from reverie.providers.local.decide import Decider
from reverie.providers.local.grammar import ReplyFormat, ReplyMode, reply_format
from reverie.providers.local.prompt import END, Prompt, Segment, build_prompt, count_calls
from reverie.providers.local.prompt_cache import PromptCache, PromptCacheSetting, cache_directory
from reverie.providers.local.reader import ReplyReader
from reverie.providers.local.weights import FLASH_ATTENTION, load_llama
from reverie.usage import Usage
from reverie.warning import CallWarning

AutoToolChoice = Literal["model", "decide", "call-first"]
"""How ``tool_choice="auto"`` is decided.

``"model"``: the grammar allows a call or a text answer and the model chooses. ``"decide"``:
a new user message is first scored against the tools and the kinds of answer that need
none (:mod:`~reverie.providers.local.decide`), then answered with a call or with text as
decided; once tool results are in, with text. ``"call-first"``: a new user message is
answered with a tool call, and once tool results are in, with text ("Hello" gets a call too).
SmolLM2-135M never chooses a call of its own accord (no call for 8 weather questions under
4 different prompt layouts), so ``"decide"`` is its default; other models default to
``"model"``.
"""

_AUTO = ("model", "decide", "call-first")

PROVIDER = "local"
DEFAULT_MAX_OUTPUT_TOKENS = 512
"""A small model at temperature 0 can repeat itself until the context is full; this bounds
a reply to a few seconds unless the call sets ``max_output_tokens``."""

_OPTIONS = ("auto_tool_choice", "repeat_penalty", "min_p")
JSON_REPEAT_PENALTY = 1.1


@dataclass(frozen=True, slots=True)
class Sampling:
    temperature: float
    top_k: int
    top_p: float
    min_p: float
    repeat_penalty: float
    presence_penalty: float
    frequency_penalty: float
    seed: int
    max_tokens: int


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one generation needs that does not need the model loaded."""

    prompt: Prompt
    reply: ReplyFormat
    sampling: Sampling
    stop_sequences: tuple[str, ...]
    call_id: str
    warnings: tuple[CallWarning, ...]
    decision: Decide | None = None
    """Set when the reply is a call only if the decision says so; else ``None``."""


@dataclass(frozen=True, slots=True)
class Decide:
    """A call-or-answer decision to make before replying (``auto_tool_choice="decide"``)."""

    message: str
    """The user's message the decision reads."""
    tools: tuple[FunctionTool, ...]
    prompt: Prompt
    reply: ReplyFormat
    """The prompt and reply format of a text answer, used when no tool is needed."""


def plan_call(
    call: Call, *, auto_tool_choice: AutoToolChoice, seed: int, bounded_json: bool = False
) -> Plan:
    """The prompt, the reply format and the sampling settings for ``call``. ``bounded_json``
    is for a model that repeats itself: its JSON gets bounds (see
    :func:`~reverie.providers.local.grammar.reply_format`) and an answer in a response format
    a repeat penalty (1.1, unless the call's ``repeat_penalty`` option sets one)."""
    warnings: list[CallWarning] = []
    tools: list[FunctionTool] = []
    for t in call.tools:
        if isinstance(t, ProviderTool):
            warnings.append(
                CallWarning(
                    kind="unsupported-tool",
                    setting=t.name,
                    message=f"provider tool {t.id} cannot run on a local model",
                )
            )
        else:
            tools.append(t)
    options = dict(call.provider_options.get(PROVIDER) or {})
    for key in options:
        if key not in _OPTIONS:
            warnings.append(
                CallWarning(
                    kind="unsupported-setting",
                    setting=f"{PROVIDER}.{key}",
                    message=f"unknown {PROVIDER} option {key!r} was ignored",
                )
            )
    if call.headers:
        warnings.append(
            CallWarning(
                kind="unsupported-setting",
                setting="headers",
                message="a local model makes no HTTP request; headers were ignored",
            )
        )
    auto = options.get("auto_tool_choice", auto_tool_choice)
    if auto not in _AUTO:
        raise ConfigurationError(
            f"local: auto_tool_choice must be 'model', 'decide' or 'call-first', not {auto!r}"
        )
    mode, callable_tools = reply_mode(call, tools, auto)
    schema = call.response_format.schema if call.response_format is not None else None
    reply = reply_format(
        mode,
        callable_tools,
        schema,
        constrain_text=bool(tools) or count_calls(call.prompt) > 0,
        bounded=bounded_json,
    )
    prompt = build_prompt(call.prompt, tools)
    if reply.prefix:
        # The reply's fixed start is part of the prompt: evaluated in one batch with it.
        prompt = replace(prompt, segments=(*prompt.segments, Segment(reply.prefix, False)))
    decision = None
    if auto == "decide" and mode is ReplyMode.CALL and (call.tool_choice or "auto") == "auto":
        decision = Decide(
            message=_text_of(call.prompt[-1]) if call.prompt else "",
            tools=tuple(callable_tools),
            # A text answer is written without the tools in sight: a small model shown them
            # talks about them ("Hello" got a reply about what it cannot access).
            prompt=build_prompt(call.prompt, []),
            reply=reply_format(
                ReplyMode.TEXT,
                [],
                schema,
                constrain_text=count_calls(call.prompt) > 0,
                bounded=bounded_json,
            ),
        )
    penalty = JSON_REPEAT_PENALTY if bounded_json and schema is not None else 1.0
    s = call.settings
    sampling = Sampling(
        # Deterministic unless asked otherwise: temperature 0 is greedy decoding.
        temperature=0.0 if s.temperature is None else s.temperature,
        top_k=40 if s.top_k is None else s.top_k,
        top_p=0.95 if s.top_p is None else s.top_p,
        min_p=float(options.get("min_p", 0.05)),
        repeat_penalty=float(options.get("repeat_penalty", penalty)),
        presence_penalty=s.presence_penalty or 0.0,
        frequency_penalty=s.frequency_penalty or 0.0,
        seed=seed if s.seed is None else s.seed,
        max_tokens=s.max_output_tokens or DEFAULT_MAX_OUTPUT_TOKENS,
    )
    return Plan(
        prompt=prompt,
        reply=reply,
        sampling=sampling,
        stop_sequences=tuple(s.stop_sequences),
        call_id=f"call_{count_calls(call.prompt)}",
        warnings=(*warnings, *prompt.warnings, *reply.warnings),
        decision=decision,
    )


def _text_of(message: Message) -> str:
    return "\n".join(p.text for p in message.content if isinstance(p, TextPart))


def reply_mode(
    call: Call, tools: Sequence[FunctionTool], auto: str
) -> tuple[ReplyMode, list[FunctionTool]]:
    """What the reply must be, and the tools a call may name."""
    choice = call.tool_choice or "auto"
    if not tools or choice == "none":
        return ReplyMode.TEXT, []
    if choice == "required":
        return ReplyMode.CALL, list(tools)
    if choice == "auto":
        if auto == "model":
            return ReplyMode.EITHER, list(tools)
        # "call-first" and "decide": a call may answer a new user message, text answers
        # tool results.
        last = call.prompt[-1].role if call.prompt else "user"
        return (ReplyMode.CALL if last == "user" else ReplyMode.TEXT), list(tools)
    named = [t for t in tools if t.name == choice]
    if not named:
        raise ConfigurationError(f"local: tool_choice {choice!r} is not one of the call's tools")
    return ReplyMode.CALL, named


Emit = Callable[[StreamPart | None], None]


class LocalModel:
    """A GGUF model run in-process. Create it through :class:`reverie.providers.local.Local`.

    ``prompt_cache`` is read when the model is created (see
    :func:`~reverie.providers.local.prompt_cache.cache_directory`)."""

    def __init__(
        self,
        model_id: str,
        *,
        path: Path,
        n_threads: int | None = None,
        n_ctx: int = 4096,
        seed: int = 0,
        verbose: bool = False,
        auto_tool_choice: AutoToolChoice = "model",
        prompt_cache: PromptCacheSetting = True,
        bounded_json: bool = False,
    ) -> None:
        self._model_id = model_id
        self._path = path
        self._n_threads = n_threads
        self._n_ctx = n_ctx
        self._seed = seed
        self._verbose = verbose
        self._auto_tool_choice = auto_tool_choice
        self._bounded_json = bounded_json
        self._lock = threading.Lock()
        self._llama: Any = None
        self._bos: list[int] = []
        self._stop_tokens: frozenset[int] = frozenset()
        self._cache_directory = cache_directory(prompt_cache)
        self._cache: PromptCache | None = None
        self._decider: Decider | None = None

    @property
    def provider(self) -> str:
        return PROVIDER

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def path(self) -> Path:
        return self._path

    @property
    def prompt_cache(self) -> Path | None:
        """Where evaluated system turns are kept across processes; None when they are not."""
        return self._cache_directory

    def __repr__(self) -> str:
        return f"LocalModel({self._model_id!r}, path={str(self._path)!r})"

    def close(self) -> None:
        """Free the weights now rather than when the model is garbage collected."""
        with self._lock:
            if self._decider is not None:
                self._decider.close()
                self._decider = None
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    def plan(self, call: Call) -> Plan:
        return plan_call(
            call,
            auto_tool_choice=self._auto_tool_choice,
            seed=self._seed,
            bounded_json=self._bounded_json,
        )

    async def generate(self, call: Call) -> Response:
        import anyio.to_thread

        plan = self.plan(call)
        parts: list[StreamPart] = []
        cancel = threading.Event()

        def collect(part: StreamPart | None) -> None:
            if part is not None:
                parts.append(part)

        try:
            await anyio.to_thread.run_sync(self._run, plan, collect, cancel, abandon_on_cancel=True)
        finally:
            cancel.set()  # if we were cancelled, the worker stops at its next token
        accumulator = StreamAccumulator()
        for part in parts:
            accumulator.add(part)
        return accumulator.response()

    async def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        import asyncio

        try:
            plan = self.plan(call)
        except ReverieError as exc:
            yield ErrorPart(exc)
            return
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[StreamPart | None] = asyncio.Queue()
        cancel = threading.Event()

        def emit(part: StreamPart | None) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, part)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                cancel.set()

        def work() -> None:
            try:
                self._run(plan, emit, cancel)
            except Exception as exc:
                emit(ErrorPart(exc))
            finally:
                emit(None)

        loop.run_in_executor(None, work)
        try:
            while (part := await queue.get()) is not None:
                yield part
        finally:
            # Closing the stream early stops the worker at its next token; it releases the
            # lock itself, so there is nothing to wait for here.
            cancel.set()

    # The worker: runs in a thread, holds the lock for the whole generation.

    def _run(self, plan: Plan, emit: Emit, cancel: threading.Event) -> None:
        try:
            with self._lock:
                self._generate(self._load(), plan, emit, cancel)
        except ReverieError:
            raise
        except Exception as exc:
            raise ProviderError(
                f"local: generation failed: {type(exc).__name__}: {exc}", provider=PROVIDER
            ) from exc

    def _load(self) -> Any:
        if self._llama is None:
            llama = load_llama(
                self._path,
                n_threads=self._n_threads,
                n_ctx=self._n_ctx,
                seed=self._seed,
                verbose=self._verbose,
            )
            # tokenize(b"", add_bos=True) is [BOS] for models that want one, [] otherwise.
            self._bos = list(llama.tokenize(b"", add_bos=True, special=False))
            stops = {int(llama.token_eos())}
            end = llama.tokenize(END.encode(), add_bos=False, special=True)
            if len(end) == 1:  # ChatML models whose EOS is another token still end turns here
                stops.add(int(end[0]))
            self._stop_tokens = frozenset(stops)
            if self._cache_directory is not None:
                self._cache = PromptCache.for_model(
                    self._cache_directory,
                    self._path,
                    n_ctx=self._n_ctx,
                    flash_attn=FLASH_ATTENTION,
                )
            self._llama = llama
        return self._llama

    def _tokens(self, llama: Any, prompt: Prompt) -> tuple[list[int], int]:
        """The prompt's tokens, and how many of them make its system turn."""
        tokens = list(self._bos)
        head = len(tokens)
        for i, segment in enumerate(prompt.segments):
            tokens += llama.tokenize(utf8(segment.text), add_bos=False, special=segment.special)
            if i < prompt.head:
                head = len(tokens)
        return tokens, head

    def _system_turn(self, llama: Any, cache: PromptCache, head: list[int], kept: int) -> int:
        """Leave the KV cache holding exactly the system turn ``head``, of which the first
        ``kept`` tokens are there already: loaded from ``cache``, else evaluated and saved.
        Returns how many of its tokens were not evaluated here."""
        if cache.load(llama, head):
            return len(head)
        kept = min(kept, llama.n_tokens)  # a failed load may have emptied it
        if kept == 0 or not _truncate(llama, kept):
            llama.reset()
            kept = 0
        # Evaluated on its own, so the KV saved is the same as the one a later run loads.
        llama.eval(head[kept:])
        cache.save(llama, head)
        return kept

    def _generate(self, llama: Any, plan: Plan, emit: Emit, cancel: threading.Event) -> None:
        from llama_cpp.llama_grammar import LlamaGrammar

        metadata: dict[str, Any] = {}
        if plan.decision is not None:
            if self._decider is None:
                self._decider = Decider(llama, self._cache)
            decided = self._decider.decide(plan.decision.tools, plan.decision.message)
            if decided is not None:
                metadata["tool_decision"] = {"call": decided.call, "margin": decided.margin}
                if not decided.call:
                    plan = replace(plan, prompt=plan.decision.prompt, reply=plan.decision.reply)
        tokens, head = self._tokens(llama, plan.prompt)
        room = self._n_ctx - len(tokens)
        if room <= 0:
            raise ContextOverflowError(
                f"local: the prompt has {len(tokens)} tokens, more than the context window "
                f"of {self._n_ctx}; create the provider with a larger n_ctx",
                provider=PROVIDER,
                used_tokens=len(tokens),
                max_tokens=self._n_ctx,
            )
        sampling = plan.sampling
        limit = min(sampling.max_tokens, room)
        # llama.cpp keeps the previous prompt's KV cache and evaluates only what changed: in
        # an agent run each step's prompt extends the last, so most of it is cached.
        previous = llama.input_ids[: llama.n_tokens].tolist()
        kept = _common_prefix(previous, tokens)
        # Across processes, the system turn's evaluation is kept on disk.
        if self._cache is not None and kept < head < len(tokens):
            kept = self._system_turn(llama, self._cache, tokens[:head], kept)
        cached = min(kept, len(tokens) - 1)
        reader = ReplyReader(
            plan.reply.mode,
            plan.reply.tool_names,
            call_id=plan.call_id,
            stop_sequences=plan.stop_sequences,
        )
        grammar: Any = plan.reply.grammar  # greedy decoding reads its text (_greedy)
        if grammar and sampling.temperature != 0.0:
            grammar = LlamaGrammar.from_string(grammar, verbose=self._verbose)
        llama.set_seed(sampling.seed)
        for part in reader.feed(plan.reply.prefix):  # written into the prompt, not generated
            emit(part)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        generated = 0
        hit_limit = False
        generator = _sample(llama, tokens, sampling, grammar, relax=plan.reply.text_is_free)
        try:
            for token in generator:
                if cancel.is_set():
                    return
                if token in self._stop_tokens:
                    break
                generated += 1
                for part in reader.feed(decoder.decode(llama.detokenize([token]))):
                    emit(part)
                if reader.done:
                    break
                if generated >= limit:
                    hit_limit = True
                    break
        finally:
            generator.close()
        for part in [*reader.feed(decoder.decode(b"", final=True)), *reader.finish()]:
            emit(part)
        if reader.called:
            reason = FinishReason.TOOL_CALLS
        elif hit_limit and not reader.done:
            reason = FinishReason.LENGTH
        else:
            reason = FinishReason.STOP
        emit(
            Finish(
                finish_reason=reason,
                usage=priced(
                    Usage(
                        input_tokens=len(tokens),
                        output_tokens=generated,
                        total_tokens=len(tokens) + generated,
                        cache_read_tokens=max(cached, 0),
                    ),
                    PROVIDER,
                    self._path.stem,
                    self._model_id,
                ),
                provider_metadata={PROVIDER: metadata} if metadata else {},
                warnings=list(plan.warnings),
                model_id=self._path.stem,
            )
        )


def _sample(
    llama: Any, tokens: list[int], sampling: Sampling, grammar: Any, *, relax: bool
) -> Generator[int, None, None]:
    """The generated tokens. With ``relax``, a first token that starts a text answer ends
    the grammar's part: the rest is generated without it, continuing from that token (the
    KV cache already holds the prompt, so only that one token is evaluated again)."""
    options: dict[str, Any] = {
        "temp": sampling.temperature,
        "top_k": sampling.top_k,
        "top_p": sampling.top_p,
        "min_p": sampling.min_p,
        "repeat_penalty": sampling.repeat_penalty,
        "presence_penalty": sampling.presence_penalty,
        "frequency_penalty": sampling.frequency_penalty,
    }
    run: Callable[..., Generator[int, None, None]] = (
        functools.partial(_greedy, llama) if sampling.temperature == 0.0 else llama.generate
    )
    generator = run(tokens, grammar=grammar, **options)
    try:
        if grammar is not None and relax:
            first = next(generator, None)
            if first is None:
                return
            yield first
            if not llama.detokenize([first]).lstrip().startswith(b"{"):
                generator.close()
                generator = run([*tokens, first], grammar=None, **options)
        yield from generator
    finally:
        generator.close()


def _greedy(
    llama: Any,
    tokens: list[int],
    *,
    grammar: str | None,
    repeat_penalty: float,
    frequency_penalty: float,
    presence_penalty: float,
    **_: Any,
) -> Generator[int, None, None]:
    """What ``llama.generate(tokens, grammar=…, temp=0.0, …)`` yields, the same tokens,
    faster under a grammar (given as its text): the most likely token (after any repeat
    penalties) is checked against the grammar alone, and only when the grammar rejects it
    are all the vocabulary's tokens checked, as llama.cpp's own sampler does. The token with
    the highest score is then the one of the highest score the grammar allows, with or
    without that detour; checking the whole vocabulary for every token costs ~9 ms a token
    for SmolLM2's 49,152. The other sampling options do not apply to greedy decoding."""
    import llama_cpp
    import numpy as np

    n_vocab = int(llama.n_vocab())
    ctx = llama.ctx
    chain: list[Any] = []  # the samplers to free
    try:
        penalties = None
        if (repeat_penalty, frequency_penalty, presence_penalty) != (1.0, 0.0, 0.0):
            # The arguments llama-cpp-python's own sampler chain passes: the same penalties.
            penalties = llama_cpp.llama_sampler_init_penalties(
                n_vocab,
                llama.last_n_tokens_size,
                repeat_penalty,
                frequency_penalty,
                presence_penalty,
            )
            chain.append(penalties)
        rules = None
        if grammar is not None:
            vocab = llama_cpp.llama_model_get_vocab(llama.model)
            rules = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode(), b"root")
            if not rules:
                raise ValueError("llama.cpp did not accept the reply's grammar")
            chain.append(rules)
        candidates = (llama_cpp.llama_token_data * n_vocab)()
        table = np.frombuffer(memoryview(candidates), dtype=np.dtype(_TOKEN_DATA))
        one = (llama_cpp.llama_token_data * 1)()
        every = llama_cpp.llama_token_data_array(candidates, n_vocab, -1, False)
        single = llama_cpp.llama_token_data_array(one, 1, -1, False)

        def fill() -> None:
            table["id"] = np.arange(n_vocab, dtype=np.int32)
            table["logit"] = np.ctypeslib.as_array(
                llama_cpp.llama_get_logits_ith(ctx, -1), shape=(n_vocab,)
            )
            table["p"] = 0.0
            every.size, every.selected, every.sorted = n_vocab, -1, False

        _evaluate(llama, tokens)
        while True:
            if penalties is not None:
                fill()
                llama_cpp.llama_sampler_apply(penalties, ctypes.byref(every))
                scores = table["logit"]
            else:
                scores = np.ctypeslib.as_array(
                    llama_cpp.llama_get_logits_ith(ctx, -1), shape=(n_vocab,)
                )
            token = int(np.argmax(scores))
            if rules is not None:
                one[0] = llama_cpp.llama_token_data(token, 0.0, 0.0)
                single.size, single.selected, single.sorted = 1, -1, False
                llama_cpp.llama_sampler_apply(rules, ctypes.byref(single))
                if one[0].logit == -math.inf:  # rejected: the grammar must choose
                    if penalties is None:
                        fill()
                    llama_cpp.llama_sampler_apply(rules, ctypes.byref(every))
                    token = int(np.argmax(table["logit"]))
                llama_cpp.llama_sampler_accept(rules, token)
            if penalties is not None:
                llama_cpp.llama_sampler_accept(penalties, token)
            yield token
            llama.eval([token])
    finally:
        for sampler in chain:
            llama_cpp.llama_sampler_free(sampler)


_TOKEN_DATA = [("id", "<i4"), ("logit", "<f4"), ("p", "<f4")]


def _evaluate(llama: Any, tokens: list[int]) -> None:
    """Leave ``llama`` holding ``tokens`` with the last one's logits: only what differs
    from what its KV cache holds is evaluated (as ``llama.generate`` does)."""
    kept = _common_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens)
    kept = min(kept, len(tokens) - 1)  # the last token is evaluated for its logits
    if kept < llama.n_tokens and not (kept > 0 and _truncate(llama, kept)):
        llama.reset()
        kept = 0
    llama.eval(tokens[kept:])


def _truncate(llama: Any, n: int) -> bool:
    """Keep the first ``n`` tokens of the KV cache; False where llama.cpp cannot (a recurrent
    model's state has no positions to cut at)."""
    import llama_cpp

    memory = llama_cpp.llama_get_memory(llama.ctx)
    if memory is None or not llama_cpp.llama_memory_seq_rm(memory, 0, n, -1):
        return False
    llama.n_tokens = n
    return True


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
