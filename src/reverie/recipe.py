"""An agent as plain data, to rebuild it in another process (``reverie.batch`` on Ray workers).

What travels is data, never a pickled object: the model's ``provider:model`` id and its
provider's settings, each tool's importable reference (module and qualified name) with the
options it was made with, the sampling settings and the loop's limits. An agent that cannot
be rebuilt that way (a lambda tool, a model object the registry did not make, a hook that is a
closure) is refused before any work starts, with what to change.

API keys never travel: a worker reads its key from its own environment, as the provider
constructor does everywhere (on Ray, ``runtime_env={"env_vars": {...}}`` gives it one).
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from reverie.errors import ConfigurationError
from reverie.providers.rebuild import ModelRecipe, is_data, model_recipe

if TYPE_CHECKING:
    from reverie.agent import Agent

RECIPE_VERSION = 1


def reference(fn: Callable[..., Any], what: str) -> str:
    """``module:qualname`` of an importable module-level function, or a ConfigurationError."""
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if (
        not isinstance(module, str)
        or not isinstance(qualname, str)
        or module == "__main__"
        or "<" in qualname
    ):
        raise ConfigurationError(
            f"{what} cannot be rebuilt in another process: {fn!r} is not a function defined "
            "at the top level of an importable module (lambdas, nested functions and "
            "functions of the __main__ script are not); move it into a module"
        )
    if resolve(f"{module}:{qualname}") is not fn:
        raise ConfigurationError(
            f"{what} cannot be rebuilt in another process: {module}.{qualname} does not name it"
        )
    return f"{module}:{qualname}"


def resolve(ref: str) -> Any:
    """The function (or ``@tool``) a ``module:qualname`` reference names.

    A recipe is data that may have been edited on its way: only a Python function defined
    under that name in that module, or a reverie ``Tool``, is taken, and never from the
    standard library, so a recipe cannot make ``os:system`` or ``builtins:eval`` a tool or
    a hook. Anything else is a ConfigurationError naming the reference."""
    if not isinstance(ref, str):
        raise ConfigurationError(f"a reference must be 'module:qualname' text, not {ref!r:.80}")
    module, _, qualname = ref.partition(":")
    if not _DOTTED.fullmatch(module) or not _DOTTED.fullmatch(qualname):
        raise ConfigurationError(f"{ref!r:.120} is not a 'module:qualname' reference")
    if module.split(".")[0] in sys.stdlib_module_names:
        raise ConfigurationError(
            f"{ref!r:.120} names the standard library: a recipe's tools and hooks are your own"
        )
    try:
        value: Any = importlib.import_module(module)
        for name in qualname.split("."):
            value = getattr(value, name)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"{ref!r:.120} cannot be found: {exc}") from None
    from reverie.tools.tool import Tool

    if isinstance(value, Tool):
        return value
    if not (
        inspect.isfunction(value) and value.__module__ == module and value.__qualname__ == qualname
    ):
        raise ConfigurationError(
            f"{ref!r:.120} is not a function defined under that name in {module}"
        )
    return value


_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True, slots=True)
class ToolRecipe:
    ref: str
    options: tuple[tuple[str, Any], ...]

    def build(self) -> Any:
        from reverie.tools.tool import Tool, function_tool

        value = resolve(self.ref)
        if isinstance(value, Tool):
            return value
        options = dict(self.options)
        policy = options.get("needs_approval")
        if isinstance(policy, str):
            options["needs_approval"] = resolve(policy)
        return function_tool(value, **options)


def tool_recipe(tool: Any) -> ToolRecipe:
    from reverie.tools.tool import Tool

    if not isinstance(tool, Tool):
        raise ConfigurationError(
            f"the provider tool {getattr(tool, 'name', tool)!r} cannot be rebuilt in another "
            "process yet; run this agent with engine='local'"
        )
    origin = tool.origin
    if origin is None:
        raise ConfigurationError(
            f"tool {tool.name!r} cannot be rebuilt in another process: make it with @tool "
            "from a function defined at the top level of an importable module (not a lambda, "
            "a nested function, the __main__ script, a pydantic model or a raw schema)"
        )
    ref = f"{origin.module}:{origin.qualname}"
    options = dict(origin.options)
    policy = options.get("needs_approval")
    if callable(policy):
        options["needs_approval"] = reference(policy, f"tool {tool.name!r}'s approval policy")
    recipe = ToolRecipe(ref, tuple(sorted(options.items())))
    if resolve(ref) is not tool and not _same_tool(recipe.build(), tool):
        raise ConfigurationError(
            f"tool {tool.name!r} cannot be rebuilt in another process: it was changed after "
            f"it was made from {origin.module}.{origin.qualname}; make it with @tool(...) "
            "options instead"
        )
    return recipe


def _same_tool(rebuilt: Any, tool: Any) -> bool:
    names = ("name", "description", "input_schema", "parallel", "timeout", "needs_approval")
    return all(getattr(rebuilt, n) == getattr(tool, n) for n in names)


@dataclass(frozen=True, slots=True)
class AgentRecipe:
    """Everything :class:`reverie.Agent` needs to be made again, as data."""

    model: ModelRecipe
    tools: tuple[ToolRecipe, ...]
    options: tuple[tuple[str, Any], ...]
    """The constructor's other keyword arguments: data, or ``module:qualname`` references
    for the hooks (listed in ``hooks``)."""
    hooks: tuple[str, ...] = ()
    version: int = RECIPE_VERSION

    def build(self) -> Agent:
        from reverie.agent import Agent

        if self.version != RECIPE_VERSION:
            raise ConfigurationError(f"unsupported agent recipe version {self.version}")
        options = dict(self.options)
        for name in self.hooks:
            value = options[name]
            options[name] = (
                tuple(resolve(v) for v in value) if isinstance(value, tuple) else resolve(value)
            )
        retry = options.pop("retry", None)
        if retry is not None:
            from reverie.retry import RetryPolicy

            options["retry"] = RetryPolicy(**dict(retry))
        from reverie.providers.registry import rebuild_model

        return Agent(rebuild_model(self.model), tools=[t.build() for t in self.tools], **options)


# The Agent's attributes that are plain data, by constructor keyword.
_DATA = ("system", "tool_choice", "max_steps", "tool_timeout", "name", "trace_content")
_HOOKS = ("prepare_step", "repair_tool_call", "before_tool", "after_tool")


def agent_recipe(agent: Agent) -> AgentRecipe:
    """``agent`` as data, or a ConfigurationError naming what keeps it in this process."""
    from reverie.agent.execute import repair_json

    options: dict[str, Any] = {name: getattr(agent, name) for name in _DATA}
    active = agent.active_tools
    options["active_tools"] = None if active is None else tuple(active)
    settings = agent.settings
    for field in fields(settings):
        value = getattr(settings, field.name)
        if value not in (None, ()):
            options[field.name] = value
    for name in ("provider_options", "headers"):
        value = getattr(agent, name)
        if not is_data(value):
            raise ConfigurationError(f"the agent's {name} cannot travel: it is not plain data")
        if value:
            options[name] = value
    parallel = getattr(agent, "max_parallel_tools", None)
    if parallel is None:
        parallel = getattr(agent, "max_concurrency", None)
        if parallel is not None:
            options["max_concurrency"] = parallel
    else:
        options["max_parallel_tools"] = parallel
    hooks: list[str] = []
    for name in _HOOKS:
        hook = getattr(agent, name)
        if hook is None or (name == "repair_tool_call" and hook is repair_json):
            if hook is None:
                options[name] = None
            continue
        options[name] = reference(hook, f"the agent's {name}")
        hooks.append(name)
    if agent.stop_when:
        options["stop_when"] = tuple(
            reference(c, "the agent's stop condition") for c in agent.stop_when
        )
        hooks.append("stop_when")
    if agent.retry is not None:
        from reverie.retry import RetryPolicy

        default = RetryPolicy()
        if agent.retry.sleep is not default.sleep or agent.retry.on_retry is not None:
            raise ConfigurationError(
                "the agent's retry policy cannot travel with a custom sleep or on_retry"
            )
        options["retry"] = (
            ("initial_delay", agent.retry.initial_delay),
            ("max_delay", agent.retry.max_delay),
            ("max_retries", agent.retry.max_retries),
        )
    if agent.output is not None:
        raise ConfigurationError(
            "an agent with output= cannot be rebuilt in another process yet; "
            "run it with engine='local'"
        )
    if agent.tracer_provider is not None:
        raise ConfigurationError(
            "an agent with tracer_provider= cannot travel: set OpenTelemetry up in each worker"
        )
    return AgentRecipe(
        model=model_recipe(agent.model),
        tools=tuple(tool_recipe(t) for t in agent.tools),
        options=tuple(sorted(options.items())),
        hooks=tuple(hooks),
    )
