"""Replay speed: 2,000 concurrent chats from one cassette, and loading a 10,000-interaction
cassette. The reference is the same 2,000 chats against the live in-memory backend."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from julep_async import AsyncClient
from julep_async.transports import InMemoryTransport, RecordingTransport

from .common import measure, table

CHATS = 2_000
LOAD_INTERACTIONS = 10_000


async def _workload(client: AsyncClient, sessions: list[str]) -> dict[str, float]:
    async def chat(session_id: str, i: int) -> None:
        reply = await client.sessions.chat(session_id, [{"role": "user", "content": f"question {i}"}])
        assert f"question {i}" in reply.content

    calls = [lambda s=s, i=i: chat(s, i) for i, s in enumerate(sessions)]
    return await measure(calls, concurrency=CHATS)


async def _setup(client: AsyncClient) -> list[str]:
    agent = await client.agents.create("Bench")
    return [(await client.sessions.create(agent_id=agent.id)).id for _ in range(CHATS)]


async def run() -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="julep-bench-"))
    path = folder / "chats.json"
    async with RecordingTransport(InMemoryTransport(seed=0), path, "all") as recorder:
        async with AsyncClient(api_key="bench-key-0000", transport=recorder, close_transport=False) as client:
            sessions = await _setup(client)
            await _workload(client, sessions)
    live_transport = InMemoryTransport(seed=0)
    async with AsyncClient(api_key="bench-key-0000", transport=live_transport) as client:
        live = await _workload(client, await _setup(client))
    replayer = RecordingTransport(None, path, "none")
    async with AsyncClient(api_key="bench-key-0000", transport=replayer, close_transport=False) as client:
        await _setup(client)
        replay = await _workload(client, sessions)

    big = folder / "big.json"
    interaction = json.loads(path.read_text())["interactions"][-1]
    document = json.loads(path.read_text())
    document["interactions"] = [dict(interaction, occurrence=n) for n in range(LOAD_INTERACTIONS)]
    big.write_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
    started = time.perf_counter()
    RecordingTransport(None, big, "none", allow_unused=True)
    load_s = time.perf_counter() - started
    return {
        "chats_live_memory": live,
        "chats_replay": replay,
        "load_10k_interactions_s": load_s,
        "cassette_10k_mb": big.stat().st_size / 1e6,
    }


def report(results: dict[str, Any]) -> str:
    reference = "in-memory backend (reference)"
    rows = {reference: results["chats_live_memory"], "replay from cassette": results["chats_replay"]}
    text = table(f"Replay: {CHATS} concurrent chats (all in flight at once)", rows, floor=reference)
    text += (f"\n  replay of {CHATS} chats: {results['chats_replay']['wall_s']:.3f} s (target < 1 s)"
             f"\n  load of a {LOAD_INTERACTIONS}-interaction cassette ({results['cassette_10k_mb']:.1f} MB): "
             f"{results['load_10k_interactions_s']:.3f} s (target < 1 s)")
    return text


