"""In-memory overhead: julep_async over InMemoryTransport against the bare in-process
floor — the same JSON encoding and decoding and the same backend call, no SDK around it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from julep_async import AsyncClient
from julep_async.backend import Backend
from julep_async.transports import InMemoryTransport, Request

SESSIONS = 200
CALLS = 4_000
HISTORY_TURNS = 20  # 40 entries


class Floor:
    """The backend called by hand: encode, handle, decode."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.headers = {"authorization": "Bearer memory-bench-key", "content-type": "application/json"}

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = self.headers if method == "GET" else {**self.headers, "idempotency-key": os.urandom(16).hex()}
        raw = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        reply = await self.backend.handle(Request(method, path, (), headers, raw))
        return json.loads(reply.body)


async def _timed(calls: list[Callable[[], Awaitable[Any]]]) -> float:
    """CPU µs per call, calls made one after another."""
    started = time.process_time()
    for call in calls:
        await call()
    return (time.process_time() - started) / len(calls) * 1e6


async def _sdk(client: AsyncClient) -> dict[str, float]:
    agent = await client.agents.create("Bench")
    sessions = [(await client.sessions.create(agent_id=agent.id)).id for _ in range(SESSIONS)]
    chat = await _timed([
        lambda i=i: client.sessions.chat(sessions[i % SESSIONS], [{"role": "user", "content": f"question {i}"}])
        for i in range(CALLS)
    ])
    full = sessions[0]
    for turn in range(HISTORY_TURNS - CALLS // SESSIONS):
        await client.sessions.chat(full, [{"role": "user", "content": f"more {turn}"}])
    assert len((await client.sessions.history(full)).entries) == 2 * HISTORY_TURNS
    history = await _timed([lambda: client.sessions.history(full) for _ in range(CALLS // 4)])
    return {"chat_cpu_us": chat, "history40_cpu_us": history}


async def _floor(floor: Floor) -> dict[str, float]:
    agent = await floor.call("POST", "/agents", {"name": "Bench"})
    sessions = [(await floor.call("POST", "/sessions", {"agent": agent["id"]}))["id"] for _ in range(SESSIONS)]
    chat = await _timed([
        lambda i=i: floor.call("POST", f"/sessions/{sessions[i % SESSIONS]}/chat",
                               {"messages": [{"role": "user", "content": f"question {i}"}]})
        for i in range(CALLS)
    ])
    full = sessions[0]
    for turn in range(HISTORY_TURNS - CALLS // SESSIONS):
        await floor.call("POST", f"/sessions/{full}/chat", {"messages": [{"role": "user", "content": f"more {turn}"}]})
    history = await _timed([lambda: floor.call("GET", f"/sessions/{full}/history") for _ in range(CALLS // 4)])
    return {"chat_cpu_us": chat, "history40_cpu_us": history}


async def run(repeats: int = 3) -> dict[str, Any]:
    """Medians over ``repeats`` runs, SDK and floor alternating, each on a fresh backend."""
    sdk_runs, floor_runs = [], []
    for _ in range(repeats):
        async with AsyncClient(api_key="memory-bench-key", transport=InMemoryTransport()) as client:
            sdk_runs.append(await _sdk(client))
        floor_runs.append(await _floor(Floor(Backend())))

    def median(runs: list[dict[str, float]], key: str) -> float:
        values = sorted(run[key] for run in runs)
        return values[len(values) // 2]

    keys = ("chat_cpu_us", "history40_cpu_us")
    return {"sdk": {k: median(sdk_runs, k) for k in keys}, "floor": {k: median(floor_runs, k) for k in keys}}


def report(results: dict[str, Any]) -> str:
    sdk, floor = results["sdk"], results["floor"]
    lines = ["\nIn-memory, one call at a time: CPU µs per call (median of runs)",
             f"{'':34} {'julep_async':>12} {'bare floor':>12} {'ratio':>7}  (target ≤ 2.0x)"]
    for key, label in (("chat_cpu_us", "chat"), ("history40_cpu_us", "history, 40 entries")):
        lines.append(f"{label:34} {sdk[key]:12.1f} {floor[key]:12.1f} {sdk[key] / floor[key]:6.2f}x")
    return "\n".join(lines)
