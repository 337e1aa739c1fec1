"""Durable runs on Temporal (``reverie[temporal]``): the agent runs in the user's workflow;
each model request and tool call is an activity, named ``<agent>.model`` and
``<agent>.tool.<tool>``, run by the activity :class:`ReveriePlugin` adds to every worker.

>>> client = await Client.connect("localhost:7233", plugins=[ReveriePlugin()])
>>> agent = Agent("openai:gpt-4o", name="weather", tools=[forecast],
...               durability=TemporalDurability())
>>> @workflow.defn
... class Ask:
...     @workflow.run
...     async def run(self, city: str) -> str:
...         return (await agent.run(f"Weather in {city}?")).text

Activities find the agent by its ``name`` (define it at the top level of a module the worker
imports) and the tool by its name on the agent; they receive and return reverie's versioned
JSON, never a pickle. A call that needs approval makes ``agent.run`` wait inside the workflow
for the signal :data:`APPROVAL_SIGNAL`, sent by :func:`send_approvals`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

try:
    from temporalio import activity, workflow
except ImportError as exc:  # pragma: no cover - the message is what is tested
    raise ImportError(
        "reverie.durable.temporal needs the Temporal SDK: pip install 'reverie[temporal]'"
    ) from exc
from temporalio.common import RawValue, RetryPolicy
from temporalio.plugin import SimplePlugin
from temporalio.worker import WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from reverie.durable.base import (
    Durability,
    model_unit_name,
    parse_unit_name,
    run_model_unit,
    run_tool_unit,
    tool_unit_name,
)
from reverie.errors import ReverieError

if TYPE_CHECKING:
    from temporalio.client import WorkflowHandle

    from reverie.agent.approval import Decision, PendingCall

__all__ = ["APPROVAL_SIGNAL", "ReveriePlugin", "TemporalDurability", "send_approvals"]

APPROVAL_SIGNAL = "reverie.approval"
"""The signal carrying decisions: ``{"agent": name, "decisions": {tool_call_id: True |
False | "reason"}}`` (what :func:`send_approvals` sends)."""

PASSTHROUGH = (
    "reverie",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "anyio",
    "sniffio",
    "pydantic",
    "pydantic_core",
    "annotated_types",
    "json_repair",
)
"""Modules the workflow sandbox imports once, outside it: reverie and what it imports."""


class TemporalDurability(Durability):
    """Model requests and tool calls as Temporal activities.

    A worker's death is noticed within ``heartbeat_timeout`` (every activity heartbeats),
    and the activity is retried on another worker per ``retry_policy``; ``model_timeout`` and
    ``tool_timeout`` bound one attempt. A tool killed mid-call runs again (at least once);
    ``tool_at_most_once=True`` makes a tool activity's first attempt its only one, its
    failure an error result for the model."""

    engine = "Temporal"

    def __init__(
        self,
        *,
        model_timeout: timedelta = timedelta(minutes=5),
        tool_timeout: timedelta = timedelta(minutes=10),
        heartbeat_timeout: timedelta = timedelta(seconds=30),
        retry_policy: RetryPolicy | None = None,
        tool_at_most_once: bool = False,
    ) -> None:
        self.model_timeout = model_timeout
        self.tool_timeout = tool_timeout
        self.heartbeat_timeout = heartbeat_timeout
        self.retry_policy = retry_policy or RetryPolicy(maximum_attempts=5)
        self.tool_retry_policy = (
            RetryPolicy(maximum_attempts=1) if tool_at_most_once else self.retry_policy
        )

    def active(self) -> bool:
        return workflow.in_workflow()

    async def model_unit(self, agent: str, payload: str) -> str:
        result: str = await workflow.execute_activity(
            model_unit_name(agent),
            payload,
            result_type=str,
            start_to_close_timeout=self.model_timeout,
            heartbeat_timeout=self.heartbeat_timeout,
            retry_policy=self.retry_policy,
        )
        return result

    async def tool_unit(self, agent: str, tool: str, payload: str) -> str:
        result: str = await workflow.execute_activity(
            tool_unit_name(agent, tool),
            payload,
            result_type=str,
            start_to_close_timeout=self.tool_timeout,
            heartbeat_timeout=self.heartbeat_timeout,
            retry_policy=self.tool_retry_policy,
        )
        return result

    async def decide(self, agent: str, pending: Sequence[PendingCall]) -> dict[str, Decision]:
        inbox = _inbox()
        ids = {p.tool_call_id for p in pending}
        await workflow.wait_condition(lambda: ids <= set(inbox.get(agent, {})))
        got = inbox.get(agent, {})
        decided = {k: got.pop(k) for k in ids}
        if not got:
            inbox.pop(agent, None)
        return decided


_INBOX = "_reverie_approvals"
"""The attribute of the workflow's instance that keeps the decisions received, by agent: they
live and die with the workflow (reverie is imported once per worker, outside the sandbox)."""


def _inbox() -> dict[str, dict[str, Any]]:
    instance = workflow.instance()
    inbox: dict[str, dict[str, Any]] | None = getattr(instance, _INBOX, None)
    if inbox is None:
        inbox = {}
        setattr(instance, _INBOX, inbox)
        received = inbox

        def on_signal(payload: Any) -> None:
            if not isinstance(payload, Mapping) or not isinstance(payload.get("agent"), str):
                return
            decisions = payload.get("decisions")
            if isinstance(decisions, Mapping):
                found = {
                    k: v
                    for k, v in decisions.items()
                    if isinstance(k, str) and isinstance(v, bool | str)
                }
                received.setdefault(payload["agent"], {}).update(found)

        workflow.set_signal_handler(APPROVAL_SIGNAL, on_signal)
    return inbox


async def send_approvals(
    handle: WorkflowHandle[Any, Any], agent: str, decisions: Mapping[str, Decision]
) -> None:
    """Deliver ``{tool_call_id: True | False | "reason"}`` to the agent named ``agent``
    waiting in the workflow of ``handle``."""
    await handle.signal(APPROVAL_SIGNAL, {"agent": agent, "decisions": dict(decisions)})


@activity.defn(dynamic=True)
async def reverie_unit(args: Sequence[RawValue]) -> str:
    """Every reverie unit: the activity's name says which (``<agent>.model`` or
    ``<agent>.tool.<tool>``), its one argument is the unit's JSON."""
    name = activity.info().activity_type
    payload = activity.payload_converter().from_payload(args[0].payload, str)
    agent, tool = parse_unit_name(name)
    if tool is None:
        return await _heartbeating(run_model_unit(payload))
    return await _heartbeating(run_tool_unit(agent, tool, payload))


