"""``python -m benchmarks``: every benchmark in one run, printed as ratios to a floor
measured in the same run.

    python -m benchmarks                  # everything (a few minutes on 2 cores)
    python -m benchmarks --quick          # one repeat, smaller workloads
    python -m benchmarks --only http,memory --json results.json
"""

from __future__ import annotations

import argparse
import platform
import time
from typing import Any

import anyio

from . import bench_http, bench_memory, bench_replay, bench_scale
from .common import peak_rss_mb, save

SECTIONS = ("memory", "http", "replay", "scale")


async def main(sections: list[str], quick: bool) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": platform.platform(), "python": platform.python_version(),
                               "when": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": quick}
    if "memory" in sections:
        results["memory"] = await bench_memory.run(repeats=1 if quick else 3)
        print(bench_memory.report(results["memory"]), flush=True)
    if "http" in sections:
        results["http"] = await bench_http.run(repeats=1 if quick else 5, scale=0.5 if quick else 1.0)
        print(bench_http.report(results["http"]), flush=True)
    if "replay" in sections:
        results["replay"] = await bench_replay.run()
        print(bench_replay.report(results["replay"]), flush=True)
    if "scale" in sections:
        sessions = 2_000 if quick else bench_scale.SESSIONS
        results["scale"] = await bench_scale.run(rounds=2 if quick else 3, sessions=sessions)
        print(bench_scale.report(results["scale"]), flush=True)
    results["peak_rss_mb"] = peak_rss_mb()
    print(f"\npeak RSS of the benchmark process: {results['peak_rss_mb']:.0f} MiB")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one repeat, smaller workloads")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument("--json", metavar="PATH", help="also save the figures as JSON")
    args = parser.parse_args()
    chosen = [section for section in args.only.split(",") if section]
    if unknown := set(chosen) - set(SECTIONS):
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    save(anyio.run(main, chosen, args.quick), args.json)
