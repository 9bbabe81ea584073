"""Scale: 10,000 sessions x 10 chat turns in memory (100,000 chats), 64 conversations at
a time, in rounds that each create their sessions, hold every conversation and delete the
sessions, to see that memory stays flat. The goal's time is the chats' (creating and
deleting the sessions is shown beside it); memory is RSS after each round, beside the
live heap blocks after a full collection."""

from __future__ import annotations

import gc
import sys
import time
from typing import Any

import anyio

from julep_async import AsyncClient
from julep_async.transports import InMemoryTransport

from .common import Goal, rss_mb, stat, text_table

SESSIONS = 10_000
TURNS = 10
CONCURRENCY = 64
RSS_GROWTH = 0.05  # "flat": the last round ends at most 5% above the first


async def _in_parallel(calls: list[Any]) -> None:
    """Run the calls, ``CONCURRENCY`` at a time."""
    waiting = iter(calls)

    async def worker() -> None:
        for call in waiting:
            await call()

    async with anyio.create_task_group() as tg:
        for _ in range(CONCURRENCY):
            tg.start_soon(worker)


async def one_round(client: AsyncClient, agent_id: str, sessions: int, turns: int) -> dict[str, float]:
    ids: list[str] = []

    async def create() -> None:
        ids.append((await client.sessions.create(agent_id=agent_id)).id)

    async def converse(session_id: str) -> None:
        for turn in range(turns):
            reply = await client.sessions.chat(session_id, [{"role": "user", "content": f"turn {turn}: go on"}])
            assert reply.content

    started = time.perf_counter()
    await _in_parallel([create] * sessions)
    created = time.perf_counter()
    await _in_parallel([lambda s=s: converse(s) for s in ids])
    chatted = time.perf_counter()
    await _in_parallel([lambda s=s: client.sessions.delete(s) for s in ids])
    return {"create_s": created - started, "chat_s": chatted - created, "chats": sessions * turns,
            "total_s": time.perf_counter() - started}


async def run(rounds: int = 3, sessions: int = SESSIONS, turns: int = TURNS) -> dict[str, Any]:
    results: list[dict[str, float]] = []
    async with AsyncClient(api_key="scale-key-0000", transport=InMemoryTransport()) as client:
        agent = await client.agents.create("Scale")
        for _ in range(rounds):
            figures = await one_round(client, agent.id, sessions, turns)
            figures["rss_mb"] = rss_mb()
            gc.collect()
            figures["live_blocks"] = sys.getallocatedblocks()
            results.append(figures)
    return {"rounds": results, "sessions": sessions, "turns": turns}


def rss_growth(results: dict[str, Any]) -> float:
    first, last = results["rounds"][0]["rss_mb"], results["rounds"][-1]["rss_mb"]
    return float((last - first) / first)


def rows(results: dict[str, Any]) -> list[dict[str, str]]:
    return [{"round": str(n), "chats": f"{r['chat_s']:.2f} s ({r['chats'] / r['chat_s']:,.0f}/s)",
             "create + delete sessions": f"{r['total_s'] - r['chat_s']:.2f} s", "RSS after": f"{r['rss_mb']:.0f} MiB",
             "live heap blocks": f"{r['live_blocks']:,}"} for n, r in enumerate(results["rounds"], 1)]


def report(results: dict[str, Any]) -> str:
    title = (f"\nScale: {results['sessions']:,} sessions x {results['turns']} chat turns in memory, "
             f"{CONCURRENCY} conversations at a time, per round (RSS {rss_growth(results):+.1%} first to last)")
    return text_table(rows(results), title)


def goals(results: dict[str, Any]) -> list[Goal]:
    chats = results["sessions"] * results["turns"]
    skipped = "" if chats == 100_000 else f"{chats:,} chats"
    return [
        Goal("100,000 chats over 10,000 sessions in memory", stat([r["chat_s"] for r in results["rounds"]]), 4.0,
             unit=" s", skipped=skipped),
        Goal("RSS flat across rounds: growth first to last round",
             stat([rss_growth(results) * 100]), RSS_GROWTH * 100, unit="%", skipped=skipped),
    ]
