"""Every Python block of README.md and docs/, and every program in examples/, runs in CI.

A page's blocks run in order in one namespace (a later block may use an earlier one's
``agent``), in a fresh working directory, with dummy API keys and the network cut off. Model
strings (``"openai:gpt-4o"``) resolve to what the block's directive says; the directive is an
HTML comment right before the block, invisible on the rendered page:

``<!-- test: script=NAME -->``
    a scripted model (the default, with the ``weather`` script): it calls the script's
    tools in turn, each only when the call offers it, then answers; it answers a structured
    request with the script's object. ``fail=SPEC[,SPEC]`` makes those model strings fail as
    an overloaded provider does.
``<!-- test: recording=GROUP/PAIR/SCENARIO -->``
    the model string becomes the real provider replaying that recording of
    ``../shared/conformance`` (skipped when the corpus is absent); every recorded request
    must be made.
``<!-- test: local -->``
    the real registry: ``local:`` models run in-process (skipped without llama-cpp).
``<!-- test: pytest -->``
    the block is a test file: it is written to ``test_block.py`` and run by pytest in a
    fresh process.
``cassette=PATH``
    first copies that recording of the corpus to ``cassettes/NAME`` in the working directory.
``<!-- test: skip: REASON -->``
    not run; the reason is required.
``<!-- test: output -->`` before a ``text`` block
    the previous Python block must print exactly that text.

Lines after the directive's first line, inside the comment, are hidden setup code run before
the block (for names a snippet takes as given). A program in examples/ takes its directive
from a ``# test: ...`` line.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import inspect
import io
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import textwrap
import tomllib
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest

from reverie.content import Text
from reverie.errors import ProviderError
from reverie.model import Call, FunctionTool, Response
from reverie.providers import registry
from reverie.testing import ScriptedModel, reply

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
CORPUS = Path(os.environ["REVERIE_CONFORMANCE"])

DUMMY_KEYS = {
    "OPENAI_API_KEY": "sk-docs",
    "ANTHROPIC_API_KEY": "sk-ant-docs",
    "OPENROUTER_API_KEY": "sk-or-docs",
    "AI_GATEWAY_API_KEY": "vck-docs",
    "GEMINI_API_KEY": "docs-key",
    "AZURE_OPENAI_API_KEY": "docs-key",
    "AWS_BEARER_TOKEN_BEDROCK": "docs-key",
}


# Blocks


@dataclasses.dataclass(frozen=True)
class Block:
    path: Path
    line: int
    lang: str
    code: str
    directive: str = ""
    setup: str = ""

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    def option(self, name: str) -> str | None:
        """``name=value`` from the directive (``name`` alone gives "")."""
        for word in self.directive.split():
            key, _, value = word.partition("=")
            if key == name:
                return value
        return None


DIRECTIVE = re.compile(r"<!--\s*test:(.*?)-->", re.S)
FENCE = re.compile(r"^(\s*)```+\s*([\w+-]*)")


def blocks_of(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, with the directive written right before each."""
    lines = path.read_text().splitlines()
    found: list[Block] = []
    pending: tuple[str, str] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("<!--") and "test:" in stripped:
            end = i
            while "-->" not in lines[end]:
                end += 1
            comment = "\n".join(lines[i : end + 1])
            match = DIRECTIVE.search(comment)
            assert match, f"{path}:{i + 1}: unreadable test directive"
            first, _, rest = match.group(1).partition("\n")
            pending = (first.strip(), textwrap.dedent(rest))
            i = end + 1
            continue
        fence = FENCE.match(line)
        if fence:
            indent, lang = fence.groups()
            start = i
            i += 1
            body: list[str] = []
            while i < len(lines) and not (
                lines[i].strip().startswith("```") and lines[i].strip().strip("`") == ""
            ):
                body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
                i += 1
            directive, setup = pending or ("", "")
            code = "\n".join(body) + "\n"
            found.append(Block(path, start + 1, lang, code, directive, setup))
            pending = None
        elif stripped:
            pending = None
        i += 1
    return found


