"""A realistic workload to record: conversations of different lengths with messages of
different sizes, among agent and session creates, history reads, session reads and
updates. Every call differs from every other (its own session, its own words), so a
cassette made of it holds distinct interactions. Seeded: the same seed, the same calls.
"""

from __future__ import annotations

import random

from julep_async import AsyncClient

WORDS = ["the", "agent", "session", "history", "model", "reply", "question", "answer", "weather", "city", "travel",
         "plan", "budget", "summary", "context", "memory", "document", "search", "tool", "call", "result", "order",
         "invoice", "meeting", "notes", "tomorrow", "today", "yesterday", "please", "thanks", "could", "would",
         "maybe", "really", "quick", "long", "short"]
SESSIONS_PER_AGENT = 25


class Workload:
    """Calls made through ``client`` until :attr:`calls` reaches the number asked."""

    def __init__(self, client: AsyncClient, seed: int = 0) -> None:
        self.client = client
        self.random = random.Random(seed)
        self.calls = 0
        self.agent = ""
        self.conversations = 0

    def _text(self, low: int, high: int) -> str:
        return " ".join(self.random.choices(WORDS, k=self.random.randint(low, high)))

    async def _conversation(self) -> None:
        client, rng = self.client, self.random
        if self.conversations % SESSIONS_PER_AGENT == 0:
            agent = await client.agents.create(f"Agent {self.conversations}", about=self._text(4, 20),
                                               instructions=[self._text(3, 10) for _ in range(rng.randint(0, 3))])
            self.agent, self.calls = agent.id, self.calls + 1
        self.conversations += 1
        session = await client.sessions.create(agent_id=self.agent, situation=self._text(0, 15) or None,
                                               metadata={"customer": f"c{rng.randrange(10**6)}"})
        self.calls += 1
        for turn in range(rng.randint(2, 12)):
            reply = await client.sessions.chat(
                session.id, [{"role": "user", "content": f"{turn}: {self._text(2, 40)}"}])
            assert reply.content
            self.calls += 1
            roll = rng.random()
            if roll < 0.08:
                await client.sessions.history(session.id, limit=rng.choice((3, 5, 10)))
            elif roll < 0.13:
                await client.sessions.get(session.id)
            elif roll < 0.16:
                await client.sessions.update(session.id, metadata={"stage": self._text(1, 3)})
            else:
                continue
            self.calls += 1

    async def make(self, calls: int) -> int:
        """Make at least ``calls`` calls (whole conversations); the number made."""
        while self.calls < calls:
            await self._conversation()
        return self.calls
