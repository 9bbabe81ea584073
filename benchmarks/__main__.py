"""``python -m benchmarks``: every benchmark in one run, each against a floor measured in the
same run, ending with the goals of issue 13 and a verdict for each (PASS, FAIL, INVALID
when the measurement cannot count, SKIPPED when --quick made it too small to judge).

    python -m benchmarks                  # everything; results.json and plots in benchmarks/results/
    python -m benchmarks --quick          # fewer repeats, smaller sizes: a check, not figures
    python -m benchmarks --only http,memory --json out.json
    python -m benchmarks --from benchmarks/results/results.json --markdown   # the README's tables again
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import anyio

from . import bench_backend, bench_http, bench_memory, bench_replay, bench_scale
from .common import Goal, markdown_table, peak_rss_mb, text_table

SECTIONS: dict[str, Any] = {"memory": bench_memory, "backend": bench_backend, "http": bench_http,
                            "replay": bench_replay, "scale": bench_scale}
RESULTS = Path(__file__).parent / "results"
PLOTS = {"http_concurrency.png": "HTTP chat: throughput and client CPU against concurrency",
         "backend_turn.png": "A chat turn's cost against the stored history, per overflow strategy",
         "cassettes.png": "Cassette load and save time against size"}


def settings(quick: bool) -> dict[str, dict[str, Any]]:
    """Each section's ``run`` arguments: full, or quick."""
    if quick:
        return {"memory": {"repeats": 2, "sessions": 50}, "backend": {"samples": 3, "lengths": (10, 100, 1_000)},
                "http": {"repeats": 1, "scale": 0.3, "official": False},
                "replay": {"repeats": 1, "sizes": (100, 1_000)}, "scale": {"rounds": 2, "sessions": 500}}
    return {"memory": {"repeats": 5}, "backend": {"samples": 9}, "http": {"repeats": 5},
            "replay": {"repeats": 3}, "scale": {"rounds": 3}}


async def main(sections: list[str], quick: bool, loop: str) -> dict[str, Any]:
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M"), "command": " ".join(["python -m benchmarks", *sys.argv[1:]]),
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, {platform.system()}",
        "python": platform.python_version(), "loop": type(asyncio.get_running_loop()).__module__,
        "loop_asked": loop, "quick": quick,
    }
    for name in sections:
        results[name] = await SECTIONS[name].run(**settings(quick)[name])
        print(SECTIONS[name].report(results[name]), flush=True)
        gc.collect()
    results["peak_rss_mb"] = peak_rss_mb()
    return results


def goals(results: dict[str, Any]) -> list[Goal]:
    return [goal for name, module in SECTIONS.items() if name in results for goal in module.goals(results[name])]


def header(results: dict[str, Any]) -> str:
    return (f"{results['when']}, {results['machine']}, Python {results['python']}, event loop {results['loop']}; "
            f"`{results['command']}`")


def markdown(results: dict[str, Any]) -> str:
    """The README's figures: the goals, then each section's tables and plots."""
    def section(title: str, table: list[dict[str, str]], plot: str = "") -> str:
        image = f"\n\n![{PLOTS[plot]}](benchmarks/results/{plot})" if plot else ""
        return f"{title}:\n\n{markdown_table(table)}{image}"

    parts = [f"Latest full run: {header(results)}.", markdown_table([goal.row() for goal in goals(results)])]
    if "http" in results:
        http = results["http"]
        parts += [section(f"HTTP, {scenario} (client CPU and server CPU: share of one core)",
                          bench_http.rows(http, scenario)) for scenario in ("chat c=256", "chat c=256, 8 per session")]
        parts.append(section("HTTP, history(40) c=16", bench_http.rows(http, "history(40) c=16"),
                             "http_concurrency.png"))
    titled = {"memory": ("In memory, one call at a time, CPU µs per call", ""),
              "backend": ("The fake backend, one chat turn, CPU µs", "backend_turn.png"),
              "replay": ("Cassettes, wall time", "cassettes.png"),
              "scale": ("100,000 chats over 10,000 sessions in memory, per round", "")}
    parts += [section(title, SECTIONS[name].rows(results[name]), plot)
              for name, (title, plot) in titled.items() if name in results]
    return "\n\n".join(parts)


def _loop(parser: argparse.ArgumentParser, loop: str) -> dict[str, Any]:
    """anyio's options for the event loop asked for."""
    if loop == "asyncio":
        return {}
    try:
        import uvloop
    except ImportError:
        if loop == "uvloop":
            parser.error("--loop uvloop: uvloop is not installed (pip install -e '.[bench]')")
        return {}
    return {"loop_factory": uvloop.new_event_loop}


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"a comma-separated subset of {', '.join(SECTIONS)}")
    parser.add_argument("--loop", choices=("auto", "asyncio", "uvloop"), default="auto",
                        help="the benchmark's event loop (auto: uvloop when installed)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="save the figures (default: in --plots' folder)")
    parser.add_argument("--plots", metavar="DIR", type=Path,
                        help="write the plots here (default on a full run: benchmarks/results)")
    parser.add_argument("--markdown", action="store_true", help="also print the README's tables")
    parser.add_argument("--from", dest="source", metavar="PATH", type=Path,
                        help="report a saved run instead of running")
    args = parser.parse_args()
    chosen = [section for section in args.only.split(",") if section]
    if unknown := set(chosen) - set(SECTIONS):
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")

    if args.source:
        results = json.loads(args.source.read_text())
        for name, module in SECTIONS.items():
            if name in results:
                print(module.report(results[name]))
        plots = args.plots
    else:
        results = anyio.run(main, chosen, args.quick, args.loop, backend_options=_loop(parser, args.loop))
        print(f"\npeak RSS of the benchmark process: {results['peak_rss_mb']:.0f} MiB")
        full = not args.quick and chosen == list(SECTIONS)
        plots = args.plots or (RESULTS if full else None)
    saved = args.json or (plots / "results.json" if plots and not args.source else None)
    if saved:
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(results, indent=1) + "\n")
        print(f"saved {saved}")
    if plots:
        from . import plots as drawing

        print("plots:", ", ".join(str(path) for path in drawing.write(results, plots)))
    print("\n" + text_table([goal.row() for goal in goals(results)], f"Goals ({header(results)})"))
    if args.markdown:
        print("\n" + markdown(results))


if __name__ == "__main__":
    cli()
