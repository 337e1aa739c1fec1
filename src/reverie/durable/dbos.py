"""Durable runs on DBOS (``reverie[dbos]``): each model request and tool call of an agent run
inside a DBOS workflow is a DBOS step, checkpointed in DBOS's system database (SQLite by
default, Postgres for several worker processes).

>>> from dbos import DBOS
>>> from reverie.durable.dbos import DBOSDurability
>>> agent = Agent("openai:gpt-4o", name="weather", tools=[forecast], durability=DBOSDurability())
>>> @DBOS.workflow()
... async def ask(city: str) -> str:
...     return (await agent.run(f"Weather in {city}?")).text

A run paused for approval waits inside the workflow for the decisions, sent with
:func:`send_approvals` (``DBOS.send`` on the topic :data:`APPROVAL_TOPIC`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

try:
    from dbos import DBOS
except ImportError as exc:  # pragma: no cover - the message is what is tested
    raise ImportError("reverie.durable.dbos needs DBOS: pip install 'reverie[dbos]'") from exc

from reverie.durable.base import (
    Durability,
    decisions_from,
    model_unit_name,
    run_model_unit,
    run_tool_unit,
    tool_unit_name,
)

if TYPE_CHECKING:
    from reverie.agent.approval import Decision, PendingCall

__all__ = ["APPROVAL_TOPIC", "DBOSDurability", "send_approvals", "send_approvals_async"]

APPROVAL_TOPIC = "reverie.approval.{agent}"
"""The ``DBOS.send`` topic a workflow's agent waits on for decisions (``{agent}``: its name)."""


class DBOSDurability(Durability):
    """Model requests and tool calls as DBOS steps. ``model_retries`` and ``tool_retries``
    are DBOS's own step retries (attempts after the first; a model request retries its
    transport errors itself too). A step that finished is never run again; a step cut
    short by a crash runs again when DBOS recovers the workflow (at least once)."""

    engine = "DBOS"

    def __init__(self, *, model_retries: int = 0, tool_retries: int = 0) -> None:
        self.model_retries = model_retries
        self.tool_retries = tool_retries

    def active(self) -> bool:
        from dbos._context import get_local_dbos_context

        context = get_local_dbos_context()
        return context is not None and context.is_workflow()

    async def model_unit(self, agent: str, payload: str) -> str:
        options = _options(model_unit_name(agent), self.model_retries)
        result: str = await DBOS.run_step_async(options, run_model_unit, payload)
        return result

    async def tool_unit(self, agent: str, tool: str, payload: str) -> str:
        options = _options(tool_unit_name(agent, tool), self.tool_retries)
        result: str = await DBOS.run_step_async(options, run_tool_unit, agent, tool, payload)
        return result

    async def decide(self, agent: str, pending: Sequence[PendingCall]) -> dict[str, Decision]:
        decided: dict[str, Decision] = {}
        topic = APPROVAL_TOPIC.format(agent=agent)
        while len(decided) < len(pending):
            message = await DBOS.recv_async(topic, timeout_seconds=_WAIT)
            decided.update(
                decisions_from(message, [p for p in pending if p.tool_call_id not in decided])
            )
        return decided


_WAIT = 24 * 3600.0


def _options(name: str, retries: int) -> Any:
    return {"name": name, "retries_allowed": retries > 0, "max_attempts": retries + 1}


def send_approvals(workflow_id: str, agent: str, decisions: Mapping[str, Decision]) -> None:
    """Deliver ``{tool_call_id: True | False | "reason"}`` to the agent named ``agent`` waiting
    in workflow ``workflow_id``."""
    DBOS.send(workflow_id, dict(decisions), topic=APPROVAL_TOPIC.format(agent=agent))


async def send_approvals_async(
    workflow_id: str, agent: str, decisions: Mapping[str, Decision]
) -> None:
    await DBOS.send_async(workflow_id, dict(decisions), topic=APPROVAL_TOPIC.format(agent=agent))
