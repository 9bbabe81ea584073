"""Shared helpers for the benchmarks: timing, resource figures, repeated-run statistics
and goal verdicts."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

Stat = dict[str, float]
"""Repeated measurements summed up: ``median``, ``min``, ``max`` and ``n``."""


def stat(values: Sequence[float]) -> Stat:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> Stat:
    """The ratio of paired measurements (run i over run i of the same repeat), summed up."""
    return stat([a / b for a, b in zip(numerators, denominators, strict=True)])


def shown(figure: Stat, unit: str = "x", digits: int = 2) -> str:
    """``1.23x (1.10-1.31)``: the median and the range over the runs."""
    if figure["n"] == 1:
        return f"{figure['median']:.{digits}f}{unit}"
    return f"{figure['median']:.{digits}f}{unit} ({figure['min']:.{digits}f}-{figure['max']:.{digits}f})"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident memory now, in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def cpu_seconds() -> float:
    """CPU time of this process (every thread), user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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
        "cpu_share": cpu / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


@dataclass(frozen=True)
class Goal:
    """One goal of issue 13 and how a run fared: the median decides, the range is shown."""

    name: str
    figure: Stat
    limit: float
    higher_is_better: bool = False
    unit: str = "x"
    invalid: str = ""  # why the figure does not count (a saturated server, ...)
    skipped: str = ""  # why it was not judged (a --quick run's smaller sizes, ...)

    @property
    def target(self) -> str:
        return f"{'≥' if self.higher_is_better else '≤'} {self.limit:g}{self.unit}"

    @property
    def verdict(self) -> str:
        if self.invalid:
            return "INVALID"
        if self.skipped:
            return "SKIPPED"
        median = self.figure["median"]
        return "PASS" if (median >= self.limit if self.higher_is_better else median <= self.limit) else "FAIL"

    def row(self) -> dict[str, str]:
        note = self.invalid or self.skipped
        return {"goal": self.name, "target": self.target, "measured": shown(self.figure, self.unit),
                "verdict": self.verdict + (f" ({note})" if note else "")}


def text_table(rows: list[dict[str, str]], title: str = "") -> str:
    """Rows of strings as aligned plain-text columns (the first row's keys are the headings)."""
    if not rows:
        return ""
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(row[k]) for row in rows)) for k in keys}
    lines = [title] if title else []
    lines.append("  ".join(k.ljust(widths[k]) for k in keys))
    lines += ["  ".join(row[k].ljust(widths[k]) for k in keys) for row in rows]
    return "\n".join(lines)


def markdown_table(rows: list[dict[str, str]]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + " --- |" * len(keys)]
    lines += ["| " + " | ".join(row[k] for k in keys) + " |" for row in rows]
    return "\n".join(lines)
