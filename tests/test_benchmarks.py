"""The benchmarks' floors and lean server do the work they claim. No timings here: speed
is measured by ``python -m benchmarks``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from benchmarks import floor_memory
from benchmarks.raw_client import RawAiohttp
from julep_async import AsyncClient
from julep_async.transports import InMemoryTransport

pytestmark = pytest.mark.anyio


@pytest.fixture
def lean_server() -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.lean_server", "--history", "40"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().split()[0]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.asyncio_only
async def test_the_lean_server_answers_as_julep_does(lean_server: str) -> None:
    """Its replies pass the SDK's strict parsing, and the SDK and the floor see the same."""
    async with AsyncClient(api_key="bench", base_url=lean_server, strict=True) as client:
        agent = await client.agents.create("Bench")
        session = await client.sessions.create(agent_id=agent.id)
        raw = await client.sessions.with_raw_response.chat(session.id, [{"role": "user", "content": "hi"}])
        assert raw.parse().content == 'I read 42 messages. You said: "hi"'
        assert raw.request_id
        assert len((await client.sessions.history(session.id, limit=40)).entries) == 40
    floor = RawAiohttp()
    await floor.open(lean_server, "bench")
    try:
        other = await floor.session(await floor.agent())
        assert await floor.chat(other, "hi") == 'I read 42 messages. You said: "hi"'
        assert len(await floor.history(other, 40)) == 40
    finally:
        await floor.close()


async def test_the_in_memory_floor_stores_and_answers_as_the_backend_does() -> None:
    floor = floor_memory.Client()
    floor_session = await floor.session(await floor.agent())
    async with AsyncClient(api_key="bench", transport=InMemoryTransport()) as client:
        session = (await client.sessions.create(agent_id=(await client.agents.create("Bench")).id)).id
        for turn in range(3):
            text = f"question {turn}: and then?"
            reply = await client.sessions.chat(session, [{"role": "user", "content": text}])
            assert await floor.chat(floor_session, text) == reply.content
        stored = (await client.sessions.with_raw_response.history(session)).json()["entries"]
    floor_stored = floor.handler.sessions[floor_session]["entries"]
    assert [(e["role"], e["content"], e["token_count"]) for e in floor_stored] == [
        (e["role"], e["content"], e["token_count"]) for e in stored]
    assert set(floor_stored[0]) == set(stored[0])