def test_blocks_are_read_with_their_directives(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- test: script=book fail=a:b\nx = 1\n-->\n```python\nprint(x)\n```\n\n"
        "<!-- test: skip: needs a key -->\n\n```python\nnope()\n```\n"
        '=== "tab"\n\n    ```python\n    y = 2\n    ```\n'
    )
    first, second, third = blocks_of(page)
    assert (first.option("script"), first.option("fail"), first.setup) == ("book", "a:b", "x = 1\n")
    assert first.code == "print(x)\n" and first.line == 4
    assert second.directive == "skip: needs a key"
    assert third.code == "y = 2\n" and third.directive == ""


# Scripted models


@dataclasses.dataclass
class Script:
    """Tool calls made in turn (each when the call offers that tool), then an answer."""

    calls: list[tuple[str, dict[str, Any]]] = dataclasses.field(default_factory=list)
    answer: str = ""
    object: dict[str, Any] | None = None


BOOK = {
    "title": "The Lord of the Rings",
    "author": {"name": "J. R. R. Tolkien", "nationality": "British"},
    "genres": ["fantasy", "adventure"],
    "published_year": 1954,
}

SCRIPTS: dict[str, Script] = {
    "weather": Script([("weather", {"location": "Florence"})], "It is 40 C in Florence."),
    "hello": Script(answer="Hello! How can I help?"),
    "book": Script([("search", {"query": "The Lord of the Rings"})], "A book.", object=BOOK),
    "delete": Script([("delete_file", {"path": "old.log"})], "Deleted old.log."),
    "add": Script([("add", {"a": 2, "b": 3})], "2 + 3 = 5."),
    "desk": Script(
        [("weather_desk", {"prompt": "What is the weather in Florence?"})],
        "It is 40 C in Florence.",
    ),
    "forecast": Script(
        [("forecast", {"city": "Florence", "days": 2})], "Sunny in Florence for two days."
    ),
}


class ScriptedDocsModel(ScriptedModel):
    """A ScriptedModel whose answer depends on the call, so one model serves any number of
    runs and continued conversations."""

    def __init__(self, script: Script, provider: str = "scripted", model_id: str = "script"):
        super().__init__([], provider=provider, model_id=model_id)
        self.script = script

    def _next(self, call: Call) -> Response:
        self.calls.append(call)
        return respond(self.script, call)


def respond(script: Script, call: Call) -> Response:
    if call.response_format is not None and script.object is not None:
        return reply(json.dumps(script.object))
    last_user = max(i for i, m in enumerate(call.prompt) if m.role == "user")
    done = sum(m.role == "assistant" for m in call.prompt[last_user:])
    offered = {t.name for t in call.tools if isinstance(t, FunctionTool)}
    if done < len(script.calls) and script.calls[done][0] in offered:
        name, args = script.calls[done]
        return reply(tool_calls=[(f"call_{done + 1}", name, json.dumps(args))])
    if "final_answer" in offered and script.object is not None:
        return reply(tool_calls=[("call_final", "final_answer", json.dumps(script.object))])
    return reply(script.answer)


def overloaded(spec: str) -> ScriptedModel:
    provider, _, model_id = spec.partition(":")
    error = ProviderError("overloaded", status=529, retryable=True)
    return ScriptedModel([error] * 100, provider=provider, model_id=model_id)


def test_the_scripted_model_follows_the_conversation() -> None:
    import reverie

    def weather(location: str) -> str:
        """Weather"""
        return "40 C"

    agent = reverie.Agent(ScriptedDocsModel(SCRIPTS["weather"]), tools=[weather])
    first = agent.run_sync("Weather in Florence?")
    assert [c.tool_name for c in first.steps[0].tool_calls] == ["weather"]
    assert first.text == "It is 40 C in Florence."
    again = agent.run_sync("And now?", messages=first.messages)
    assert [c.tool_name for c in again.steps[0].tool_calls] == ["weather"]
    bare = reverie.Agent(ScriptedDocsModel(SCRIPTS["weather"])).run_sync("Hi")
    assert bare.steps[0].content == [Text(text="It is 40 C in Florence.")]


