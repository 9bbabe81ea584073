"""The scaling curves as PNG images (matplotlib, Agg backend): medians, with the range
over the runs as error bars.

- ``backend_turn.png``: a chat turn's cost against the history length, per strategy;
- ``cassettes.png``: cassette load and save time against size, beside a linear reference;
- ``http_concurrency.png``: throughput and client CPU against concurrency, julep_async and the floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from . import bench_backend, bench_http, bench_replay
from .clients import FLOOR, SDK
from .common import stat


def _errorbar(ax: Any, x: Sequence[float], runs: Sequence[Sequence[float]], **style: Any) -> None:
    """Medians of ``runs`` (one list of values per x), min-max as error bars."""
    stats = [stat(values) for values in runs]
    medians = [s["median"] for s in stats]
    spread = [[m - s["min"] for m, s in zip(medians, stats, strict=True)],
              [s["max"] - m for m, s in zip(medians, stats, strict=True)]]
    ax.errorbar(x, medians, yerr=spread, marker="o", capsize=3, **style)


def backend_turn(results: dict[str, Any], path: Path) -> None:
    lengths = results["lengths"]
    figure, (absolute, relative) = plt.subplots(1, 2, figsize=(11, 4.2))
    for strategy in bench_backend.strategies(results):
        series = results["turn_us"][strategy]
        runs = [series[str(n)] for n in lengths]
        _errorbar(absolute, lengths, runs, label=f"context_overflow={strategy}")
        base = stat(series[str(lengths[0])])["median"]
        _errorbar(relative, lengths, [[v / base for v in values] for values in runs], label=f"{strategy}")
    relative.axhline(1.5, color="red", linestyle="--", label="goal: ≤ 1.5x")
    absolute.set(xscale="log", yscale="log", xlabel="entries stored in the session", ylabel="CPU µs per chat turn",
                 title="Fake backend: one chat turn")
    relative.set(xscale="log", xlabel="entries stored in the session",
                 ylabel=f"cost / cost at {lengths[0]} entries", title="The same, relative to the shortest history")
    absolute.legend(fontsize="small")
    relative.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def cassettes(results: dict[str, Any], path: Path) -> None:
    sizes = bench_replay.measured_sizes(results)
    anchor = sizes[len(sizes) // 2 - 1] if len(sizes) > 2 else sizes[0]
    figure, (total, each) = plt.subplots(1, 2, figsize=(11, 4.2))
    for what, color, limit in (("load", "tab:blue", 1.2), ("save", "tab:orange", 2.0)):
        runs = [results["cassettes"][str(size)][f"{what}_s"] for size in sizes]
        _errorbar(total, sizes, runs, color=color, label=what)
        through = stat(results["cassettes"][str(anchor)][f"{what}_s"])["median"]
        total.plot(sizes, [through * size / anchor for size in sizes], color=color, linestyle=":",
                   label=f"{what}: linear through {anchor:,}")
        total.plot([100_000], [limit], marker="x", color=color, linestyle="none", markersize=10,
                   label=f"{what} goal at 100,000: < {limit:g} s")
        per = [bench_replay.per_interaction(results, str(size), f"{what}_s") for size in sizes]
        _errorbar(each, sizes, per, color=color, label=what)
    total.set(xscale="log", yscale="log", xlabel="interactions in the cassette", ylabel="seconds",
              title="Cassette load and save")
    each.set(xscale="log", xlabel="interactions in the cassette", ylabel="µs per interaction",
             title="Per interaction (flat when linear)")
    each.set_ylim(bottom=0)
    total.legend(fontsize="small")
    each.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def http_concurrency(results: dict[str, Any], path: Path) -> None:
    levels = [int(name.rpartition("=")[2]) for name in bench_http.CONCURRENCY_CURVE]
    figure, (throughput, cpu) = plt.subplots(1, 2, figsize=(11, 4.2))
    for kind in (FLOOR, SDK):
        runs = results["runs"][kind]
        _errorbar(throughput, levels, [[r[s]["calls_per_s"] for r in runs] for s in bench_http.CONCURRENCY_CURVE],
                  label=kind)
        _errorbar(cpu, levels, [[r[s]["cpu_us_per_call"] for r in runs] for s in bench_http.CONCURRENCY_CURVE],
                  label=kind)
    throughput.set(xscale="log", xlabel="concurrent conversations", ylabel="chats per second",
                   title="HTTP chat: throughput")
    cpu.set(xscale="log", xlabel="concurrent conversations", ylabel="client CPU µs per chat",
            title="HTTP chat: client CPU")
    for ax in (throughput, cpu):
        ax.set_xscale("log", base=2)
        ax.set_xticks(levels, [str(level) for level in levels])
        ax.set_ylim(bottom=0)
        ax.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(results: dict[str, Any], folder: Path) -> list[Path]:
    """Every plot the sections in ``results`` allow; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for section, name, draw in (("backend", "backend_turn.png", backend_turn), ("replay", "cassettes.png", cassettes),
                                ("http", "http_concurrency.png", http_concurrency)):
        if section in results:
            draw(results[section], folder / name)
            made.append(folder / name)
    return made
