"""A small fault-injecting HTTP server that the tests start on 127.0.0.1.

Each request takes the next action of ``script``; with the script empty, requests pass
through to a real fake backend. The actions are what a flaky network or server does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from julep_async.backend import Backend
from julep_async.server import read_request, write_response
from julep_async.transports import Request

Action = Callable[[web.Request, Request, Backend], Awaitable[web.StreamResponse]]


async def passthrough(http: web.Request, request: Request, backend: Backend) -> web.StreamResponse:
    return await write_response(http, await backend.handle(request))


def status(code: int, body: bytes = b"", **headers: str) -> Action:
    async def act(http: web.Request, request: Request, backend: Backend) -> web.StreamResponse:
        return web.Response(status=code, body=body, headers=headers or {"content-type": "application/json"})

    return act


def lost_response() -> Action:
    """The server does the work, then the connection drops before any reply byte."""

    async def act(http: web.Request, request: Request, backend: Backend) -> web.StreamResponse:
        await (await backend.handle(request)).aread()
        assert http.transport is not None
        http.transport.abort()
        return web.Response()

    return act


def reset_mid_response() -> Action:
    """Half of the reply body, then a reset."""

    async def act(http: web.Request, request: Request, backend: Backend) -> web.StreamResponse:
        reply = await backend.handle(request)
        body = await reply.aread()
        response = web.StreamResponse(status=reply.status, headers={**reply.headers, "content-length": str(len(body))})
        await response.prepare(http)
        await response.write(body[: len(body) // 2])
        assert http.transport is not None
        http.transport.abort()
        return response

    return act


def delay(seconds: float) -> Action:
    async def act(http: web.Request, request: Request, backend: Backend) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return await passthrough(http, request, backend)

    return act


def never_answer() -> Action:
    async def act(http: web.Request, request: Request, backend: Backend) -> web.StreamResponse:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return act


def sse_forever(chunk: bytes, every: float) -> Action:
    """A streamed 200 that sends ``chunk`` every ``every`` seconds and never ends."""

    async def act(http: web.Request, request: Request, backend: Backend) -> web.StreamResponse:
        response = web.StreamResponse(status=200, headers={"content-type": "text/event-stream"})
        await response.prepare(http)
        while True:
            await response.write(chunk)
            await asyncio.sleep(every)

    return act


class FaultServer:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.script: list[Action] = []
        self.seen: list[Request] = []
        self.url = ""

    async def _handle(self, http: web.Request) -> web.StreamResponse:
        request = await read_request(http)
        self.seen.append(request)
        action = self.script.pop(0) if self.script else passthrough
        return await action(http, request, self.backend)


@asynccontextmanager
async def serving(handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                  **options: Any) -> AsyncIterator[str]:
    """An aiohttp.web server on 127.0.0.1 (any free port) answering every path with
    ``handler``, while the block runs; yields its base URL. ``options`` go to ``AppRunner``."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None, **options)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def fault_server(backend: Backend | None = None) -> AsyncIterator[FaultServer]:
    server = FaultServer(backend or Backend(seed=0))
    async with serving(server._handle, handler_cancellation=True) as url:
        server.url = url
        yield server
