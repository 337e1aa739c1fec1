"""Rate limits: the limiter's arithmetic on an injected clock, and a batch held to it."""

from __future__ import annotations

import pytest

import reverie
from reverie.batch import run_many
from reverie.batch.limits import Limiter, RateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_requests_are_spaced_evenly_without_a_burst() -> None:
    clock = Clock()
    limiter = Limiter(RateLimit(requests_per_second=4), clock)
    assert [limiter.reserve() for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]
    clock.now += 2.0  # idle time is not saved up as a burst
    assert limiter.reserve() == 0.0
    assert limiter.reserve() == 0.25


def test_tokens_over_the_budget_wait_for_the_refill() -> None:
    clock = Clock()
    limiter = Limiter(RateLimit(tokens_per_minute=600), clock)  # 10 tokens a second
    assert limiter.reserve() == 0.0
    limiter.spend(900)  # 300 over the minute's budget: 30 s of refill
    assert limiter.reserve() == pytest.approx(30.0)
    clock.now += 10
    assert limiter.reserve() == pytest.approx(20.0)
    clock.now += 20
    assert limiter.reserve() == 0.0


def test_both_limits_take_the_later_slot() -> None:
    clock = Clock()
    limiter = Limiter(RateLimit(requests_per_second=1, tokens_per_minute=60), clock)
    assert limiter.reserve() == 0.0
    limiter.spend(65)  # 5 over: 5 s
    assert limiter.reserve() == pytest.approx(5.0)
    assert limiter.reserve() == pytest.approx(6.0)


@pytest.mark.parametrize(
    "kwargs",
    [{"requests_per_second": 0}, {"tokens_per_minute": float("nan")}, {"requests_per_second": -1}],
)
def test_bad_limits_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(reverie.ConfigurationError):
        RateLimit(**kwargs)


async def test_a_local_batch_waits_its_turn_for_every_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reverie.batch import limits
    from reverie.testing import ScriptedModel, reply

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(limits.asyncio, "sleep", sleep)
    script = [reply(text=f"answer {i}") for i in range(5)]
    model = ScriptedModel(list(script))
    agent = reverie.Agent(model)
    result = await run_many(
        agent,
        [f"q{i}" for i in range(5)],
        concurrency=1,
        progress=False,
        rate_limit=RateLimit(requests_per_second=0.5),
    )
    assert [item.ok for item in result] == [True] * 5
    assert len(model.calls) == 5
    # two seconds apart: the first goes at once, the others wait 2, 4, 6 and 8 s
    assert waits == pytest.approx([2.0, 4.0, 6.0, 8.0], abs=0.5)
    assert agent.model is model  # the caller's agent is left as it was
