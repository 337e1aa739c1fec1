"""The durable-run seam as the loop sees it: protocols only, so the loop imports no engine
and ``reverie.durable`` (which implements them) sits above the agent, not beside it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from reverie.agent.approval import Decision, PendingCall
    from reverie.model import LanguageModel
    from reverie.tools.tool import Tool


class BoundDurability(Protocol):
    """A durability bound to one agent (``reverie.durable``'s ``DurableAgent``)."""

    def refuse_sync(self, method: str) -> None: ...

    def units(
        self, model: LanguageModel, tools: dict[str, Tool]
    ) -> tuple[LanguageModel, dict[str, Tool]]: ...

    async def decide(self, pending: Sequence[PendingCall]) -> dict[str, Decision]: ...


class Durability(Protocol):
    """What ``Agent(durability=...)`` takes: an engine (``DBOSDurability()``,
    ``TemporalDurability()``) that binds itself to the agent when the agent is made."""

    def bind(self, agent: Any, given_model: object) -> BoundDurability: ...


def bind_durability(durability: object, agent: Any, given_model: object) -> BoundDurability:
    bind = getattr(durability, "bind", None)
    if not callable(bind):
        raise TypeError(
            "durability must be a reverie.durable engine (DBOSDurability(), "
            f"TemporalDurability()), not {type(durability).__name__}"
        )
    bound: BoundDurability = bind(agent, given_model)
    return bound
