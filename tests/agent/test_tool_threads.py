"""Sync tools' worker threads (reverie.tools.threads): off the loop, daemon, bounded, and
never waited on once the caller has given up."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest
from pydantic import BaseModel

import reverie
from reverie import TextOutput
from reverie.testing import ScriptedModel, reply
from reverie.tools import threads
from reverie.tools.threads import run_in_thread

TIMEOUT = 5.0
WHO: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")


async def test_the_function_runs_off_the_loop_thread_and_its_result_comes_back() -> None:
    here = threading.get_ident()
    ident, value = await run_in_thread(lambda x, y=0: (threading.get_ident(), x + y), 2, y=3)
    assert value == 5 and ident != here


async def test_the_threads_are_daemons_so_a_hung_tool_cannot_hold_the_exit() -> None:
    name, daemon = await run_in_thread(
        lambda: (threading.current_thread().name, threading.current_thread().daemon)
    )
    assert (name, daemon) == ("reverie-tool", True)


async def test_errors_come_back_as_they_were_raised() -> None:
    def fails() -> None:
        raise KeyError("nope")

    with pytest.raises(KeyError, match="nope"):
        await run_in_thread(fails)


async def test_stop_iteration_cannot_be_set_on_a_future_so_it_becomes_a_runtime_error() -> None:
    def stops() -> None:
        raise StopIteration("done")

    with pytest.raises(RuntimeError, match="StopIteration: done"):
        await run_in_thread(stops)


async def test_the_callers_context_variables_go_with_the_call() -> None:
    WHO.set("the run")
    assert await run_in_thread(WHO.get) == "the run"


async def test_a_cancelled_caller_stops_waiting_and_the_late_result_is_dropped() -> None:
    started, release = threading.Event(), threading.Event()
    finished: list[str] = []

    def slow() -> str:
        started.set()
        release.wait(TIMEOUT)
        finished.append("ran to its end")
        return "late"

    task = asyncio.create_task(run_in_thread(slow))
    await asyncio.to_thread(started.wait, TIMEOUT)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()
    for _ in range(100):  # the thread finishes on its own; its result has nowhere to go
        if finished:
            break
        await asyncio.sleep(0.01)
    assert finished == ["ran to its end"]
    await asyncio.sleep(0.05)  # the dropped result is settled on the loop without an error


async def test_past_the_limit_calls_wait_for_a_thread_and_all_of_them_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(threads, "_workers", threads._Workers(2))
    running, most = 0, 0
    lock = threading.Lock()
    seen: set[int] = set()

    def job(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            seen.add(threading.get_ident())
        time.sleep(0.1)  # long enough that the two workers overlap on a loaded machine
        with lock:
            running -= 1
        return n

    results = await asyncio.wait_for(
        asyncio.gather(*(run_in_thread(job, n) for n in range(7))), TIMEOUT
    )
    assert results == list(range(7))
    assert most == 2 and len(seen) == 2


async def test_two_quick_calls_each_get_a_thread_of_their_own() -> None:
    barrier = threading.Barrier(2, timeout=TIMEOUT)  # each call waits for the other
    both = await asyncio.gather(run_in_thread(barrier.wait), run_in_thread(barrier.wait))
    assert sorted(both) == [0, 1]


async def test_a_call_given_up_before_a_thread_was_free_never_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(threads, "_workers", threads._Workers(1))
    release = threading.Event()
    ran: list[str] = []
    busy = asyncio.create_task(run_in_thread(release.wait, TIMEOUT))
    queued = asyncio.create_task(run_in_thread(ran.append, "queued"))
    await asyncio.sleep(0.05)
    queued.cancel()
    with pytest.raises(asyncio.CancelledError):
        await queued
    release.set()
    assert await busy is True
    assert await run_in_thread(lambda: "next") == "next"  # the thread is free again
    assert ran == []


# ---- blocking=False: a quick sync function called on the event loop itself ----------------


async def _thread_of(made_tool: reverie.Tool) -> int:
    model = ScriptedModel([reply(tool_calls=[("c1", made_tool.name, "{}")]), reply("done")])
    result = await reverie.Agent(model, tools=[made_tool]).run("go")
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, TextOutput), output
    return int(output.text)


async def test_a_sync_tool_runs_in_a_worker_thread_by_default() -> None:
    @reverie.tool
    def where() -> int:
        """which thread"""
        return threading.get_ident()

    assert await _thread_of(where) != threading.get_ident()


async def test_a_tool_that_never_blocks_runs_on_the_loops_own_thread() -> None:
    @reverie.tool(blocking=False)
    def where() -> int:
        """which thread"""
        return threading.get_ident()

    assert await _thread_of(where) == threading.get_ident()


async def test_blocking_false_reaches_tools_from_models_and_schemas() -> None:
    class Empty(BaseModel):
        """nothing"""

    from_model = reverie.Tool.from_model(
        Empty, lambda _args: threading.get_ident(), name="m", blocking=False
    )
    from_schema = reverie.Tool.from_schema(
        "s", "", {"type": "object"}, lambda _args: threading.get_ident(), blocking=False
    )
    here = threading.get_ident()
    assert await _thread_of(from_model) == here
    assert await _thread_of(from_schema) == here
    threaded = reverie.Tool.from_schema("t", "", {}, lambda _a: threading.get_ident())
    assert await _thread_of(threaded) != here


def test_a_timeout_cannot_go_with_a_call_on_the_loop() -> None:
    def quick() -> str:
        """quick"""
        return "x"

    with pytest.raises(reverie.ConfigurationError, match="a timeout cannot interrupt"):
        reverie.tool(blocking=False, timeout=5)(quick)
    with pytest.raises(reverie.ConfigurationError, match="tool s: a timeout cannot"):
        reverie.Tool.from_schema("s", "", {}, lambda _a: "x", blocking=False, timeout=1)


def test_blocking_must_be_a_bool() -> None:
    def quick() -> str:
        """quick"""
        return "x"

    with pytest.raises(TypeError, match="tool quick: blocking must be True or False, not 'no'"):
        reverie.tool(blocking="no")(quick)  # type: ignore[call-overload]


async def test_an_async_tool_ignores_blocking_and_may_still_have_a_timeout() -> None:
    async def later() -> int:
        """async"""
        return threading.get_ident()

    made = reverie.tool(blocking=False, timeout=5)(later)
    assert await _thread_of(made) == threading.get_ident()


async def test_a_thread_ends_after_its_idle_seconds_and_a_new_call_starts_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(threads, "_workers", threads._Workers(4))
    monkeypatch.setattr(threads, "IDLE_SECONDS", 0.05)
    first = await run_in_thread(threading.current_thread)
    for _ in range(100):
        if not first.is_alive():
            break
        await asyncio.sleep(0.01)
    assert not first.is_alive()
    second = await run_in_thread(threading.current_thread)
    assert second is not first and second.is_alive()


async def test_busy_threads_counts_the_calls_running_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "_workers", threads._Workers(4))
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(TIMEOUT)

    assert threads.busy_threads() == 0
    task = asyncio.create_task(run_in_thread(hold))
    await asyncio.to_thread(started.wait, TIMEOUT)
    assert threads.busy_threads() == 1
    release.set()
    await task
    assert threads.busy_threads() == 0


async def test_a_plain_function_given_to_the_agent_runs_in_a_worker_thread() -> None:
    def where() -> int:
        """which thread"""
        return threading.get_ident()

    model = ScriptedModel([reply(tool_calls=[("c1", "where", "{}")]), reply("done")])
    result = await reverie.Agent(model, tools=[where]).run("go")
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, TextOutput) and int(output.text) != threading.get_ident()


async def test_an_executable_provider_tool_can_run_on_the_loop_too() -> None:
    computer = reverie.ProviderTool(id="anthropic.computer_20250124", name="computer")
    made = reverie.Tool.from_provider_tool(
        computer, lambda _args: threading.get_ident(), blocking=False
    )
    assert await _thread_of(made) == threading.get_ident()


def test_the_timeout_refusal_names_the_tool_whatever_made_it() -> None:
    class Point(BaseModel):
        """a point"""

    expected = (
        "tool {}: a timeout cannot interrupt a function called on the event loop "
        "(blocking=False); leave the timeout out, or let it run in a thread"
    )
    with pytest.raises(reverie.ConfigurationError) as error:
        reverie.Tool.from_model(Point, lambda _p: "x", blocking=False, timeout=1)
    assert str(error.value) == expected.format("point")

    def quick() -> str:
        """quick"""
        return "x"

    with pytest.raises(reverie.ConfigurationError) as error:
        reverie.tool(blocking=False, timeout=5)(quick)
    assert str(error.value) == expected.format("quick")
