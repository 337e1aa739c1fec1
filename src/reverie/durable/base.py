"""The engine-independent half of a durable run: the seam the agent loop calls, the units'
bodies, and the registry that finds an agent by its ``name`` inside a unit.

An agent made with ``durability=`` keeps a :class:`DurableAgent`. Outside a workflow of its
engine it changes nothing. Inside one, each model request and each tool call becomes one
engine unit, named ``<agent name>.model`` and ``<agent name>.tool.<tool name>``: the loop
sends plain JSON (:mod:`reverie.durable.wire`) to the unit and reads its JSON back, so a
recovered workflow replays the units that finished and runs only the one that had not.
"""

from __future__ import annotations

import re
import sys
import weakref
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from reverie.errors import ConfigurationError

if TYPE_CHECKING:
    from reverie.agent.approval import Decision, PendingCall
    from reverie.durable.recipe import ModelRecipe
    from reverie.model import Call, LanguageModel, Response, StreamPart
    from reverie.tools.tool import Tool, ToolRunContext

MODEL_UNIT = "{agent}.model"
TOOL_UNIT = "{agent}.tool.{tool}"
"""The units' names: renaming an agent or a tool breaks the runs in flight that used it."""

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


class AgentLike(Protocol):
    """What the durability reads of an agent (a :class:`reverie.Agent` is one): kept to a
    protocol so the loop and this module do not import each other."""

    name: str | None
    model: LanguageModel
    tools: list[Any]
    tool_timeout: float | None


_AGENTS: weakref.WeakValueDictionary[str, AgentLike] = weakref.WeakValueDictionary()


class Durability:
    """An engine's side of the seam (:class:`reverie.durable.dbos.DBOSDurability`,
    :class:`reverie.durable.temporal.TemporalDurability`)."""

    engine = ""

    def active(self) -> bool:
        """Whether the caller runs inside a workflow of this engine (not inside a unit)."""
        raise NotImplementedError

    async def model_unit(self, agent: str, payload: str) -> str:
        """Run :func:`run_model_unit` as the engine's unit ``<agent>.model``."""
        raise NotImplementedError

    async def tool_unit(self, agent: str, tool: str, payload: str) -> str:
        """Run :func:`run_tool_unit` as the engine's unit ``<agent>.tool.<tool>``."""
        raise NotImplementedError

    async def decide(self, agent: str, pending: Sequence[PendingCall]) -> dict[str, Decision]:
        """Inside a workflow: wait until every pending call has a decision."""
        raise NotImplementedError

    def bind(self, agent: AgentLike, given_model: object) -> DurableAgent:
        """Called by ``Agent(durability=self)``: checks the agent and registers it by name."""
        return bind(self, agent, given_model)


def model_unit_name(agent: str) -> str:
    return MODEL_UNIT.format(agent=agent)


def tool_unit_name(agent: str, tool: str) -> str:
    return TOOL_UNIT.format(agent=agent, tool=tool)


def parse_unit_name(name: str) -> tuple[str, str | None]:
    """``(agent, None)`` for a model unit, ``(agent, tool)`` for a tool unit."""
    if name.endswith(".model"):
        return name[: -len(".model")], None
    agent, sep, tool = name.rpartition(".tool.")
    if not sep or not agent or not tool:
        raise ConfigurationError(f"{name!r} is not a reverie unit name")
    return agent, tool


class DurableAgent:
    """What an agent made with ``durability=`` keeps: its engine, name and model recipe."""

    __slots__ = ("durability", "model", "name", "recipe")

    def __init__(
        self, durability: Durability, name: str, model: LanguageModel, recipe: ModelRecipe
    ) -> None:
        self.durability = durability
        self.name = name
        self.model = model
        self.recipe = recipe

    def units(
        self, model: LanguageModel, tools: dict[str, Tool]
    ) -> tuple[LanguageModel, dict[str, Tool]]:
        """The step's model and tools, each call of them an engine unit inside a workflow;
        unchanged outside one."""
        if not self.durability.active():
            return model, tools
        return UnitModel(model, self), {name: self._unit_tool(t) for name, t in tools.items()}

    def refuse_sync(self, method: str) -> None:
        if self.durability.active():
            raise RuntimeError(
                f"agent.{method}() inside a {self.durability.engine} workflow would block the "
                f"engine's event loop: use `await agent.run(...)` in an async workflow"
            )

    async def decide(self, pending: Sequence[PendingCall]) -> dict[str, Decision]:
        """Decisions for calls waiting for approval: inside a workflow the run waits for
        them (an engine signal delivers them); outside one, none (the run pauses)."""
        if not pending or not self.durability.active():
            return {}
        return await self.durability.decide(self.name, pending)

    def _unit_tool(self, tool: Tool) -> Tool:
        from reverie.agent.hooks import _as_input_json
        from reverie.durable import wire
        from reverie.tools.tool import ToolReturn

        durability, agent = self.durability, self.name

        async def invoke(args: Any, context: ToolRunContext) -> Any:
            payload = wire.dump_tool_input(context.tool_call_id, _as_input_json(args))
            output, metadata = wire.load_tool_output(
                await durability.tool_unit(agent, tool.name, payload)
            )
            return ToolReturn(output, metadata)

        # The tool's own timeout applies inside the unit (see run_tool_unit). A step's calls
        # run one after another, in call order: the engine matches recorded outputs to calls
        # by their order, which concurrent calls would not keep from one replay to the next.
        return replace(tool, invoke=invoke, timeout=None, parallel=False)


