"""The chat-completions language model, shared by every provider that speaks it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from reverie.errors import ProviderError, StreamError
from reverie.http.client import default_client, status_error
from reverie.http.retry import RetryPolicy
from reverie.http.sse import iter_sse
from reverie.model import Call, ErrorPart, Response, StreamPart
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.request import build_body
from reverie.providers.openai_chat.response import parse_response
from reverie.providers.openai_chat.stream import ChatStreamParser


class ChatModel:
    """A model behind a chat-completions endpoint, specialised by a :class:`ChatDialect`."""

    def __init__(
        self,
        model_id: str,
        *,
        dialect: ChatDialect,
        base_url: str,
        api_key: str | None,
        client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._model_id = model_id
        self._retry = retry or RetryPolicy()
        self._dialect = dialect
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._client = client
        self._owned: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._headers.update(headers or {})

    @property
    def provider(self) -> str:
        return self._dialect.provider

    @property
    def model_id(self) -> str:
        return self._model_id

    def __repr__(self) -> str:  # never show the key
        return f"ChatModel({self.provider}:{self._model_id})"

    def _http(self) -> httpx.AsyncClient:
        if self._client is not None:
            return self._client
        # An httpx client is bound to the event loop it first ran on; run_sync starts a new
        # loop per call, so keep one owned client per loop.
        loop = asyncio.get_running_loop()
        if self._owned is None or self._owned[0] is not loop:
            self._owned = (loop, default_client())
        return self._owned[1]

    def _request_headers(self, call: Call) -> dict[str, str]:
        return {**self._headers, **call.headers} if call.headers else self._headers

    async def _send(self, call: Call, body: dict[str, Any], *, stream: bool) -> httpx.Response:
        """POST ``body``, retrying passing failures; an HTTP error status raises ProviderError."""
        http = self._http()
        content = _dump(body)
        headers = self._request_headers(call)
        attempt = 0
        while True:
            try:
                request = http.build_request("POST", self._url, content=content, headers=headers)
                response = await http.send(request, stream=stream)
                if response.status_code < 400:
                    return response
                await response.aread()
                await response.aclose()
                raise status_error(
                    self.provider, response.status_code, response.text, response.headers
                )
            except (ProviderError, httpx.HTTPError) as exc:
                if not self._retry.should_retry(exc, attempt):
                    if isinstance(exc, ProviderError):
                        raise
                    if isinstance(exc, httpx.ConnectError):
                        problem = f"cannot reach {self._url}: {exc}"
                    else:
                        problem = f"request to {self._url} failed: {exc}"
                    raise ProviderError(
                        f"{self.provider}: {problem}", provider=self.provider
                    ) from exc
                await self._retry.sleep(self._retry.delay(exc, attempt))
                attempt += 1

    async def generate(self, call: Call) -> Response:
        body, warnings = build_body(call, self._model_id, self._dialect, stream=False)
        response = await self._send(call, body, stream=False)
        text = response.text
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ProviderError(
                f"{self.provider}: response is not JSON: {text[:200]!r}", provider=self.provider
            ) from exc
        if isinstance(data, dict) and data.get("error") and not data.get("choices"):
            raise status_error(self.provider, response.status_code, text)
        return parse_response(data, self._dialect, warnings)

    async def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        body, warnings = build_body(call, self._model_id, self._dialect, stream=True)
        parser = ChatStreamParser(self._dialect, warnings)
        try:
            response = await self._send(call, body, stream=True)
        except ProviderError as exc:
            yield ErrorPart(exc)
            return
        try:
            done = False
            async for event in iter_sse(response.aiter_lines()):
                if event.data == "[DONE]":
                    done = True
                    break
                try:
                    chunk = json.loads(event.data)
                    parts = parser.feed(chunk)
                except StreamError as exc:
                    yield ErrorPart(exc)
                    return
                except ValueError:
                    yield ErrorPart(
                        StreamError(
                            f"{self.provider}: malformed stream event: {event.data[:200]!r}",
                            provider=self.provider,
                        )
                    )
                    return
                for part in parts:
                    yield part
            if not done:
                yield ErrorPart(
                    StreamError(
                        f"{self.provider}: stream ended before [DONE]", provider=self.provider
                    )
                )
                return
            for part in parser.finish():
                yield part
        finally:
            await response.aclose()


def _dump(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class ChatProvider:
    """A provider whose models all speak chat completions through one dialect."""

    name = "openai"

    def __init__(
        self,
        dialect: ChatDialect,
        *,
        api_key: str | None,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._dialect = dialect
        self._api_key = api_key
        self._base_url = base_url
        self._headers = dict(headers or {})
        self._client = client
        self._retry = retry

    def model(self, model_id: str) -> ChatModel:
        return ChatModel(
            model_id,
            dialect=self._dialect,
            base_url=self._base_url,
            api_key=self._api_key,
            client=self._client,
            headers=self._headers,
            retry=self._retry,
        )
