"""Over HTTP against ``julep-async serve`` in a separate process (pinned to its own core
where the machine allows): julep_async, raw aiohttp doing the same requests by hand (the
floor), and the official ``julep`` SDK, default (httpx) and with its aiohttp client.

"chat c=N" is N conversations at once, each on its own session and each sending its
turns one after another, as a user waits for a reply before the next message."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp

from julep_async import AsyncClient

from .common import measure, measure_lanes, rss_mb, table

SESSIONS = 256
SCENARIOS = {  # name -> (concurrency, calls)
    "create sessions (c=16)": (16, SESSIONS),
    "chat c=1": (1, 200),
    "chat c=16": (16, 1600),
    "chat c=256": (256, 2560),
    "history (c=16)": (16, SESSIONS),
}


@contextlib.contextmanager
def server() -> Iterator[str]:
    """``julep-async serve`` on an ephemeral port, in its own process and core."""
    process = subprocess.Popen([sys.executable, "-m", "julep_async", "serve", "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[2]
        if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2:
            cores = sorted(os.sched_getaffinity(0))
            os.sched_setaffinity(process.pid, {cores[-1]})
            os.sched_setaffinity(0, {cores[0]})
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class Kind:
    """One client under test: the same five operations, however it spells them."""

    name = ""

    async def open(self, url: str, key: str) -> None: ...
    async def agent(self) -> str: ...
    async def session(self, agent_id: str) -> str: ...
    async def chat(self, session_id: str, text: str) -> str: ...
    async def history(self, session_id: str) -> int: ...
    async def close(self) -> None: ...


class JulepAsync(Kind):
    name = "julep_async (HttpTransport)"

    async def open(self, url: str, key: str) -> None:
        self.client = AsyncClient(api_key=key, base_url=url)

    async def agent(self) -> str:
        return (await self.client.agents.create("Bench")).id

    async def session(self, agent_id: str) -> str:
        return (await self.client.sessions.create(agent_id=agent_id)).id

    async def chat(self, session_id: str, text: str) -> str:
        return (await self.client.sessions.chat(session_id, [{"role": "user", "content": text}])).content

    async def history(self, session_id: str) -> int:
        return len((await self.client.sessions.history(session_id)).entries)

    async def close(self) -> None:
        await self.client.aclose()


class RawAiohttp(Kind):
    name = "raw aiohttp (floor)"

    async def open(self, url: str, key: str) -> None:
        self.url = url
        self.session_ = aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}",
                                                       "Content-Type": "application/json"})

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        async with self.session_.request(method, self.url + path, data=data) as reply:
            if reply.status >= 400:
                raise RuntimeError(f"{reply.status}: {await reply.text()}")
            return json.loads(await reply.read())

    async def agent(self) -> str:
        return str((await self._call("POST", "/agents", {"name": "Bench"}))["id"])

    async def session(self, agent_id: str) -> str:
        return str((await self._call("POST", "/sessions", {"agent": agent_id}))["id"])

    async def chat(self, session_id: str, text: str) -> str:
        reply = await self._call("POST", f"/sessions/{session_id}/chat",
                                 {"messages": [{"role": "user", "content": text}]})
        return str(reply["choices"][0]["message"]["content"])

    async def history(self, session_id: str) -> int:
        return len((await self._call("GET", f"/sessions/{session_id}/history"))["entries"])

    async def close(self) -> None:
        await self.session_.close()


class Official(Kind):
    name = "julep 2.21 (httpx)"
    aiohttp = False

    async def open(self, url: str, key: str) -> None:
        import julep

        options: dict[str, Any] = {"http_client": julep.DefaultAioHttpClient()} if self.aiohttp else {}
        self.client = julep.AsyncJulep(api_key=key, base_url=url, **options)

    async def agent(self) -> str:
        return str((await self.client.agents.create(name="Bench")).id)

    async def session(self, agent_id: str) -> str:
        return str((await self.client.sessions.create(agent=agent_id)).id)

    async def chat(self, session_id: str, text: str) -> str:
        reply = await self.client.sessions.chat(session_id, messages=[{"role": "user", "content": text}])
        return str(reply.choices[0].message.content)  # type: ignore[union-attr]

    async def history(self, session_id: str) -> int:
        return len((await self.client.sessions.history(session_id)).entries)

    async def close(self) -> None:
        await self.client.close()


class OfficialAiohttp(Official):
    name = "julep 2.21 (aiohttp extra)"
    aiohttp = True


def kinds() -> list[Kind]:
    found: list[Kind] = [RawAiohttp(), JulepAsync()]
    try:
        import julep  # noqa: F401
    except ImportError:
        return found
    found.append(Official())
    try:
        import httpx_aiohttp  # noqa: F401
    except ImportError:
        return found
    found.append(OfficialAiohttp())
    return found


async def _one_run(kind: Kind, url: str, key: str, scale: float) -> dict[str, dict[str, float]]:
    await kind.open(url, key)
    try:
        agent = await kind.agent()
        sessions: list[str] = []

        async def create() -> None:
            sessions.append(await kind.session(agent))

        figures = {}
        concurrency, calls = SCENARIOS["create sessions (c=16)"]
        figures["create sessions (c=16)"] = await measure([create] * SESSIONS, concurrency)
        for name in ("chat c=1", "chat c=16", "chat c=256"):
            concurrency, calls = SCENARIOS[name]
            turns = max(1, int(calls * scale) // concurrency)
            lanes: list[list[Callable[[], Any]]] = [
                [lambda s=sessions[lane], t=t: kind.chat(s, f"turn {t}") for t in range(turns)]
                for lane in range(concurrency)
            ]
            figures[name] = await measure_lanes(lanes)
        concurrency, _ = SCENARIOS["history (c=16)"]
        figures["history (c=16)"] = await measure([lambda s=s: kind.history(s) for s in sessions], concurrency)
        return figures
    finally:
        await kind.close()


async def run(repeats: int = 5, scale: float = 1.0) -> dict[str, Any]:
    """Medians over ``repeats`` runs of every kind, interleaved so drift hits all alike."""
    runs: dict[str, list[dict[str, dict[str, float]]]] = {}
    rss: dict[str, float] = {}
    with server() as url:
        for kind in kinds():  # warm up: connections, code paths, generated converters
            await _one_run(kind, url, f"warmup-{kind.name.split()[0]}-{os.getpid()}", 0.1)
        for repeat in range(repeats):
            for kind in kinds():
                key = f"bench-{kind.name.split()[0]}-{repeat}-{os.getpid()}"
                runs.setdefault(kind.name, []).append(await _one_run(kind, url, key, scale))
                rss[kind.name] = rss_mb()

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    results: dict[str, Any] = {"scenarios": {}, "rss_mb_after": rss}
    for scenario in SCENARIOS:
        results["scenarios"][scenario] = {
            name: {metric: median([r[scenario][metric] for r in kind_runs]) for metric in kind_runs[0][scenario]}
            for name, kind_runs in runs.items()
        }
    return results


def report(results: dict[str, Any]) -> str:
    text = ""
    for scenario, rows in results["scenarios"].items():
        text += table(f"HTTP: {scenario} (median of runs)", rows, floor=RawAiohttp.name)
    chat = results["scenarios"]["chat c=256"]
    ours, floor = chat[JulepAsync.name], chat[RawAiohttp.name]
    text += (f"\n  targets at 256 concurrent chats: throughput {ours['calls_per_s'] / floor['calls_per_s']:.2f}x "
             f"raw aiohttp (≥ 0.80x), client CPU {ours['cpu_us_per_call'] / floor['cpu_us_per_call']:.2f}x (≤ 1.50x)")
    text += "\n  RSS after each client's runs (one process, cumulative): " + ", ".join(
        f"{name} {value:.0f} MiB" for name, value in results["rss_mb_after"].items())
    return text
