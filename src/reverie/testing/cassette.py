"""go-vcr "version: 2" cassettes: data classes plus YAML loading and saving."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

__all__ = [
    "Body",
    "Cassette",
    "Headers",
    "Interaction",
    "RecordedRequest",
    "RecordedResponse",
    "load_cassette",
    "redact_interaction",
]

#: A body is text, or raw bytes when the YAML holds ``!!binary`` (AWS event streams).
Body = str | bytes
#: Header name → values, as go-vcr writes them.
Headers = dict[str, list[str]]

CASSETTE_VERSION = 2
MIN_LENGTH = 8  # as reverie.http.auth.MIN_SECRET_LENGTH, without importing it at load time


@dataclass
class RecordedRequest:
    """The request half of an interaction."""

    method: str
    url: str
    body: Body = ""
    headers: Headers = field(default_factory=dict)
    host: str = ""
    form: dict[str, list[str]] | None = None
    proto: str = "HTTP/1.1"
    proto_major: int = 1
    proto_minor: int = 1
    content_length: int = 0


@dataclass
class RecordedResponse:
    """The response half of an interaction; ``body`` is already decompressed."""

    code: int = 200
    body: Body = ""
    headers: Headers = field(default_factory=dict)
    status: str = "200 OK"
    proto: str = "HTTP/2.0"
    proto_major: int = 2
    proto_minor: int = 0
    content_length: int = -1
    uncompressed: bool | None = None
    duration: str = "0s"

    def body_bytes(self) -> bytes:
        """The body as bytes (text is encoded as UTF-8)."""
        return self.body if isinstance(self.body, bytes) else self.body.encode("utf-8")


@dataclass
class Interaction:
    """One recorded request/response pair."""

    id: int
    request: RecordedRequest
    response: RecordedResponse


@dataclass
class Cassette:
    """An ordered list of interactions, as stored in one YAML file."""

    interactions: list[Interaction] = field(default_factory=list)
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.interactions)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Cassette:
        """Read a cassette file."""
        p = Path(path)
        cassette = cls.loads(p.read_bytes(), source=str(p))
        cassette.path = p
        return cassette

    @classmethod
    def loads(cls, data: str | bytes, *, source: str = "<string>") -> Cassette:
        """Parse cassette YAML text; anything that is not a version 2 cassette (bad YAML, a
        field of the wrong type) raises ``ValueError`` saying where."""
        import yaml

        try:
            doc = yaml.load(data, Loader=_loader())
        except (yaml.YAMLError, UnicodeError) as exc:
            raise ValueError(f"{source}: not YAML: {yaml_problem(exc)}") from None
        if not isinstance(doc, Mapping):
            kind = "empty" if doc is None else f"a {type(doc).__name__}"
            raise ValueError(
                f"{source}: not a go-vcr v2 cassette (the file is {kind}; a cassette is a "
                "mapping with 'version: 2' and 'interactions')"
            )
        if "version" not in doc:
            has = "'interactions' but" if "interactions" in doc else "neither 'interactions' nor"
            raise ValueError(f"{source}: not a go-vcr v2 cassette (it has {has} 'version: 2')")
        if doc.get("version") != CASSETTE_VERSION:
            raise ValueError(
                f"{source}: unsupported cassette version {doc.get('version')!r:.50} "
                "(reverie reads go-vcr version 2)"
            )
        items = doc.get("interactions") or []
        if not isinstance(items, list):
            raise ValueError(f"{source}: 'interactions' is not a list")
        return cls([_interaction(i, item, source) for i, item in enumerate(items)])

    def to_dict(self) -> dict[str, Any]:
        """The YAML document as plain data, keys in go-vcr's order."""
        return {
            "version": CASSETTE_VERSION,
            "interactions": [_interaction_dict(i) for i in self.interactions],
        }

    def dumps(self) -> str:
        """Serialise to YAML text."""
        import yaml

        text: str = yaml.dump(
            self.to_dict(),
            Dumper=_dumper(),
            sort_keys=False,
            allow_unicode=True,
            width=1 << 30,  # never fold long JSON bodies
            explicit_start=True,
        )
        return text

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the cassette to ``path`` (default: where it was loaded from)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no path given and the cassette was not loaded from a file")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.dumps(), encoding="utf-8")
        self.path = target
        return target


def redact_interaction(interaction: Interaction, secrets: Iterable[str]) -> None:
    """Replace every secret in what ``interaction`` would write (URL, headers, form, bodies),
    whatever echoed it; see :func:`reverie.http.auth.redact` for what counts as one."""
    from reverie.http.auth import redact, with_escaped

    found = with_escaped(secrets)
    if not found:
        return
    req, resp = interaction.request, interaction.response
    req.url = redact(req.url, found)
    req.host = redact(req.host, found)
    req.headers = {k: [redact(v, found) for v in vs] for k, vs in req.headers.items()}
    resp.headers = {k: [redact(v, found) for v in vs] for k, vs in resp.headers.items()}
    if req.form:
        req.form = {redact(k, found): [redact(v, found) for v in vs] for k, vs in req.form.items()}
    for half in (req, resp):
        body = half.body
        if isinstance(body, str):
            half.body = redact(body, found)
        elif body:
            half.body = _redact_bytes(body, found)


