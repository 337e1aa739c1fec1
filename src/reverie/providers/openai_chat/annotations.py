"""URL citations on chat completions → Source parts.

OpenAI's search models and OpenRouter's web plugin put them on the message
(``message.annotations``) or, streamed, on a delta (``delta.annotations``), each
``{"type": "url_citation", "url_citation": {"url", "title", "start_index", "end_index"}}``
(the indices are the cited range of the message's text). A citation becomes
``Source(source_type="url", url, title)`` with the range kept in the provider's metadata
namespace (``{"start_index": ..., "end_index": ...}``). Other annotation types are not
sources; a citation repeated whole in the same answer is one source.
"""

from __future__ import annotations

from typing import Any

from reverie.content import Source


class Citations:
    """Reads one answer's annotations, numbering its sources ``citation-0``, ``citation-1``…"""

    __slots__ = ("_namespace", "_seen")

    def __init__(self, namespace: str) -> None:
        self._namespace = namespace
        self._seen: set[tuple[Any, ...]] = set()

    def read(self, annotations: Any) -> list[Source]:
        """The new sources among ``annotations`` (anything not a list gives none)."""
        if not isinstance(annotations, list):
            return []
        sources: list[Source] = []
        for annotation in annotations:
            if not isinstance(annotation, dict) or annotation.get("type") != "url_citation":
                continue
            cited = annotation.get("url_citation")
            if not isinstance(cited, dict):
                cited = annotation  # the fields flat on the annotation
            url, title = cited.get("url"), cited.get("title")
            if not isinstance(url, str) or not url:
                continue
            span = {k: cited[k] for k in ("start_index", "end_index") if type(cited.get(k)) is int}
            key = (url, title, span.get("start_index"), span.get("end_index"))
            if key in self._seen:
                continue
            self._seen.add(key)
            sources.append(
                Source(
                    id=f"citation-{len(self._seen) - 1}",
                    url=url,
                    title=title if isinstance(title, str) else None,
                    provider_metadata={self._namespace: span} if span else {},
                )
            )
        return sources
