"""``InMemoryTransport``: requests answered in-process, no sockets.

By default the handler is a fresh :class:`~julep_async.backend.Backend` (the fake Julep);
any handler ``Request -> Response``, sync or async, can take its place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ..exceptions import APIConnectionError
from .base import Request, Response, StreamWrapper

Handler = Callable[[Request], Response | Awaitable[Response]]


class InMemoryTransport:
    """A transport that calls a handler in the same process.

    Args:
        handler: answers each request; default: a new :class:`~julep_async.backend.Backend`
            built from the keyword arguments below.
        seed: deterministic ids and timestamps (same calls → same bytes).
        responder: the fake model: a (sync or async) callable, or a list of replies.
        **backend_options: further :class:`~julep_async.backend.Backend` options
            (``token_counter``, ``summarizer``, ``context_window``, ``api_keys``).

    Runs under asyncio and trio. The handler sees the request exactly as the HTTP
    transport would send it (JSON bytes, lower-case headers), so behaviour matches
    ``julep-async serve`` byte for byte. Nothing here waits on I/O, so ``request.timeout``
    is not enforced: a handler (or responder) runs to completion; one that may hang
    should bound itself, e.g. with ``anyio.fail_after``.
    """

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        seed: int | None = None,
        responder: Callable[..., Any] | Sequence[str] | None = None,
        **backend_options: Any,
    ) -> None:
        if handler is None:
            from ..backend import Backend

            self.backend: Any = Backend(seed=seed, responder=responder, **backend_options)
            handler = self.backend.handle
        elif seed is not None or responder is not None or backend_options:
            raise TypeError("seed, responder and backend options apply only without a handler")
        else:
            self.backend = None
        self._handler = handler

    def __repr__(self) -> str:
        return f"<InMemoryTransport {self.backend or self._handler!r}>"

    async def handle_async_request(self, request: Request) -> Response:
        response = self._handler(request)
        if not isinstance(response, Response):
            response = await response
        if response.stream is None:
            return response
        stream = _CutToConnectionError(response.stream)
        if request.stream:
            return Response(response.status, response.headers, stream=stream)
        return Response(response.status, response.headers, await Response(0, stream=stream).aread())

    async def aclose(self) -> None:
        pass


class _CutToConnectionError(StreamWrapper):
    """Reports a handler's stream breaking off as the server cutting the connection."""

    def _ending(self, error: BaseException) -> BaseException:
        if isinstance(error, Exception) and not isinstance(error, (StopAsyncIteration, APIConnectionError)):
            return APIConnectionError(f"the server cut the stream: {type(error).__name__}: {error}")
        return error
