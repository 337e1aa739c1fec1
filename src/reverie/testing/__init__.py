"""Record and replay HTTP conversations as go-vcr "version: 2" YAML cassettes.

Replay in a test::

    async with replay_client("tests/cassettes/chat.yaml") as http:
        ...  # pass ``http`` to a provider; requests are answered from the file

Names are imported lazily so that loading the pytest plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reverie.lazy import lazy

if TYPE_CHECKING:
    from reverie.testing.cassette import (
        Cassette,
        Interaction,
        RecordedRequest,
        RecordedResponse,
        load_cassette,
    )
    from reverie.testing.fake import ScriptedModel, reply
    from reverie.testing.transport import (
        CassetteMismatch,
        RecordTransport,
        ReplayTransport,
        record_client,
        replay_client,
    )

__all__ = [
    "Cassette",
    "CassetteMismatch",
    "Interaction",
    "RecordTransport",
    "RecordedRequest",
    "RecordedResponse",
    "ReplayTransport",
    "ScriptedModel",
    "load_cassette",
    "record_client",
    "replay_client",
    "reply",
]

_MODULES = {
    "Cassette": "cassette",
    "Interaction": "cassette",
    "RecordedRequest": "cassette",
    "RecordedResponse": "cassette",
    "load_cassette": "cassette",
    "CassetteMismatch": "transport",
    "RecordTransport": "transport",
    "ReplayTransport": "transport",
    "record_client": "transport",
    "replay_client": "transport",
    "ScriptedModel": "fake",
    "reply": "fake",
}


__getattr__, __dir__ = lazy(__name__, {k: f"{__name__}.{v}" for k, v in _MODULES.items()})
