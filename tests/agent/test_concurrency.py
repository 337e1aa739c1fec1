"""Running tools: parallel ones together (within max_parallel_tools), others one at a time."""

import threading

import anyio
import anyio.lowlevel

from reverie import Agent, ErrorOutput, TextOutput, ToolResultPart, tool
from reverie.testing.fake import ScriptedModel, reply

TIMEOUT = 2


def calls(*pairs: tuple[str, str]) -> ScriptedModel:
    """One step calling the tools ``(id, name)`` with empty input, then an answer."""
    return ScriptedModel([reply(tool_calls=[(i, n, "{}") for i, n in pairs]), reply("done")])


async def test_parallel_tools_run_concurrently() -> None:
    a_started = anyio.Event()
    b_started = anyio.Event()

    @tool(parallel=True)
    async def a() -> str:
        """a"""
        a_started.set()
        await b_started.wait()
        return "a"

    @tool(parallel=True)
    async def b() -> str:
        """b"""
        b_started.set()
        await a_started.wait()
        return "b"

    model = calls(("c1", "a"), ("c2", "b"))
    with anyio.fail_after(TIMEOUT):
        result = await Agent(model, tools=[a, b]).run("go")
    outputs = [r.output for r in result.steps[0].tool_results]
    assert outputs == [TextOutput(text="a"), TextOutput(text="b")]


async def test_parallel_sync_tools_run_concurrently() -> None:
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    @tool(parallel=True)
    def left() -> str:
        """left"""
        barrier.wait()
        return "left"

    @tool(parallel=True)
    def right() -> str:
        """right"""
        barrier.wait()
        return "right"

    model = calls(("c1", "left"), ("c2", "right"))
    with anyio.fail_after(TIMEOUT + 1):
        result = await Agent(model, tools=[left, right]).run("go")
    outputs = [r.output for r in result.steps[0].tool_results]
    assert outputs == [TextOutput(text="left"), TextOutput(text="right")]


async def test_results_keep_call_order_when_the_first_finishes_last() -> None:
    finished: list[str] = []
    second_done = anyio.Event()

    @tool(parallel=True)
    async def slow() -> str:
        """slow"""
        await second_done.wait()
        finished.append("slow")
        return "slow"

    @tool(parallel=True)
    async def fast() -> str:
        """fast"""
        finished.append("fast")
        second_done.set()
        return "fast"

    model = calls(("c1", "slow"), ("c2", "fast"))
    with anyio.fail_after(TIMEOUT):
        result = await Agent(model, tools=[slow, fast]).run("go")
    assert finished == ["fast", "slow"]
    step = result.steps[0]
    assert [r.tool_call_id for r in step.tool_results] == ["c1", "c2"]
    assert [r.output for r in step.tool_results] == [
        TextOutput(text="slow"),
        TextOutput(text="fast"),
    ]
    assert model.calls[1].prompt[-1].content == (
        ToolResultPart(tool_call_id="c1", tool_name="slow", output=TextOutput(text="slow")),
        ToolResultPart(tool_call_id="c2", tool_name="fast", output=TextOutput(text="fast")),
    )


async def _max_running(count: int, max_parallel_tools: int) -> tuple[int, list[str]]:
    running = 0
    peak = 0

    @tool(parallel=True)
    async def work(n: int) -> str:
        """work"""
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        for _ in range(10):
            await anyio.lowlevel.checkpoint()
        running -= 1
        return str(n)

    model = ScriptedModel(
        [
            reply(tool_calls=[(f"c{i}", "work", f'{{"n": {i}}}') for i in range(count)]),
            reply("done"),
        ]
    )
    with anyio.fail_after(TIMEOUT):
        result = await Agent(model, tools=[work], max_parallel_tools=max_parallel_tools).run("go")
    texts = [r.output.text for r in result.steps[0].tool_results]  # type: ignore[union-attr]
    return peak, [str(t) for t in texts]


