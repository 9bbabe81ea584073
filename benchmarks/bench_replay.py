"""Cassettes: load and save time from 100 to 100,000 interactions, and the replay of
2,000 concurrent chats.

The cassettes hold the realistic workload of :mod:`.workload`, recorded with
``RecordingTransport`` over ``InMemoryTransport(seed=0)``: :data:`BASE` interactions are
recorded through the SDK; a larger cassette adds copies of them in which every id (and
every agent's name) is new, so every interaction is distinct and the mix of calls and
sizes is the recorded one. Each smaller cassette is a random sample of the largest.

Load is what opening a ``RecordingTransport`` on the cassette costs (read, check,
structure, index: the same in every mode), save what closing it costs when it has
recorded one new episode with the API key (sort, canonical JSON, the scan of the whole
text for the key, the atomic write with fsync). Both are wall time, the median of runs,
each after a full garbage collection.
"""

from __future__ import annotations

import functools
import gc
import random
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

from julep_async import AsyncClient
from julep_async.transports import InMemoryTransport, RecordingTransport

from .common import Goal, measure_lanes, ratios, shown, stat, text_table
from .workload import Workload

SIZES = (100, 1_000, 10_000, 100_000)
BASE = 10_000
CHATS = 2_000
KEY = "bench-key-0000"
_ID_HEAD = re.compile(r"\b[0-9a-f]{8}(?=-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)")
_AGENT_NAME = re.compile(r"Agent (\d+)")


async def _record(path: Path, calls: int) -> None:
    async with RecordingTransport(InMemoryTransport(seed=0), path, "all") as recorder:
        async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
            await Workload(client).make(calls)


def _copy(text: str, number: int) -> str:
    """Recorded interactions (as JSON text) with new ids and agent names: copy ``number``.
    An id's first eight hex digits become the copy's number."""
    text = _ID_HEAD.sub(f"{number:08x}", text)
    return _AGENT_NAME.sub(lambda m: f"Agent {number}.{m[1]}", text)


