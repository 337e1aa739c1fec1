"""Batch items as JSON lines: one object per input with its run (messages, steps, usage) as
``reverie.dump_result`` writes it, or its error."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from reverie.batch.items import BatchItem, Input
from reverie.errors import SerializationError


def input_data(value: Input) -> Any:
    """A prompt as itself, a conversation as the JSON list ``dump_messages`` writes."""
    if isinstance(value, str):
        return value
    from reverie.serialize import dump_messages

    loaded: Any = json.loads(dump_messages(list(value)))
    return loaded


def input_from_data(value: Any) -> Input:
    if isinstance(value, str):
        return value
    from reverie.serialize import load_messages

    return load_messages(json.dumps(value))


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def record(item: BatchItem) -> dict[str, Any]:
    from reverie.serialize import dump_result

    return {
        "index": item.index,
        "input": input_data(item.input),
        "result": None if item.result is None else dump_result(item.result),
        "error": None if item.error is None else error_text(item.error),
    }


def write_jsonl(path: str, items: Iterable[BatchItem]) -> None:
    """Each item as one JSON line: ``index``, ``input``, ``result`` (the run as
    :func:`reverie.dump_result` writes it, trajectory included) and ``error``; ``items`` is a
    ``BatchResult`` or any iterable of its items."""
    with open(path, "w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(record(item), ensure_ascii=False))
            out.write("\n")


class RecordedError(Exception):
    """An error read back from a file: its type's name and message, as text."""


def read_jsonl(path: str, *, input_column: str = "input") -> list[BatchItem]:
    """The items a JSON-lines file holds, or every ``*.json``/``*.jsonl`` file of a folder
    (what ``run_dataset(...).write_json(folder)`` writes), sorted by ``index``: results
    loaded back as ``RunResult``, errors as ``RecordedError``. ``input_column`` names the
    column of the input (``"prompt"`` for a dataset's rows)."""
    from pathlib import Path

    from reverie.serialize import load_result

    where = Path(path)
    files = (
        sorted(p for p in where.iterdir() if p.suffix in (".json", ".jsonl"))
        if where.is_dir()
        else [where]
    )
    items: list[BatchItem] = []
    for file in files:
        with file.open("rb") as lines:
            for number, line in enumerate(lines):
                if not line.strip():
                    continue
                try:
                    items.append(_item(line, number, input_column, load_result))
                except SerializationError as exc:
                    raise SerializationError(f"{file.name}, line {number + 1}: {exc}") from None
    return sorted(items, key=lambda item: item.index)


def _item(line: bytes, number: int, input_column: str, load_result: Any) -> BatchItem:
    """One line's item; a line that is not one (edited, cut, of another file) is a
    ``SerializationError`` saying what is wrong."""
    try:
        data = json.loads(line)  # UTF-8, as written; anything else is a ValueError
    except (ValueError, RecursionError):
        raise SerializationError("not a JSON object (cut short, or not a batch file)") from None
    if not isinstance(data, dict):
        raise SerializationError("not a JSON object")
    index = data.get("index", number)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise SerializationError(f"'index' must be a whole number, 0 or more, not {index!r:.50}")
    if input_column not in data:
        raise SerializationError(f"it has no {input_column!r}")
    value = data[input_column]
    if not isinstance(value, str | dict | list):
        raise SerializationError(f"{input_column!r} is neither a prompt nor a conversation")
    result, error = data.get("result"), data.get("error")
    if result is not None and not isinstance(result, str):
        raise SerializationError("'result' must be the text dump_result writes, or null")
    if error is not None and not isinstance(error, str):
        raise SerializationError("'error' must be text, or null")
    return BatchItem(
        index=index,
        input=input_from_data(value),
        result=None if result is None else load_result(result),
        error=None if error is None else RecordedError(error),
    )