async def test_max_parallel_tools_is_respected() -> None:
    peak, texts = await _max_running(6, 2)
    assert peak == 2
    assert texts == [str(i) for i in range(6)]


async def test_max_parallel_tools_one_runs_one_at_a_time() -> None:
    peak, _ = await _max_running(4, 1)
    assert peak == 1


async def test_default_concurrency_runs_all_small_batches_together() -> None:
    peak, _ = await _max_running(5, 8)
    assert peak == 5


async def test_non_parallel_tools_run_one_at_a_time_in_order() -> None:
    log: list[str] = []

    async def first() -> str:
        """first"""
        log.append("start first")
        for _ in range(5):
            await anyio.lowlevel.checkpoint()
        log.append("end first")
        return "1"

    async def second() -> str:
        """second"""
        log.append("start second")
        for _ in range(5):
            await anyio.lowlevel.checkpoint()
        log.append("end second")
        return "2"

    model = calls(("c1", "second"), ("c2", "first"), ("c3", "second"))
    with anyio.fail_after(TIMEOUT):
        result = await Agent(model, tools=[first, second]).run("go")
    assert log == [
        "start second",
        "end second",
        "start first",
        "end first",
        "start second",
        "end second",
    ]
    assert [r.output.text for r in result.steps[0].tool_results] == ["2", "1", "2"]  # type: ignore[union-attr]


async def test_non_parallel_tool_waits_for_the_parallel_batch_before_it() -> None:
    log: list[str] = []

    @tool(parallel=True)
    async def p(n: int) -> str:
        """parallel"""
        log.append(f"start p{n}")
        for _ in range(5):
            await anyio.lowlevel.checkpoint()
        log.append(f"end p{n}")
        return f"p{n}"

    async def s() -> str:
        """sequential"""
        log.append("s")
        return "s"

    model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("c1", "p", '{"n": 1}'),
                    ("c2", "p", '{"n": 2}'),
                    ("c3", "s", "{}"),
                    ("c4", "p", '{"n": 3}'),
                ]
            ),
            reply("done"),
        ]
    )
    with anyio.fail_after(TIMEOUT):
        result = await Agent(model, tools=[p, s]).run("go")
    index = log.index("s")
    assert sorted(log[:index]) == ["end p1", "end p2", "start p1", "start p2"]
    assert log[:2] == ["start p1", "start p2"]  # p1 and p2 overlapped
    assert log[index + 1 :] == ["start p3", "end p3"]
    assert [r.output.text for r in result.steps[0].tool_results] == ["p1", "p2", "s", "p3"]  # type: ignore[union-attr]


async def test_a_failing_parallel_tool_does_not_cancel_the_others() -> None:
    started = anyio.Event()

    @tool(parallel=True)
    async def boom() -> str:
        """boom"""
        await started.wait()
        raise RuntimeError("boom")

    @tool(parallel=True)
    async def ok() -> str:
        """ok"""
        started.set()
        for _ in range(5):
            await anyio.lowlevel.checkpoint()
        return "ok"

    model = calls(("c1", "boom"), ("c2", "ok"))
    with anyio.fail_after(TIMEOUT):
        result = await Agent(model, tools=[boom, ok]).run("go")
    outputs = [r.output for r in result.steps[0].tool_results]
    assert isinstance(outputs[0], ErrorOutput)
    assert "boom" in outputs[0].message
    assert outputs[1] == TextOutput(text="ok")


async def test_at_most_eight_parallel_calls_run_at_once_by_default() -> None:
    import anyio

    from reverie import Agent, tool
    from reverie.testing.fake import ScriptedModel, reply

    running, peak = 0, 0

    @tool(parallel=True)
    async def work(n: int) -> str:
        """Work"""
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await anyio.sleep(0.01)
        running -= 1
        return str(n)

    calls = [(f"c{n}", "work", f'{{"n": {n}}}') for n in range(10)]
    await Agent(ScriptedModel([reply(tool_calls=calls), reply("ok")]), tools=[work]).run("go")
    assert peak == 8