def _redact_bytes(body: bytes, secrets: tuple[str, ...]) -> bytes:
    """A binary body redacted: inside its frames when it is an AWS event stream (whose
    payloads hold base64 and whose frames carry CRCs), else byte for byte."""
    from reverie.http.auth import REDACTED
    from reverie.testing.eventstream import redact_frames

    raw = tuple(s.encode() for s in secrets if len(s) >= MIN_LENGTH)
    framed = redact_frames(body, raw)
    if framed is not None:
        return framed
    for secret in raw:
        body = body.replace(secret, REDACTED.encode())
    return body


def yaml_problem(exc: Exception) -> str:
    """A YAML error in one line: what is wrong and where (PyYAML's own text spans lines)."""
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None)
    mark = getattr(exc, "problem_mark", None)
    if not problem:
        return " ".join(str(exc).split())
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{' '.join(str(problem).split())}{where}"


def load_cassette(path: str | os.PathLike[str]) -> Cassette:
    """Read a go-vcr version 2 cassette file."""
    return Cassette.load(path)


def _loader() -> type[yaml.SafeLoader]:
    import yaml

    # The C loader is ~10x faster; getattr because it is absent without libyaml.
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


@functools.cache
def _dumper() -> type[yaml.SafeDumper]:
    import yaml

    base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        # Multi-line bodies (SSE streams) read far better as literal blocks; the
        # emitter falls back to a quoted style when a block cannot be exact.
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    class CassetteDumper(base):  # type: ignore[valid-type,misc]
        pass

    CassetteDumper.add_representer(str, represent_str)
    dumper: type[yaml.SafeDumper] = CassetteDumper
    return dumper


def _body(value: object) -> Body:
    if isinstance(value, str | bytes):
        return value
    return "" if value is None else str(value)


def _headers(value: object) -> Headers:
    if not isinstance(value, Mapping):
        return {}
    out: Headers = {}
    for name, values in value.items():
        seq = values if isinstance(values, list) else [values]
        out[str(name)] = [str(v) for v in seq]
    return out


def _int(value: object, where: str) -> int:
    # YAML gives bools, floats, dates…; only a whole number (or its text) is a count here
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise ValueError(f"{where} is not a whole number: {value!r:.50}")


def _interaction(index: int, item: object, source: str) -> Interaction:
    if not isinstance(item, Mapping):
        raise ValueError(f"{source}: interaction {index} is not a mapping")
    req = item.get("request") or {}
    resp = item.get("response") or {}
    for half, value in (("request", req), ("response", resp)):
        if not isinstance(value, Mapping):
            raise ValueError(f"{source}: interaction {index}: '{half}' is not a mapping")
    where = f"{source}: interaction {index}"
    form = req.get("form")
    request = RecordedRequest(
        method=str(req.get("method", "")),
        url=str(req.get("url", "")),
        body=_body(req.get("body")),
        headers=_headers(req.get("headers")),
        host=str(req.get("host") or ""),
        form=_headers(form) if form is not None else None,
        proto=str(req.get("proto", "HTTP/1.1")),
        proto_major=_int(req.get("proto_major", 1), f"{where}: request.proto_major"),
        proto_minor=_int(req.get("proto_minor", 1), f"{where}: request.proto_minor"),
        content_length=_int(req.get("content_length", 0), f"{where}: request.content_length"),
    )
    response = RecordedResponse(
        code=_int(resp.get("code", 200), f"{where}: response.code"),
        body=_body(resp.get("body")),
        headers=_headers(resp.get("headers")),
        status=str(resp.get("status", "")),
        proto=str(resp.get("proto", "HTTP/2.0")),
        proto_major=_int(resp.get("proto_major", 2), f"{where}: response.proto_major"),
        proto_minor=_int(resp.get("proto_minor", 0), f"{where}: response.proto_minor"),
        content_length=_int(resp.get("content_length", -1), f"{where}: response.content_length"),
        uncompressed=None if resp.get("uncompressed") is None else bool(resp["uncompressed"]),
        duration=str(resp.get("duration", "0s")),
    )
    return Interaction(
        id=_int(item.get("id", index), f"{where}: id"), request=request, response=response
    )


def _interaction_dict(interaction: Interaction) -> dict[str, Any]:
    req, resp = interaction.request, interaction.response
    request: dict[str, Any] = {
        "proto": req.proto,
        "proto_major": req.proto_major,
        "proto_minor": req.proto_minor,
        "content_length": req.content_length,
        "host": req.host,
        "body": req.body,
    }
    if req.form:  # go-vcr omits an empty form
        request["form"] = req.form
    request |= {"headers": req.headers, "url": req.url, "method": req.method}
    response: dict[str, Any] = {
        "proto": resp.proto,
        "proto_major": resp.proto_major,
        "proto_minor": resp.proto_minor,
        "content_length": resp.content_length,
    }
    if resp.uncompressed is not None:
        response["uncompressed"] = resp.uncompressed
    response |= {
        "body": resp.body,
        "headers": resp.headers,
        "status": resp.status,
        "code": resp.code,
        "duration": resp.duration,
    }
    return {"id": interaction.id, "request": request, "response": response}
