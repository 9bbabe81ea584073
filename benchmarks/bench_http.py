"""Over HTTP: julep_async against the raw aiohttp floor (:mod:`.raw_client`), and the
official ``julep`` SDK when installed, all talking to the lean server (:mod:`.lean_server`).

The server runs in its own process pinned to one core, the benchmark on the other. Its
CPU share is read from ``/proc`` during every scenario; a scenario that drove it to
:data:`SATURATED` of its core in a floor or julep_async run is INVALID, because the
server, not the client, then set the pace and the ratios are squeezed towards 1.
Likewise the throughput ratio at c=256 is INVALID when the floor or julep_async got less
than :data:`STARVED` of the client's core: other work on the machine set the pace.

"chat c=N" is N conversations at once, each on its own session, each sending its turns
one after another (a user waits for the reply). In "chat c=256, 8 per session" eight
conversations share each session: julep_async makes them wait their turn client-side,
the floor does not. Every session starts with 40 stored entries, so every chat of a run
sees the same history length, and ``history(40)`` returns exactly 40 entries.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .clients import FLOOR, SDK, JulepAsync, Kind, official_kinds
from .common import Goal, measure_lanes, ratios, shown, stat, text_table
from .raw_client import RawAiohttp

HISTORY = 40
SATURATED = 0.90
STARVED = 0.80  # a client below this share of its core at c=256 was held back by the machine
OFFICIAL_SCALE = 0.25  # the official SDK's runs are shorter: per-call figures need fewer calls


@dataclass(frozen=True)
class Scenario:
    name: str
    lanes: int
    sessions: int  # new sessions it chats on (the lanes share them evenly); 0: history
    turns: int  # calls per lane at scale 1


SCENARIOS = (
    Scenario("chat c=1", 1, 1, 400),
    Scenario("chat c=16", 16, 16, 50),
    Scenario("chat c=64", 64, 64, 20),
    Scenario("chat c=256", 256, 256, 10),
    Scenario("chat c=256, 8 per session", 256, 32, 10),
    Scenario("history(40) c=16", 16, 0, 32),
)
CREATE = "create session c=16"
CONCURRENCY_CURVE = ("chat c=1", "chat c=16", "chat c=64", "chat c=256")


@dataclass
class Server:
    """The lean server's process, and the cores it and the client were given."""

    process: subprocess.Popen[str]
    url: str
    loop: str
    cores: str

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the server so far (``/proc/<pid>/stat``)."""
        with open(f"/proc/{self.process.pid}/stat") as stat_file:
            fields = stat_file.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def lean_server() -> Iterator[Server]:
    """The lean server on an ephemeral port, pinned to the last core, this process to the first."""
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.lean_server", "--history", str(HISTORY)],
                               stdout=subprocess.PIPE, text=True)
    mine = os.sched_getaffinity(0)
    try:
        assert process.stdout is not None
        url, loop = process.stdout.readline().split()
        cores = "not pinned (fewer than 2 cores)"
        if len(mine) >= 2:
            client, server = min(mine), max(mine)
            os.sched_setaffinity(process.pid, {server})
            os.sched_setaffinity(0, {client})
            cores = f"server on core {server}, client on core {client}"
        yield Server(process, url, loop, cores)
    finally:
        os.sched_setaffinity(0, mine)
        process.terminate()
        process.wait(timeout=10)


async def _timed(server: Server, lanes: list[list[Callable[[], Awaitable[Any]]]]) -> dict[str, float]:
    """:func:`measure_lanes`, plus the server's CPU share of one core meanwhile."""
    cpu, wall = server.cpu_seconds(), time.perf_counter()
    figures = await measure_lanes(lanes)
    figures["server_share"] = (server.cpu_seconds() - cpu) / (time.perf_counter() - wall)
    return figures