class UnitModel:
    """The step's model inside a workflow: each request is the unit ``<agent>.model``; a
    streamed request gives the unit's whole response as parts once it completes."""

    def __init__(self, inner: LanguageModel, agent: DurableAgent) -> None:
        from reverie.durable.recipe import recipe_of

        self.inner = inner
        self.agent = agent
        self.recipe = agent.recipe if inner is agent.model else recipe_of(inner)

    @property
    def provider(self) -> str:
        return self.inner.provider

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    async def generate(self, call: Call) -> Response:
        from reverie.durable import wire

        payload = wire.dump_call(self.recipe, call)
        return wire.load_response(await self.agent.durability.model_unit(self.agent.name, payload))

    async def stream(self, call: Call) -> AsyncGenerator[StreamPart, None]:
        from reverie.testing.fake import frame

        response = await self.generate(call)
        parts: list[StreamPart] = frame(response, chunk_size=1 << 30)
        for part in parts:
            yield part


def bind(durability: object, agent: AgentLike, given_model: object) -> DurableAgent:
    """Check an agent made with ``durability=`` and register it by name: refused here, when
    the agent is made, rather than mid-run."""
    if not isinstance(durability, Durability):
        raise TypeError(
            "durability must be a reverie.durable engine (DBOSDurability(), "
            f"TemporalDurability()), not {type(durability).__name__}"
        )
    name = agent.name
    if name is None:
        raise ConfigurationError(
            "a durable agent needs a stable name= (its units are named after it)"
        )
    if not _NAME.fullmatch(name):
        raise ConfigurationError(
            f"a durable agent's name must be letters, digits, '_', '-' or '.', not {name!r}"
        )
    from reverie.durable.recipe import recipe_of

    recipe = recipe_of(agent.model, given_model)
    if not _in_sandbox():  # Temporal re-imports workflow modules in its sandbox: not twice
        existing = _AGENTS.get(name)
        if existing is not None and existing is not agent:
            raise ConfigurationError(
                f"two durable agents are named {name!r}: a unit could not tell which one it "
                "runs for; give each a name of its own"
            )
        _AGENTS[name] = agent
    return DurableAgent(durability, name, agent.model, recipe)


def find_agent(name: str) -> AgentLike:
    agent = _AGENTS.get(name)
    if agent is None:
        raise ConfigurationError(
            f"no durable agent named {name!r} in this worker: define it at the top level of "
            "a module the worker imports"
        )
    return agent


def find_tool(agent: AgentLike, name: str) -> Tool:
    from reverie.tools.tool import Tool

    for tool in agent.tools:
        if isinstance(tool, Tool) and tool.name == name:
            return tool
    raise ConfigurationError(f"the durable agent {agent.name!r} has no tool named {name!r}")


def _in_sandbox() -> bool:
    workflow = sys.modules.get("temporalio.workflow")
    return workflow is not None and bool(workflow.unsafe.in_sandbox())


async def run_model_unit(payload: str) -> str:
    """A model unit's body: the model made again from its recipe, one request. A provider
    error that retrying cannot cure (a bad request, a refused key) is the unit's recorded
    result and is raised again in the workflow; a retryable one fails the unit."""
    from reverie.durable import wire
    from reverie.errors import ProviderError

    recipe, call = wire.load_call(payload)
    try:
        response = await recipe.build().generate(call)
    except ProviderError as exc:
        if exc.retryable:  # the client's own retries ran out: the engine's may try again
            raise
        return wire.dump_error(exc)  # recorded, raised again in the workflow
    return wire.dump_response(response)


async def run_tool_unit(agent_name: str, tool_name: str, payload: str) -> str:
    """A tool unit's body: the tool found by name on the agent found by name, run on the
    input validated again, within the tool's (or the agent's) timeout."""
    from reverie.agent.execute import _run_within
    from reverie.durable import wire
    from reverie.errors import ToolInputError
    from reverie.messages import ErrorOutput
    from reverie.tools.tool import ToolRunContext

    agent = find_agent(agent_name)
    tool = find_tool(agent, tool_name)
    call_id, input_json = wire.load_tool_input(payload)
    try:
        args = tool.validate(input_json)
    except ToolInputError as exc:
        return wire.dump_tool_output(ErrorOutput(message=str(exc)), {})
    context = ToolRunContext(tool_call_id=call_id, tool_name=tool_name)
    timeout = tool.timeout if tool.timeout is not None else agent.tool_timeout
    output, metadata = await _run_within(tool, args, context, timeout)
    return wire.dump_tool_output(output, metadata)


def decisions_from(value: object, pending: Sequence[PendingCall]) -> dict[str, Decision]:
    """The decisions of a signal's payload (``{tool_call_id: True | False | "reason"}``) for
    the calls waiting; anything else in it is ignored."""
    waiting = {p.tool_call_id for p in pending}
    if not isinstance(value, Mapping):
        return {}
    return {
        k: v
        for k, v in value.items()
        if isinstance(k, str) and k in waiting and isinstance(v, bool | str)
    }
