"""``julep-async serve``: the fake backend over real HTTP (aiohttp.web).

The very same :class:`~julep_async.backend.Backend` that ``InMemoryTransport`` calls
in-process answers here, so the official ``julep`` SDK, curl, or julep_async's own
``HttpTransport`` see the same behaviour. Paths work with or without an ``/api`` prefix.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from .backend import Backend
from .transports.base import Request

BACKEND_KEY = web.AppKey("backend", Backend)


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
    """Run until SIGINT or SIGTERM, then shut down cleanly."""
    backend = Backend(seed=seed, api_keys=api_keys or None)
    keys = f"{len(api_keys)} API key(s)" if api_keys else "any API key"
    web.run_app(make_app(backend), host=host, port=port, access_log=None,
                print=lambda _: print(f"julep-async serve: http://{host}:{port} ({keys}); Ctrl-C stops", flush=True))