async def _one_run(kind: Kind, server: Server, key: str, scale: float) -> dict[str, dict[str, float]]:
    """Every scenario once, on sessions made for it."""
    await kind.open(server.url, key)
    try:
        agent = await kind.agent()
        sessions: list[str] = []
        needed = sum(s.sessions for s in SCENARIOS)

        async def create() -> None:
            sessions.append(await kind.session(agent))

        figures = {CREATE: await _timed(server, [[create] * (needed // 16 + (lane < needed % 16))
                                                 for lane in range(16)])}
        chatted: list[str] = []
        lanes: list[list[Callable[[], Awaitable[Any]]]]
        for scenario in SCENARIOS:
            turns = max(2, round(scenario.turns * scale))
            if scenario.sessions:
                mine, sessions = sessions[:scenario.sessions], sessions[scenario.sessions:]
                chatted = mine
                lanes = [[functools.partial(kind.chat, mine[lane % len(mine)], f"turn {t}: and then?")
                          for t in range(turns)] for lane in range(scenario.lanes)]
            else:  # the sessions of the last chat scenario, every one past 40 entries
                assert len(await kind.history(chatted[0], HISTORY)) == HISTORY
                lanes = [[functools.partial(kind.history, chatted[(lane * turns + t) % len(chatted)], HISTORY)
                          for t in range(turns)] for lane in range(scenario.lanes)]
            figures[scenario.name] = await _timed(server, lanes)
        return figures
    finally:
        await kind.close()


async def run(repeats: int = 5, scale: float = 1.0, official: bool = True) -> dict[str, Any]:
    """``repeats`` runs of every client, interleaved (the order flips each repeat) so
    that drift hits all alike; each repeat has a fresh server."""
    kinds: list[Kind] = [RawAiohttp(), JulepAsync(), *(official_kinds() if official else [])]
    runs: dict[str, list[dict[str, dict[str, float]]]] = {kind.name: [] for kind in kinds}
    with lean_server() as server:
        for kind in kinds:  # warm up: connections, code paths, generated converters
            await _one_run(kind, server, f"warmup-{os.getpid()}", 0.2)
    for repeat in range(repeats):
        with lean_server() as server:
            for kind in kinds if repeat % 2 == 0 else kinds[::-1]:
                share = scale if kind.name in (FLOOR, SDK) else scale * OFFICIAL_SCALE
                runs[kind.name].append(await _one_run(kind, server, f"bench-{repeat}-{os.getpid()}", share))
    return {"runs": runs, "loop": type(asyncio.get_running_loop()).__module__, "server_loop": server.loop,
            "cores": server.cores, "scenarios": [CREATE, *(s.name for s in SCENARIOS)]}


def _series(results: dict[str, Any], kind: str, scenario: str, metric: str) -> list[float]:
    return [run[scenario][metric] for run in results["runs"][kind]]


def saturation(results: dict[str, Any], scenario: str) -> float:
    """The server's highest CPU share in any floor or julep_async run of ``scenario``."""
    return max(max(_series(results, kind, scenario, "server_share")) for kind in (FLOOR, SDK))


def ratio(results: dict[str, Any], scenario: str, metric: str, kind: str = SDK) -> dict[str, float]:
    """``kind``'s ``metric`` over the floor's, repeat by repeat."""
    return ratios(_series(results, kind, scenario, metric), _series(results, FLOOR, scenario, metric))


def median(results: dict[str, Any], kind: str, scenario: str, metric: str) -> float:
    return stat(_series(results, kind, scenario, metric))["median"]


def rows(results: dict[str, Any], scenario: str) -> list[dict[str, str]]:
    """One row per client (the floor, julep_async, the others): medians, and the ratios
    to the floor with their range."""
    found = []
    for kind in [FLOOR, SDK, *sorted(set(results["runs"]) - {FLOOR, SDK}, reverse=True)]:
        row = {"client": kind,
               "calls/s": f"{median(results, kind, scenario, 'calls_per_s'):,.0f}",
               "client CPU µs/call": f"{median(results, kind, scenario, 'cpu_us_per_call'):,.1f}",
               "p50 ms": f"{median(results, kind, scenario, 'p50_ms'):.2f}",
               "p99 ms": f"{median(results, kind, scenario, 'p99_ms'):.2f}",
               "client CPU": f"{median(results, kind, scenario, 'cpu_share'):.0%}",
               "server CPU": f"{max(_series(results, kind, scenario, 'server_share')):.0%}"}
        if kind != FLOOR:
            row["throughput vs floor"] = shown(ratio(results, scenario, "calls_per_s", kind))
            row["CPU vs floor"] = shown(ratio(results, scenario, "cpu_us_per_call", kind))
        else:
            row["throughput vs floor"] = row["CPU vs floor"] = "1"
        found.append(row)
    return found


def report(results: dict[str, Any]) -> str:
    runs = len(results["runs"][FLOOR])
    text = (f"\nHTTP against the lean server ({results['cores']}; client loop {results['loop']}, server loop "
            f"{results['server_loop']}); medians of {runs} runs, ratios paired per run (min-max); "
            f"client CPU: its median share of one core; server CPU: its highest in any run")
    for scenario in results["scenarios"]:
        share = saturation(results, scenario)
        flag = f"  INVALID: the server reached {share:.0%} of its core" if share >= SATURATED else ""
        text += "\n\n" + text_table(rows(results, scenario), f"HTTP: {scenario}{flag}")
    return text


def starved(results: dict[str, Any], scenario: str) -> float:
    """The lower median share of its core that the floor's or julep_async's client got."""
    return min(median(results, kind, scenario, "cpu_share") for kind in (FLOOR, SDK))


def goals(results: dict[str, Any]) -> list[Goal]:
    def invalid(scenario: str) -> str:
        share = saturation(results, scenario)
        return f"server at {share:.0%} of its core" if share >= SATURATED else ""

    chat, history = "chat c=256", "history(40) c=16"
    client = starved(results, chat)
    held_back = f"a client got {client:.0%} of its core" if client < STARVED else ""
    return [
        Goal("HTTP chat c=256: client CPU vs raw aiohttp", ratio(results, chat, "cpu_us_per_call"), 1.2,
             invalid=invalid(chat)),
        Goal("HTTP chat c=256: throughput vs raw aiohttp", ratio(results, chat, "calls_per_s"), 0.85,
             higher_is_better=True, invalid=invalid(chat) or held_back),
        Goal("HTTP history(40): client CPU vs raw aiohttp", ratio(results, history, "cpu_us_per_call"), 1.5,
             invalid=invalid(history)),
    ]
