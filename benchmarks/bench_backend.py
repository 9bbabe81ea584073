"""The fake backend's cost of one chat turn against the history a session already holds,
for every ``context_overflow`` strategy: ``Backend.handle`` called directly with the
request the SDK would send (JSON body, an idempotency key), no SDK around it.

Sessions are filled to each length by chats carrying many messages at once (every
message is stored), with ``token_budget`` :data:`TOKEN_BUDGET` so that the strategies
act from about a hundred entries on; the model's window is made huge so that ``None``
(send everything) never refuses. One sample is the median of :data:`TURNS` turns on a
freshly filled session of every length in turn, so drift hits every length alike. Before
them the garbage collector is run once: filling allocates tens of thousands of objects,
and a collection they trigger costs in proportion to the whole heap, not to the session's
history; it would land on whichever single turn came next.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import time
from typing import Any

import orjson

from julep_async.backend import Backend
from julep_async.transports import Request

from .common import Goal, ratios, shown, stat, text_table

STRATEGIES: tuple[str | None, ...] = (None, "truncate", "summarize", "adaptive")
LENGTHS = (10, 100, 1_000, 10_000)
TOKEN_BUDGET = 1_000
BATCH = 500  # messages per filling chat
TURNS = 15  # turns measured per session (each saved: the history grows as it would)
WORDS = ["the", "a", "session", "agent", "history", "turn", "reply", "model", "question", "answer", "context",
         "budget", "summary"]


class _Caller:
    def __init__(self) -> None:
        self.backend = Backend(context_window=10**9)
        self.random = random.Random(0)

    async def __call__(self, method: str, path: str, body: Any) -> tuple[Any, float]:
        """The decoded reply, and the CPU seconds ``handle`` took."""
        headers = {"authorization": "Bearer backend-bench", "content-type": "application/json",
                   "idempotency-key": os.urandom(16).hex()}
        request = Request(method, path, (), headers, orjson.dumps(body))
        started = time.process_time()
        reply = await self.backend.handle(request)
        took = time.process_time() - started
        if reply.status >= 300:
            raise RuntimeError(f"{reply.status}: {reply.body[:300]!r}")
        return orjson.loads(reply.body), took

    def text(self, n: int) -> str:
        return f"message {n}: " + " ".join(self.random.choices(WORDS, k=self.random.randint(3, 30)))

    async def filled(self, agent: str, strategy: str | None, length: int) -> str:
        """A new session holding ``length`` entries (each chat stores its messages and a reply)."""
        budget = TOKEN_BUDGET if strategy else None
        session, _ = await self("POST", "/sessions", {"agent": agent, "context_overflow": strategy,
                                                      "token_budget": budget})
        stored = 0
        while stored < length:
            count = min(BATCH, length - stored) - 1
            messages = [{"role": "user", "content": self.text(stored + i)} for i in range(max(count, 1))]
            await self("POST", f"/sessions/{session['id']}/chat", {"messages": messages})
            stored += len(messages) + 1
        return str(session["id"])


async def run(samples: int = 9, lengths: tuple[int, ...] = LENGTHS) -> dict[str, Any]:
    """µs per turn at each length, ``samples`` times, per strategy."""
    caller = _Caller()
    agent = str((await caller("POST", "/agents", {"name": "Bench", "about": "Answers questions."}))[0]["id"])
    turn = {"messages": [{"role": "user", "content": "and what comes next, after all of that?"}]}
    figures: dict[str, dict[str, list[float]]] = {}
    for strategy in STRATEGIES:
        per_length: dict[str, list[float]] = {str(length): [] for length in lengths}
        for _ in range(samples):
            for length in lengths:
                session = await caller.filled(agent, strategy, length)
                gc.collect()
                took = [(await caller("POST", f"/sessions/{session}/chat", turn))[1] for _ in range(TURNS)]
                per_length[str(length)].append(statistics.median(took) * 1e6)
        figures[str(strategy)] = per_length
    return {"turn_us": figures, "lengths": list(lengths), "token_budget": TOKEN_BUDGET}


def strategies(results: dict[str, Any]) -> list[str]:
    """The strategies measured, in :data:`STRATEGIES` order (a saved run may have sorted them)."""
    return [str(strategy) for strategy in STRATEGIES if str(strategy) in results["turn_us"]]


def growth(results: dict[str, Any], strategy: str) -> dict[str, float]:
    """A turn's cost at the longest history over its cost at the shortest, sample by sample."""
    series = results["turn_us"][strategy]
    return ratios(series[str(results["lengths"][-1])], series[str(results["lengths"][0])])


def rows(results: dict[str, Any]) -> list[dict[str, str]]:
    longest, shortest = results["lengths"][-1], results["lengths"][0]
    found = []
    for strategy in strategies(results):
        series = results["turn_us"][strategy]
        row = {"strategy": strategy}
        row.update({f"{n:,} entries": f"{stat(series[str(n)])['median']:,.0f} µs" for n in results["lengths"]})
        row[f"{longest:,} vs {shortest:,}"] = shown(growth(results, strategy))
        found.append(row)
    return found


def report(results: dict[str, Any]) -> str:
    samples = len(next(iter(results["turn_us"].values()))[str(results["lengths"][0])])
    title = (f"\nFake backend, one chat turn (CPU µs, median of {samples} sessions per length, each the median of "
             f"{TURNS} turns; "
             f"token_budget {results['token_budget']} for the strategies)")
    return text_table(rows(results), title)


def goals(results: dict[str, Any]) -> list[Goal]:
    longest, shortest = results["lengths"][-1], results["lengths"][0]
    skipped = "" if (shortest, longest) == (10, 10_000) else f"measured {shortest:,} to {longest:,} entries only"
    return [Goal(f"backend turn, {longest:,} vs {shortest:,} stored entries, context_overflow={strategy}",
                 growth(results, strategy), 1.5, skipped=skipped) for strategy in strategies(results)]