# Recordings


def recorded_model(where: str, spec: str) -> tuple[Any, Any]:
    """The provider of ``spec`` replaying GROUP/PAIR/SCENARIO of the conformance corpus."""
    from reverie.conformance.kinds import build_model
    from reverie.testing import ReplayTransport

    group_name, pair_name, scenario = where.split("/")
    group = tomllib.loads((CORPUS / "groups" / f"{group_name}.toml").read_text())
    [pair] = [p for p in group["pairs"] if p["name"] == pair_name]
    name, model_id = spec.split(":", 1)
    assert model_id == pair["model"], f"{spec} is not the recorded {pair['model']}"
    kind = pair["kind"].removesuffix("-responses")  # openai-responses is OpenAI's other API
    assert kind == name.removesuffix("-responses"), f"{spec} is not a {pair['kind']} model"
    cassette = CORPUS / "cassettes" / group.get("cassette_dir", group_name) / pair_name
    transport = ReplayTransport(cassette / f"{scenario}.yaml")
    client = httpx2.AsyncClient(transport=transport)
    return build_model(pair["kind"], pair["model"], pair.get("settings", {}), client), transport


# Running


def no_network(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("the docs' tests never touch the network: give the block a directive")


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    for key, value in DUMMY_KEYS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(httpx2.AsyncHTTPTransport, "handle_async_request", no_network)
    monkeypatch.setattr(httpx2.HTTPTransport, "handle_request", no_network)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", no_network)
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", no_network)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path


def resolver(
    block: Block, made: list[Any], origin: dict[int, tuple[str, str]] | None = None
) -> Callable[..., Any]:
    script = SCRIPTS[block.option("script") or "weather"]
    failing = set(filter(None, (block.option("fail") or "").split(",")))
    recording = block.option("recording")

    def resolve(spec: str, **settings: Any) -> Any:
        model: Any
        if recording is not None:
            if not CORPUS.is_dir():
                pytest.skip(f"{block.where}: no conformance corpus at {CORPUS}")
            model, transport = recorded_model(recording, spec)
            made.append(transport)
        elif spec in failing:
            model = overloaded(spec)
        else:
            provider, _, model_id = spec.partition(":")
            model = ScriptedDocsModel(script, provider, model_id)
        if origin is not None:
            origin[id(model)] = (spec, block.directive)
        return model

    return resolve


def rebind(namespace: dict[str, Any], origin: dict[int, tuple[str, str]], block: Block) -> None:
    """An agent an earlier block made from a model string takes that string's model as this
    block's directive gives it (a recording is used up once replayed)."""
    import reverie

    resolve = resolver(block, [], origin)  # the block may not use it: its recording unchecked
    for value in list(namespace.values()):
        if isinstance(value, reverie.Agent) and id(value.model) in origin:
            spec, directive = origin[id(value.model)]
            if directive != block.directive:
                with contextlib.suppress(AssertionError):  # a recording of another model
                    value.model = resolve(spec)


def run_python(
    block: Block,
    namespace: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    origin: dict[int, tuple[str, str]],
) -> str:
    from reverie.sync import thread_loop

    if block.option("local") is not None:
        pytest.importorskip("llama_cpp", reason="the local model needs reverie[local]")
    transports: list[Any] = []
    with monkeypatch.context() as patch:
        if block.option("local") is None:
            patch.setattr(registry, "resolve_model", resolver(block, transports, origin))
            rebind(namespace, origin, block)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            for source in (block.setup, block.code):
                if not source.strip():
                    continue
                code = compile(source, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
                if code.co_flags & inspect.CO_COROUTINE:
                    thread_loop().run(eval(code, namespace))
                else:
                    exec(code, namespace)
    for transport in transports:
        assert not transport.unused, f"{block.where}: recorded requests never made"
    return out.getvalue()


def place_cassette(block: Block, sandbox: Path) -> None:
    """``cassette=PATH``: that recording of the corpus, as ``cassettes/NAME`` in the sandbox."""
    cassette = block.option("cassette")
    if cassette is not None:
        source = CORPUS / "cassettes" / cassette
        if not source.is_file():
            pytest.skip(f"{block.where}: no recording at {source}")
        target = sandbox / "cassettes" / Path(cassette).name
        target.parent.mkdir(exist_ok=True)
        shutil.copy(source, target)


def run_pytest(block: Block, sandbox: Path) -> None:
    (sandbox / "test_block.py").write_text(block.code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_block.py"],
        cwd=sandbox,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{block.where}:\n{done.stdout}\n{done.stderr}"
    assert " passed" in done.stdout and "failed" not in done.stdout, done.stdout


KNOWN = {"script", "fail", "recording", "local", "pytest", "cassette", "output"}


def check_directive(block: Block) -> None:
    """A misspelt directive would silently run the block some other way."""
    if block.directive.startswith("skip"):
        return
    for word in block.directive.split():
        key = word.partition("=")[0]
        assert key in KNOWN, f"{block.where}: unknown directive {key!r}"
    script = block.option("script")
    assert script is None or script in SCRIPTS, f"{block.where}: no script {script!r}"


def test_a_misspelt_directive_is_refused() -> None:
    with pytest.raises(AssertionError, match="unknown directive 'scirpt'"):
        check_directive(Block(ROOT / "README.md", 1, "python", "", "scirpt=weather"))
    with pytest.raises(AssertionError, match="no script 'wether'"):
        check_directive(Block(ROOT / "README.md", 1, "python", "", "script=wether"))
    check_directive(Block(ROOT / "README.md", 1, "python", "", "skip: anything goes here"))


def run_page(blocks: list[Block], sandbox: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    # A real module, so pydantic finds the classes a block defines (forward references).
    page = types.ModuleType("docs_page")
    monkeypatch.setitem(sys.modules, "docs_page", page)
    namespace = page.__dict__
    origin: dict[int, tuple[str, str]] = {}  # id(model) → (model string, directive)
    printed = ""
    ran = 0
    for block in blocks:
        check_directive(block)
        directive = block.directive
        if directive.startswith("skip"):
            reason = directive.partition(":")[2].strip()
            assert reason, f"{block.where}: a skipped block says why"
            continue
        if block.lang == "text" and directive == "output":
            assert printed == block.code, f"{block.where}: printed\n{printed}"
            continue
        if block.lang not in ("python", "py"):
            assert not directive, f"{block.where}: a directive on a {block.lang!r} block"
            continue
        place_cassette(block, sandbox)
        if block.option("pytest") is not None:
            run_pytest(block, sandbox)
        else:
            try:
                printed = run_python(block, namespace, monkeypatch, origin)
            except pytest.skip.Exception:
                raise
            except BaseException as error:
                raise AssertionError(f"{block.where} failed: {error!r}") from error
        ran += 1
    return ran


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_block_of_the_page_runs(
    page: Path, sandbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = blocks_of(page)
    run_page(blocks, sandbox, monkeypatch)


EXAMPLE_DIRECTIVE = re.compile(r"^# test:(.*)$", re.M)


@pytest.mark.parametrize("program", EXAMPLES, ids=lambda p: p.name)
def test_every_example_runs(program: Path, sandbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = program.read_text()
    match = EXAMPLE_DIRECTIVE.search(source)
    block = Block(program, 1, "python", source, match.group(1).strip() if match else "")
    check_directive(block)
    transports: list[Any] = []
    monkeypatch.setattr(registry, "resolve_model", resolver(block, transports))
    monkeypatch.setattr(sys, "argv", [str(program)])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(program), run_name="__main__")
    assert out.getvalue().strip(), f"{program.name} printed nothing"
    for transport in transports:
        assert not transport.unused, f"{program.name}: recorded requests never made"


def test_the_site_and_readme_have_blocks_to_run() -> None:
    counted = sum(
        b.lang in ("python", "py") and not b.directive.startswith("skip")
        for page in PAGES
        for b in blocks_of(page)
    )
    assert counted >= 80, counted
    assert len(EXAMPLES) >= 6, EXAMPLES
