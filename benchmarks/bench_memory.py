"""In memory, one call at a time: julep_async over ``InMemoryTransport`` (the SDK plus the
fake backend, JSON by orjson) against the floor of :mod:`.floor_memory` (stdlib json plus
a plain dict handler doing the same stores and prompt). The same floor with orjson is
shown beside it, for information only.

Every session gets the same turns, so every chat sees the same history length (0 to 38
entries) on both sides; ``history(40)`` is then asked of sessions holding exactly 40.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from julep_async import AsyncClient
from julep_async.transports import InMemoryTransport

from . import floor_memory
from .clients import JulepAsync
from .common import Goal, ratios, shown, stat, text_table

SESSIONS = 200
TURNS = 20  # per session: 40 entries at the end
HISTORY_CALLS = 5  # per session
SDK = "julep_async"
FLOOR = "floor (json)"
ORJSON_FLOOR = "floor (orjson)"


async def _cpu_us(calls: list[Callable[[], Awaitable[Any]]]) -> float:
    """CPU µs per call, the calls made one after another."""
    started = time.process_time()
    for call in calls:
        await call()
    return (time.process_time() - started) / len(calls) * 1e6


async def _one_run(kind: Any, sessions: int, turns: int) -> dict[str, float]:
    agent = await kind.agent()
    ids = [await kind.session(agent) for _ in range(sessions)]
    chat = await _cpu_us([functools.partial(kind.chat, ids[i % sessions], f"question {i // sessions}: and then?")
                          for i in range(sessions * turns)])
    assert len(await kind.history(ids[0], 2 * turns)) == 2 * turns
    history = await _cpu_us([functools.partial(kind.history, s, 2 * turns) for s in ids * HISTORY_CALLS])
    return {"chat_cpu_us": chat, "history_cpu_us": history}


async def _run_kind(name: str, sessions: int, turns: int) -> dict[str, float]:
    if name == SDK:
        async with AsyncClient(api_key="memory-bench-key", transport=InMemoryTransport()) as client:
            return await _one_run(JulepAsync(client), sessions, turns)
    codec = floor_memory.STDLIB if name == FLOOR else floor_memory.ORJSON
    return await _one_run(floor_memory.Client(codec), sessions, turns)


async def run(repeats: int = 5, sessions: int = SESSIONS) -> dict[str, Any]:
    """``repeats`` runs of each, interleaved, each on fresh state."""
    kinds = [SDK, FLOOR, ORJSON_FLOOR]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in kinds}
    for name in kinds:  # warm up
        await _run_kind(name, 10, 2)
    for repeat in range(repeats):
        for name in kinds if repeat % 2 == 0 else kinds[::-1]:
            runs[name].append(await _run_kind(name, sessions, TURNS))
    return {"runs": runs, "sessions": sessions, "turns": TURNS}


def _ratio(results: dict[str, Any], metric: str, floor: str = FLOOR) -> dict[str, float]:
    return ratios([r[metric] for r in results["runs"][SDK]], [r[metric] for r in results["runs"][floor]])


def rows(results: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    for metric, label in (("chat_cpu_us", "chat"), ("history_cpu_us", "history(40)")):
        row = {"call": label}
        for name in (SDK, FLOOR, ORJSON_FLOOR):
            row[f"{name} µs"] = f"{stat([r[metric] for r in results['runs'][name]])['median']:.1f}"
        row["julep_async vs floor"] = shown(_ratio(results, metric))
        row["vs floor (orjson), information"] = shown(_ratio(results, metric, ORJSON_FLOOR))
        found.append(row)
    return found


def report(results: dict[str, Any]) -> str:
    runs = len(results["runs"][SDK])
    title = (f"\nIn memory, one call at a time: CPU µs per call, medians of {runs} runs; ratios paired per run "
             f"(min-max); {results['sessions']} sessions x {results['turns']} turns")
    return text_table(rows(results), title)


def goals(results: dict[str, Any]) -> list[Goal]:
    return [
        Goal("in-memory chat vs the floor", _ratio(results, "chat_cpu_us"), 1.5),
        Goal("in-memory history(40) vs the floor", _ratio(results, "history_cpu_us"), 1.5),
    ]
