"""Agent streams for web front ends, in the two open protocols they speak.

- The AI SDK's UI message stream (``useChat`` of AI SDK 5 and later): :func:`ui_message_stream`
  turns ``agent.stream(...)`` into its server-sent events; :func:`from_ui_messages` reads the
  front end's ``messages`` back into reverie messages.
- AG-UI (``pip install 'reverie[ui]'`` for its event types): :func:`agui_stream` and
  :func:`from_agui_messages`.
- :func:`chat_app` is an ASGI app serving either protocol for one agent (``POST`` with the
  front end's JSON body), and :class:`SseResponse` streams any of them from your own ASGI app.

Nothing here is imported by ``import reverie``; AG-UI's package loads only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reverie.lazy import lazy

_EXPORTS = {
    "ui_message_chunks": "reverie.ui.ai_sdk",
    "ui_message_stream": "reverie.ui.ai_sdk",
    "from_ui_messages": "reverie.ui.ai_sdk_messages",
    "UI_MESSAGE_STREAM_HEADERS": "reverie.ui.ai_sdk",
    "agui_events": "reverie.ui.agui",
    "agui_stream": "reverie.ui.agui",
    "from_agui_messages": "reverie.ui.agui_messages",
    "SseResponse": "reverie.ui.asgi",
    "chat_app": "reverie.ui.asgi",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy(__name__, _EXPORTS)


if TYPE_CHECKING:
    from reverie.ui.agui import agui_events as agui_events, agui_stream as agui_stream
    from reverie.ui.agui_messages import from_agui_messages as from_agui_messages
    from reverie.ui.ai_sdk import (
        UI_MESSAGE_STREAM_HEADERS as UI_MESSAGE_STREAM_HEADERS,
        ui_message_chunks as ui_message_chunks,
        ui_message_stream as ui_message_stream,
    )
    from reverie.ui.ai_sdk_messages import from_ui_messages as from_ui_messages
    from reverie.ui.asgi import SseResponse as SseResponse, chat_app as chat_app