async def _heartbeating(work: Awaitable[str]) -> str:
    """``work``'s result, heartbeating meanwhile so a dead worker is noticed."""
    task = asyncio.ensure_future(work)
    timeout = activity.info().heartbeat_timeout
    interval = timeout.total_seconds() / 3 if timeout else None
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=interval)
            if done:
                return task.result()
            activity.heartbeat()
    finally:
        task.cancel()


def _runner(runner: WorkflowRunner | None) -> WorkflowRunner:
    if isinstance(runner, SandboxedWorkflowRunner):
        restrictions = runner.restrictions.with_passthrough_modules(*PASSTHROUGH)
        return dataclasses.replace(runner, restrictions=restrictions)
    if runner is None:
        raise ValueError("ReveriePlugin needs the worker's workflow runner")
    return runner


class ReveriePlugin(SimplePlugin):
    """Give it to the client (``Client.connect(..., plugins=[ReveriePlugin()])``): workers
    made with that client register reverie's activity, import reverie once, outside the
    workflow sandbox, and fail a workflow that raises a reverie error (a provider's refusal)
    rather than retry its task."""

    def __init__(self) -> None:
        super().__init__(
            "reverie.ReveriePlugin",
            activities=lambda existing: [*(existing or []), reverie_unit],
            workflow_runner=_runner,
            # A reverie error raised in a workflow (a provider's refusal, recorded) fails the
            # workflow, as it fails a run outside one, instead of retrying its task forever.
            workflow_failure_exception_types=lambda existing: [*(existing or []), ReverieError],
        )
