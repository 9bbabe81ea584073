"""``julep-async demo``: the Julep sessions guide, end to end, on the in-memory backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .client import AsyncClient
from .exceptions import JulepError, SessionNotFoundError
from .transports.memory import InMemoryTransport


def _show(say: Callable[[str], None], title: str, **facts: Any) -> None:
    say(f"\n== {title}")
    for name, value in facts.items():
        say(f"   {name}: {value}")


async def run_demo(client: AsyncClient | None = None, say: Callable[[str], None] = print) -> None:
    """Walk the sessions guide on ``client`` (default: a fresh, seeded in-memory backend)."""
    client = client or AsyncClient(transport=InMemoryTransport(seed=0))
    async with client:
        agent = await client.agents.create(name="Research Assistant", about="Helps with research.",
                                           model="gpt-4o-mini")
        user = await client.users.create(name="Ada", about="A curious researcher")
        _show(say, "Agent and user", agent=f"{agent.name} ({agent.id})", user=f"{user.name} ({user.id})")

        session = await client.sessions.create(
            agent_id=agent.id, user_id=user.id, context_overflow="adaptive",
            metadata={"channel": "web", "language": "english"},
        )
        _show(say, "Creating sessions", id=session.id, kind=session.kind,
              context_overflow=session.context_overflow, metadata=session.metadata)

        response = await client.sessions.chat(
            session_id=session.id, messages=[{"role": "user", "content": "What can you help me with?"}]
        )
        _show(say, "Session chat: single message", reply=response.content, usage=response.usage)

        response = await client.sessions.chat(session_id=session.id, messages=[
            {"role": "user", "content": "I need help with research"},
            {"role": "assistant", "content": "I can help you with that. What topic would you like to research?"},
            {"role": "user", "content": "Let's research quantum computing"},
        ])
        _show(say, "Session chat: multiple messages", reply=response.content)

        history = await client.sessions.history(session_id=session.id, limit=10, before=datetime.now())
        _show(say, "Get session history (limit=10, before=now)", entries=len(history.entries))
        for entry in history.entries:
            say(f"   - {entry.created_at:%H:%M:%S.%f} {entry.role:>9}: {str(entry.content)[:70]}")

        session = await client.sessions.update(session_id=session.id, metadata={"topic": "quantum computing"})
        _show(say, "Update session context (metadata merges)", metadata=session.metadata)

        await client.sessions.clear(session_id=session.id)
        history = await client.sessions.history(session_id=session.id)
        _show(say, "Clear session history", entries_after_clear=len(history.entries))

        doc = await client.sessions.docs.create(
            session_id=session.id, title="Research Notes", content="Notes about quantum computing...",
            metadata={"type": "notes"},
        )
        await client.sessions.docs.create(session_id=session.id, title="Groceries",
                                          content="Milk, eggs, bread", metadata={"type": "todo"})
        results = await client.sessions.docs.search(session_id=session.id, text="quantum",
                                                    metadata_filter={"type": "notes"})
        _show(say, "Session documents", created=f"{doc.title} ({doc.id})",
              search_quantum=[(ref.title, ref.distance) for ref in results.docs])
        await client.sessions.docs.delete(session_id=session.id, doc_id=doc.id)
        remaining = await client.sessions.docs.list(session.id)
        _show(say, "Delete a session document", remaining=[d.title for d in remaining.items])

        sessions = await client.sessions.list(agent_id=agent.id, user_id=user.id, limit=10, offset=0)
        _show(say, "List sessions", found=[s.id for s in sessions.items])
        session = await client.sessions.get(session_id=session.id)
        _show(say, "Get session details", id=session.id, metadata=session.metadata)
        deleted = await client.sessions.delete(session_id=session.id)
        _show(say, "Delete a session", deleted=deleted.id)

        try:
            await client.sessions.get("nonexistent_id")
        except SessionNotFoundError:
            _show(say, "Error handling", outcome="Session not found")
        except JulepError as e:
            _show(say, "Error handling", outcome=f"An error occurred: {e}")

        await _overflow(client, agent.id, say)


TURNS = [
    "Explain what a qubit is, in a few sentences, for someone who knows classical bits well.",
    "How does superposition differ from a classical probabilistic bit? Give an example.",
    "What is entanglement and why does it matter for quantum algorithms like Shor's?",
    "Which error-correction schemes are used today, and what is a logical qubit?",
]


async def _overflow(client: AsyncClient, agent_id: str, say: Callable[[str], None]) -> None:
    """Each strategy on a session whose conversation outgrows a 160-token budget."""
    for strategy in ("adaptive", "truncate", "summarize"):
        session = await client.sessions.create(agent_id=agent_id, context_overflow=strategy, token_budget=160)
        for turn in TURNS:
            await client.sessions.chat(session.id, [{"role": "user", "content": turn}])
        rendered = await client.sessions.render(session.id, [{"role": "user", "content": "Summarise our chat."}])
        report = rendered.context
        stored = (await client.sessions.history(session.id)).entries
        _show(say, f"Working with context overflow: {strategy} (token_budget=160)",
              stored_history=f"{len(stored)} entries, untouched",
              model_sees=f"{len(rendered.messages)} messages, {report.prompt_tokens if report else '?'} tokens",
              dropped=report.dropped if report else "?", summarized=report.summarized if report else "?")
        for message in rendered.messages:
            say(f"   | {message.role:>9}{' (summary)' if message.name == 'summary' else ''}: "
                f"{str(message.content)[:90]}")
        if strategy != "truncate":
            summary = (await client.sessions.get(session.id)).summary
            say(f"   session.summary: {summary[:120] + '…' if summary and len(summary) > 120 else summary}")
