"""Scale: 10,000 sessions x 10 chat turns in memory (100,000 chats), repeated in rounds
to check that memory stays flat (each round deletes its sessions)."""

from __future__ import annotations

import gc
import time
from typing import Any

import anyio

from julep_async import AsyncClient
from julep_async.transports import InMemoryTransport

from .common import peak_rss_mb, rss_mb

SESSIONS = 10_000
TURNS = 10
CONCURRENCY = 64


async def one_round(client: AsyncClient, agent_id: str, sessions: int, turns: int) -> dict[str, float]:
    started = time.perf_counter()
    ids = [s.session_id for s in await _create(client, agent_id, sessions)]
    created = time.perf_counter()
    for turn in range(turns):
        outcomes = await client.sessions.chat_many(
            [(sid, [{"role": "user", "content": f"turn {turn}: tell me something new"}]) for sid in ids],
            concurrency=CONCURRENCY,
        )
        assert all(o.ok for o in outcomes), next(o.error for o in outcomes if not o.ok)
    chatted = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for sid in ids:
            tg.start_soon(client.sessions.delete, sid)
    return {"create_s": created - started, "chat_s": chatted - created, "chats": sessions * turns,
            "total_s": time.perf_counter() - started}


class _Made:
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id


async def _create(client: AsyncClient, agent_id: str, count: int) -> list[_Made]:
    made: list[_Made] = []
    limiter = anyio.CapacityLimiter(CONCURRENCY)

    async def create() -> None:
        async with limiter:
            made.append(_Made((await client.sessions.create(agent_id=agent_id)).id))

    async with anyio.create_task_group() as tg:
        for _ in range(count):
            tg.start_soon(create)
    return made


async def run(rounds: int = 3, sessions: int = SESSIONS, turns: int = TURNS) -> dict[str, Any]:
    results: list[dict[str, float]] = []
    async with AsyncClient(api_key="scale-key-0000", transport=InMemoryTransport()) as client:
        agent = await client.agents.create("Scale")
        for _ in range(rounds):
            figures = await one_round(client, agent.id, sessions, turns)
            gc.collect()
            figures["rss_after_mb"] = rss_mb()
            results.append(figures)
    return {"rounds": results, "peak_rss_mb": peak_rss_mb(), "sessions": sessions, "turns": turns}


def report(results: dict[str, Any]) -> str:
    lines = [f"\nScale: {results['sessions']} sessions x {results['turns']} chat turns in memory, per round"]
    for n, r in enumerate(results["rounds"], 1):
        lines.append(f"  round {n}: {r['chats']} chats in {r['chat_s']:.2f} s ({r['chats'] / r['chat_s']:.0f}/s), "
                     f"creating sessions {r['create_s']:.2f} s, all {r['total_s']:.2f} s; "
                     f"RSS after {r['rss_after_mb']:.0f} MiB")
    first, last = results["rounds"][0]["rss_after_mb"], results["rounds"][-1]["rss_after_mb"]
    lines.append(f"  peak RSS {results['peak_rss_mb']:.0f} MiB; RSS drift first→last round {last - first:+.1f} MiB "
                 f"(target: 100,000 chats under 10 s, memory flat)")
    return "\n".join(lines)
