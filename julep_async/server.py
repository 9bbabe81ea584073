"""``julep-async serve``: the fake backend over real HTTP (aiohttp.web).

The very same :class:`~julep_async.backend.Backend` that ``InMemoryTransport`` calls
in-process answers here, so the official ``julep`` SDK, curl, or julep_async's own
``HttpTransport`` see the same behaviour. Paths work with or without an ``/api`` prefix.
:func:`read_request` and :func:`write_response` are the one adapter between aiohttp.web
and the SDK's own :class:`~julep_async.transports.Request` / ``Response``.

With OpenTelemetry importable, a request that carries a W3C ``traceparent`` (a client
with :class:`julep_async.otel.Tracing` sends one) is answered inside a server span that
continues the caller's trace (:class:`julep_async.otel.ServerTracing`).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
from aiohttp import web

from .backend import Backend
from .transports.base import Request, Response

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

    from .otel import ServerTracing

BACKEND_KEY: web.AppKey[Backend] = web.AppKey("backend", Backend)
TRACING_KEY: web.AppKey[ServerTracing | None] = web.AppKey("tracing")


async def read_request(http: web.Request) -> Request:
    """The SDK's :class:`Request` for an aiohttp.web request: header names in lower case,
    the body read, an ``/api`` prefix dropped, ``stream`` set when SSE is accepted."""
    headers = {key.lower(): value for key, value in http.headers.items()}
    body = await http.read()
    return Request(http.method, http.path.removeprefix("/api") or "/", tuple(http.query.items()), headers,
                   body or None, stream="text/event-stream" in headers.get("accept", ""))


async def write_response(http: web.Request, response: Response) -> web.StreamResponse:
    """Send ``response`` to the client of ``http``.

    A streamed body is always closed, whatever happens to the connection or the task (a
    chat stream holds its session's turn until then). If it breaks off, or the client is
    gone, the connection is dropped: Julep reports an error after a stream has started by
    cutting the connection.
    """
    if response.stream is None:
        return web.Response(status=response.status, body=response.body, headers=dict(response.headers))
    reply = web.StreamResponse(status=response.status, headers=dict(response.headers))
    try:
        await reply.prepare(http)  # raises if the client has already gone
        async for chunk in response.stream:
            await reply.write(chunk)
        await reply.write_eof()
    except Exception:
        if http.transport is not None:
            http.transport.abort()
    finally:
        with anyio.CancelScope(shield=True):
            await response.stream.aclose()
    return reply


async def _handle(http: web.Request) -> web.StreamResponse:
    request = await read_request(http)
    backend, tracing = http.app[BACKEND_KEY], http.app[TRACING_KEY]
    if tracing is None or not tracing.continues(request.headers):
        return await write_response(http, await backend.handle(request))
    with tracing.serving(request) as span:
        response = await backend.handle(request)
        tracing.answered(span, response)
        return await write_response(http, response)


def _tracing(tracer_provider: TracerProvider | None) -> ServerTracing | None:
    """Server spans if OpenTelemetry is importable (else none)."""
    try:
        from .otel import ServerTracing
    except ImportError:
        if tracer_provider is not None:
            raise
        return None
    return ServerTracing(tracer_provider)


def make_app(backend: Backend | None = None, *,
             tracer_provider: TracerProvider | None = None) -> web.Application:
    """An aiohttp.web application serving ``backend`` (default: a fresh one).

    ``tracer_provider``: where the server's spans go (an OpenTelemetry ``TracerProvider``;
    default: the global one). Spans are made only with OpenTelemetry importable, and only
    for requests that continue a trace.
    """
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[BACKEND_KEY] = backend or Backend()
    app[TRACING_KEY] = _tracing(tracer_provider)
    app.router.add_route("*", r"/{tail:[\s\S]*}", _handle)  # every path, control characters included
    return app


@asynccontextmanager
async def running(backend: Backend | None = None, host: str = "127.0.0.1", port: int = 0, *,
                  tracer_provider: TracerProvider | None = None) -> AsyncIterator[str]:
    """Serve ``backend`` while the block runs; yields the base URL (port 0 = any free port).
    ``tracer_provider``: see :func:`make_app`."""
    runner = web.AppRunner(make_app(backend, tracer_provider=tracer_provider), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        await runner.cleanup()


def serve(host: str = "127.0.0.1", port: int = 8080, *, api_keys: list[str] | None = None,
          seed: int | None = None, call_tools: bool = False) -> None:
    """Serve until SIGINT or SIGTERM, then close every connection and return.

    ``call_tools``: the fake model calls every function tool a chat offers it
    (``Backend(call_tools=True)``). An address that cannot be bound raises ``OSError``.
    """
    asyncio.run(_serve(Backend(seed=seed, api_keys=api_keys or None, call_tools=call_tools), host, port))


async def _serve(backend: Backend, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    keys = f"{len(backend.api_keys)} API key(s)" if backend.api_keys else "any API key"
    async with running(backend, host, port) as url:
        print(f"julep-async serve: {url} ({keys}); Ctrl-C stops", flush=True)
        await stop.wait()
    print("julep-async serve: stopped", flush=True)
