"""``import reverie`` stays cheap: no HTTP stack, no pydantic, no provider, no extra."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = [
    "typing",  # with re and enum, more than reverie's own modules cost
    "httpx2",
    "httpx",
    "pydantic",
    "json_repair",
    "yaml",
    "llama_cpp",
    "click",
    "rich",
    "opentelemetry",
    "reverie.providers.openai_chat",
    "reverie.agent",
    "mcp",
    "reverie.mcp",
    "reverie.fallback_model",
    "genai_prices",  # the price table: only when a cost is first estimated
    "reverie.pricing",
    "reverie._price_table",
]


def test_import_reverie_loads_nothing_heavy() -> None:
    code = "import sys, json, reverie; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert [m for m in HEAVY if m in loaded] == []


def test_public_names_resolve_lazily() -> None:
    code = (
        "import sys, reverie; reverie.Agent; "
        "print('httpx2' in sys.modules, 'reverie.providers.openai_chat' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The agent needs no HTTP stack until a provider is made.
    assert out.stdout.split() == ["False", "False"]


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


FAMILIES = {
    "reverie.providers.openai_chat",
    "reverie.providers.openai_responses",
    "reverie.providers.anthropic",
    "reverie.providers.google",
    "reverie.providers.local",
}


def test_importing_one_provider_loads_no_other_family() -> None:
    for module, own in (
        ("reverie.providers.openai", {"reverie.providers.openai_chat"}),
        ("reverie.providers.openrouter", {"reverie.providers.openai_chat"}),
        ("reverie.providers.azure", {"reverie.providers.openai_chat"}),
        ("reverie.providers.registry", set()),
    ):
        loaded = _loaded_after(f"import {module}")
        assert loaded & FAMILIES == own, module
        assert not any(m.startswith(("llama_cpp", "google", "botocore")) for m in loaded)


def test_an_agent_without_tools_loads_no_pydantic_until_an_answer_is_read() -> None:
    loaded = _loaded_after(
        "import os; os.environ['OPENAI_API_KEY'] = 'k'; import reverie; "
        "reverie.Agent('openai:gpt-4o', system='hi')"
    )
    assert "reverie.providers.openai_chat" in loaded
    assert not {m for m in loaded if m.startswith(("pydantic", "pydantic_core"))}


def test_an_agent_without_an_output_loads_no_structured_output() -> None:
    loaded = _loaded_after(
        "import reverie, reverie.testing; reverie.Agent(reverie.testing.ScriptedModel([]))"
    )
    assert "reverie.agent.output" in loaded
    assert not {m for m in loaded if m.startswith("reverie.structured")}


def test_mcp_and_testing_are_attributes_imported_on_first_use() -> None:
    code = (
        "import sys, reverie; before = 'reverie.testing' in sys.modules; "
        "reverie.testing.ScriptedModel; reverie.mcp.stdio; "
        "print(before, 'reverie.testing' in sys.modules, 'reverie.mcp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True"]
    import reverie

    assert {"mcp", "testing"} <= set(dir(reverie))
    assert "mcp" not in reverie.__all__  # a star import does not load the MCP client


def test_an_unknown_attribute_is_still_an_attribute_error() -> None:
    import pytest

    import reverie

    with pytest.raises(AttributeError, match="no attribute 'agent_'"):
        reverie.agent_  # noqa: B018


def test_the_lazy_exports_and_the_type_checking_imports_agree() -> None:
    """Every public name resolves at run time the way a type checker reads it."""
    import ast
    from pathlib import Path

    import reverie

    source = Path(reverie.__file__).read_text()
    checked: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module != "typing":
                    for alias in statement.names:
                        checked[alias.asname or alias.name] = statement.module or ""
    submodules = {name: checked.pop(name) for name in ("mcp", "pricing", "testing")}
    assert submodules == {"mcp": "reverie", "pricing": "reverie", "testing": "reverie"}
    assert checked == reverie._EXPORTS
    for name in reverie.__all__:  # each resolves, and to what its module holds
        assert getattr(reverie, name) is getattr(
            __import__(reverie._EXPORTS[name], fromlist=[name]), name
        )


def test_the_price_table_is_imported_only_when_a_cost_is_estimated() -> None:
    """A model answering (and reverie.pricing itself) loads no price table; the first
    estimate from the table does."""
    answer = (
        "import json, httpx, reverie; from reverie.model import Call; "
        "body = {'model': 'gpt-4o', 'choices': [{'index': 0, 'message': {'content': 'hi'}, "
        "'finish_reason': 'stop'}], 'usage': {'prompt_tokens': 5, 'completion_tokens': 2%s}}; "
        "client = httpx.AsyncClient(transport=httpx.MockTransport("
        "lambda r: httpx.Response(200, json=body))); "
        "model = reverie.provider('openai', api_key='k', client=client).model('gpt-4o'); "
        "import asyncio; call = Call(prompt=[reverie.user_message('x')]); "
        "r = asyncio.run(model.generate(call)); "
        "assert r.usage.cost is not None"
    )
    lean = _loaded_after(
        "import reverie.pricing; reverie.pricing.set_price"
        "('m', input_per_mtok=1, output_per_mtok=2)"
    )
    assert "genai_prices" not in lean and "reverie._price_table" not in lean
    reported = _loaded_after(answer % ", 'cost': 0.5")  # the provider's figure: no table
    assert "genai_prices" not in reported
    estimated = _loaded_after(answer % "")
    assert "genai_prices" in estimated
