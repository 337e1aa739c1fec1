"""pytest plugin (entry point ``reverie``): the ``reverie_cassette`` fixture.

By default cassettes are replayed; ``pytest --reverie-record`` records them against
the real APIs instead (with real credentials in the environment)::

    async def test_chat(reverie_cassette):
        async with reverie_cassette("cassettes/chat.yaml") as http:
            ...  # give ``http`` to a provider

An ``async def`` test that uses ``reverie_cassette`` runs as it is, in an event loop of its
own, without pytest-asyncio or anyio set up; when one of them runs it (asyncio mode
``auto``, a marker, an ``anyio_backend``), that one does.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    import httpx2

    from reverie.testing.transport import RecordTransport, ReplayTransport

RECORD_OPTION = "--reverie-record"
Mode = Literal["replay", "record"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--reverie-record``."""
    parser.getgroup("reverie").addoption(
        RECORD_OPTION,
        action="store_true",
        default=False,
        help="record reverie cassettes from the real APIs instead of replaying them",
    )


class CassetteFactory:
    """Callable given by ``reverie_cassette``: ``(path, mode=None, **client_kwargs)``."""

    def __init__(self, *, record: bool, base_dir: Path) -> None:
        self.default_mode: Mode = "record" if record else "replay"
        self.base_dir = base_dir
        #: Every transport created, for inspection (e.g. ``transports[0].unused``).
        self.transports: list[ReplayTransport | RecordTransport] = []

    def __call__(
        self,
        path: str | os.PathLike[str],
        mode: Mode | None = None,
        *,
        strict: bool = True,
        chunk_size: int | None = None,
        **client_kwargs: Any,
    ) -> httpx2.AsyncClient:
        """A client replaying, or recording to, ``path`` (relative to the test file).

        ``mode`` overrides the command line; ``strict`` and ``chunk_size`` apply to replay.
        """
        import httpx2

        from reverie.testing.transport import RecordTransport, ReplayTransport

        target = Path(path)
        if not target.is_absolute():
            target = self.base_dir / target
        transport: ReplayTransport | RecordTransport
        match mode or self.default_mode:
            case "record":
                transport = RecordTransport(target)
            case "replay":
                if not target.exists():
                    raise FileNotFoundError(
                        f"cassette not found: {target} (run pytest {RECORD_OPTION} to record it)"
                    )
                transport = ReplayTransport(target, strict=strict, chunk_size=chunk_size)
            case other:
                raise ValueError(f"mode must be 'replay' or 'record', not {other!r}")
        self.transports.append(transport)
        return httpx2.AsyncClient(transport=transport, **client_kwargs)

    def finish(self) -> None:
        """Write every recorded cassette (closing a recording client also does)."""
        from reverie.testing.transport import RecordTransport

        for transport in self.transports:
            if isinstance(transport, RecordTransport):
                transport.save()


@pytest.fixture
def reverie_cassette(request: pytest.FixtureRequest) -> Iterator[CassetteFactory]:
    """Factory ``reverie_cassette(path, mode=None) -> httpx2.AsyncClient``.

    Replays ``path`` unless pytest runs with ``--reverie-record`` (or ``mode="record"``),
    in which case requests go to the network and the cassette is saved at teardown.
    """
    factory = CassetteFactory(
        record=bool(request.config.getoption(RECORD_OPTION)), base_dir=request.path.parent
    )
    yield factory
    factory.finish()


@pytest.hookimpl
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Runs an ``async def`` test using ``reverie_cassette`` that no async plugin took (those
    run it before this hook, or hand it over wrapped as a plain function): pytest alone would
    skip it ("async def functions are not natively supported")."""
    function = pyfuncitem.obj
    if "reverie_cassette" not in pyfuncitem.fixturenames:
        return None
    if not inspect.iscoroutinefunction(function):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(function(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
