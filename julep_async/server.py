"""``julep-async serve``: the fake backend over real HTTP (aiohttp.web).

The very same :class:`~julep_async.backend.Backend` that ``InMemoryTransport`` calls
in-process answers here, so the official ``julep`` SDK, curl, or julep_async's own
``HttpTransport`` see the same behaviour. Paths work with or without an ``/api`` prefix.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from .backend import Backend
from .transports.base import Request

BACKEND_KEY: web.AppKey[Backend] = web.AppKey("backend", Backend)


async def _handle(http: web.Request) -> web.StreamResponse:
    backend = http.app[BACKEND_KEY]
    path = http.path.removeprefix("/api") or "/"
    body = await http.read()
    request = Request(
        http.method, path, tuple(http.query.items()),
        {key.lower(): value for key, value in http.headers.items()}, body or None,
        stream="text/event-stream" in http.headers.get("accept", ""),
    )
    reply = await backend.handle(request)
    if reply.stream is None:
        return web.Response(status=reply.status, body=reply.body, headers=dict(reply.headers))
    response = web.StreamResponse(status=reply.status, headers=dict(reply.headers))
    await response.prepare(http)
    try:
        async for chunk in reply.stream:
            await response.write(chunk)
    except Exception:
        # Julep reports an error after the stream has started by cutting the connection.
        if http.transport is not None:
            http.transport.abort()
        return response
    finally:
        await reply.stream.aclose()
    await response.write_eof()
    return response


def make_app(backend: Backend | None = None) -> web.Application:
    """An aiohttp.web application serving ``backend`` (default: a fresh one)."""
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[BACKEND_KEY] = backend or Backend()
    app.router.add_route("*", "/{tail:.*}", _handle)
    return app


@asynccontextmanager
async def running(backend: Backend | None = None, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve ``backend`` while the block runs; yields the base URL (port 0 = any free port)."""
    runner = web.AppRunner(make_app(backend), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        await runner.cleanup()


def serve(host: str = "127.0.0.1", port: int = 8080, *, api_keys: list[str] | None = None,
          seed: int | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then close every connection and return."""
    asyncio.run(_serve(Backend(seed=seed, api_keys=api_keys or None), host, port))


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
