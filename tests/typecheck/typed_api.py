"""Checked by mypy (strict) in ``test_typed_api.py``, never run: what the public API's types
say to a user's type checker. Each ``assert_type`` must hold exactly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, assert_type

from pydantic import BaseModel

import reverie
from reverie.testing import ScriptedModel


class Book(BaseModel):
    title: str


model = ScriptedModel([])


async def agent_types() -> None:
    typed = reverie.Agent(model, output=Book)
    assert_type(typed, reverie.Agent[Book])
    assert_type(typed.run_sync("hi"), reverie.RunResult[Book])
    assert_type(typed.run_sync("hi").output, Book | None)
    assert_type((await typed.run("hi")).output, Book | None)
    assert_type(typed.stream("hi").result.output, Book | None)
    assert_type(reverie.Agent(model, output=list[int]).run_sync("hi").output, list[int] | None)
    assert_type(reverie.Agent(model).run_sync("hi").output, Any | None)
    assert_type(reverie.Agent(model, output={"type": "object"}).run_sync("hi").output, Any | None)


async def object_types() -> None:
    assert_type(reverie.generate_object_sync(model, Book, prompt="p"), Book)
    assert_type(reverie.generate_object_sync(model, {"type": "object"}), dict[str, Any])
    assert_type(await reverie.generate_object(model, Book, prompt="p"), Book)
    result = await reverie.generate_object_result(model, Book, prompt="p")
    assert_type(result, reverie.ObjectResult[Book])
    assert_type(result.object, Book)
    assert_type(reverie.generate_object_result_sync(model, Book).object, Book)
    stream = reverie.stream_object(model, Book, prompt="p")
    assert_type(stream, reverie.ObjectStream[Book])
    assert_type(stream.result.object, Book)
    assert_type(reverie.stream_object_sync(model, Book), Iterator[reverie.ObjectPart])


def callback_types() -> None:
    def stop(steps: Any) -> bool:
        return False

    condition: reverie.StopCondition = stop
    options: reverie.RunOptions = {"temperature": 0.2, "max_output_tokens": 10}
    reverie.Agent(model, stop_when=condition, max_parallel_tools=4).run_sync("hi", **options)
    assert_type(reverie.testing.ScriptedModel([]), ScriptedModel)
    # A misspelled keyword is a type error (an unused ignore would be one too, under strict).
    reverie.Agent(model).run_sync("hi", temprature=0.2)  # type: ignore[call-arg]
    reverie.Agent(model, max_concurrency=2)  # type: ignore[call-arg]
    # A decision is keyed by the call as shown, not by a bare id.
    paused = reverie.Agent(model).run_sync("hi")
    reverie.Agent(model).run_sync(messages=paused.messages, approvals={"c1": True})  # type: ignore[dict-item]
    reverie.Agent(model).run_sync(messages=paused.messages, approvals={paused.pending[0]: True})
