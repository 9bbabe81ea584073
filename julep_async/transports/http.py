"""``HttpTransport``: aiohttp, and the only module that imports the aiohttp client.

aiohttp needs asyncio, so this transport does too. Every aiohttp or asyncio error,
raised while sending or while reading a body, is translated once, here, through
:data:`ERRORS`.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import aiohttp

from ..config import Limits
from ..exceptions import APIConnectionError, APIError, APITimeoutError, JulepError
from .base import Request, Response

ERRORS: tuple[tuple[type[BaseException], type[APIError], str], ...] = (
    (aiohttp.ServerTimeoutError, APITimeoutError, "timed out"),
    (TimeoutError, APITimeoutError, "timed out"),
    (aiohttp.ClientPayloadError, APIConnectionError, "the connection was cut mid-body"),
    (aiohttp.ServerDisconnectedError, APIConnectionError, "the server closed the connection"),
    (aiohttp.ClientConnectorError, APIConnectionError, "could not connect"),
    (aiohttp.ClientError, APIConnectionError, "connection failed"),
    (OSError, APIConnectionError, "connection failed"),
)
"""aiohttp/asyncio error → julep_async error, most specific first."""


def _translated(error: Exception, request: Request) -> Exception:
    """The julep_async error from :data:`ERRORS` for a foreign ``error``, raised ``from`` it.

    One that is not foreign, or not in the table, is re-raised as it is.
    """
    if not isinstance(error, APIError):
        for foreign, ours, what in ERRORS:
            if isinstance(error, foreign):
                detail = f": {error}" if str(error) else ""
                return ours(f"{request.method} {request.path}: {what} ({type(error).__name__}{detail})")
    raise error


@functools.lru_cache(maxsize=32)
def socket_timeouts(connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    """aiohttp's limits for connecting and for each read (made once per pair; a few pairs are in use)."""
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_read=read)


class HttpTransport:
    """Talks to a Julep-compatible server over HTTP with one aiohttp ``ClientSession``.

    Args:
        base_url: e.g. ``https://api.julep.ai/api`` or ``http://127.0.0.1:8080``.
        limits: the connection pool (total and per host, keep-alive).

    Each request brings its own :class:`~julep_async.config.Timeout`: ``attempt`` bounds
    sending it and reading the whole reply (for a stream: until its headers), ``connect``
    opening a connection and ``read`` each wait for data. The session is created on first
    use, inside the running event loop, and closed by :meth:`aclose`. Replies are
    decompressed (gzip, deflate) transparently.
    """

    def __init__(self, base_url: str, *, limits: Limits = Limits()) -> None:
        self.base_url: str = base_url.rstrip("/")
        self.limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"<HttpTransport {self.base_url} {'open' if self._session else 'idle'}>"

    def _client(self) -> aiohttp.ClientSession:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise JulepError(
                "HttpTransport needs asyncio (aiohttp does); under trio use InMemoryTransport "
                "or a replaying RecordingTransport"
            ) from None
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.limits.max_connections,
                limit_per_host=self.limits.max_connections_per_host,
                keepalive_timeout=self.limits.keepalive_timeout,
            )
            self._session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None))
            self._loop = loop
        elif loop is not self._loop:
            raise JulepError("this HttpTransport belongs to another event loop; create one per loop")
        return self._session

    async def handle_async_request(self, request: Request) -> Response:
        session = self._client()
        timeout = request.timeout
        try:
            async with asyncio.timeout(timeout.attempt):
                reply = await session.request(request.method, self.base_url + request.path,
                                              params=request.query or None, headers=request.headers,
                                              data=request.body, timeout=socket_timeouts(timeout.connect, timeout.read))
                if request.stream and reply.status < 400:  # ``read`` applies from here on
                    return Response(reply.status, _lower(reply.headers), stream=_BodyStream(request, reply))
                try:
                    body = await reply.read()
                finally:
                    reply.release()
        except Exception as error:
            raise _translated(error, request) from error
        return Response(reply.status, _lower(reply.headers), body)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _lower(headers: Any) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


class _BodyStream:
    """An aiohttp reply body read chunk by chunk, errors translated; closing it early
    drops the connection instead of reading the rest."""

    def __init__(self, request: Request, reply: aiohttp.ClientResponse) -> None:
        self._request = request
        self._reply = reply

    def __aiter__(self) -> _BodyStream:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._reply.content.readany()
        except BaseException as error:
            await self.aclose()
            if isinstance(error, Exception):
                raise _translated(error, self._request) from error
            raise
        if not chunk:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        if not self._reply.closed:
            if self._reply.content.at_eof():
                self._reply.release()
            else:
                self._reply.close()
