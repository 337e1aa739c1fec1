"""The reply format, and the grammar that makes the model produce it.

A small local model writes no usable tool calls of its own accord, so we constrain its
reply with a llama.cpp grammar (GBNF) built from JSON schemas. A tool call is the JSON
object ``{"tool": "<name>", "arguments": {...}}``; the ``"tool"`` key comes first so a
stream knows the tool's name before the arguments start. A text answer, when a call is
also allowed, is any text not starting with ``{`` or whitespace, so the first character
decides which of the two the model chose.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import Any

from reverie.model import FunctionTool
from reverie.warning import CallWarning

TOOL_KEY = "tool"
ARGUMENTS_KEY = "arguments"

# A model that repeats itself (a small one decoding greedily) fills an array with the same
# item, or a string with the same words, until the output limit cuts its JSON off. With
# ``bounded``, arrays and free strings whose schema sets no bound get these, so every value
# ends and the object closes well within the limit.
MAX_ITEMS = 8
MAX_LENGTH = 100

# Text that cannot be mistaken for a call: it starts with neither "{" nor whitespace. Any
# text is otherwise allowed, so the model ends its answer whenever it wants to.
FREE_TEXT_RULE = r"[^{ \t\r\n] [^\x00]*"


class ReplyMode(StrEnum):
    TEXT = "text"
    """A text answer (or JSON matching the response format)."""
    CALL = "call"
    """Exactly one tool call."""
    EITHER = "either"
    """A tool call or a text answer: the model chooses."""
    JSON_EITHER = "json-either"
    """A tool call or a JSON answer matching the response format; both start with ``{``, so
    which one it is is known only once the reply is complete."""


@dataclass(frozen=True, slots=True)
class ReplyFormat:
    mode: ReplyMode
    grammar: str | None
    """GBNF for the reply, ``None`` for unconstrained text."""
    tool_names: tuple[str, ...]
    """Tools a call may name."""
    warnings: tuple[CallWarning, ...] = ()
    text_is_free: bool = False
    """Once the first token shows a text answer, the rest of the text is unconstrained, so
    generation may drop the grammar: checking every token against it costs a third of the
    speed (SmolLM2: 34 instead of 50 tokens/s)."""
    prefix: str = ""
    """The start of the reply, written into the prompt instead of generated: the part of a
    call that leaves the model no choice (``{"tool": "weather", "arguments":`` when one tool
    may be called). It is evaluated with the prompt in one batch, several times faster than
    token by token; the grammar covers what follows it."""


def render_call(name: str, arguments: str) -> str:
    """A call in the reply format: how the model's earlier calls appear in the prompt."""
    return f'{{"{TOOL_KEY}": {json.dumps(name)}, "{ARGUMENTS_KEY}": {arguments.strip() or "{}"}}}'


def reply_format(
    mode: ReplyMode,
    tools: Sequence[FunctionTool],
    response_schema: Mapping[str, Any] | None,
    *,
    constrain_text: bool,
    bounded: bool = False,
) -> ReplyFormat:
    """The grammar for one reply.

    ``tools`` are the tools a call may use (only the named one when the call names one).
    ``constrain_text`` keeps a text answer from starting with ``{``: once tools are in the
    prompt, a small model otherwise repeats its last call as text instead of answering.
    ``bounded`` gives unbounded arrays and strings :data:`MAX_ITEMS` and :data:`MAX_LENGTH`.
    """
    names = tuple(t.name for t in tools)
    if bounded:
        tools = [replace(t, input_schema=_bounded(t.input_schema)) for t in tools]
        response_schema = None if response_schema is None else _bounded(response_schema)
    if mode is ReplyMode.TEXT:
        if response_schema is not None:
            grammar, warnings = _schema_grammar(_canonical(response_schema))
            return ReplyFormat(mode, grammar, names, warnings)
        if not constrain_text:
            return ReplyFormat(mode, None, names)
        return ReplyFormat(mode, f"root ::= {FREE_TEXT_RULE}\n", names, text_is_free=True)
    specs = _canonical([[t.name, dict(t.input_schema)] for t in tools])
    response = None
    if mode is not ReplyMode.CALL and response_schema is not None:
        # The answer, if the model chooses to answer, must match the response format.
        mode = ReplyMode.JSON_EITHER
        response = _canonical(response_schema)
    free_text = mode is ReplyMode.EITHER
    grammar, warnings = _calls_grammar(specs, response, free_text)
    if mode is ReplyMode.CALL:
        prefix, grammar = _call_tail(grammar, names)
        return ReplyFormat(mode, grammar, names, warnings, prefix=prefix)
    return ReplyFormat(mode, grammar, names, warnings, text_is_free=free_text)


def _canonical(value: Any) -> str:
    """Schemas as a string: the cache key of the grammar built from them. Keys keep their
    order: the grammar makes the model write properties in the order they are declared, and
    a model fills a form best in its author's order (``title`` before ``author``)."""
    return json.dumps(value, ensure_ascii=False)


def _bounded(schema: Any) -> Any:
    """A copy of ``schema`` whose arrays and free strings without a bound get one."""
    if isinstance(schema, list):
        return [_bounded(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _NAMED and isinstance(value, Mapping):
            out[key] = {name: _bounded(sub) for name, sub in value.items()}
        else:
            out[key] = value if key in _DATA else _bounded(value)
    kind = out.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds and "maxItems" not in out:
        out["maxItems"] = max(MAX_ITEMS, _int(out.get("minItems")))
    if "string" in kinds and "maxLength" not in out and not _SHAPED.intersection(out):
        out["maxLength"] = max(MAX_LENGTH, _int(out.get("minLength")))
    return out


_SHAPED = frozenset({"enum", "const", "format", "pattern"})
_DATA = frozenset({"enum", "const", "default", "examples"})  # values, not schemas
_NAMED = frozenset({"properties", "patternProperties", "$defs", "definitions"})  # name → schema


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@lru_cache(maxsize=64)
def _calls_grammar(
    specs: str, response: str | None, free_text: bool
) -> tuple[str, tuple[CallWarning, ...]]:
    """Grammar for a tool call, or a call or a text/JSON answer. Cached: an agent sends the
    same tools at every step."""
    defs: dict[str, Any] = {}
    alternatives: list[dict[str, Any]] = []
    warnings: list[CallWarning] = []
    for index, (name, input_schema) in enumerate(json.loads(specs)):
        arguments = _usable(input_schema, f"tool {name!r}", warnings)
        alternatives.append(
            {
                "type": "object",
                "properties": {
                    TOOL_KEY: {"const": name},
                    ARGUMENTS_KEY: _hoist_defs(arguments, f"def{index}-", defs),
                },
                "required": [TOOL_KEY, ARGUMENTS_KEY],
            }
        )
    if response is not None:
        answer = _usable(json.loads(response), "the response format", warnings)
        alternatives.append(_hoist_defs(answer, "response-", defs))
    schema: dict[str, Any] = (
        dict(alternatives[0]) if len(alternatives) == 1 else {"anyOf": alternatives}
    )
    if defs:
        schema["$defs"] = defs
    grammar = _to_gbnf(schema)
    if free_text:
        # The call grammar becomes one alternative; rule names made by the converter come
        # from property names ("tool", "arguments-…"), "alternative-N" and JSON primitives,
        # so "call-reply" and "text-reply" cannot clash with them.
        grammar = re.sub(r"^root ::=", "call-reply ::=", grammar, count=1, flags=re.MULTILINE)
        grammar += f"\ntext-reply ::= {FREE_TEXT_RULE}\nroot ::= call-reply | text-reply"
    return grammar + "\n", tuple(warnings)


def _call_tail(grammar: str, names: Sequence[str]) -> tuple[str, str]:
    """A call's reply as a fixed prefix and the grammar of the rest, laid out as
    :func:`render_call` replays it (``{"tool": "<name>", "arguments": {…}}``), so that the
    next step's prompt, which replays the call, starts with tokens already evaluated.

    ``grammar`` is the converter's grammar of the call: its rules for the ``i``-th of
    several tools start with ``alternative-i-`` (none for one tool). Its ``arguments`` rules
    are kept and the call's outline is written here; where they are not found, the
    converter's grammar is kept whole, with no prefix."""
    rules = dict(line.split(" ::= ", 1) for line in grammar.splitlines() if " ::= " in line)
    single = len(names) == 1
    owners = [""] if single else [f"alternative-{i}-" for i in range(len(names))]
    if not all(f"{owner}arguments" in rules for owner in owners):
        return "", grammar
    for owner in owners:
        for outline in ("tool", "tool-kv", "arguments-kv"):
            rules.pop(owner + outline, None)
        rules.pop(owner.rstrip("-"), None)  # "alternative-i", the whole call of one tool
    rules.pop("root", None)
    head = f'{{"{TOOL_KEY}": "'
    after_name = f', "{ARGUMENTS_KEY}":'
    if single:
        prefix = head + json.dumps(names[0], ensure_ascii=False)[1:] + after_name
        rules["root"] = '" " arguments "}"'
    else:
        prefix = head
        for index, (owner, name) in enumerate(zip(owners, names, strict=True)):
            rest = _literal(json.dumps(name, ensure_ascii=False)[1:] + after_name + " ")
            rules[f"call-{index}"] = f'{rest} {owner}arguments "}}"'
        rules["root"] = " | ".join(f"call-{i}" for i in range(len(names)))
    return prefix, "".join(f"{name} ::= {body}\n" for name, body in rules.items())


def _literal(text: str) -> str:
    """``text`` as a GBNF string literal (its escapes are JSON's)."""
    return json.dumps(text, ensure_ascii=False)


@lru_cache(maxsize=16)
def _schema_grammar(schema: str) -> tuple[str, tuple[CallWarning, ...]]:
    warnings: list[CallWarning] = []
    usable = _usable(json.loads(schema), "the response format", warnings)
    defs: dict[str, Any] = {}
    root = _hoist_defs(usable, "response-", defs)
    if defs:
        root["$defs"] = defs
    return _to_gbnf(root) + "\n", tuple(warnings)


def _to_gbnf(schema: Mapping[str, Any]) -> str:
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    # No prop_order: the converter writes properties in the order they are declared (it
    # would apply a prop_order to every object in the schema, the caller's too).
    grammar: str = json_schema_to_gbnf(json.dumps(schema))
    # The converter of llama-cpp-python lets a string hold raw control characters, which
    # JSON forbids (a model writing a newline inside a string made its answer unparseable).
    return grammar.replace(_LOOSE_CHAR, _JSON_CHAR, 1)


_LOOSE_CHAR = r'char ::= [^"\\] |'
_JSON_CHAR = r'char ::= [^"\\\x7F\x00-\x1F] |'


def _usable(schema: Any, what: str, warnings: list[CallWarning]) -> Any:
    """``schema`` if llama.cpp can turn it into a grammar, else any JSON object, with a
    warning: a tool the grammar cannot shape is still better offered loosely than refused."""
    try:
        defs: dict[str, Any] = {}
        probe = _hoist_defs(schema, "probe-", defs)
        if defs:
            probe["$defs"] = defs
        _to_gbnf(probe)
    except Exception as exc:  # the converter raises bare ValueError/AssertionError/KeyError
        warnings.append(
            CallWarning(
                kind="other",
                message=f"the JSON schema of {what} cannot be turned into a grammar ({exc}); "
                "the model is only held to produce a JSON object",
            )
        )
        return {"type": "object"}
    return schema


_DEF_KEYS = ("$defs", "definitions")


def _hoist_defs(schema: Any, prefix: str, defs: dict[str, Any]) -> Any:
    """A copy of ``schema`` whose ``$defs`` live in ``defs`` under prefixed names.

    Several schemas end up in one grammar; their definitions must share one namespace
    without clashing, and their ``#/$defs/…`` references must still point at them.
    """
    if not isinstance(schema, dict):
        return schema
    own = {name: sub for key in _DEF_KEYS for name, sub in (schema.get(key) or {}).items()}
    for name, sub in own.items():
        defs[prefix + name] = _rewrite_refs(sub, prefix)
    return _rewrite_refs({k: v for k, v in schema.items() if k not in _DEF_KEYS}, prefix)


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            for root in ("#/$defs/", "#/definitions/"):
                if value.startswith(root):
                    value = "#/$defs/" + prefix + value[len(root) :]
                    break
            out[key] = value
        else:
            out[key] = _rewrite_refs(value, prefix)
    return out
