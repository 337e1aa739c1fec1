"""Packages whose public names load on first use: ``__getattr__, __dir__ = lazy(__name__,
{"name": "module"})`` in a package's ``__init__``, so importing the package imports nothing
it exports until a name is asked for (and then keeps it)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, resolving ``exports`` (public name
    → the module that defines it) lazily."""
    names = sorted(exports)

    def getattr_(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def dir_() -> list[str]:
        return list(names)

    return getattr_, dir_
