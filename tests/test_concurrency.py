"""Concurrency controls: the in-flight cap, per-session turns, and ``chat_many``.
Correctness only — speed lives in benchmarks/."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from julep_async import AsyncClient, ChatJob
from julep_async.backend import Backend
from julep_async.exceptions import SessionNotFoundError, ValidationError
from julep_async.transports import InMemoryTransport, Request, Response

pytestmark = pytest.mark.anyio
MISSING = "00000000-0000-4000-8000-000000000000"


class Watch:
    """A backend front that notes what is in flight, overall and per chat path, and
    yields to the scheduler mid-request so that overlaps would show."""

    def __init__(self, backend: Backend | None = None, seed: int = 0) -> None:
        self.backend = backend or Backend()
        self.random = random.Random(seed)
        self.now = self.peak = 0
        self.per_path: Counter[str] = Counter()
        self.peak_per_path = 0
        self.paths_at_once = 0

    async def handle(self, request: Request) -> Response:
        chat = request.path if request.path.endswith("/chat") else None
        self.now += 1
        self.peak = max(self.peak, self.now)
        if chat:
            self.per_path[chat] += 1
            self.peak_per_path = max(self.peak_per_path, self.per_path[chat])
            self.paths_at_once = max(self.paths_at_once, sum(1 for n in self.per_path.values() if n))
        try:
            for _ in range(self.random.randint(1, 4)):
                await anyio.lowlevel.checkpoint()
            return await self.backend.handle(request)
        finally:
            self.now -= 1
            if chat:
                self.per_path[chat] -= 1


@pytest.fixture
async def watched(anyio_backend: str) -> AsyncIterator[tuple[Watch, AsyncClient]]:
    watch = Watch()
    async with AsyncClient(api_key="k", transport=InMemoryTransport(watch.handle)) as client:
        yield watch, client


async def test_the_in_flight_cap_is_never_exceeded(watched: tuple[Watch, AsyncClient]) -> None:
    watch, client = watched
    capped = client.with_options(max_in_flight=8)
    agent = await capped.agents.create("A")
    async with anyio.create_task_group() as tg:
        for _ in range(200):
            tg.start_soon(capped.agents.get, agent.id)
    assert watch.peak == 8  # reached, never passed


@pytest.mark.asyncio_only
async def test_the_in_flight_cap_over_http() -> None:
    from aiohttp import web
    from faults import serving

    from julep_async.server import read_request, write_response

    watch = Watch()

    async def handler(http: web.Request) -> web.StreamResponse:
        return await write_response(http, await watch.handle(await read_request(http)))

    async with serving(handler) as url, AsyncClient(api_key="k", base_url=url, max_in_flight=5) as client:
        agent = await client.agents.create("A")
        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(client.agents.get, agent.id)
    assert 1 < watch.peak <= 5  # network timing decides how close to the cap it gets


async def test_same_session_chats_never_interleave(watched: tuple[Watch, AsyncClient]) -> None:
    watch, client = watched
    agent = await client.agents.create("A")
    sessions = [(await client.sessions.create(agent_id=agent.id)).id for _ in range(5)]

    async def chat(i: int) -> None:
        await client.sessions.chat(sessions[i % 5], [{"role": "user", "content": f"m{i}"}])

    async with anyio.create_task_group() as tg:
        for i in range(500):
            tg.start_soon(chat, i)
    assert watch.peak_per_path == 1  # one chat per session at a time, seen by the server
    assert watch.paths_at_once > 1  # while different sessions ran in parallel
    for session_id in sessions:
        entries = (await client.sessions.history(session_id)).entries
        assert len(entries) == 200
        for asked, answered in zip(entries[::2], entries[1::2], strict=True):
            assert (asked.role, answered.role) == ("user", "assistant")
            assert f'"{asked.content}"' in answered.content  # each reply follows its own question


async def test_a_cancelled_waiter_passes_the_turn_on(watched: tuple[Watch, AsyncClient]) -> None:
    _, client = watched
    agent = await client.agents.create("A")
    session = await client.sessions.create(agent_id=agent.id)
    stream = await client.sessions.chat(session.id, [{"role": "user", "content": "holding"}], stream=True)
    with anyio.move_on_after(0.05):  # waits behind the open stream, then gives up
        await client.sessions.chat(session.id, [{"role": "user", "content": "impatient"}])
    await stream.aclose()
    with anyio.fail_after(5):
        reply = await client.sessions.chat(session.id, [{"role": "user", "content": "next"}])
    assert '"next"' in reply.content
    assert client._turns == {}  # nothing left behind


async def test_chat_many_keeps_input_order_and_reports_failures(watched: tuple[Watch, AsyncClient]) -> None:
    watch, client = watched
    agent = await client.agents.create("A")
    sessions = [(await client.sessions.create(agent_id=agent.id)).id for _ in range(10)]
    jobs: list[Any] = [(sessions[i % 10], [{"role": "user", "content": f"job {i}"}]) for i in range(60)]
    jobs[7] = (MISSING, [{"role": "user", "content": "job 7"}])
    jobs[8] = ChatJob(sessions[0], [], {})  # invalid: no messages
    outcomes = await client.sessions.chat_many(jobs, concurrency=6, save=False)
    assert len(outcomes) == 60
    assert isinstance(outcomes[7].error, SessionNotFoundError) and outcomes[7].response is None
    assert isinstance(outcomes[8].error, ValidationError) and not outcomes[8].ok
    for i, outcome in enumerate(outcomes):
        if i not in (7, 8):
            assert outcome.ok and outcome.response is not None
            assert f'"job {i}"' in outcome.response.content and outcome.session_id == sessions[i % 10]
    assert watch.peak <= 6


async def test_chat_many_cancellation_propagates_and_leaves_no_task(anyio_backend: str) -> None:
    started: list[str] = []
    gate = anyio.Event()

    async def slow(prompt: list[dict[str, Any]]) -> str:
        started.append(prompt[-1]["content"])
        await gate.wait()
        return "late"

    async with AsyncClient(api_key="k", transport=InMemoryTransport(responder=slow)) as client:
        agent = await client.agents.create("A")
        sessions = [(await client.sessions.create(agent_id=agent.id)).id for _ in range(20)]
        jobs = [(s, [{"role": "user", "content": s}]) for s in sessions]
        with anyio.move_on_after(0.2) as scope:
            await client.sessions.chat_many(jobs, concurrency=4)
        assert scope.cancelled_caught
        assert len(started) == 4  # only the first wave ever started
        gate.set()
        await anyio.sleep(0.05)
        assert len(started) == 4  # and nothing went on running after the call returned
        assert client._turns == {}


def test_chat_many_on_the_sync_client() -> None:
    from julep_async import Client

    with Client(transport=InMemoryTransport()) as client:
        agent = client.agents.create("A")
        session = client.sessions.create(agent_id=agent.id)
        outcomes = client.sessions.chat_many([(session.id, [{"role": "user", "content": str(i)}]) for i in range(5)])
    assert [f'"{i}"' in (o.response.content if o.response else "") for i, o in enumerate(outcomes)] == [True] * 5


async def test_chat_many_refuses_to_stream(watched: tuple[Watch, AsyncClient]) -> None:
    watch, client = watched
    with pytest.raises(ValidationError, match="does not stream"):
        await client.sessions.chat_many([(MISSING, [{"role": "user", "content": "x"}])], stream=True)
    assert watch.peak == 0  # nothing was sent
