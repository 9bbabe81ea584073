"""``julep-async serve`` as a user runs it: a real process on 127.0.0.1."""

from __future__ import annotations

import functools
import gzip
import json
import random
import signal
import subprocess
import sys
from typing import Any

import anyio
import pytest
from faults import fault_server, serving, status

from julep_async import AsyncClient, Client
from julep_async.backend import Backend
from julep_async.exceptions import AuthenticationError, PermissionDeniedError
from julep_async.retry import RetryPolicy
from julep_async.server import read_request, running, write_response
from julep_async.transports import HttpTransport, Request

pytestmark = [pytest.mark.anyio, pytest.mark.asyncio_only]


def test_serve_process_answers_and_stops_cleanly_on_sigterm() -> None:
    command = [sys.executable, "-m", "julep_async", "serve", "--port", "0", "--api-key", "k1", "--api-key", "k2"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split()[2]
        assert url.startswith("http://127.0.0.1:")
        with Client(api_key="k2", base_url=url) as client:
            agent = client.agents.create("Served")
            assert client.agents.get(agent.id).name == "Served"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()


async def test_keys_are_checked_and_tenants_isolated() -> None:
    async with running(Backend(api_keys=["a", "b"])) as url:
        async with AsyncClient(api_key="a", base_url=url) as alice, AsyncClient(api_key="b", base_url=url) as bob:
            await alice.agents.create("Alice's")
            assert (await bob.agents.list()).items == []
        async with AsyncClient(api_key="intruder", base_url=url) as intruder:
            with pytest.raises(PermissionDeniedError):
                await intruder.agents.list()
        transport = HttpTransport(url)
        try:
            reply = await transport.handle_async_request(Request("GET", "/agents"))
            assert reply.status == 401
            async with AsyncClient(transport=transport) as anonymous:
                with pytest.raises(AuthenticationError):
                    await anonymous.agents.list()
        finally:
            await transport.aclose()


async def test_api_prefix_is_accepted() -> None:
    async with running() as url, AsyncClient(api_key="k", base_url=url + "/api") as client:
        assert (await client.agents.create("Prefixed")).name == "Prefixed"


async def test_gzip_replies_are_decompressed() -> None:
    user = {"id": "00000000-0000-4000-8000-000000000000", "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z", "name": "Zipped", "about": ""}
    async with fault_server() as server, AsyncClient(api_key="k", base_url=server.url) as client:
        server.script = [status(200, gzip.compress(json.dumps(user).encode()),
                                **{"content-encoding": "gzip", "content-type": "application/json"})]
        assert (await client.users.get(user["id"])).name == "Zipped"
        assert "gzip" in server.seen[0].headers.get("accept-encoding", "")


async def _talkative(prompt: list[dict[str, Any]]) -> Any:
    """A model that takes a little while over each word, so cancellations land mid-stream too."""
    for word in ("one ", "two ", "three ", "four ", "five"):
        await anyio.sleep(0.002)
        yield word


async def test_every_session_answers_after_chats_cancelled_at_random_points(cancellations: int) -> None:
    sessions_count, seed = 50, 20261127
    cancelled = 0

    async def chat_and_cancel(client: AsyncClient, session_id: str, rng: random.Random) -> None:
        """One chat, streamed or not, given up at a random moment (a stream perhaps after a few events)."""
        nonlocal cancelled
        message = [{"role": "user", "content": "hello"}]
        with anyio.move_on_after(rng.uniform(0, 0.3)) as scope:  # a chat takes up to ~0.3 s under this load
            if rng.random() < 0.5:
                await client.sessions.chat(session_id, message)
                return
            stream, events = await client.sessions.chat(session_id, message, stream=True), rng.randrange(1, 8)
            async with stream:
                async for _ in stream:
                    events -= 1
                    if events == 0:
                        cancelled += 1  # abandoned mid-stream
                        return
        cancelled += scope.cancelled_caught

    async with running(Backend(responder=_talkative)) as url:
        async with AsyncClient(api_key="k", base_url=url, retry=RetryPolicy(attempts=1)) as client:
            agent = await client.agents.create("A")
            sessions = [(await client.sessions.create(agent_id=agent.id)).id for _ in range(sessions_count)]

            async def worker(index: int) -> None:
                rng = random.Random(seed * 1000 + index)
                while cancelled < cancellations:
                    await chat_and_cancel(client, sessions[index], rng)

            async with anyio.create_task_group() as tg:
                for index in range(sessions_count):
                    tg.start_soon(worker, index)
        async with AsyncClient(api_key="k", base_url=url, retry=RetryPolicy(attempts=1)) as fresh:
            answered = 0

            async def one_more(session_id: str) -> None:
                nonlocal answered
                await fresh.sessions.chat(session_id, [{"role": "user", "content": "still there?"}])
                answered += 1

            with anyio.move_on_after(10):  # a session whose turn leaked would wait forever
                async with anyio.create_task_group() as tg:
                    for session_id in sessions:
                        tg.start_soon(one_more, session_id)
    assert answered == sessions_count


async def test_a_stream_whose_client_left_before_it_started_is_still_closed() -> None:
    from aiohttp import web

    backend, handled = Backend(), anyio.Event()

    async def client_leaves_first(http: web.Request) -> web.StreamResponse:
        response = await backend.handle(await read_request(http))
        if response.stream is not None:  # the session's turn is taken: wait until the client has gone
            handled.set()
            while http.transport is not None and not http.transport.is_closing():  # noqa: ASYNC110
                await anyio.sleep(0.01)  # (aiohttp.web has no event for a client that has gone)
        return await write_response(http, response)

    async with serving(client_leaves_first) as url:
        async with AsyncClient(api_key="k", base_url=url, retry=RetryPolicy(attempts=1)) as client:
            agent = await client.agents.create("A")
            session = await client.sessions.create(agent_id=agent.id)
            message = [{"role": "user", "content": "hello"}]
            with anyio.fail_after(10):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(functools.partial(client.sessions.chat, session.id, message, stream=True))
                    await handled.wait()
                    tg.cancel_scope.cancel()
                assert (await client.sessions.chat(session.id, message)).content  # the turn was given back


@pytest.mark.anyio
@pytest.mark.asyncio_only
async def test_a_path_with_control_characters_gets_a_json_404() -> None:
    import aiohttp

    async with running(Backend()) as url, aiohttp.ClientSession() as http:
        async with http.get(f"{url}/sessions/a%0Ab%0Dc", headers={"authorization": "Bearer k"}) as reply:
            assert reply.status == 404 and reply.content_type == "application/json"
            assert "not found" in (await reply.json())["error"]["message"]
