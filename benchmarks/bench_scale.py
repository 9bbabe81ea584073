"""Scale: 10,000 sessions x 10 chat turns in memory (100,000 chats), 64 conversations at
a time, repeated in rounds to check that memory stays flat (each round deletes its
sessions). Memory is judged by the live heap blocks after a full collection; RSS is
shown too, though the allocator keeps some freed memory for reuse."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
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
    """Create the sessions, hold every conversation (its turns one after another,
    ``CONCURRENCY`` conversations at once), then delete the sessions."""
    started = time.perf_counter()
    ids = [s.session_id for s in await _create(client, agent_id, sessions)]
    created = time.perf_counter()
    waiting = iter(ids)

    async def converse() -> None:
        for session_id in waiting:
            for turn in range(turns):
                reply = await client.sessions.chat(session_id, [{"role": "user", "content": f"turn {turn}: go on"}])
                assert reply.content

    async with anyio.create_task_group() as tg:
        for _ in range(CONCURRENCY):
            tg.start_soon(converse)
    chatted = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for sid in ids:
            tg.start_soon(client.sessions.delete, sid)
    return {"create_s": created - started, "chat_s": chatted - created, "chats": sessions * turns,
            "total_s": time.perf_counter() - started}


def _trimmed_rss() -> float:
    """RSS after asking glibc to hand freed memory back to the system (Linux; else plain RSS)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return rss_mb()


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
            figures["live_blocks_after"] = sys.getallocatedblocks()
            figures["rss_after_mb"] = rss_mb()
            figures["rss_trimmed_mb"] = _trimmed_rss()
            results.append(figures)
    return {"rounds": results, "peak_rss_mb": peak_rss_mb(), "sessions": sessions, "turns": turns}


def report(results: dict[str, Any]) -> str:
    lines = [f"\nScale: {results['sessions']} sessions x {results['turns']} chat turns in memory, per round"]
    for n, r in enumerate(results["rounds"], 1):
        lines.append(f"  round {n}: {r['chats']} chats in {r['chat_s']:.2f} s ({r['chats'] / r['chat_s']:.0f}/s), "
                     f"creating sessions {r['create_s']:.2f} s, all {r['total_s']:.2f} s; "
                     f"after it: {r['live_blocks_after']:,} live heap blocks, RSS {r['rss_after_mb']:.0f} MiB "
                     f"({r['rss_trimmed_mb']:.0f} MiB after malloc_trim)")
    first, last = results["rounds"][0], results["rounds"][-1]
    blocks = (last["live_blocks_after"] - first["live_blocks_after"]) / first["live_blocks_after"]
    lines.append(f"  peak RSS {results['peak_rss_mb']:.0f} MiB; first→last round: live heap blocks {blocks:+.2%}, "
                 f"RSS {last['rss_after_mb'] - first['rss_after_mb']:+.1f} MiB "
                 f"(after malloc_trim {last['rss_trimmed_mb'] - first['rss_trimmed_mb']:+.1f} MiB) "
                 "(target: 100,000 chats under 10 s, memory flat)")
    return "\n".join(lines)
