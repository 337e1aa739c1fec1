"""What a run may be given besides its prompt, and the agent's defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypedDict

from reverie.agent.approval import ApprovalDecision, PendingCall
from reverie.messages import FilePart, Message, Metadata
from reverie.model import Settings

if TYPE_CHECKING:
    from reverie.retry import RetryPolicy


class RunOptions(TypedDict, total=False):
    """What one run may add to the agent's own configuration."""

    messages: Sequence[Message]
    """Earlier conversation (``RunResult.messages`` of a previous run), before ``prompt``."""
    files: Sequence[FilePart]
    """Files attached to the prompt's user message."""
    max_output_tokens: int | None
    """The sampling keywords, as on :class:`Agent`: each one given wins over the agent's."""
    temperature: float | None
    top_p: float | None
    top_k: int | None
    presence_penalty: float | None
    frequency_penalty: float | None
    stop_sequences: Sequence[str]
    seed: int | None
    settings: Settings
    """The same as one object (kept for older code): its fields set win over the agent's,
    and the flat keywords above win over it."""
    provider_options: Metadata
    """Per-provider options, merged over the agent's per namespace."""
    headers: dict[str, str]
    """HTTP headers for this run's requests, over the agent's."""
    retry: RetryPolicy
    """Retries for this run's model requests, instead of the agent's (or the provider's)."""
    approvals: Mapping[PendingCall, ApprovalDecision]
    """Decisions for the calls a run stopped for, keyed by the calls of ``result.pending``
    as shown (id, tool and input): ``True`` runs the call, ``False`` or a reason denies it
    (the model gets an error result). A decision for anything but a call waiting in
    ``messages`` exactly so is refused with :class:`~reverie.ApprovalError`."""


SAMPLING = (
    "max_output_tokens",
    "temperature",
    "top_p",
    "top_k",
    "presence_penalty",
    "frequency_penalty",
    "stop_sequences",
    "seed",
)
"""The flat sampling keywords a run takes, as the agent does."""

DEFAULT_MAX_PARALLEL_TOOLS = 8
"""Tool calls of one step running at once (tools marked ``parallel``)."""

DEFAULT_MAX_STEPS = 20
"""A looping model cannot spend forever; raise ``max_steps`` for long tool chains."""

DEFAULT_TOOL_TIMEOUT = None
"""No limit: tools range from milliseconds to a build of many minutes, and stopping one with
side effects half-way is worse than waiting. Set ``tool_timeout=`` (or ``@tool(timeout=)``)
where a hung tool is a risk; a timed-out call becomes an error result and the run goes on."""


RUN_OPTIONS_HELP = """
    Run options: the keywords of ``run``, ``run_sync``, ``stream`` and ``stream_sync`` besides
    the prompt (typed as :class:`reverie.RunOptions`):

    - ``messages``: earlier conversation (``result.messages`` of a run), before the prompt;
    - ``files``: files attached to the prompt's user message;
    - ``max_output_tokens``, ``temperature``, ``top_p``, ``top_k``, ``presence_penalty``,
      ``frequency_penalty``, ``stop_sequences``, ``seed``: sampling, as on the agent; each
      one given wins over the agent's for this run;
    - ``settings``: the same as one ``Settings`` object (kept for older code; the flat
      keywords win over it);
    - ``provider_options``: per-provider options, merged over the agent's per namespace;
    - ``headers``: HTTP headers for this run's requests, over the agent's;
    - ``retry``: a ``RetryPolicy`` for this run's model requests;
    - ``approvals``: decisions for a run that stopped for approval, keyed by the calls of
      ``result.pending`` as shown: ``{call: True | False | "reason"}``.
"""
"""Added to ``help(Agent)`` and ``help(Agent.run)`` (indented as their docstrings are):
``**options`` alone says nothing."""
