"""The cost of event hooks: chats, one at a time, against a canned reply (so the client's
own work is all there is to measure), with no hook, a no-op hook (sync and async), and
OpenTelemetry's ``Tracing`` with no SDK (the API's no-op tracer) and with the SDK
recording every span.

    python -m benchmarks.bench_hooks [--quick]

Without hooks the pipeline builds no event and reads no extra clock: the first row is
the client's own cost, the others add what a hook costs. Configurations take turns
within each repeat, so drift on a busy machine hits them alike; each row is the best
repeat (as ``timeit`` reports: the others only add noise), and the spread shows how
much the repeats disagree.
"""

from __future__ import annotations

import json
import sys
import time

import anyio

from julep_async import AsyncClient
from julep_async.hooks import Event, Hook
from julep_async.transports import InMemoryTransport, Request, Response

CALLS = 5_000
SESSION = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
REPLY = json.dumps({
    "id": SESSION, "created_at": "2025-01-01T00:00:00Z",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "noted"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
}).encode()


def canned(request: Request) -> Response:
    return Response(201, {"content-type": "application/json", "x-request-id": "req_1"}, REPLY)


def noop(event: Event) -> None:
    pass


async def noop_async(event: Event) -> None:
    pass


def _configurations() -> dict[str, list[Hook]]:
    configurations: dict[str, list[Hook]] = {"no hooks": [], "a no-op hook": [noop],
                                             "an async no-op hook": [noop_async]}
    try:
        from opentelemetry.sdk.trace import TracerProvider

        from julep_async.otel import Tracing
    except ImportError:  # the otel extra (or the SDK) is not installed: its rows are left out
        return configurations
    configurations["Tracing(), API only (no-op tracer)"] = [Tracing()]
    configurations["Tracing(), SDK recording spans"] = [Tracing(tracer_provider=TracerProvider())]
    return configurations


async def _chats(client: AsyncClient, calls: int) -> float:
    """CPU µs per chat, chats made one after another."""
    started = time.process_time()
    for i in range(calls):
        await client.sessions.chat(SESSION, [{"role": "user", "content": f"question {i}"}], model="gpt-4o-mini")
    return (time.process_time() - started) / calls * 1e6


async def run(repeats: int = 7, calls: int = CALLS) -> dict[str, list[float]]:
    """CPU µs per chat for each configuration, one figure per repeat, sorted."""
    configurations = _configurations()
    runs: dict[str, list[float]] = {name: [] for name in configurations}
    for _ in range(repeats):
        for name, hooks in configurations.items():
            async with AsyncClient(api_key="hooks-bench-key", transport=InMemoryTransport(canned),
                                   hooks=hooks) as client:
                await _chats(client, calls // 10)  # warm up
                runs[name].append(await _chats(client, calls))
    return {name: sorted(values) for name, values in runs.items()}


def report(results: dict[str, list[float]]) -> str:
    base = results["no hooks"][0]
    lines = ["\nEvent hooks: chat against a canned reply, one at a time, CPU µs per call (best of repeats)",
             f"{'':40} {'µs/call':>9} {'vs no hooks':>12} {'spread':>15}"]
    for name, values in results.items():
        spread = f"{values[0]:.1f}-{values[-1]:.1f}"
        lines.append(f"{name:40} {values[0]:9.1f} {values[0] - base:+11.1f} {spread:>15}")
    return "\n".join(lines)


if __name__ == "__main__":
    quick = "--quick" in sys.argv[1:]
    print(report(anyio.run(run, 1 if quick else 7, CALLS // 5 if quick else CALLS)))
