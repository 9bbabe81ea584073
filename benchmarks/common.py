"""Shared helpers for the benchmarks: timing, resource figures and printing."""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident memory now, in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(calls: list[Callable[[], Awaitable[Any]]], concurrency: int) -> dict[str, float]:
    """Run ``calls`` with at most ``concurrency`` in flight; throughput, CPU and latency figures."""
    return await measure_lanes([calls[lane::concurrency] for lane in range(concurrency)])


async def measure_lanes(lanes: list[list[Callable[[], Awaitable[Any]]]]) -> dict[str, float]:
    """Run each lane's calls one after another, all lanes at once (a lane is, say, one
    conversation: its turns are sequential); throughput, CPU and latency figures."""
    latencies: list[float] = []

    async def lane(calls: list[Callable[[], Awaitable[Any]]]) -> None:
        for call in calls:
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    calls = sum(len(lane) for lane in lanes)
    cpu, wall = cpu_seconds(), time.perf_counter()
    async with anyio.create_task_group() as tg:
        for calls_of_lane in lanes:
            tg.start_soon(lane, calls_of_lane)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    latencies.sort()
    return {
        "calls": calls,
        "wall_s": wall,
        "calls_per_s": calls / wall,
        "cpu_us_per_call": cpu / calls * 1e6,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def table(title: str, rows: dict[str, dict[str, float]], floor: str | None = None) -> str:
    """Rows of figures, with each row's ratio to ``floor`` (throughput and CPU per call)."""
    lines = [f"\n{title}", f"{'':34} {'calls/s':>10} {'CPU µs/call':>12} {'p50 ms':>8} {'p99 ms':>8}"
             + ("  vs floor: thrpt  CPU" if floor else "")]
    for name, row in rows.items():
        line = (f"{name:34} {row['calls_per_s']:10.0f} {row['cpu_us_per_call']:12.1f} "
                f"{row['p50_ms']:8.2f} {row['p99_ms']:8.2f}")
        if floor and floor in rows:
            base = rows[floor]
            throughput = row["calls_per_s"] / base["calls_per_s"]
            line += f"  {throughput:11.2f}x {row['cpu_us_per_call'] / base['cpu_us_per_call']:4.2f}x"
        lines.append(line)
    return "\n".join(lines)


def save(results: dict[str, Any], path: str | None) -> None:
    if path:
        with open(path, "w") as file:
            json.dump(results, file, indent=2, sort_keys=True)
        print(f"\nsaved {path}", file=sys.stderr)