def _cassettes(base: Path, sizes: tuple[int, ...], folder: Path) -> dict[int, Path]:
    """A cassette of each size: the base grown by copies, then sampled."""
    document = orjson.loads(base.read_bytes())
    recorded = document["interactions"]
    text = orjson.dumps(recorded).decode()
    interactions = list(recorded)
    for number in range(1, -(-max(sizes) // len(recorded))):
        interactions += orjson.loads(_copy(text, number))
    sampler = random.Random(0)
    paths = {}
    for size in sizes:
        chosen = sorted(sampler.sample(range(len(interactions)), size))
        paths[size] = folder / f"cassette-{size}.json"
        paths[size].write_bytes(orjson.dumps({**document, "interactions": [interactions[i] for i in chosen]},
                                             option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n")
    return paths


async def _new_episode(recorder: RecordingTransport) -> None:
    """One new call through ``recorder`` with the API key, so that its save scans for the
    key (a call the cassette already holds would be replayed: nothing new, no scan). A
    function of its own: a client left in the caller's scope would keep the loaded cassette
    alive through the next load."""
    async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
        await client.agents.create(f"Saved {uuid.uuid4()}")
    assert recorder._secrets, "the save would not scan: the episode was replayed"


async def _load_and_save(path: Path, repeats: int) -> dict[str, list[float]]:
    """Seconds to load the cassette (open a transport that records new episodes into it:
    the same load as a replay) and to save it (close that transport)."""
    figures: dict[str, list[float]] = {"load_s": [], "save_s": []}
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        recorder = RecordingTransport(InMemoryTransport(), path, "new_episodes")
        figures["load_s"].append(time.perf_counter() - started)
        await _new_episode(recorder)
        gc.collect()
        started = time.perf_counter()
        await recorder.aclose()
        figures["save_s"].append(time.perf_counter() - started)
        del recorder
    return figures


async def _chats(client: AsyncClient, sessions: list[str]) -> dict[str, float]:
    async def chat(session_id: str, i: int) -> None:
        reply = await client.sessions.chat(session_id, [{"role": "user", "content": f"question {i}"}])
        assert f"question {i}" in reply.content

    return await measure_lanes([[functools.partial(chat, s, i)] for i, s in enumerate(sessions)])


async def _sessions(client: AsyncClient) -> list[str]:
    agent = await client.agents.create("Bench")
    return [(await client.sessions.create(agent_id=agent.id)).id for _ in range(CHATS)]


async def _replay(folder: Path) -> dict[str, Any]:
    """2,000 chats at once: recorded, replayed, and against the live in-memory backend."""
    path = folder / "chats.json"
    async with RecordingTransport(InMemoryTransport(seed=0), path, "all") as recorder:
        async with AsyncClient(api_key=KEY, transport=recorder, close_transport=False) as client:
            sessions = await _sessions(client)
            await _chats(client, sessions)
    async with AsyncClient(api_key=KEY, transport=InMemoryTransport(seed=0)) as client:
        live = await _chats(client, await _sessions(client))
    async with AsyncClient(api_key=KEY, transport=RecordingTransport(None, path, "none")) as client:
        await _sessions(client)
        replayed = await _chats(client, sessions)
    return {"live": live, "replay": replayed}


async def run(repeats: int = 3, sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="julep-bench-"))
    try:
        base = folder / "recorded.json"
        await _record(base, min(BASE, max(sizes)))
        paths = _cassettes(base, sizes, folder)
        gc.collect()
        cassettes = {}
        for size, path in paths.items():
            cassettes[str(size)] = {**await _load_and_save(path, repeats), "mb": path.stat().st_size / 1e6}
        return {"cassettes": cassettes, "recorded": min(BASE, max(sizes)), "chats": await _replay(folder)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measured_sizes(results: dict[str, Any]) -> list[int]:
    return sorted(int(size) for size in results["cassettes"])


def per_interaction(results: dict[str, Any], size: str, what: str) -> list[float]:
    return [seconds / int(size) * 1e6 for seconds in results["cassettes"][size][what]]


def growth(results: dict[str, Any], what: str) -> dict[str, float]:
    """µs per interaction in the largest cassette over that in one a tenth its size, run by run."""
    *_, smaller, largest = measured_sizes(results)
    return ratios(per_interaction(results, str(largest), what), per_interaction(results, str(smaller), what))


def rows(results: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    for size in map(str, measured_sizes(results)):
        figures = results["cassettes"][size]
        found.append({
            "interactions": f"{int(size):,}", "file": f"{figures['mb']:.1f} MB",
            "load": shown(stat(figures["load_s"]), " s", 3),
            "load µs/interaction": f"{stat(per_interaction(results, size, 'load_s'))['median']:.1f}",
            "save": shown(stat(figures["save_s"]), " s", 3),
            "save µs/interaction": f"{stat(per_interaction(results, size, 'save_s'))['median']:.1f}",
        })
    return found


def report(results: dict[str, Any]) -> str:
    runs = len(next(iter(results["cassettes"].values()))["load_s"])
    text = text_table(rows(results), f"\nCassettes ({results['recorded']:,} interactions recorded, the rest "
                                     f"copies with new ids): wall time, median of {runs} runs (min-max)")
    chats = results["chats"]
    text += (f"\n\nReplay of {CHATS:,} concurrent chats: {chats['replay']['wall_s']:.3f} s "
             f"(the same chats against the live in-memory backend: {chats['live']['wall_s']:.3f} s)")
    return text


def goals(results: dict[str, Any]) -> list[Goal]:
    *_, smaller, largest = measured_sizes(results)
    skipped = "" if largest == 100_000 else "smaller cassettes than the goal's"
    found = []
    for what, limit in (("load", 1.2), ("save", 2.0)):
        figure = stat(results["cassettes"][str(largest)][f"{what}_s"])
        found += [Goal(f"cassette {what}, {largest:,} interactions", figure, limit, unit=" s", skipped=skipped),
                  Goal(f"cassette {what} is linear: µs per interaction, {largest:,} vs {smaller:,}",
                       growth(results, f"{what}_s"), 1.2, skipped=skipped)]
    return found
