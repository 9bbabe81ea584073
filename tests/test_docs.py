"""Documents of sessions, agents and users: create, list, search, delete."""

from __future__ import annotations

from typing import Any

import pytest

from julep_async import AsyncClient
from julep_async.exceptions import DocNotFoundError, SessionNotFoundError

pytestmark = pytest.mark.anyio

CORPUS = [
    ("Quantum notes", "Quantum computing uses qubits. Quantum error correction matters.", {"type": "notes"}),
    ("Physics reading", "An overview of physics, with one chapter on quantum mechanics.", {"type": "notes"}),
    ("Quantum todo", "Read about quantum annealing", {"type": "todo"}),
    ("Groceries", "Milk, eggs and bread", {"type": "notes"}),
]


async def _fill(docs: Any, owner_id: str) -> list[Any]:
    return [await docs.create(owner_id, title, content, metadata=meta) for title, content, meta in CORPUS]


async def test_session_docs_search_ranks_and_filters(client: AsyncClient, session: Any) -> None:
    made = await _fill(client.sessions.docs, session.id)
    results = await client.sessions.docs.search(session.id, "quantum")
    titles = [ref.title for ref in results.docs]
    assert titles[0] == "Quantum notes"  # two mentions beat one
    assert set(titles) == {"Quantum notes", "Physics reading", "Quantum todo"}
    distances = [ref.distance for ref in results.docs]
    assert distances == sorted(distances)
    filtered = await client.sessions.docs.search(session.id, "quantum", metadata_filter={"type": "notes"})
    assert [ref.title for ref in filtered.docs] == ["Quantum notes", "Physics reading"]
    assert all(ref.owner.id == session.id for ref in filtered.docs)
    assert "quantum" in filtered.docs[0].snippet.content.lower()
    limited = await client.sessions.docs.search(session.id, "quantum", limit=1)
    assert [ref.id for ref in limited.docs] == [made[0].id]
    assert (await client.sessions.docs.search(session.id, "zebra")).docs == []


async def test_session_docs_list_and_delete(client: AsyncClient, session: Any) -> None:
    made = await _fill(client.sessions.docs, session.id)
    listed = await client.sessions.docs.list(session.id, limit=10)
    assert [d.id for d in listed.items] == [d.id for d in reversed(made)]
    notes = await client.sessions.docs.list(session.id, metadata_filter={"type": "todo"})
    assert [d.title for d in notes.items] == ["Quantum todo"]
    deleted = await client.sessions.docs.delete(session.id, made[0].id)
    assert deleted.id == made[0].id
    assert made[0].id not in [d.id async for d in client.sessions.docs.list(session.id)]
    with pytest.raises(DocNotFoundError):
        await client.sessions.docs.delete(session.id, made[0].id)


async def test_docs_are_scoped_to_their_owner(client: AsyncClient, agent: Any, user: Any, session: Any) -> None:
    await client.agents.docs.create(agent.id, "Agent manual", "quantum agent handbook")
    await client.users.docs.create(user.id, "User diary", "quantum user diary")
    await client.sessions.docs.create(session.id, "Session memo", "quantum session memo")
    assert [r.title for r in (await client.agents.docs.search(agent.id, "quantum")).docs] == ["Agent manual"]
    assert [r.title for r in (await client.users.docs.search(user.id, "quantum")).docs] == ["User diary"]
    assert [r.title for r in (await client.sessions.docs.search(session.id, "quantum")).docs] == ["Session memo"]
    assert (await client.agents.docs.search(agent.id, "quantum")).docs[0].owner.role == "agent"


async def test_docs_of_a_missing_session(client: AsyncClient) -> None:
    with pytest.raises(SessionNotFoundError):
        await client.sessions.docs.create("00000000-0000-4000-8000-000000000000", "t", "c")
    with pytest.raises(SessionNotFoundError):
        await client.sessions.docs.search("00000000-0000-4000-8000-000000000000", "x")


async def test_chat_recalls_relevant_documents_when_the_session_asks(client: AsyncClient, agent: Any,
                                                                     user: Any) -> None:
    session = await client.sessions.create(agent_id=agent.id, user_id=user.id,
                                           recall_options={"mode": "text", "limit": 2, "num_search_messages": 1})
    await client.sessions.docs.create(session.id, "Qubit primer", "A qubit holds a superposition of states.")
    await client.users.docs.create(user.id, "Diary", "Today I read about qubit hardware.")
    await client.sessions.docs.create(session.id, "Groceries", "Milk and bread.")
    rendered = await client.sessions.render(session.id, [{"role": "user", "content": "what is a qubit"}])
    recalled = [m.content for m in rendered.messages if "Relevant documents" in str(m.content)]
    assert len(recalled) == 1 and "Qubit primer" in recalled[0] and "Groceries" not in recalled[0]
    reply = await client.sessions.chat(session.id, [{"role": "user", "content": "what is a qubit"}])
    assert {ref.title for ref in reply.docs} == {"Qubit primer", "Diary"}
    plain = await client.sessions.chat(session.id, [{"role": "user", "content": "what is a qubit"}], recall=False)
    assert plain.docs == []
