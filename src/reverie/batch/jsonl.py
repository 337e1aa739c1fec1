"""Batch items as JSON lines: one object per input with its run (messages, steps, usage) as
``reverie.dump_result`` writes it, or its error."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from reverie.batch.items import BatchItem, Input


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
        with file.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if not line.strip():
                    continue
                data = json.loads(line)
                result = data.get("result")
                error = data.get("error")
                items.append(
                    BatchItem(
                        index=int(data.get("index", number)),
                        input=input_from_data(data[input_column]),
                        result=None if result is None else load_result(result),
                        error=None if error is None else RecordedError(error),
                    )
                )
    return sorted(items, key=lambda item: item.index)
