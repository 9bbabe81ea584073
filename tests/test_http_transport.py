"""HttpTransport on its own, against aiohttp servers the tests start on 127.0.0.1: what a
stream does with its connection when it ends, fails, is closed early or is cancelled; what
reaches the server; how the pool limits apply; how failures are named.

Connections are told apart by the client's port as the server sees it, and a pool of one
connection shows a connection that was never given back: the next request would wait for
it forever (each such wait is bounded, so a regression fails instead of hanging)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import pytest
import trio
from aiohttp import web
from faults import serving

from julep_async import Limits, Timeout
from julep_async.exceptions import APIConnectionError, APITimeoutError, JulepError
from julep_async.transports import HttpTransport, Request, Response
from julep_async.transports.http import socket_timeouts

pytestmark = pytest.mark.anyio
EVENTS = (b'data: {"n":1}\n\n', b'data: {"n":2}\n\n')
HANG_GUARD = 10  # seconds; only reached by a regression


class Server:
    """Routes by path: ``/stream`` sends EVENTS and ends, ``/stall`` sends one event and
    waits, ``/cut`` sends one event and drops the connection, ``/status/<n>`` answers n;
    anything else echoes the query. Notes each request's client port and the most
    requests it ever handled at once."""

    def __init__(self) -> None:
        self.ports: list[int] = []
        self.queries: list[list[tuple[str, str]]] = []
        self.paths: list[str] = []
        self.active = self.peak = 0
        self.release = asyncio.Event()

    async def handle(self, http: web.Request) -> web.StreamResponse:
        assert http.transport is not None
        self.ports.append(http.transport.get_extra_info("peername")[1])
        self.queries.append(list(http.rel_url.query.items()))
        self.paths.append(http.path)
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            return await self._answer(http)
        finally:
            self.active -= 1

    async def _answer(self, http: web.Request) -> web.StreamResponse:
        if http.path.startswith("/status/"):
            status = int(http.path.rpartition("/")[2])
            return web.Response(status=status, body=b'{"error": {"message": "no"}}',
                                headers={"Content-Type": "application/json", "X-Request-ID": "req-1"})
        if http.path in ("/stream", "/stall", "/cut"):
            reply = web.StreamResponse(headers={"Content-Type": "text/event-stream", "X-Request-ID": "req-2"})
            await reply.prepare(http)
            await reply.write(EVENTS[0])
            if http.path == "/cut":
                assert http.transport is not None
                http.transport.abort()
            elif http.path == "/stall":
                await self.release.wait()
            await reply.write(EVENTS[1])
            await reply.write_eof()
            return reply
        if http.path == "/slow":
            await asyncio.sleep(0.01)  # long enough for requests to overlap if the pool lets them
        return web.json_response({"query": http.query_string})


@pytest.fixture
async def server() -> AsyncIterator[tuple[Server, str]]:
    server = Server()
    async with serving(server.handle, handler_cancellation=True) as url:
        try:
            yield server, url
        finally:
            server.release.set()


@pytest.fixture
async def one_connection(server: tuple[Server, str]) -> AsyncIterator[tuple[Server, HttpTransport]]:
    """A transport whose pool holds a single connection."""
    transport = HttpTransport(server[1], limits=Limits(max_connections=1))
    try:
        yield server[0], transport
    finally:
        await transport.aclose()


async def _chunks(response: Response) -> list[bytes]:
    assert response.stream is not None
    return [chunk async for chunk in response.stream]


async def _get(transport: HttpTransport, path: str = "/plain") -> Response:
    with anyio.fail_after(HANG_GUARD):
        return await transport.handle_async_request(Request("GET", path))


# -- a stream's connection ----------------------------------------------------------


@pytest.mark.asyncio_only
async def test_a_stream_read_to_its_end_gives_its_connection_back_for_reuse(
        one_connection: tuple[Server, HttpTransport]) -> None:
    server, transport = one_connection
    response = await transport.handle_async_request(Request("POST", "/stream", stream=True))
    assert b"".join(await _chunks(response)) == b"".join(EVENTS)
    assert (await _get(transport)).status == 200
    assert server.ports[0] == server.ports[1]  # the same connection, kept alive


@pytest.mark.asyncio_only
async def test_a_stream_closed_early_drops_its_connection(one_connection: tuple[Server, HttpTransport]) -> None:
    server, transport = one_connection
    response = await transport.handle_async_request(Request("POST", "/stall", stream=True))
    assert response.stream is not None
    assert await response.stream.__aiter__().__anext__() == EVENTS[0]
    await response.stream.aclose()  # the rest is never read: the connection cannot be reused
    await response.stream.aclose()  # closing again is harmless
    assert (await _get(transport)).status == 200
    assert server.ports[0] != server.ports[1]


@pytest.mark.asyncio_only
async def test_a_stream_that_fails_mid_way_raises_a_connection_error_and_frees_its_connection(
        one_connection: tuple[Server, HttpTransport]) -> None:
    _, transport = one_connection
    response = await transport.handle_async_request(Request("POST", "/cut", stream=True))
    received = []
    with pytest.raises(APIConnectionError, match=r"^POST /cut: (the connection was cut mid-body|the server closed)"):
        assert response.stream is not None
        async for chunk in response.stream:
            received.append(chunk)
    assert received == [EVENTS[0]]
    assert (await _get(transport)).status == 200


@pytest.mark.asyncio_only
async def test_cancelling_a_streamed_read_stays_a_cancellation_and_frees_the_connection(
        one_connection: tuple[Server, HttpTransport]) -> None:
    _, transport = one_connection
    response = await transport.handle_async_request(Request("POST", "/stall", stream=True))
    assert response.stream is not None
    received = []
    with anyio.CancelScope() as scope:
        async for chunk in response.stream:
            received.append(chunk)
            scope.cancel()  # cancelled while it waits for the next chunk
    assert scope.cancelled_caught  # not turned into an APIConnectionError
    assert received == [EVENTS[0]]
    assert (await _get(transport)).status == 200


# -- what reaches the server ----------------------------------------------------------


@pytest.mark.asyncio_only
@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "plain"])
async def test_query_parameters_reach_the_server(one_connection: tuple[Server, HttpTransport], stream: bool) -> None:
    server, transport = one_connection
    query = (("b", "2"), ("a", "x y"), ("a", "&"))
    response = await transport.handle_async_request(Request("POST", "/stream", query=query, stream=stream))
    await response.aread()
    assert server.queries == [list(query)]


@pytest.mark.asyncio_only
async def test_an_error_status_to_a_streamed_request_is_read_whole(
        one_connection: tuple[Server, HttpTransport]) -> None:
    _, transport = one_connection
    for status in (400, 503):
        response = await transport.handle_async_request(Request("POST", f"/status/{status}", stream=True))
        assert (response.status, response.stream, response.body) == (status, None, b'{"error": {"message": "no"}}')
    ok = await transport.handle_async_request(Request("POST", "/status/399", stream=True))
    assert ok.stream is not None and await ok.aread() == b'{"error": {"message": "no"}}'


@pytest.mark.asyncio_only
async def test_reply_header_names_are_lower_case(one_connection: tuple[Server, HttpTransport]) -> None:
    _, transport = one_connection
    plain = await _get(transport, "/status/404")
    streamed = await transport.handle_async_request(Request("POST", "/stream", stream=True))
    await streamed.aread()
    assert (plain.headers["x-request-id"], streamed.headers["x-request-id"]) == ("req-1", "req-2")
    assert plain.headers["content-type"] == "application/json"


def test_only_slashes_are_trimmed_from_the_base_url() -> None:
    assert HttpTransport("http://127.0.0.1:9/X//").base_url == "http://127.0.0.1:9/X"


@pytest.mark.asyncio_only
async def test_a_base_url_with_a_trailing_slash(server: tuple[Server, str]) -> None:
    transport = HttpTransport(server[1] + "/")
    try:
        assert transport.base_url == server[1]
        await _get(transport, "/plain")
    finally:
        await transport.aclose()
    assert server[0].paths == ["/plain"]


# -- the pool -------------------------------------------------------------------------


@pytest.mark.asyncio_only
@pytest.mark.parametrize("limits", [Limits(max_connections=1), Limits(max_connections=0, max_connections_per_host=1)],
                         ids=["max_connections", "max_connections_per_host"])
async def test_the_pool_limits_requests_in_flight(server: tuple[Server, str], limits: Limits) -> None:
    transport = HttpTransport(server[1], limits=limits)
    try:
        with anyio.fail_after(HANG_GUARD):
            async with anyio.create_task_group() as tg:
                for _ in range(6):
                    tg.start_soon(transport.handle_async_request, Request("GET", "/slow"))
    finally:
        await transport.aclose()
    assert server[0].peak == 1


@pytest.mark.asyncio_only
async def test_without_limits_requests_run_side_by_side(server: tuple[Server, str]) -> None:
    transport = HttpTransport(server[1], limits=Limits(max_connections=0))
    try:
        with anyio.fail_after(HANG_GUARD):
            async with anyio.create_task_group() as tg:
                for _ in range(6):
                    tg.start_soon(transport.handle_async_request, Request("GET", "/slow"))
    finally:
        await transport.aclose()
    assert server[0].peak > 1


@pytest.mark.asyncio_only
async def test_an_idle_connection_is_not_reused_after_the_keepalive_timeout(server: tuple[Server, str]) -> None:
    transport = HttpTransport(server[1], limits=Limits(keepalive_timeout=0))  # any idle time is too long
    try:
        await _get(transport)
        await _get(transport)
    finally:
        await transport.aclose()
    assert server[0].ports[0] != server[0].ports[1]


def test_each_request_s_connect_and_read_limits_become_aiohttp_s() -> None:
    assert socket_timeouts(1.5, 2.5) == aiohttp.ClientTimeout(total=None, connect=1.5, sock_read=2.5)
    assert socket_timeouts(None, None) == aiohttp.ClientTimeout(total=None, connect=None, sock_read=None)


# -- its life -------------------------------------------------------------------------


@pytest.mark.asyncio_only
async def test_the_repr_shows_the_url_and_whether_a_session_is_open(server: tuple[Server, str]) -> None:
    transport = HttpTransport(server[1])
    assert repr(transport) == f"<HttpTransport {server[1]} idle>"
    await _get(transport)
    assert repr(transport) == f"<HttpTransport {server[1]} open>"
    await transport.aclose()
    await transport.aclose()
    assert repr(transport) == f"<HttpTransport {server[1]} idle>"
    await _get(transport)  # a closed transport opens a new session when used again
    await transport.aclose()


def test_the_http_transport_refuses_to_run_under_trio() -> None:
    transport = HttpTransport("http://127.0.0.1:9")
    with pytest.raises(JulepError, match=r"^HttpTransport needs asyncio \(aiohttp does\); under trio use "
                                         r"InMemoryTransport or a replaying RecordingTransport$"):
        trio.run(transport.handle_async_request, Request("GET", "/x"))


def test_a_transport_belongs_to_the_event_loop_that_first_used_it() -> None:
    async def start() -> tuple[HttpTransport, Any]:
        server = Server()
        context = serving(server.handle)
        url = await context.__aenter__()
        transport = HttpTransport(url)
        await transport.handle_async_request(Request("GET", "/plain"))
        return transport, context

    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        transport, context = first.run_until_complete(start())
        message = r"^this HttpTransport belongs to another event loop; create one per loop$"
        with pytest.raises(JulepError, match=message):
            second.run_until_complete(transport.handle_async_request(Request("GET", "/plain")))
        first.run_until_complete(transport.aclose())
        first.run_until_complete(context.__aexit__(None, None, None))
    finally:
        first.close()
        second.close()


# -- failures ------------------------------------------------------------------------


@pytest.mark.asyncio_only
async def test_a_refused_connection_names_the_request_and_the_cause() -> None:
    async with serving(Server().handle) as url:
        pass  # the port is free again: nothing listens there now
    transport = HttpTransport(url)
    try:
        with pytest.raises(APIConnectionError, match=r"^GET /x: could not connect \(ClientConnectorError: .+\)$"):
            await transport.handle_async_request(Request("GET", "/x"))
    finally:
        await transport.aclose()


@pytest.mark.asyncio_only
async def test_a_connection_that_cannot_be_opened_in_time_is_a_timeout() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)  # it never accepts: with one connection queued, further ones cannot open
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD):
            transport = HttpTransport(f"http://127.0.0.1:{port}")
            request = Request("GET", "/x", timeout=Timeout(attempt=None, connect=0.2, read=None))
            try:
                with anyio.fail_after(HANG_GUARD), pytest.raises(APITimeoutError, match=r"^GET /x: timed out"):
                    await transport.handle_async_request(request)
            finally:
                await transport.aclose()


@pytest.mark.asyncio_only
async def test_an_attempt_that_runs_out_of_time_is_a_timeout(one_connection: tuple[Server, HttpTransport]) -> None:
    _, transport = one_connection
    with pytest.raises(APITimeoutError, match=r"^POST /stall: timed out \(TimeoutError\)$"):
        await transport.handle_async_request(Request("POST", "/stall", timeout=Timeout(attempt=0.2)))


@pytest.mark.asyncio_only
async def test_an_error_that_is_not_a_network_error_is_not_disguised_as_one(
        one_connection: tuple[Server, HttpTransport]) -> None:
    _, transport = one_connection
    with pytest.raises(ValueError) as caught:  # aiohttp refuses the header before sending anything
        await transport.handle_async_request(Request("GET", "/x", headers={"x-bad": "a\r\nb"}))
    assert not isinstance(caught.value, APIConnectionError)
