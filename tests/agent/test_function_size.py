"""The agent loop stays a sequence of small functions: none in ``reverie/agent/`` is over 60
lines (signature and docstring included) or 20 branches, and ``agent.py`` stays under 450
lines. Branches are counted as pylint counts them: each ``if``/``elif``, loop, ``except``
handler and ``case``, and each ``else``/``finally`` of a loop or ``try``; a nested function
counts for itself."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import reverie.agent

AGENT = Path(reverie.agent.__file__).parent
MAX_LINES = 60
MAX_BRANCHES = 20
MAX_AGENT_PY_LINES = 450

Function = ast.FunctionDef | ast.AsyncFunctionDef


def functions(tree: ast.AST) -> Iterator[Function]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def branches(function: Function) -> int:
    count = 0
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue  # counted on its own
        if isinstance(node, ast.If):
            count += 1
            # an else that is not an elif is one more way through
            if node.orelse and not (len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If)):
                count += 1
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            count += 1 + bool(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            count += len(node.handlers) + bool(node.orelse) + bool(node.finalbody)
        elif isinstance(node, ast.Match):
            count += len(node.cases)
        stack.extend(ast.iter_child_nodes(node))
    return count


def measure() -> list[tuple[str, int, int]]:
    """``(file:function, lines, branches)`` of every function in ``reverie/agent/``."""
    out = []
    for path in sorted(AGENT.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for function in functions(tree):
            assert function.end_lineno is not None
            lines = function.end_lineno - function.lineno + 1
            out.append((f"{path.name}:{function.name}", lines, branches(function)))
    return out


def test_no_function_in_the_agent_package_is_over_the_limits() -> None:
    sizes = measure()
    assert sizes  # the package was found and read
    too_long = [(name, lines) for name, lines, _ in sizes if lines > MAX_LINES]
    too_branchy = [(name, count) for name, _, count in sizes if count > MAX_BRANCHES]
    assert too_long == [] and too_branchy == []


def test_agent_py_stays_short() -> None:
    assert len((AGENT / "agent.py").read_text().splitlines()) < MAX_AGENT_PY_LINES


def test_the_counter_counts() -> None:
    source = """
def f(x):
    if x:
        pass
    elif x > 1:
        pass
    else:
        pass
    for _ in x:
        while x:
            pass
    try:
        pass
    except ValueError:
        pass
    except KeyError:
        pass
    finally:
        pass
    def inner():
        if x:
            pass
"""
    [outer, inner] = functions(ast.parse(source))
    assert (branches(outer), branches(inner)) == (2 + 1 + 2 + 3, 1)


if __name__ == "__main__":  # the figures: python tests/agent/test_function_size.py
    for name, lines, count in sorted(measure(), key=lambda m: (-m[1], m[0]))[:15]:
        print(f"{lines:4} lines {count:3} branches  {name}")
